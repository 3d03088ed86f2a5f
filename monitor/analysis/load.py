"""Read what a check needs from the history: the judged invocations and their lookback."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import polars as pl

from monitor import schema
from monitor.analysis.frames import Frames, invocation_facts, prepare, resolve_invocation
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History, View
from monitor.history.tables import (
    Tables,
    all_sound,
    read_tables,
    read_unchecked,
    table_views,
    tables_through,
)

RECENT_DAYS = 7
"""How far back ``latest`` is looked for before the whole history is read."""

LEFT_OUT_RUN_COLUMNS = frozenset({"job_id", "bytes_processed", "compiled_code_hash"})
"""node_runs columns no detector reads: left on disk for a check."""

CHECKED_RUN_COLUMNS = tuple(
    name for name in schema.NODE_RUNS.names() if name not in LEFT_OUT_RUN_COLUMNS
)
"""The node_runs columns the detectors (and explain, cost, SLA) read: only these are read."""


def load_frames(
    history: History, lookback_days: int, wanted: list[str]
) -> tuple[Frames, list[str]]:
    """The detectors' frames and the resolved invocation ids.

    ``latest`` and ids of recent invocations are resolved from the last
    :data:`RECENT_DAYS` of the history, without opening older files; only the
    ``lookback_days`` of runs before the earliest wanted invocation are read.
    The commit markers of those days are listed and read once, for both.
    """
    newest = history.newest_day()
    if newest is None:
        read_tables(history)  # says the history is empty, and what to do
        raise AssertionError("unreachable")
    recent_since = newest - dt.timedelta(days=RECENT_DAYS)
    view = history.loaded(history.view(since=recent_since - dt.timedelta(days=lookback_days)))
    read = invocation_facts(history.scan("invocations", view=view))
    recent_rows = history.narrowed(view, recent_since).rows
    assert recent_rows is not None
    recent = read.filter(pl.col("invocation_id").is_in(recent_rows["invocation_id"].implode()))
    everything: pl.DataFrame | None = None
    ids = []
    for item in wanted:
        try:
            ids.append(resolve_invocation(recent, item))
        except MonitorError:
            if everything is None:
                everything = invocation_facts(history.scan("invocations"))
            ids.append(resolve_invocation(everything, item))
    facts = read if everything is None else everything
    earliest = facts.filter(pl.col("invocation_id").is_in(ids))["started_at"].min()
    if not isinstance(earliest, dt.datetime):
        views = table_views(history)
    else:
        since = (earliest - dt.timedelta(days=lookback_days)).date()
        within = view.since is not None and since >= view.since  # the usual case: a recent id
        views = table_views(
            history, view=history.narrowed(view, since) if within else None, since=since
        )
    return _read_checking_alongside(history, views), ids


def _read_checking_alongside(history: History, views: dict[str, View]) -> Frames:
    """The detectors' frames, the files' checksums checked while Polars reads them.

    Checking first kept the read waiting (a tenth of a check on 365 nights).
    Nothing read is used before every file proved sound: when one did not
    (its warning said so), or the read failed, the sound files are read again.
    """
    tables, files = read_unchecked(history, views)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbt-monitor-checksums") as pool:
        checking = pool.submit(all_sound, history, views, files)
        try:
            frames: Frames | None = _prepared(tables)
        except (pl.exceptions.PolarsError, OSError):
            frames = None  # a damaged file, most likely: the checks say which
        sound = checking.result()
    if frames is None or not sound:
        frames = _prepared(tables_through(history, views))
    return frames


def _prepared(tables: Tables) -> Frames:
    runs = tables.node_runs.select(CHECKED_RUN_COLUMNS)
    if _adapters_known(tables.invocations):
        # query ids only tell Snowflake apart when no manifest named the adapter;
        # they are a third of what 35 nights of a 6,000-node project take to read
        runs = runs.with_columns(pl.lit(None, dtype=pl.String).alias("query_id"))
    return prepare(replace(tables, node_runs=runs))


def _adapters_known(invocations: pl.LazyFrame) -> bool:
    """Whether every invocation read has its adapter type (from its manifest)."""
    known = invocations.select(pl.col("adapter_type").is_not_null().all()).collect(engine=ENGINE)
    return bool(known.item())
