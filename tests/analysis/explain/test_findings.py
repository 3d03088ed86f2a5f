from monitor.analysis.check import check
from monitor.analysis.config import Config
from tests.analysis.builder import HistoryBuilder

M = "model.p.m"


def test_slow_model_finding_carries_its_cause() -> None:
    b = HistoryBuilder()
    ids = []
    for day in range(8):
        inv = b.invocation(day)
        b.invocations[-1].update(adapter_type="postgres", threads=4)
        b.run(inv, M, 20.0 if day == 7 else 4.0, rows_affected=5000 if day == 7 else 1000)
        ids.append(inv)
    b.node(M, materialized="table")
    result = check(b.frames(), ids[-1], Config())
    kinds = {f.kind: f for f in result.findings}
    slow = kinds["slow_model"]
    assert slow.evidence["cause"] == "data"
    assert [c["kind"] for c in slow.evidence["causes"]] == ["data"]
    assert slow.message.endswith(
        "; likely cause: its rows grew 5.0× (1,000 → 5,000) with the runtime"
    )
    volume = kinds["volume_anomaly"]
    assert volume.evidence["cause"] == "data"
    assert volume.message.endswith("; likely cause: its code did not change: the data it reads did")


def test_other_findings_are_left_alone() -> None:
    b = HistoryBuilder()
    inv = b.invocation(0)
    b.run(inv, M, status="error", seconds=1.0)
    b.node(M)
    [finding] = [f for f in check(b.frames(), inv, Config()).findings if f.kind == "model_error"]
    assert "cause" not in finding.evidence
