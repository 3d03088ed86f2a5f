"""Replay a build on its DAG the way dbt schedules it.

dbt's ``GraphQueue`` (core/dbt/graph/queue.py) scores every node of the
selected graph by its depth: the topological generation it falls in, 0 for
nodes with no selected parent. Ready nodes wait in a priority queue ordered
by ``(score, unique_id)``; each of the ``threads`` workers takes the first
one whenever it is free, and a node becomes ready when its last parent is
marked done. :func:`simulate` does the same with each node's recorded (or
assumed) duration, compile start to execute end.

:func:`retime` re-times many duration sets at once through one dispatch
order (the order of a simulated run): exact for the durations that produced
the order, a close approximation for nearby ones, and fast enough for a
thousand Monte Carlo samples.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt


EPSILON = 1e-6


@dataclass(frozen=True)
class RunGraph:
    """The nodes of one build by index, their parents and children, and dbt's priority."""

    ids: list[str]
    parents: list[list[int]]
    children: list[list[int]]
    rank: list[int]
    """Position of each node in dbt's ``(depth, unique_id)`` order."""

    @classmethod
    def build(cls, ids: Sequence[str], edges: Sequence[tuple[str, str]]) -> RunGraph:
        """The graph of ``ids`` with the ``(parent, child)`` edges between them."""
        ids = list(ids)
        index = {uid: i for i, uid in enumerate(ids)}
        parents: list[set[int]] = [set() for _ in ids]
        for parent, child in edges:
            p, c = index.get(parent), index.get(child)
            if p is not None and c is not None and p != c:
                parents[c].add(p)
        children: list[list[int]] = [[] for _ in ids]
        for node, above in enumerate(parents):
            for parent_index in above:
                children[parent_index].append(node)
        depth = _depths(parents, children)
        order = sorted(range(len(ids)), key=lambda i: (depth[i], ids[i]))
        rank = [0] * len(ids)
        for position, i in enumerate(order):
            rank[i] = position
        return cls(ids, [sorted(p) for p in parents], children, rank)

    def __len__(self) -> int:
        return len(self.ids)


def _depths(parents: list[set[int]], children: list[list[int]]) -> list[int]:
    """The score dbt gives: the topological generation of each node (nodes on a cycle go last)."""
    pending = [len(p) for p in parents]
    depth = [0] * len(parents)
    level = [i for i, n in enumerate(pending) if n == 0]
    done = 0
    generation = 0
    while level:
        nxt = []
        for i in level:
            depth[i] = generation
            done += 1
            for c in children[i]:
                pending[c] -= 1
                if pending[c] == 0:
                    nxt.append(c)
        level = nxt
        generation += 1
    if done < len(parents):  # a cycle: its nodes run last, their cycle edges broken
        for i, n in enumerate(pending):
            if n > 0:
                depth[i] = generation
                parents[i] = {p for p in parents[i] if pending[p] == 0}
        for i in range(len(children)):
            children[i] = [c for c in children[i] if i in parents[c]]
    return depth


@dataclass(frozen=True)
class Schedule:
    """Where each node ran in a replay: seconds after the first node started."""

    start: list[float]
    end: list[float]
    order: list[int]
    """Node indices in the order they were started."""
    thread: list[int]
    parents: list[list[int]]

    @property
    def span(self) -> float:
        """First node start to last node end."""
        return max(self.end, default=0.0)


def simulate(graph: RunGraph, durations: Sequence[float], threads: int) -> Schedule:
    """Replay ``graph`` on ``threads`` workers, dbt's way."""
    n = len(graph)
    threads = max(threads, 1)
    by_rank = [0] * n
    for i, r in enumerate(graph.rank):
        by_rank[r] = i
    pending = [len(p) for p in graph.parents]
    ready = [graph.rank[i] for i in range(n) if pending[i] == 0]
    heapq.heapify(ready)
    free = list(range(threads))
    running: list[tuple[float, int, int]] = []
    start = [0.0] * n
    end = [0.0] * n
    on_thread = [0] * n
    order: list[int] = []
    now = 0.0
    children, rank = graph.children, graph.rank
    heappop, heappush = heapq.heappop, heapq.heappush
    while True:
        while ready and free:
            i = by_rank[heappop(ready)]
            thread = heappop(free)
            start[i] = now
            end[i] = finish = now + max(durations[i], 0.0)
            on_thread[i] = thread
            order.append(i)
            heappush(running, (finish, rank[i], thread))
        if not running:
            break
        now, r, thread = heappop(running)
        heappush(free, thread)
        for c in children[by_rank[r]]:
            pending[c] -= 1
            if pending[c] == 0:
                heappush(ready, rank[c])
    return Schedule(start, end, order, on_thread, graph.parents)


def binding_chain(schedule: Schedule) -> list[int]:
    """The chain of nodes the last one waited through, first node first.

    Each node started when a parent finished or, with every thread busy, when
    the node before it on its thread did: shortening any node of this chain
    shortens the build (until another chain binds).
    """
    if not schedule.end:
        return []
    start, end = schedule.start, schedule.end
    previous: dict[int, int] = {}  # node -> the node before it on its thread
    last_on: dict[int, int] = {}
    for i in schedule.order:
        thread = schedule.thread[i]
        if thread in last_on:
            previous[i] = last_on[thread]
        last_on[thread] = i
    node = max(range(len(end)), key=lambda i: (end[i], -start[i]))
    chain = [node]
    while start[node] > EPSILON and len(chain) <= len(end):
        waited = [p for p in schedule.parents[node] if abs(end[p] - start[node]) <= EPSILON]
        if waited:
            node = max(waited, key=lambda p: -start[p])
        elif node in previous:
            node = previous[node]
        else:
            break
        chain.append(node)
    return chain[::-1]


def retime(
    graph: RunGraph, order: Sequence[int], durations: npt.NDArray[np.float64], threads: int
) -> npt.NDArray[np.float64]:
    """End times of every node for each sample: ``durations`` and the result are nodes x samples.

    Nodes are placed in ``order`` (a simulated run's start order), each on the
    thread that frees first, as soon as its parents are done. The threads'
    free times are kept sorted per sample, so the first row is always the
    earliest free thread.
    """
    import numpy as np

    n, samples = durations.shape
    free = np.zeros((max(threads, 1), samples))
    end = np.zeros((n, samples))
    parents = [np.asarray(p, dtype=np.intp) for p in graph.parents]
    for i in order:
        begin = free[0]
        above = parents[i]
        if above.size == 1:
            begin = np.maximum(begin, end[above[0]])
        elif above.size:
            begin = np.maximum(begin, end[above].max(axis=0))
        finish = begin + durations[i]
        end[i] = finish
        free[0] = finish
        for k in range(1, free.shape[0]):  # bubble the new finish into place
            low = np.minimum(free[k - 1], free[k])
            free[k] = np.maximum(free[k - 1], free[k])
            free[k - 1] = low
    return end
