"""Read what ``explain NODE`` needs from the history, and no more.

1. the node's own runs, over the whole history (a change just after
   ``--since`` needs the runs before it as a baseline);
2. its change points, found on those runs alone;
3. then, for each change point, every node's runs in the invocations its
   causes compare (the change's invocation and the
   :data:`CONTEXT_INVOCATIONS` before it in the same environment), read
   from the date partitions they fall in only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from monitor import schema
from monitor.analysis.explain.explain import ChangePoint, detect, node_change_points
from monitor.analysis.explain.facts import BASELINE_RUNS, Facts, build_facts
from monitor.analysis.explain.rows import counts_rows, missing_rows_reason
from monitor.analysis.frames import EXECUTABLE, Frames, invocation_facts, versions
from monitor.analysis.queries.node_lookup import known_nodes, resolve_node
from monitor.analysis.queries.windows import Window, parse_window
from monitor.artifacts.rows import ROW_COUNT_COLUMNS
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import Tables, read_tables

RUN_COLUMNS = (
    "invocation_id",
    "unique_id",
    "resource_type",
    "status",
    "execution_time",
    *ROW_COUNT_COLUMNS,
)
"""The node_runs columns the facts are built from (``build_facts``, ``trusted_rows``)."""

LOOKBACK_DAYS = 35
"""Days of runs read before ``--since`` (``check``'s default ``lookback_days``)."""

CONTEXT_INVOCATIONS = 2 * BASELINE_RUNS
"""Invocations before a change read for its causes' baselines."""


@dataclass(frozen=True)
class Explanation:
    """One node's change points in a window, with their causes."""

    unique_id: str
    node: dict[str, Any] | None
    window: Window
    runs: int
    """The node's successful runs read: in the whole history, or since ``runs_since``."""
    runs_since: dt.date | None
    adapter: str | None
    change_points: list[ChangePoint]

    @property
    def rows_note(self) -> str | None:
        """Why rows are not followed, when the adapter gives no row counts."""
        return None if counts_rows(self.adapter) else missing_rows_reason(self.adapter)

    def as_dict(self, *, diff: bool = False) -> dict[str, Any]:
        """The JSON form; code diffs only with ``diff`` (code can hold secrets)."""
        points = [point.as_dict() for point in self.change_points]
        if not diff:
            for point in points:
                for cause in point["causes"]:
                    cause["evidence"].pop("diff", None)
        return {
            "unique_id": self.unique_id,
            "adapter": self.adapter,
            "runs": self.runs,
            "runs_since": self.runs_since.isoformat() if self.runs_since else None,
            "rows_reported": self.rows_note is None,
            "note": self.rows_note,
            "change_points": points,
        }


def explain(history: History, name: str, since: str | None, until: str | None) -> Explanation:
    """The change points of the node ``name`` names, in the window of ``since``/``until``.

    With ``since``, runs from :data:`LOOKBACK_DAYS` before it on are read
    (the baselines of the first changes in the window), as ``check`` reads
    the history before the run it judges; without it, the whole history.
    """
    window = parse_window(since, until, _newest(history))
    first_day = window.start.date() - dt.timedelta(days=LOOKBACK_DAYS) if window.start else None
    tables = read_tables(history, since=first_day)
    nodes = versions(tables.nodes).collect(engine=ENGINE)
    invocations = invocation_facts(tables.invocations)
    unique_id = _resolve(tables, nodes, name)
    own = _runs(tables.node_runs, invocations, pl.col("unique_id") == unique_id)
    facts = _facts(invocations, own, nodes)
    context = _context_ids(facts, unique_id, invocations, window)
    if context:
        first = invocations.filter(pl.col("invocation_id").is_in(context))["started_at"].min()
        assert isinstance(first, dt.datetime)
        scan = history.scan("node_runs", since=first.date())
        others = pl.col("invocation_id").is_in(context) & (pl.col("unique_id") != unique_id)
        around = _runs(scan, invocations, others)  # the node's own runs are read already
        facts = _facts(invocations, pl.concat([own, around]), nodes)
    points = [
        point
        for point in node_change_points(facts, unique_id, since=window.start)
        if window.end is None or point.started_at <= window.end
    ]
    latest = nodes.filter((pl.col("unique_id") == unique_id) & pl.col("is_latest"))
    series = facts.series(unique_id)
    adapter = facts.adapters.get(series["invocation_id"][-1]) if series.height else None
    return Explanation(
        unique_id=unique_id,
        node=latest.row(0, named=True) if latest.height else None,
        window=window,
        runs=series.height,
        runs_since=first_day,
        adapter=adapter,
        change_points=points,
    )


def _newest(history: History) -> dt.datetime:
    """When the newest invocation started (an empty history is the usual user error)."""
    day = history.newest_day()
    if day is None:
        read_tables(history)  # says the history is empty, and what to do
        raise AssertionError("unreachable")
    newest = invocation_facts(history.scan("invocations", since=day))["started_at"].max()
    assert isinstance(newest, dt.datetime)
    return newest


def _resolve(tables: Tables, nodes: pl.DataFrame, name: str) -> str:
    try:
        return resolve_node(known_nodes(nodes), name)
    except MonitorError:
        seen = tables.node_runs.select("unique_id").unique().collect(engine=ENGINE)
        return resolve_node(known_nodes(nodes, seen["unique_id"].to_list()), name)


def _runs(scan: pl.LazyFrame, invocations: pl.DataFrame, which: pl.Expr) -> pl.DataFrame:
    facts = invocations.lazy().select(
        "invocation_id", "started_at", "env_key", "executes", "full_refresh", "command"
    )
    return (
        scan.filter(
            which & pl.col("resource_type").is_in(EXECUTABLE) & (pl.col("status") == "success")
        )
        .select(RUN_COLUMNS)
        .join(facts, on="invocation_id", how="inner")
        .sort("started_at", "invocation_id")
        .collect(engine=ENGINE)
    )


def _facts(invocations: pl.DataFrame, runs: pl.DataFrame, nodes: pl.DataFrame) -> Facts:
    frames = Frames(
        invocations=invocations,
        node_runs=runs,
        freshness=schema.empty("freshness"),
        nodes=nodes,
        exposures=schema.empty("exposures"),
    )
    return build_facts(frames)


def _context_ids(
    facts: Facts, unique_id: str, invocations: pl.DataFrame, window: Window
) -> list[str]:
    """The invocations the causes of the node's changes in ``window`` compare."""
    executing = invocations.filter(pl.col("executes"))
    wanted: set[str] = set()
    for item in detect(facts, unique_id):
        info = facts.invocation(item.after)
        if window.start is not None and info["started_at"] < window.start:
            continue
        same_env = executing.filter(
            (pl.col("env_key") == info["env_key"]) & (pl.col("started_at") <= info["started_at"])
        )
        wanted.update(same_env["invocation_id"].tail(CONTEXT_INVOCATIONS + 1).to_list())
    return sorted(wanted)
