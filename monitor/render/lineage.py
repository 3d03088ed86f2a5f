"""``lineage NODE``: the upstream and downstream trees as text, or every node as JSON."""

from __future__ import annotations

import json

from monitor.analysis.lineage_tree import Lineage, TreeNode

SYMBOLS = {"pass": "pass", "warn": "WARN", "error": "ERROR", "skipped": "skipped", "other": "?"}


def render_lineage(found: Lineage, output_format: str) -> str:
    """``found`` as an indented tree (text) or a JSON document."""
    if output_format == "json":
        return as_json(found)
    return as_text(found)


def as_json(found: Lineage) -> str:
    """``{"node": ..., "nodes": [{unique_id, name, resource_type, depth, status, findings}]}``."""
    document = {
        "node": found.root.unique_id,
        "nodes": [
            {
                "unique_id": node.unique_id,
                "name": node.name,
                "resource_type": node.resource_type,
                "depth": node.depth,
                "direction": "self"
                if node.depth == 0
                else ("upstream" if node.depth < 0 else "downstream"),
                "status": node.status,
                "findings": [
                    {"kind": f.kind, "severity": f.severity, "message": f.message}
                    for f in node.findings
                ],
            }
            for node in found.nodes
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def as_text(found: Lineage) -> str:
    """The node, then ``upstream:`` and ``downstream:`` trees, one node a line."""
    lines = [_line(found.root)]
    for title, trees, arrow in (
        ("upstream", found.upstream, "<-"),
        ("downstream", found.downstream, "->"),
    ):
        if not trees:
            lines.append(f"{title}: nothing within reach")
            continue
        lines.append(f"{title}:")
        _tree(trees, lines, "", arrow)
    return "\n".join(lines) + "\n"


def _tree(trees: list[TreeNode], lines: list[str], indent: str, arrow: str) -> None:
    for i, node in enumerate(trees):
        last = i == len(trees) - 1
        lines.append(f"{indent}{'└' if last else '├'}{arrow} {_line(node)}")
        _tree(node.children, lines, indent + ("   " if last else "│  "), arrow)


def _line(node: TreeNode) -> str:
    status = SYMBOLS.get(node.status, node.status) if node.status else "not run"
    text = f"{node.name} ({node.resource_type}) {status}"
    if node.repeated:
        return text + " (see above)"
    if node.findings:
        text += " · " + "; ".join(f"{f.severity}: {f.message}" for f in node.findings)
    return text
