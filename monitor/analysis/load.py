"""Read what a check needs from the history: the judged invocations and their lookback."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl

from monitor.analysis.frames import Frames, invocation_facts, prepare, resolve_invocation
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import read_tables

RECENT_DAYS = 7
"""How far back ``latest`` is looked for before the whole history is read."""

CHECKED_RUN_COLUMNS = (
    "invocation_id",
    "unique_id",
    "resource_type",
    "status",
    "execution_time",
    "failures",
    "message",
    # explain (row counts), cost and SLA (timings, billed volume)
    "rows_affected",
    "adapter_code",
    # trusted_rows_affected (monitor.artifacts.rows): Snowflake by its response, per-DML counts
    "query_id",
    "rows_inserted",
    "rows_updated",
    "rows_deleted",
    "compile_started_at",
    "compile_completed_at",
    "execute_started_at",
    "execute_completed_at",
    "thread_id",
    "bytes_billed",
    "slot_ms",
)
"""The node_runs columns the detectors read: only these are read from disk for a check."""


def load_frames(
    history: History, lookback_days: int, wanted: list[str]
) -> tuple[Frames, list[str]]:
    """The detectors' frames and the resolved invocation ids.

    ``latest`` and ids of recent invocations are resolved from the last
    :data:`RECENT_DAYS` of the history, without opening older files; only the
    ``lookback_days`` of runs before the earliest wanted invocation are read.
    """
    newest = history.newest_day()
    if newest is None:
        read_tables(history)  # says the history is empty, and what to do
        raise AssertionError("unreachable")
    recent = invocation_facts(
        history.scan("invocations", since=newest - dt.timedelta(days=RECENT_DAYS))
    )
    everything: pl.DataFrame | None = None
    ids = []
    for item in wanted:
        try:
            ids.append(resolve_invocation(recent, item))
        except MonitorError:
            if everything is None:
                everything = invocation_facts(history.scan("invocations"))
            ids.append(resolve_invocation(everything, item))
    facts = recent if everything is None else everything
    earliest = facts.filter(pl.col("invocation_id").is_in(ids))["started_at"].min()
    since = None
    if isinstance(earliest, dt.datetime):
        since = (earliest - dt.timedelta(days=lookback_days)).date()
    tables = read_tables(history, since=since)
    return prepare(replace(tables, node_runs=tables.node_runs.select(CHECKED_RUN_COLUMNS))), ids
