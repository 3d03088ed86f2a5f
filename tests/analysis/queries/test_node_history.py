import datetime as dt
from typing import Any

import pytest

from monitor.analysis.check import check
from monitor.analysis.config import Config
from monitor.analysis.queries.node_history import NodeHistory, node_history
from monitor.analysis.queries.windows import Window
from tests.analysis.builder import T0, HistoryBuilder
from tests.analysis.queries.tables import tables_of

RAW = "source.p.raw.events"
STG = "model.p.stg_events"
FCT = "model.p.fct_funnel"
TEST = "test.p.not_null_stg_events_id.1a"
DASHBOARD = "exposure.p.dashboard"
SECONDS = [10.0, 11.0, 9.0, 10.0, 60.0, 10.0]


def history() -> tuple[HistoryBuilder, list[str]]:
    b = HistoryBuilder()
    b.node(RAW, source_name="raw", warn_after=3600.0, error_after=7200.0)
    b.node(STG, depends_on=[RAW], path="models/staging/stg_events.sql", tags=["nightly"])
    b.node(FCT, depends_on=[STG])
    b.node(TEST, depends_on=[STG], test_node=STG, test_column="id")
    b.exposure(DASHBOARD, [FCT])
    ids = []
    for day, seconds in enumerate(SECONDS):
        fresh = b.invocation(day, "source freshness")
        b.check(fresh, RAW, "error" if day == 5 else "pass", 600.0 + day * 9000.0 * (day == 5),
                warn_after=3600.0, error_after=7200.0)  # fmt: skip
        inv = b.invocation(day, hour=0.5)
        b.run(inv, STG, seconds, rows_affected=100)
        b.run(inv, FCT, 1.0)
        b.run(inv, TEST, 0.1, status="pass")
        ids.append(inv)
    failed = b.invocation(6, hour=0.5)
    b.run(failed, STG, 2.0, status="error", message="Database Error\n  syntax error")
    b.run(failed, FCT, 0.0, status="skipped")
    ids.append(failed)
    return b, ids


def page(*args: Any, **kwargs: Any) -> NodeHistory:
    found = node_history(*args, **kwargs)
    assert found is not None
    return found


def test_runs_with_the_baseline_each_was_judged_against() -> None:
    b, ids = history()
    found = page(tables_of(b), STG, Window(), Config())
    assert found.runs["invocation_id"].to_list() == ids
    assert found.runs["status"].to_list() == ["success"] * 6 + ["error"]
    # the median of the previous successful runs, once there are three of them
    assert found.runs["baseline_s"].to_list() == [None, None, None, 10.0, 10.0, 10.0, 10.0]
    assert found.runs["ratio"][4] == 6.0
    assert found.runs["message"][-1] == "Database Error"
    assert found.series == [*SECONDS, 2.0]
    assert found.total_runs == 7
    assert found.baseline is not None
    assert (found.baseline.median, found.baseline.runs) == (10.0, 6)
    assert found.node is not None and found.node["tags"] == ["nightly"]


def test_its_findings_parents_and_children() -> None:
    b, ids = history()
    found = page(tables_of(b), STG, Window(), Config())
    assert found.findings.select("invocation_id", "kind", "severity").rows() == [
        (ids[4], "exposure_at_risk", "error"),
        (ids[4], "slow_model", "error"),
        (ids[6], "exposure_at_risk", "error"),
        (ids[6], "model_error", "error"),
    ]
    model_error = found.findings.filter(found.findings["kind"] == "model_error")
    assert model_error["message"][0] == (
        "stg_events failed: Database Error; 1 downstream node skipped"
    )
    assert found.parents == [RAW]
    assert found.children == [FCT, TEST]


def test_limit_and_window_shape_what_is_shown_and_judged() -> None:
    b, ids = history()
    window = Window(end=T0 + dt.timedelta(days=4, hours=12))
    found = page(tables_of(b), STG, window, Config(), limit=2)
    assert found.runs["invocation_id"].to_list() == ids[3:5]
    assert found.total_runs == 5
    assert found.series == SECONDS[:5]
    assert found.findings.select("invocation_id", "kind").rows() == [
        (ids[4], "exposure_at_risk"),
        (ids[4], "slow_model"),
    ]


def test_a_source_through_its_freshness_checks() -> None:
    b, _ = history()
    found = page(tables_of(b), RAW, Window(), Config())
    assert found.is_source
    assert found.runs["status"].to_list() == ["pass"] * 5 + ["error"]
    assert found.series[-1] == pytest.approx((600.0 + 45000.0) / 3600)
    assert found.baseline is None
    assert found.findings["kind"].to_list() == ["exposure_at_risk", "source_stale"]
    assert found.children == [STG]


@pytest.mark.parametrize("node", [STG, TEST, RAW])
def test_same_findings_as_check_on_the_whole_history(node: str) -> None:
    b, _ = history()
    frames = b.frames()
    found = page(tables_of(b), node, Window(), Config())
    expected = [
        (f.invocation_id, f.kind, f.message)
        for inv in found.runs["invocation_id"]
        for f in check(frames, inv, Config()).findings
        if f.unique_id == node or (f.kind == "exposure_at_risk" and node in str(f.evidence))
    ]
    assert found.findings.select("invocation_id", "kind", "message").rows() == expected


def test_too_few_runs_in_the_window_says_so_before_judging() -> None:
    b, _ = history()
    window = Window(start=T0 + dt.timedelta(days=5))
    assert node_history(tables_of(b), STG, window, Config(), min_runs=3) is None
    assert page(tables_of(b), STG, window, Config(), min_runs=2).total_runs == 2
