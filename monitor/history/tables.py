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
    if view is None:
        view = history.view(since=since)
    since = view.since
    whole = history.view_of(("nodes", "exposures")) if since is not None else view
    return Tables(
        invocations=history.scan("invocations", view=view),
        node_runs=history.scan("node_runs", view=view),
        freshness=history.scan("freshness", view=view),
        nodes=history.scan("nodes", view=whole),
        exposures=history.scan("exposures", view=whole),
    )


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
