"""Read the history's tables as lazy frames, in one call."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History, View


@dataclass(frozen=True)
class Tables:
    """Every history table, committed rows only, lazily."""

    invocations: pl.LazyFrame
    node_runs: pl.LazyFrame
    freshness: pl.LazyFrame
    nodes: pl.LazyFrame
    exposures: pl.LazyFrame


def read_tables(
    history: History, *, since: dt.date | None = None, view: View | None = None
) -> Tables:
    """The history's tables; a missing or empty history is a user error.

    ``since`` prunes the per-run tables (node versions are always read whole:
    a node first seen long ago is still in the project). A ``view`` already
    listed (and perhaps read) gives the markers, and its ``since``, instead.
    """
    if history.is_empty():
        raise MonitorError(
            f"{history.root}: no run history here yet; run `dbt-monitor ingest target/` first"
        )
    return tables_through(history, table_views(history, since=since, view=view))


def tables_through(history: History, views: dict[str, View]) -> Tables:
    """The tables read through :func:`table_views`' ``views``, their files checked first."""
    return Tables(
        invocations=history.scan("invocations", view=views["invocations"]),
        **{table: history.scan(table, view=views[table]) for table in FILE_TABLES},
    )


def read_unchecked(history: History, views: dict[str, View]) -> tuple[Tables, dict[str, list[str]]]:
    """The tables through ``views`` with their files left unchecked, and those files.

    The caller runs :func:`all_sound` on them (say, while Polars reads)
    before it uses anything read.
    """
    files = {
        table: [p for p in history.readable_files(table, views[table]) if p not in history.damaged]
        for table in FILE_TABLES
    }
    tables = Tables(
        invocations=history.scan("invocations", view=views["invocations"]),
        **{table: history.scan_files(table, files[table]) for table in FILE_TABLES},
    )
    return tables, files


FILE_TABLES = ("node_runs", "freshness", "nodes", "exposures")
"""The tables read from data files (invocations come from the commit markers)."""


def table_views(
    history: History, *, since: dt.date | None = None, view: View | None = None
) -> dict[str, View]:
    """The view each table is read through: node versions whole, the rest from ``since``."""
    if view is None:
        view = history.view(since=since)
    whole = history.view_of(("nodes", "exposures")) if view.since is not None else view
    return {
        "invocations": view,
        "node_runs": view,
        "freshness": view,
        "nodes": whole,
        "exposures": whole,
    }


def all_sound(history: History, views: dict[str, View], files: dict[str, list[str]]) -> bool:
    """Check the files :func:`read_unchecked` read; False when any is damaged.

    Every damaged file gets its one warning and is left out of later reads;
    what was read from it must not be used.
    """
    kept = [len(history.sound(table, files[table], views[table])) for table in FILE_TABLES]
    return kept == [len(files[table]) for table in FILE_TABLES]


def latest_compiled_code(history: History, *, since: dt.date | None = None) -> dict[str, str]:
    """Each node's compiled SQL from its newest run that carried it (``--include-sql`` only).

    Compiled SQL can hold secrets (rendered env vars): only an explicit
    request reads it.
    """
    view = history.view(since=since)
    started = history.scan("invocations", view=view).select("invocation_id", "started_at")
    latest = (
        history.scan("compiled_code", view=view)
        .join(started, on="invocation_id", how="inner")
        .sort("started_at")
        .unique("unique_id", keep="last")
        .select("unique_id", "compiled_code")
        .collect(engine=ENGINE)
    )
    return dict(latest.iter_rows())
