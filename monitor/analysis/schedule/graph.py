"""One invocation as dbt scheduled it: the nodes it ran, their edges, their durations.

The edges are manifest lineage reduced to the nodes that ran (a node that
did not run, such as a source or an ephemeral model, passes its parents on)
and, under ``dbt build``, dbt's test gates: a node waits for every test
whose nodes are all upstream of it (dbt-core's ``Linker.add_test_edges``).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field

import polars as pl

from monitor.analysis.frames import Frames, as_of
from monitor.analysis.lineage import Dag
from monitor.analysis.schedule.simulate import RunGraph

TEST_TYPES = ("test", "unit_test")


@dataclass(frozen=True)
class Build:
    """A recorded invocation ready to replay."""

    invocation_id: str
    started_at: dt.datetime
    origin: dt.datetime | None
    """When its first node started (None: no node has timings)."""
    threads: int
    graph: RunGraph
    durations: list[float]
    """Compile start to execute end of each node, seconds (0 without timings)."""
    statuses: list[str]
    recorded_span: float
    """First node start to last node end, seconds."""
    dag: Dag | None = field(default=None, compare=False, repr=False)
    """The manifest lineage the graph was cut from."""
    overhead: float = 0.0
    """dbt's own time per node: the median gap between one node's end and the next
    node's start on the same thread (0 when the run has no thread ids)."""

    @property
    def slots(self) -> list[float]:
        """What each node holds its thread for: its duration and the dispatch overhead."""
        return [seconds + self.overhead for seconds in self.durations]

    def finish(self, seconds: float) -> dt.datetime | None:
        """The clock time ``seconds`` after the first node started."""
        return None if self.origin is None else self.origin + dt.timedelta(seconds=seconds)


def node_times(runs: pl.DataFrame) -> pl.DataFrame:
    """unique_id, status, begin, finish and seconds of each run row (begin/finish may be null)."""
    begin = pl.coalesce("compile_started_at", "execute_started_at")
    finish = pl.coalesce("execute_completed_at", "compile_completed_at")
    return runs.select(
        "unique_id",
        "status",
        "resource_type",
        "thread_id",
        begin.alias("begin"),
        pl.max_horizontal(finish, begin).alias("finish"),
    ).with_columns(
        ((pl.col("finish") - pl.col("begin")).dt.total_microseconds() / 1e6)
        .fill_null(0.0)
        .clip(lower_bound=0.0)
        .alias("seconds")
    )


def load_build(frames: Frames, invocation_id: str, dag: Dag | None = None) -> Build:
    """The graph dbt scheduled in ``invocation_id`` and how long each node took."""
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    runs = node_times(
        frames.node_runs.filter(pl.col("invocation_id") == invocation_id)
        .unique("unique_id", keep="first", maintain_order=True)
        .sort("unique_id")  # one order whatever order the rows came in
    )
    ids = runs["unique_id"].to_list()
    dag = dag or Dag.at(frames, started_at)
    edges = reduced_edges(dag, set(ids))
    if info["command"] == "build":
        edges += test_gates(frames, started_at, dag, set(ids))
    origin = runs["begin"].min()
    last = runs["finish"].max()
    span = 0.0
    if isinstance(origin, dt.datetime) and isinstance(last, dt.datetime):
        span = (last - origin).total_seconds()
    threads = info.get("threads")
    return Build(
        invocation_id=invocation_id,
        started_at=started_at,
        origin=origin if isinstance(origin, dt.datetime) else None,
        threads=int(threads) if isinstance(threads, int) and threads > 0 else 1,
        graph=RunGraph.build(ids, edges),
        durations=runs["seconds"].to_list(),
        statuses=runs["status"].fill_null("").to_list(),
        recorded_span=span,
        dag=dag,
        overhead=dispatch_overhead(runs),
    )


def dispatch_overhead(times: pl.DataFrame) -> float:
    """The median gap between consecutive nodes on one thread (see :class:`Build`)."""
    gaps = (
        times.filter(pl.col("begin").is_not_null() & pl.col("thread_id").is_not_null())
        .sort("thread_id", "begin")
        .select(
            (pl.col("begin") - pl.col("finish").shift().over("thread_id")).dt.total_microseconds()
            / 1e6
        )
        .to_series()
        .drop_nulls()
    )
    gaps = gaps.filter(gaps >= 0)
    median = gaps.median() if gaps.len() else None
    return float(median) if isinstance(median, float | int) else 0.0


def reduced_edges(dag: Dag, ran: set[str]) -> list[tuple[str, str]]:
    """Edges between the nodes in ``ran``, passing through nodes that did not run."""
    nearest: dict[str, set[str]] = {}

    def ran_above(node: str) -> set[str]:
        """The nearest ran ancestors of a node that did not run (memoized, iterative)."""
        if node in nearest:
            return nearest[node]
        found: set[str] = set()
        seen = {node}
        queue = deque(dag.parents.get(node, ()))
        while queue:
            parent = queue.popleft()
            if parent in seen:
                continue
            seen.add(parent)
            if parent in ran:
                found.add(parent)
            elif parent in nearest:
                found |= nearest[parent]
            else:
                queue.extend(dag.parents.get(parent, ()))
        nearest[node] = found
        return found

    edges = []
    for child in ran:
        for parent in dag.parents.get(child, ()):
            if parent in ran:
                edges.append((parent, child))
            else:
                edges.extend((above, child) for above in ran_above(parent))
    return edges


def test_gates(frames: Frames, when: dt.datetime, dag: Dag, ran: set[str]) -> list[tuple[str, str]]:
    """Under ``dbt build``, test -> node for every test whose nodes are all upstream of it.

    Enough edges are added for the order to hold: a test of one node gates
    that node's non-test children; a test of several nodes (relationships)
    gates the first nodes downstream of all of them.
    """
    if frames.nodes.is_empty():
        return []
    tests = as_of(frames.nodes, when).filter(
        pl.col("resource_type").is_in(TEST_TYPES) & pl.col("unique_id").is_in(list(ran))
    )
    edges: list[tuple[str, str]] = []
    below: dict[str, set[str]] = {}

    def descendants(node: str) -> set[str]:
        if node not in below:
            below[node] = dag.descendants(node)
        return below[node]

    for test, depends_on in tests.select("unique_id", "depends_on").iter_rows():
        tested = set(depends_on or ())
        if not tested:
            continue
        if len(tested) == 1:
            [node] = tested
            targets = set(dag.children.get(node, ()))
        else:
            common = set.intersection(*(descendants(node) for node in tested))
            targets = {n for n in common if not (dag.parents.get(n, set()) & common)}
        edges.extend(
            (test, target)
            for target in targets
            if target in ran and target != test and not target.startswith(("test.", "unit_test."))
        )
    return edges
