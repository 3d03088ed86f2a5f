"""One invocation's timeline: bars per thread, idle time, and the critical path.

The critical path is the chain of nodes, following manifest lineage, whose
execution times add up to the most: no amount of threads makes the build
faster than it. Under ``dbt build`` a node also waits for the tests of its
parents, so those tests join the chain.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl

from monitor.analysis.frames import Frames, as_of
from monitor.analysis.lineage import Dag

TEST_TYPES = ("test", "unit_test")


@dataclass(frozen=True)
class Timeline:
    """Where each node of one invocation ran, and what bounded the build.

    ``bars``: unique_id, resource_type, status, thread, start, end, seconds
    (``start``/``end`` in seconds after the first node started).
    ``threads``: thread, nodes, busy, idle (seconds in the span), idle_share.
    """

    invocation_id: str
    command: str
    origin: dt.datetime | None
    span: float
    bars: pl.DataFrame
    threads: pl.DataFrame
    critical_path: list[str]
    critical_seconds: float

    @property
    def critical_share(self) -> float | None:
        """The critical path's part of the build's span (None for an empty build)."""
        return self.critical_seconds / self.span if self.span else None


def timeline(frames: Frames, invocation_id: str) -> Timeline:
    """The Gantt data, idle time per thread and critical path of ``invocation_id``."""
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    runs = frames.node_runs.filter(pl.col("invocation_id") == invocation_id)
    bars = _bars(runs)
    origin = bars["begin"].min() if bars.height else None
    assert origin is None or isinstance(origin, dt.datetime)
    if origin is not None:
        bars = bars.with_columns(
            ((pl.col("begin") - origin).dt.total_microseconds() / 1e6).alias("start"),
            ((pl.col("finish") - origin).dt.total_microseconds() / 1e6).alias("end"),
        )
    else:
        bars = bars.with_columns(pl.lit(0.0).alias("start"), pl.lit(0.0).alias("end"))
    bars = bars.select(
        "unique_id", "resource_type", "status", "thread", "start", "end", "seconds"
    ).sort("start", "thread")
    span = float(bars.select(pl.col("end").max()).item() or 0.0)
    weights = dict(runs.select("unique_id", pl.col("execution_time").fill_null(0.0)).iter_rows())
    dag = Dag.at(frames, started_at)
    edges = list(_edges(dag))
    if info["command"] == "build":
        edges += list(_test_gates(frames, started_at, dag, set(weights)))
    path = longest_path(weights, edges)
    return Timeline(
        invocation_id=invocation_id,
        command=str(info["command"]),
        origin=origin,
        span=span,
        bars=bars,
        threads=thread_usage(bars, span),
        critical_path=path,
        critical_seconds=sum(weights.get(node, 0.0) for node in path),
    )


def _bars(runs: pl.DataFrame) -> pl.DataFrame:
    begin = pl.coalesce("compile_started_at", "execute_started_at")
    finish = pl.coalesce("execute_completed_at", "compile_completed_at")
    return runs.filter(begin.is_not_null() & finish.is_not_null()).select(
        "unique_id",
        "resource_type",
        "status",
        pl.col("thread_id").fill_null("main").alias("thread"),
        begin.alias("begin"),
        pl.max_horizontal(finish, begin).alias("finish"),
        pl.col("execution_time").fill_null(0.0).alias("seconds"),
    )


def thread_usage(bars: pl.DataFrame, span: float) -> pl.DataFrame:
    """Per thread: nodes run, busy seconds (overlaps merged), idle seconds and share of span."""
    rows = []
    for (thread,), group in bars.sort("thread").group_by("thread", maintain_order=True):
        busy = _covered(zip(group["start"].to_list(), group["end"].to_list(), strict=True))
        idle = max(span - busy, 0.0)
        rows.append((str(thread), group.height, busy, idle, idle / span if span else 0.0))
    rows.sort(key=lambda row: _thread_order(row[0]))
    return pl.DataFrame(
        rows,
        schema={
            "thread": pl.String,
            "nodes": pl.Int64,
            "busy": pl.Float64,
            "idle": pl.Float64,
            "idle_share": pl.Float64,
        },
        orient="row",
    )


def _covered(intervals: Iterable[tuple[float, float]]) -> float:
    total, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end <= reach:
            continue
        total += end - max(start, reach)
        reach = end
    return total


def _thread_order(name: str) -> tuple[int, str]:
    digits = "".join(ch for ch in name.split("(")[0] if ch.isdigit())
    return (int(digits) if digits else 0, name)


def _edges(dag: Dag) -> Iterable[tuple[str, str]]:
    for child, parents in dag.parents.items():
        for parent in parents:
            yield parent, child


def _test_gates(
    frames: Frames, when: dt.datetime, dag: Dag, ran: set[str]
) -> Iterable[tuple[str, str]]:
    """Under ``dbt build``, a node waits for the tests of the nodes it depends on."""
    if frames.nodes.is_empty():
        return
    tests = as_of(frames.nodes, when).filter(
        pl.col("resource_type").is_in(TEST_TYPES) & pl.col("test_node").is_not_null()
    )
    for test, tested in tests.select("unique_id", "test_node").iter_rows():
        if test not in ran:
            continue
        own_parents = dag.parents.get(test, set())
        for child in dag.children.get(tested, ()):
            if child not in own_parents and child != test and not child.startswith("test."):
                yield test, child


def longest_path(weights: dict[str, float], edges: Iterable[tuple[str, str]]) -> list[str]:
    """The heaviest chain through the DAG, weights summed over the nodes in ``weights``.

    Nodes outside ``weights`` (sources, nodes that did not run) weigh nothing
    but still connect their neighbours. Nodes on a cycle are left out. The
    path lists only weighted nodes, upstream first.
    """
    children: dict[str, set[str]] = defaultdict(set)
    indegree: dict[str, int] = defaultdict(int)
    nodes = set(weights)
    for parent, child in edges:
        if child not in children[parent]:
            children[parent].add(child)
            indegree[child] += 1
        nodes.update((parent, child))
    best = {node: weights.get(node, 0.0) for node in nodes}
    came_from: dict[str, str] = {}
    queue = deque(sorted(node for node in nodes if indegree[node] == 0))
    while queue:
        node = queue.popleft()
        for child in sorted(children.get(node, ())):
            candidate = best[node] + weights.get(child, 0.0)
            if candidate > best[child]:
                best[child] = candidate
                came_from[child] = node
            indegree[child] -= 1
            if indegree[child] == 0:
                queue.append(child)
    if not weights:
        return []
    end = max(sorted(weights), key=lambda node: best.get(node, 0.0))
    path = [end]
    while path[-1] in came_from:
        path.append(came_from[path[-1]])
    return [node for node in reversed(path) if node in weights]
