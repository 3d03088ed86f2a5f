"""The DAG from manifest lineage: parents, descendants, and exposures at risk."""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Iterable
from functools import cached_property

import polars as pl

from monitor.analysis.finding import Finding
from monitor.analysis.frames import Frames, as_of
from monitor.analysis.words import name_of


class Dag:
    """Parents and children of every node (and exposure) in one manifest version.

    Nothing is read until a walk needs it, and the edges stay a frame: walks
    from a few nodes (:meth:`reach`) run in Polars, and the per-node mappings
    are built only when a caller walks many.
    """

    def __init__(self, edges: Callable[[], pl.DataFrame]) -> None:
        """``edges`` makes the ``parent`` -> ``child`` pairs (String columns), on first use."""
        self._make_edges = edges

    @classmethod
    def at(cls, frames: Frames, when: dt.datetime) -> Dag:
        """The DAG as the manifest stood at ``when`` (most checks never walk it)."""
        return cls(
            lambda: _pairs(
                *(
                    as_of(table, when) if table.height else table
                    for table in (frames.nodes, frames.exposures)
                )
            )
        )

    @classmethod
    def of(cls, *tables: pl.DataFrame) -> Dag:
        """The DAG of the ``depends_on`` lists of ``tables``' nodes (or exposures)."""
        return cls(lambda: _pairs(*tables))

    @cached_property
    def edges(self) -> pl.DataFrame:
        """One row per ``parent`` -> ``child`` pair."""
        return self._make_edges()

    @cached_property
    def parents(self) -> dict[str, set[str]]:
        """Each node's parents."""
        return _grouped(self.edges, "child", "parent")

    @cached_property
    def children(self) -> dict[str, set[str]]:
        """Each node's children."""
        return _grouped(self.edges, "parent", "child")

    def descendants(self, start: str) -> set[str]:
        """Every node downstream of ``start``."""
        return _walk(start, self.children)

    def ancestors(self, start: str) -> set[str]:
        """Every node upstream of ``start``."""
        return _walk(start, self.parents)

    def reach(self, starts: Iterable[str]) -> dict[str, set[str]]:
        """Every node downstream of each of ``starts``, as :meth:`descendants` says.

        One breadth-first walk from all of them at once, level by level in
        Polars: a check traces a few failed nodes through thousands, and
        needs no per-node mapping for that.
        """
        found: dict[str, set[str]] = {start: set() for start in starts}
        if not found:
            return found
        frontier = pl.DataFrame({"root": list(found), "parent": list(found)})
        seen = pl.DataFrame(schema={"root": pl.String, "child": pl.String})
        while frontier.height:
            step = (
                frontier.join(self.edges, on="parent")
                .select("root", "child")
                .unique()
                .join(seen, on=["root", "child"], how="anti")
            )
            seen = pl.concat([seen, step])
            frontier = step.rename({"child": "parent"})
        for root, child in seen.iter_rows():
            found[root].add(child)
        return found


def _pairs(*tables: pl.DataFrame) -> pl.DataFrame:
    """The ``parent`` -> ``child`` pairs of the ``depends_on`` lists of ``tables``."""
    return pl.concat(
        table.select(
            pl.col("depends_on").cast(pl.List(pl.String)).alias("parent"),
            pl.col("unique_id").alias("child"),
        )
        .explode("parent")
        .drop_nulls()
        for table in tables
    )


def _grouped(edges: pl.DataFrame, key: str, value: str) -> dict[str, set[str]]:
    # keys in the order the edges name them first: the walks that take them in turn
    # (the critical path's ties) come out the same every time
    grouped = edges.group_by(key, maintain_order=True).agg(pl.col(value))
    return {
        node: set(linked)
        for node, linked in zip(grouped[key].to_list(), grouped[value].to_list(), strict=True)
    }


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
    failed = {f.unique_id for f in errors if f.unique_id}
    tested = _tested_nodes(frames, started_at, failed)
    root_of = {uid: tested.get(uid, uid) for uid in failed}
    below = dag.reach(set(root_of.values()))  # from the few failed, not up from every exposure
    exposures = as_of(frames.exposures, started_at)
    findings = []
    for exposure_id, name, kind in exposures.select("unique_id", "name", "type").iter_rows():
        causes = [f for f in errors if f.unique_id and exposure_id in below[root_of[f.unique_id]]]
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


def _tested_nodes(frames: Frames, when: dt.datetime, wanted: set[str]) -> dict[str, str]:
    """The node each test of ``wanted`` tests (a test of one node)."""
    if frames.nodes.is_empty() or not wanted:
        return {}
    tests = as_of(frames.nodes, when).filter(
        pl.col("test_node").is_not_null() & pl.col("unique_id").is_in(list(wanted))
    )
    return dict(tests.select("unique_id", "test_node").iter_rows())


def _listing(names: list[str], most: int = 3) -> str:
    shown = ", ".join(names[:most])
    return f"{shown} and {len(names) - most} more" if len(names) > most else shown
