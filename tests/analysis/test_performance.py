import datetime as dt

import pytest

from monitor.analysis.performance import build_runtime, slowest_models
from tests.analysis.builder import T0, HistoryBuilder


def history() -> tuple[HistoryBuilder, list[str]]:
    b = HistoryBuilder()
    ids = []
    for day in range(5):
        inv = b.invocation(day)
        b.run(inv, "model.p.big", 10.0 + day)
        b.run(inv, "model.p.mid", 5.0)
        b.run(inv, "model.p.small", 1.0)
        b.run(inv, "seed.p.s", 4.0)
        b.run(inv, "test.p.t.1", 100.0, status="pass")  # tests are not runtime
        ids.append(inv)
    return b, ids


def test_top_models_with_share_median_and_series() -> None:
    b, ids = history()
    frames = b.frames()
    assert build_runtime(frames, ids[-1]) == (24.0, 4)
    top = slowest_models(frames, ids[-1], T0 + dt.timedelta(days=2), top=2)
    assert top["unique_id"].to_list() == ["model.p.big", "model.p.mid"]
    big = top.row(0, named=True)
    assert big["latest"] == 14.0
    assert big["share"] == pytest.approx(14 / 24)
    assert big["runs"] == 3  # days 2, 3 and 4 are in the window
    assert big["median"] == 13.0
    assert [p["seconds"] for p in big["series"]] == [12.0, 13.0, 14.0]


def test_flagged_models_join_the_top() -> None:
    b, ids = history()
    top = slowest_models(b.frames(), ids[-1], None, top=1, also=frozenset({"model.p.small"}))
    assert top["unique_id"].to_list() == ["model.p.big", "model.p.small"]


def test_invocation_without_models_gives_an_empty_frame() -> None:
    b = HistoryBuilder()
    inv = b.invocation(0, "test")
    b.run(inv, "test.p.t.1", 1.0, status="pass")
    assert slowest_models(b.frames(), inv, None).is_empty()
