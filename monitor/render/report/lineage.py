"""The Lineage section: the laid-out DAG with its overlays, as compact chart data.

The layout (column and order of each node) comes from
:mod:`monitor.analysis.lineage_graph`; the page's script turns it into
pixels for the nodes it shows. Every list is by node index, so a node costs
a few integers plus its unique_id; the page derives names from unique_ids.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from monitor.analysis.finding import RANK, Finding
from monitor.analysis.lineage_graph import (
    Graph,
    group_graph,
    latest_statuses,
    lineage_graph,
)
from monitor.render.report.attention import KIND_LABELS
from monitor.render.report.context import Charts, LineageView
from monitor.render.report.inputs import Inputs

OVERVIEW_ABOVE = 250
"""Graphs with more drawn nodes than this open on the folder overview."""

STATUSES = ("pass", "warn", "error", "skipped", "other")
"""Status codes in the data, by index (-1: did not run in the latest run)."""

TYPES = ("source", "seed", "model", "snapshot", "exposure")


def build_lineage(inputs: Inputs) -> LineageView:
    """The graph at the latest invocation, with status, findings, durations, critical path."""
    graph = lineage_graph(inputs.frames, inputs.latest_at)
    count = graph.nodes.height
    if count == 0:
        return LineageView(None, 0, 0, 0, False)
    ids = graph.ids
    index = {uid: i for i, uid in enumerate(ids)}
    groups = group_graph(graph)
    data: dict[str, Any] = {
        "u": ids,
        "t": [TYPES.index(t) if t in TYPES else 2 for t in graph.nodes["resource_type"]],
        "r": graph.nodes["rank"].to_list(),
        "o": graph.nodes["order"].to_list(),
        "g": groups.members,
        "e": [i for edge in graph.edges for i in edge],
        "types": list(TYPES),
        "statuses": list(STATUSES),
        "groups": groups.names,
        "gr": groups.rank,
        "go": groups.order,
        "ge": [i for edge in groups.edges for i in edge],
        "overview": count > OVERVIEW_ABOVE,
    }
    data.update(_statuses(inputs, graph, index))
    data.update(_findings(inputs.findings, graph, index))
    data["critical"] = _critical(inputs, index)
    chart = inputs.charts.add("lineage", "lineage", **data)
    exposures = sum(1 for t in data["t"] if t == TYPES.index("exposure"))
    return LineageView(chart, count, len(graph.edges), exposures, data["overview"])


def _statuses(inputs: Inputs, graph: Graph, index: dict[str, int]) -> dict[str, Any]:
    """Status and seconds per node; tests folded into the node they test as counts."""
    count = len(index)
    status = [-1] * count
    seconds: list[float | None] = [None] * count
    tests = [[0, 0, 0] for _ in range(count)]  # pass, warn, fail
    rows = latest_statuses(inputs.frames, inputs.latest_run)
    for uid, state, secs in rows.select("unique_id", "status", "seconds").iter_rows():
        at = index.get(uid)
        if at is not None:
            status[at] = STATUSES.index(state)
            seconds[at] = round(secs, 2) if secs is not None else None
            continue
        tested = index.get(graph.tests.get(uid, ""))
        if tested is not None and state in ("pass", "warn", "error"):
            tests[tested][("pass", "warn", "error").index(state)] += 1
    return {
        "s": status,
        "d": seconds,
        "tests": {str(i): counts for i, counts in enumerate(tests) if any(counts)},
    }


def _findings(findings: list[Finding], graph: Graph, index: dict[str, int]) -> dict[str, Any]:
    """Findings per node (a test's on the node it tests), and root causes per exposure."""
    by_node: dict[int, list[list[str]]] = defaultdict(list)
    causes: dict[str, list[int]] = {}
    for finding in findings:
        uid = finding.unique_id
        if uid is None:
            continue
        at = index.get(uid, index.get(graph.tests.get(uid, ""), -1))
        if at < 0:
            continue
        label = KIND_LABELS.get(finding.kind, finding.kind.replace("_", " "))
        by_node[at].append([finding.kind, finding.severity, label, finding.message])
        if finding.kind == "exposure_at_risk":
            roots = str(finding.evidence.get("root_causes") or "").split(", ")
            causes[str(at)] = sorted(
                {
                    index.get(root, index.get(graph.tests.get(root, ""), -1))
                    for root in roots
                    if root
                }
                - {-1}
            )
    for items in by_node.values():
        items.sort(key=lambda item: -RANK[item[1]])
    return {"f": {str(i): items for i, items in by_node.items()}, "causes": causes}


def _critical(inputs: Inputs, index: dict[str, int]) -> list[int]:
    timeline = inputs.build_timeline
    if timeline is None:
        return []
    return [index[uid] for uid in timeline.critical_path if uid in index]


def add_anchors(charts: Charts, anchors: dict[str, str]) -> None:
    """Link the graph's nodes to the detail cards the report ended up with."""
    data = charts.data.get("lineage")
    if data is None:
        return
    data["cards"] = {str(i): anchors[uid] for i, uid in enumerate(data["u"]) if uid in anchors}
