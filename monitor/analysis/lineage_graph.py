"""The lineage graph as the report draws it: nodes, edges, a layered layout, folder groups.

Layout: computed here in Python at report time, not by a vendored library.
A layered (Sugiyama-style) left-to-right layout is what dbt lineage needs:
sources on the left, exposures on the right, every edge pointing right.
Its two costly steps are done here once, for the whole project:

1. **layering**: each node's column is its longest path from a root
   (sources and seeds sit in column 0), exposures in the last column;
2. **ordering**: the order inside each column, by alternating barycenter
   sweeps (Sugiyama, Tagawa and Toda, 1981: each node moves to the mean
   position of its neighbours in the column before), starting from folder
   order so a folder's nodes stay together.

The page only turns (column, order) into pixels for the nodes it shows (a
focus, an expanded folder), keeping the computed order. Why not a library:
dagre (MIT, ~280 kB minified with its graphlib and lodash) and ELK.js
(EPL-2.0, ~1.4 MB) would each add a large vendored blob to a report whose
size budget is 3 MB at 3,000 models, and would lay out 3,000+ nodes in the
reader's browser on every load (dagre takes seconds at that size); this
layout costs tens of milliseconds in Python and a few integers per node.

Tests are folded into the node they test (a pass/fail badge), never drawn.
Projects too large to draw at once get an overview of folder groups
(:func:`group_graph`), laid out the same way.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import polars as pl

from monitor.analysis.frames import Frames, as_of
from monitor.analysis.words import name_of

DRAWN_TYPES = ("source", "seed", "model", "snapshot")
"""Resource types drawn as nodes (exposures too); tests fold into their node."""

TEST_TYPES = ("test", "unit_test")

SWEEPS = 6
"""Barycenter sweeps (down and up count as one each)."""

MAX_GROUPS = 60
"""Folder groups in an overview: deeper folders are merged beyond this."""


@dataclass(frozen=True)
class Graph:
    """The drawable lineage at one moment.

    ``nodes``: unique_id, name, resource_type, group, package, path, rank,
    order (position in its column), in node order; ``edges`` index pairs
    (parent, child) into ``nodes``; ``tests``: test unique_id -> the node it tests.
    """

    nodes: pl.DataFrame
    edges: list[tuple[int, int]]
    tests: dict[str, str]

    @property
    def ids(self) -> list[str]:
        """The nodes' unique_ids, in node order."""
        return self.nodes["unique_id"].to_list()


def lineage_graph(frames: Frames, at: dt.datetime | None) -> Graph:
    """The project's lineage as the manifest stood at ``at``, laid out in layers."""
    nodes = frames.nodes
    exposures = frames.exposures
    if at is not None:
        nodes = as_of(nodes, at) if nodes.height else nodes
        exposures = as_of(exposures, at) if exposures.height else exposures
    elif nodes.height:
        nodes = nodes.filter(pl.col("is_latest"))
        exposures = exposures.filter(pl.col("is_latest")) if exposures.height else exposures
    tests: dict[str, str] = {}
    if nodes.height:
        tested = nodes.filter(
            pl.col("resource_type").is_in(TEST_TYPES) & pl.col("test_node").is_not_null()
        )
        tests = dict(tested.select("unique_id", "test_node").iter_rows())
        drawn = nodes.filter(pl.col("resource_type").is_in(DRAWN_TYPES)).select(
            "unique_id",
            "resource_type",
            "package_name",
            "path",
            "source_name",
            "depends_on",
        )
    else:
        drawn = pl.DataFrame(
            schema={
                "unique_id": pl.String,
                "resource_type": pl.String,
                "package_name": pl.String,
                "path": pl.String,
                "source_name": pl.String,
                "depends_on": pl.List(pl.String),
            }
        )
    if exposures.height:
        drawn = pl.concat(
            [
                drawn,
                exposures.select(
                    "unique_id",
                    pl.lit("exposure").alias("resource_type"),
                    pl.col("unique_id").str.split(".").list.get(1).alias("package_name"),
                    pl.lit(None, pl.String).alias("path"),
                    pl.lit(None, pl.String).alias("source_name"),
                    "depends_on",
                ),
            ]
        )
    drawn = drawn.unique("unique_id", keep="last").sort("unique_id")
    ids = drawn["unique_id"].to_list()
    index = {uid: i for i, uid in enumerate(ids)}
    edges = sorted(
        {
            (index[parent], index[child])
            for child, parents in drawn.select("unique_id", "depends_on").iter_rows()
            for parent in parents or ()
            if parent in index and parent != child
        }
    )
    types = drawn["resource_type"].to_list()
    root_package = _root_package(frames)
    groups = folder_groups(
        types,
        drawn["package_name"].to_list(),
        drawn["path"].to_list(),
        drawn["source_name"].to_list(),
        root_package,
    )
    last = [t == "exposure" for t in types]
    start = list(zip(groups, ids, strict=True))
    rank, order = layered(len(ids), edges, start, last)
    return Graph(
        nodes=pl.DataFrame(
            {
                "unique_id": ids,
                "name": [name_of(uid) for uid in ids],
                "resource_type": types,
                "group": groups,
                "rank": rank,
                "order": order,
            },
            schema={
                "unique_id": pl.String,
                "name": pl.String,
                "resource_type": pl.String,
                "group": pl.String,
                "rank": pl.Int32,
                "order": pl.Int32,
            },
        ),
        edges=edges,
        tests=tests,
    )


def _root_package(frames: Frames) -> str | None:
    names = [n for n in frames.invocations["project_name"].to_list() if n]
    return names[-1] if names else None


def folder_groups(
    types: Sequence[str],
    packages: Sequence[str | None],
    paths: Sequence[str | None],
    source_names: Sequence[str | None],
    root_package: str | None,
) -> list[str]:
    """Each node's group: its package (other than the project's), else its folder.

    Sources group by source name, exposures together. Folders are two levels
    deep (``staging/stripe``), one when that makes more than :data:`MAX_GROUPS`.
    """

    def group(depth: int) -> list[str]:
        out = []
        for rtype, package, path, source in zip(types, packages, paths, source_names, strict=True):
            if rtype == "exposure":
                out.append("exposures")
            elif rtype == "source":
                out.append(f"source: {source or '?'}")
            elif package and root_package and package != root_package:
                out.append(f"package: {package}")
            else:
                folders = (path or "").replace("\\", "/").split("/")[:-1]
                out.append("/".join(folders[:depth]) or rtype + "s")
        return out

    two = group(2)
    return two if len(set(two)) <= MAX_GROUPS else group(1)


def layered(
    count: int,
    edges: Iterable[tuple[int, int]],
    start_key: Sequence[tuple[str, str]],
    last: Sequence[bool] | None = None,
) -> tuple[list[int], list[int]]:
    """Each node's column (longest path from a root) and its order inside the column.

    ``start_key`` gives the initial order (group, then name); ``last`` nodes
    (exposures) go to the rightmost column. Cycles (possible between folder
    groups) are broken by taking the waiting node with the fewest unplaced
    parents.
    """
    parents: list[list[int]] = [[] for _ in range(count)]
    children: list[list[int]] = [[] for _ in range(count)]
    for parent, child in edges:
        parents[child].append(parent)
        children[parent].append(child)
    rank = _ranks(count, parents, children)
    if last is not None and any(last):
        end = max([r for r, is_last in zip(rank, last, strict=True) if not is_last] or [0]) + 1
        rank = [end if is_last else r for r, is_last in zip(rank, last, strict=True)]
    columns: dict[int, list[int]] = defaultdict(list)
    for node in sorted(range(count), key=lambda n: start_key[n]):
        columns[rank[node]].append(node)
    position = [0.0] * count
    for column in columns.values():
        for i, node in enumerate(column):
            position[node] = float(i)
    ordered = sorted(columns)
    # Neighbours in other columns only (a broken cycle can leave one in the same).
    ups = [[p for p in parents[n] if rank[p] != rank[n]] for n in range(count)]
    downs = [[c for c in children[n] if rank[c] != rank[n]] for n in range(count)]
    for sweep in range(SWEEPS):
        down = sweep % 2 == 0
        neighbours = ups if down else downs
        for r in ordered if down else reversed(ordered):
            column = columns[r]
            keys = {}
            for node in column:
                near = neighbours[node]
                if near:
                    keys[node] = sum([position[n] for n in near]) / len(near)
                else:
                    keys[node] = position[node]
            column.sort(key=lambda n: (keys[n], position[n]))
            for i, node in enumerate(column):
                position[node] = float(i)
    return rank, [int(p) for p in position]


def _ranks(count: int, parents: list[list[int]], children: list[list[int]]) -> list[int]:
    waiting = [len(p) for p in parents]
    rank = [0] * count
    ready = [n for n in range(count) if waiting[n] == 0]
    placed = [False] * count
    done = 0
    while done < count:
        if not ready:  # a cycle: free the node with the fewest unplaced parents
            node = min((n for n in range(count) if not placed[n]), key=lambda n: waiting[n])
            ready.append(node)
        node = ready.pop()
        if placed[node]:
            continue
        placed[node] = True
        done += 1
        for child in children[node]:
            if not placed[child]:
                rank[child] = max(rank[child], rank[node] + 1)
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
    return rank


@dataclass(frozen=True)
class GroupGraph:
    """Folder groups as nodes: names, their layout, and edges between groups."""

    names: list[str]
    rank: list[int]
    order: list[int]
    edges: list[tuple[int, int]]
    members: list[int]
    """Each node's group index, in node order."""


def group_graph(graph: Graph) -> GroupGraph:
    """The overview: one node per folder group, an edge where any member edge crosses."""
    groups = graph.nodes["group"].to_list()
    names = sorted(set(groups))
    index = {name: i for i, name in enumerate(names)}
    members = [index[g] for g in groups]
    edges = sorted({(members[p], members[c]) for p, c in graph.edges if members[p] != members[c]})
    exposures_only = [name == "exposures" for name in names]
    rank, order = layered(len(names), edges, [(n, n) for n in names], exposures_only)
    return GroupGraph(names, rank, order, edges, members)


STATUS_CLASS = {
    "success": "pass",
    "pass": "pass",
    "no-op": "pass",
    "warn": "warn",
    "error": "error",
    "fail": "error",
    "runtime error": "error",
    "skipped": "skipped",
}
"""A result's status as the graph colours it."""


def latest_statuses(frames: Frames, invocations: Sequence[str]) -> pl.DataFrame:
    """Each node's status and execution time in ``invocations`` (the latest run).

    Sources take the status of their newest freshness check (``source
    freshness`` usually runs just before the build, as a job of its own).
    Columns: unique_id, status (pass, warn, error, skipped, other),
    raw_status, seconds, message, failures.
    """
    wanted = list(invocations)
    runs = frames.node_runs.filter(pl.col("invocation_id").is_in(wanted)).select(
        "unique_id",
        pl.col("status").alias("raw_status"),
        pl.col("execution_time").alias("seconds"),
        "message",
        "failures",
        "started_at",
    )
    fresh = frames.freshness.select(
        "unique_id",
        pl.col("status").alias("raw_status"),
        pl.col("execution_time").alias("seconds"),
        pl.col("error").alias("message"),
        pl.lit(None, pl.Int64).alias("failures"),
        "started_at",
    )
    both = pl.concat([runs, fresh]).sort("started_at").unique("unique_id", keep="last")
    return both.with_columns(
        pl.col("raw_status")
        .replace_strict(STATUS_CLASS, default="other", return_dtype=pl.String)
        .alias("status")
    ).drop("started_at")


def walk(start: str, edges: dict[str, set[str]], hops: int | None) -> dict[str, int]:
    """Nodes within ``hops`` steps of ``start`` along ``edges`` (all when None), by distance."""
    seen = {start: 0}
    frontier = [start]
    depth = 0
    while frontier and (hops is None or depth < hops):
        depth += 1
        nxt = []
        for node in frontier:
            for other in sorted(edges.get(node, ())):
                if other not in seen:
                    seen[other] = depth
                    nxt.append(other)
        frontier = nxt
    del seen[start]
    return seen
