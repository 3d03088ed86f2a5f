"""The DAG from manifest lineage: parents, descendants, and exposures at risk."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Iterable

import polars as pl

from monitor.analysis.finding import Finding
from monitor.analysis.frames import Frames, as_of
from monitor.analysis.words import name_of


class Dag:
    """Parents and children of every node (and exposure) in one manifest version."""

    def __init__(self, edges: Iterable[tuple[str, str]]) -> None:
        self.parents: dict[str, set[str]] = defaultdict(set)
        self.children: dict[str, set[str]] = defaultdict(set)
        for parent, child in edges:
            self.parents[child].add(parent)
            self.children[parent].add(child)

    @classmethod
    def at(cls, frames: Frames, when: dt.datetime) -> Dag:
        """The DAG as the manifest stood at ``when``."""
        edges: list[tuple[str, str]] = []
        for table in (frames.nodes, frames.exposures):
            versions = as_of(table, when) if table.height else table
            pairs = versions.select("unique_id", "depends_on").explode("depends_on").drop_nulls()
            edges.extend((parent, child) for child, parent in pairs.iter_rows())
        return cls(edges)

    def descendants(self, start: str) -> set[str]:
        """Every node downstream of ``start``."""
        return _walk(start, self.children)

    def ancestors(self, start: str) -> set[str]:
        """Every node upstream of ``start``."""
        return _walk(start, self.parents)


def _walk(start: str, edges: dict[str, set[str]]) -> set[str]:
    seen: set[str] = set()
    queue = deque([start])
    while queue:
        for nxt in edges.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def exposures_at_risk(
    frames: Frames, invocation_id: str, errors: list[Finding], dag: Dag
) -> list[Finding]:
    """Exposures downstream of a node or source with an error-level finding.

    A failing test puts at risk what is downstream of the node it tests.
    """
    if not errors or frames.exposures.is_empty():
        return []
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    tested = _tested_nodes(frames, started_at)
    exposures = as_of(frames.exposures, started_at)
    findings = []
    for exposure_id, name, kind in exposures.select("unique_id", "name", "type").iter_rows():
        upstream = dag.ancestors(exposure_id)
        causes = [
            f for f in errors if f.unique_id and tested.get(f.unique_id, f.unique_id) in upstream
        ]
        if not causes:
            continue
        roots = sorted({f.unique_id or "" for f in causes})
        kinds = sorted({f.kind for f in causes})
        message = (
            f"{kind or 'exposure'} {name} is at risk: upstream "
            f"{_listing([name_of(r) for r in roots])} ({', '.join(kinds)})"
        )
        findings.append(
            Finding(
                "exposure_at_risk",
                "error",
                exposure_id,
                invocation_id,
                message,
                {"root_causes": ", ".join(roots), "kinds": ", ".join(kinds)},
            )
        )
    return findings


def _tested_nodes(frames: Frames, when: dt.datetime) -> dict[str, str]:
    if frames.nodes.is_empty():
        return {}
    tests = as_of(frames.nodes, when).filter(pl.col("test_node").is_not_null())
    return dict(tests.select("unique_id", "test_node").iter_rows())


def _listing(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return f"{shown} and {len(names) - most} more" if len(names) > most else shown
