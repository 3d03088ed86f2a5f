import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from monitor.analysis.queries.node_runs import node_runs_in
from monitor.analysis.queries.slowest import slowest
from monitor.analysis.queries.windows import Window
from tests.analysis.builder import T0, HistoryBuilder
from tests.analysis.queries.tables import tables_of

FAST, SLOW = "model.p.fast", "model.p.slow"


def history() -> HistoryBuilder:
    b = HistoryBuilder()
    for day, (fast, slow) in enumerate([(1.0, 10.0), (2.0, 30.0), (3.0, 20.0)]):
        inv = b.invocation(day)
        b.run(inv, FAST, fast)
        b.run(inv, SLOW, slow)
        b.run(inv, "test.p.not_null_slow_id.1", 99.0, status="pass")  # tests are not ranked
    failed = b.invocation(3)
    b.run(failed, SLOW, 500.0, status="error")  # failures are not timings
    refresh = b.invocation(4, full_refresh=True)
    b.run(refresh, FAST, 900.0)  # nor are full refreshes
    docs = b.invocation(5, "docs generate")
    b.run(docs, FAST, 800.0)  # nor compile-only invocations
    return b


def test_ranked_by_median_with_their_trend() -> None:
    runs = node_runs_in(tables_of(history()), Window())
    expected = pl.DataFrame(
        {
            "name": ["slow", "fast"],
            "type": ["model", "model"],
            "runs": [3, 3],
            "median_s": [20.0, 2.0],
            "latest_s": [20.0, 3.0],
            "max_s": [30.0, 3.0],
            "total_s": [60.0, 6.0],
            "trend": [[10.0, 30.0, 20.0], [1.0, 2.0, 3.0]],
            "unique_id": [SLOW, FAST],
        },
        schema_overrides={"runs": pl.UInt32},
    )
    assert_frame_equal(slowest(runs), expected)


@pytest.mark.parametrize(("by", "first"), [("latest", SLOW), ("total", SLOW), ("max", SLOW)])
def test_other_rankings(by: str, first: str) -> None:
    runs = node_runs_in(tables_of(history()), Window())
    assert slowest(runs, by=by)["unique_id"][0] == first


def test_window_and_limit() -> None:
    window = Window(start=T0 + dt.timedelta(days=1), end=T0 + dt.timedelta(days=2))
    runs = node_runs_in(tables_of(history()), window)
    ranked = slowest(runs, limit=1)
    assert ranked.select("unique_id", "runs", "median_s").rows() == [(SLOW, 2, 25.0)]
