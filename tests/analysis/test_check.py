from monitor.analysis.check import check
from monitor.analysis.config import Config
from tests.analysis.builder import HistoryBuilder

SOURCE = "source.p.raw.events"


def stale_history() -> tuple[HistoryBuilder, str]:
    b = HistoryBuilder()
    b.node(SOURCE, warn_after=3600.0, error_after=7200.0, tags=["raw"])
    b.node("model.p.funnel", depends_on=[SOURCE])
    b.exposure("exposure.p.dashboard", ["model.p.funnel"])
    inv = b.invocation(0, "source freshness")
    b.check(inv, SOURCE, "error", 9000.0, warn_after=3600.0, error_after=7200.0)
    return b, inv


def test_error_finding_fails_the_gate_and_puts_exposure_at_risk() -> None:
    b, inv = stale_history()
    result = check(b.frames(), inv, Config())
    assert [(f.kind, f.severity) for f in result.findings] == [
        ("exposure_at_risk", "error"),
        ("source_stale", "error"),
    ]
    assert result.failed


def test_fail_on_never_passes_and_warn_is_stricter() -> None:
    b, inv = stale_history()
    frames = b.frames()
    assert not check(frames, inv, Config(fail_on="never")).failed
    downgraded = Config(severity={"source_stale": "warn"})
    result = check(frames, inv, downgraded)
    assert not result.failed  # a warning; and nothing is at risk without an error
    assert [f.kind for f in result.findings] == ["source_stale"]
    assert check(frames, inv, Config(fail_on="warn", severity={"source_stale": "warn"})).failed


def test_ignore_by_glob_and_by_tag() -> None:
    b, inv = stale_history()
    frames = b.frames()
    assert check(frames, inv, Config(ignore=("source.p.*",))).findings == []
    assert check(frames, inv, Config(ignore=("tag:raw",))).findings == []
    assert check(frames, inv, Config(severity={"source_stale": "off"})).findings == []
