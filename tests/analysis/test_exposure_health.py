from monitor.analysis.exposure_health import exposure_health
from monitor.analysis.finding import Finding
from tests.analysis.builder import T0, HistoryBuilder


def project() -> HistoryBuilder:
    b = HistoryBuilder()
    b.node("model.p.stg")
    b.node("model.p.funnel", depends_on=["model.p.stg"])
    b.node("model.p.other")
    b.node("test.p.not_null.1", depends_on=["model.p.stg"], test_node="model.p.stg")
    b.exposure("exposure.p.dash", ["model.p.funnel"])
    b.exposure("exposure.p.board", ["model.p.other"])
    b.invocation(0)
    return b


def finding(kind: str, severity: str, uid: str) -> Finding:
    return Finding(kind, severity, uid, "inv-000", f"{uid} {kind}")  # type: ignore[arg-type]


def test_exposure_is_at_risk_from_an_upstream_test_failure() -> None:
    findings = [
        finding("test_failure", "error", "test.p.not_null.1"),
        finding("freshness_unmonitored", "info", "model.p.stg"),
    ]
    board, dash = exposure_health(project().frames(), T0, findings)
    assert (board.name, board.health, board.findings) == ("board", "healthy", [])
    assert dash.name == "dash"
    assert dash.health == "at_risk"
    assert [f.unique_id for f in dash.findings] == ["test.p.not_null.1"]
    assert dash.upstream == 2


def test_warnings_only_make_it_warned() -> None:
    findings = [finding("slow_model", "warn", "model.p.funnel")]
    _, dash = exposure_health(project().frames(), T0, findings)
    assert dash.health == "warned"
