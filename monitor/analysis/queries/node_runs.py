"""Node runs and freshness checks in a window, with their invocation's facts.

The queries' lazy counterpart of :func:`monitor.analysis.frames.prepare`:
nothing is collected here, so a query reads only the columns and date
partitions it needs.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.frames import COMPILE_ONLY, env_key
from monitor.analysis.queries.windows import Window
from monitor.analysis.words import summary_line
from monitor.engine import ENGINE
from monitor.history.tables import Tables

FACTS = ("invocation_id", "started_at", "command", "env_key", "executes", "full_refresh")
"""The invocation columns every run row carries."""

OK = ("success", "pass")
"""Statuses that mean a node did what it should."""


def invocation_facts(invocations: pl.LazyFrame, window: Window) -> pl.LazyFrame:
    """One row per invocation in the window: when, what, where, and whether it executed."""
    return (
        invocations.filter(window.contains())
        .unique("invocation_id", keep="first")
        .with_columns(
            env_key(),
            (~pl.col("command").is_in(list(COMPILE_ONLY)) & (pl.col("n_results") > 0)).alias(
                "executes"
            ),
            pl.col("full_refresh").fill_null(value=False),
        )
        .select(FACTS)
    )


def node_runs_in(tables: Tables, window: Window, selected: set[str] | None = None) -> pl.LazyFrame:
    """Node runs of invocations that executed in the window, oldest first."""
    return join_facts(tables.node_runs, tables.invocations, window, selected)


def join_facts(
    runs: pl.LazyFrame,
    invocations: pl.LazyFrame,
    window: Window,
    selected: set[str] | None = None,
) -> pl.LazyFrame:
    """``runs`` of invocations that executed in the window, with their facts, oldest first."""
    if selected is not None:
        runs = runs.filter(pl.col("unique_id").is_in(list(selected)))
    facts = invocation_facts(invocations, window).filter(pl.col("executes"))
    return runs.join(facts, on="invocation_id", how="inner").sort("started_at", "unique_id")


def freshness_in(tables: Tables, window: Window, selected: set[str] | None = None) -> pl.LazyFrame:
    """Freshness checks of invocations in the window, oldest first."""
    checks = tables.freshness
    if selected is not None:
        checks = checks.filter(pl.col("unique_id").is_in(list(selected)))
    facts = invocation_facts(tables.invocations, window)
    return checks.join(facts, on="invocation_id", how="inner").sort("started_at", "unique_id")


def newest_start(invocations: pl.LazyFrame) -> dt.datetime | None:
    """When the newest invocation started (None for no invocations)."""
    newest = invocations.select(pl.col("started_at").max()).collect(engine=ENGINE).item()
    return newest if isinstance(newest, dt.datetime) else None


def short_name(column: str = "unique_id") -> pl.Expr:
    """A node's short name, as :func:`monitor.analysis.words.name_of` spells it."""
    parts = pl.col(column).str.split(".")
    kind, length = parts.list.first(), parts.list.len()
    return (
        pl.when((kind == "source") & (length >= 4))
        .then(parts.list.slice(2).list.join("."))
        .when((kind == "test") & (length >= 4))
        .then(parts.list.get(2, null_on_oob=True))
        .when(length >= 3)
        .then(parts.list.last())
        .otherwise(pl.col(column))
        .alias("name")
    )


def message_summary(column: str = "message") -> pl.Expr:
    """Dbt's message as its summary line (:func:`~monitor.analysis.words.summary_line`)."""
    return pl.col(column).map_elements(summary_line, return_dtype=pl.String, skip_nulls=True)
