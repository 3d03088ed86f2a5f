import datetime as dt

import pytest

from monitor.analysis.critical_path import longest_path, thread_usage, timeline
from tests.analysis.builder import T0, HistoryBuilder


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def timed(
    b: HistoryBuilder, inv: str, uid: str, thread: str, start: float, end: float, **kw: object
) -> None:
    b.run(
        inv,
        uid,
        end - start,
        thread_id=thread,
        execute_started_at=at(start),
        execute_completed_at=at(end),
        **kw,
    )


def test_longest_path_follows_the_heaviest_chain() -> None:
    weights = {"a": 1.0, "b": 5.0, "c": 1.0, "d": 2.0}
    edges = [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")]
    assert longest_path(weights, edges) == ["a", "b", "d"]


def test_nodes_that_did_not_run_connect_but_are_not_listed() -> None:
    weights = {"a": 3.0, "c": 4.0, "x": 1.0}
    edges = [("src", "a"), ("a", "eph"), ("eph", "c")]
    assert longest_path(weights, edges) == ["a", "c"]


def test_cycle_does_not_hang() -> None:
    assert longest_path({"a": 1.0, "b": 2.0}, [("a", "b"), ("b", "a")]) in (["b"], ["a"], [])


def test_timeline_bars_idle_time_and_critical_path() -> None:
    b = HistoryBuilder()
    b.node("model.p.a")
    b.node("model.p.b", depends_on=["model.p.a"])
    b.node("model.p.c", depends_on=["model.p.a"])
    b.node("model.p.d", depends_on=["model.p.b", "model.p.c"])
    inv = b.invocation(0, "build")
    timed(b, inv, "model.p.a", "Thread-1 (worker)", 0, 2)
    timed(b, inv, "model.p.b", "Thread-1 (worker)", 2, 10)
    timed(b, inv, "model.p.c", "Thread-2 (worker)", 2, 3)
    timed(b, inv, "model.p.d", "Thread-1 (worker)", 10, 12)
    b.run(inv, "model.p.e", 0.0, status="skipped")
    t = timeline(b.frames(), inv)
    assert t.span == 12
    assert t.bars["unique_id"].to_list() == ["model.p.a", "model.p.b", "model.p.c", "model.p.d"]
    assert t.critical_path == ["model.p.a", "model.p.b", "model.p.d"]
    assert t.critical_seconds == pytest.approx(12)
    assert t.critical_share == pytest.approx(1.0)
    assert t.threads.to_dicts() == [
        {"thread": "Thread-1 (worker)", "nodes": 3, "busy": 12.0, "idle": 0.0, "idle_share": 0.0},
        {
            "thread": "Thread-2 (worker)",
            "nodes": 1,
            "busy": 1.0,
            "idle": 11.0,
            "idle_share": 11 / 12,
        },
    ]


def test_under_build_a_child_waits_for_its_parents_tests() -> None:
    b = HistoryBuilder()
    b.node("model.p.a")
    b.node("model.p.b", depends_on=["model.p.a"])
    b.node("test.p.slow_check.1", depends_on=["model.p.a"], test_node="model.p.a")
    b.node("model.p.z")
    inv = b.invocation(0, "build")
    timed(b, inv, "model.p.a", "Thread-1", 0, 1)
    timed(b, inv, "test.p.slow_check.1", "Thread-1", 1, 9)
    timed(b, inv, "model.p.b", "Thread-1", 9, 10)
    timed(b, inv, "model.p.z", "Thread-2", 0, 8.5)
    t = timeline(b.frames(), inv)
    assert t.critical_path == ["model.p.a", "test.p.slow_check.1", "model.p.b"]


def test_overlapping_bars_are_counted_once() -> None:
    import polars as pl

    bars = pl.DataFrame(
        {"thread": ["t", "t", "t"], "start": [0.0, 1.0, 5.0], "end": [3.0, 2.0, 6.0]}
    )
    assert thread_usage(bars, 10.0).to_dicts() == [
        {"thread": "t", "nodes": 3, "busy": 4.0, "idle": 6.0, "idle_share": 0.6}
    ]
