"""``lineage NODE``: a node's upstream and downstream within N hops, with status and findings.

The same graph the report draws (:mod:`monitor.analysis.lineage_graph`):
sources, seeds, models, snapshots and exposures, tests folded into the node
they test (a test's failure is listed as a finding of that node).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl

from monitor.analysis.finding import RANK, Finding
from monitor.analysis.lineage_graph import Graph
from monitor.analysis.queries.node_lookup import resolve_node
from monitor.errors import MonitorError


@dataclass(frozen=True)
class TreeNode:
    """One node of the tree: where it sits and how it ran."""

    unique_id: str
    name: str
    resource_type: str
    depth: int
    """0 for the node asked about, -N for N hops upstream, +N downstream."""
    status: str | None
    """pass, warn, error, skipped, other; None when it did not run in the latest run."""
    findings: list[Finding]
    children: list[TreeNode] = field(default_factory=list)
    repeated: bool = False
    """Already shown elsewhere in the tree (its subtree is not repeated)."""


@dataclass(frozen=True)
class Lineage:
    """The node with its upstream and downstream trees, and every node in them once."""

    root: TreeNode
    upstream: list[TreeNode]
    downstream: list[TreeNode]
    nodes: list[TreeNode]
    """Each node once, nearest first: the JSON form."""


def resolve(graph: Graph, wanted: str) -> str:
    """The drawn node ``wanted`` names (a test names the node it tests)."""
    nodes = graph.nodes
    known = nodes.select(
        "unique_id",
        pl.col("unique_id").str.split(".").list.last().alias("name"),
        "resource_type",
        pl.col("name").alias("alias"),
    )
    tests = pl.DataFrame(
        {"unique_id": list(graph.tests)},
        schema={"unique_id": pl.String},
    ).select(
        "unique_id",
        pl.col("unique_id").str.split(".").list.get(2, null_on_oob=True).alias("name"),
        pl.lit("test").alias("resource_type"),
        pl.col("unique_id").str.split(".").list.get(2, null_on_oob=True).alias("alias"),
    )
    if nodes.is_empty():
        raise MonitorError("no manifest in the history yet: ingest a run's manifest.json first")
    found = resolve_node(pl.concat([known, tests]), wanted)
    return graph.tests.get(found, found)


def lineage(
    graph: Graph,
    unique_id: str,
    upstream: int,
    downstream: int,
    statuses: dict[str, str],
    findings: list[Finding],
) -> Lineage:
    """``unique_id``'s trees: ``upstream`` hops of parents, ``downstream`` hops of children."""
    ids = graph.ids
    index = {uid: i for i, uid in enumerate(ids)}
    names = graph.nodes["name"].to_list()
    types = graph.nodes["resource_type"].to_list()
    parents: dict[int, list[int]] = defaultdict(list)
    children: dict[int, list[int]] = defaultdict(list)
    for parent, child in graph.edges:
        parents[child].append(parent)
        children[parent].append(child)
    by_node: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.unique_id:
            by_node[graph.tests.get(finding.unique_id, finding.unique_id)].append(finding)
    for items in by_node.values():
        items.sort(key=lambda f: -RANK[f.severity])

    def make(i: int, depth: int, repeated: bool = False) -> TreeNode:
        uid = ids[i]
        return TreeNode(
            uid, names[i], types[i], depth, statuses.get(uid), by_node.get(uid, []),
            repeated=repeated,
        )  # fmt: skip

    start = index[unique_id]
    up = _tree(start, parents, -1, upstream, make)
    down = _tree(start, children, 1, downstream, make)
    flat = {start: make(start, 0)}
    for tree in (up, down):
        for node in _each(tree):
            if not node.repeated:
                flat.setdefault(index[node.unique_id], node)
    ordered = sorted(flat.values(), key=lambda n: (abs(n.depth), n.depth, n.name))
    return Lineage(flat[start], up, down, ordered)


def _tree(
    start: int,
    edges: dict[int, list[int]],
    step: int,
    hops: int,
    make: Callable[[int, int, bool], TreeNode],
) -> list[TreeNode]:
    """The nodes within ``hops`` as a tree; each node is expanded once, at its shortest depth."""
    distance = {start: 0}
    frontier = [start]
    for hop in range(1, hops + 1):
        nxt = []
        for node in frontier:
            for other in edges.get(node, ()):
                if other not in distance:
                    distance[other] = hop
                    nxt.append(other)
        frontier = nxt
    expanded = {start}

    def grow(node: int, hop: int) -> list[TreeNode]:
        out = []
        for other in sorted(edges.get(node, ()), key=lambda n: (distance.get(n, hops + 1), n)):
            if distance.get(other, hops + 1) > hops:
                continue
            first = distance[other] == hop and other not in expanded
            if first:
                expanded.add(other)
            item = make(other, step * hop, not first)
            if first and hop < hops:
                item.children.extend(grow(other, hop + 1))
            out.append(item)
        return out

    return grow(start, 1) if hops > 0 else []


def _each(trees: list[TreeNode]) -> Iterator[TreeNode]:
    for tree in trees:
        yield tree
        yield from _each(tree.children)
