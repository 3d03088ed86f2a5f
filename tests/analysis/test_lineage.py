from monitor.analysis.finding import Finding
from monitor.analysis.lineage import Dag, exposures_at_risk
from tests.analysis.builder import T0, HistoryBuilder


def project() -> HistoryBuilder:
    b = HistoryBuilder()
    b.node("source.p.raw.events")
    b.node("model.p.stg_events", depends_on=["source.p.raw.events"])
    b.node("model.p.funnel", depends_on=["model.p.stg_events"])
    b.node("model.p.unrelated")
    b.node("test.p.not_null_funnel", test_node="model.p.funnel", depends_on=["model.p.funnel"])
    b.exposure("exposure.p.dashboard", ["model.p.funnel"])
    return b


def error(unique_id: str, inv: str) -> Finding:
    return Finding("source_stale", "error", unique_id, inv, "stale")


def test_dag_walks_both_ways() -> None:
    b = project()
    b.invocation(0)
    dag = Dag.at(b.frames(), T0)
    assert dag.ancestors("exposure.p.dashboard") == {
        "model.p.funnel",
        "model.p.stg_events",
        "source.p.raw.events",
    }
    assert "exposure.p.dashboard" in dag.descendants("source.p.raw.events")


def test_stale_upstream_source_puts_exposure_at_risk() -> None:
    b = project()
    inv = b.invocation(0, "source freshness")
    frames = b.frames()
    [finding] = exposures_at_risk(
        frames, inv, [error("source.p.raw.events", inv)], Dag.at(frames, T0)
    )
    assert finding.unique_id == "exposure.p.dashboard"
    assert finding.evidence["root_causes"] == "source.p.raw.events"
    assert finding.message == "dashboard dashboard is at risk: upstream raw.events (source_stale)"


def test_failing_test_on_upstream_model_counts_through_its_tested_node() -> None:
    b = project()
    inv = b.invocation(0)
    frames = b.frames()
    cause = Finding("test_failure", "error", "test.p.not_null_funnel", inv, "failed")
    assert len(exposures_at_risk(frames, inv, [cause], Dag.at(frames, T0))) == 1


def test_unrelated_error_puts_nothing_at_risk() -> None:
    b = project()
    inv = b.invocation(0)
    frames = b.frames()
    assert (
        exposures_at_risk(frames, inv, [error("model.p.unrelated", inv)], Dag.at(frames, T0)) == []
    )


def test_reach_walks_down_from_several_nodes_at_once_as_descendants_does() -> None:
    b = project()
    b.node("model.p.wide", depends_on=["model.p.stg_events", "model.p.unrelated"])
    b.node("model.p.wider", depends_on=["model.p.wide", "model.p.funnel"])
    b.invocation(0)
    dag = Dag.at(b.frames(), T0)
    starts = ["source.p.raw.events", "model.p.unrelated", "model.p.wider", "exposure.p.dashboard"]

    reached = dag.reach(starts)

    assert reached == {start: dag.descendants(start) for start in starts}
    assert reached["model.p.unrelated"] == {"model.p.wide", "model.p.wider"}
    assert reached["model.p.wider"] == set()
    assert len(reached["source.p.raw.events"]) == 6
    assert dag.reach([]) == {}
