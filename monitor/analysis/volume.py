"""``volume_anomaly``: a model's rows_affected far outside its recent range.

Judged like ``slow_model``: this run's row count against the median of the
node's previous counted runs in the same environment. Only row counts the
adapter really reports are judged (:mod:`monitor.analysis.explain.rows`):
nothing is said on DuckDB, Snowflake or Databricks.

* a **spike** (``ratio`` times the median or more) or a **drop** (the median
  divided by ``ratio`` or less), each by at least ``min_rows``: warn;
* **zero rows** from a model that wrote rows in most of its previous runs:
  error.

An incremental model's ``rows_affected`` is the increment, not the table
size: a quiet night writes few rows. So incrementals are judged on spikes
only, never on drops or zeros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from monitor.analysis.explain.facts import BASELINE_RUNS, Facts
from monitor.analysis.finding import Finding, Severity
from monitor.analysis.frames import as_of
from monitor.analysis.words import name_of


@dataclass(frozen=True)
class VolumeLimits:
    """When a row count is an anomaly."""

    ratio: float = 3.0
    min_rows: int = 100
    min_runs: int = 3
    usually_writes: float = 0.8
    """Share of previous runs with rows > 0 that makes a 0 an error."""


def volume_anomalies(
    facts: Facts, invocation_id: str, limits: VolumeLimits | None = None
) -> list[Finding]:
    """The row-count spikes, drops and zeros of this invocation's models."""
    limits = limits or VolumeLimits()
    current = facts.runs.filter(
        (pl.col("invocation_id") == invocation_id) & pl.col("rows").is_not_null()
    )
    if current.is_empty():
        return []
    started_at, env = current["started_at"][0], current["env_key"][0]
    before = (
        facts.runs.filter(
            (pl.col("started_at") < started_at)
            & (pl.col("env_key") == env)
            & pl.col("rows").is_not_null()
            & pl.col("unique_id").is_in(current["unique_id"].implode())
        )
        .group_by("unique_id")
        .agg(pl.col("rows").tail(BASELINE_RUNS).alias("previous"))
        .with_columns(
            pl.col("previous").list.len().alias("runs"),
            pl.col("previous").list.median().alias("median"),
            (pl.col("previous").list.eval((pl.element() > 0).mean()).list.first()).alias(
                "writing_share"
            ),
        )
        .filter(pl.col("runs") >= limits.min_runs)
    )
    incremental = _incrementals(facts, started_at)
    scored = current.join(before, on="unique_id", how="inner").sort("unique_id")
    return [
        _finding(row, invocation_id, env, row["unique_id"] in incremental)
        for row in _judged(scored, incremental, limits).iter_rows(named=True)
    ]


def _judged(scored: pl.DataFrame, incremental: set[str], limits: VolumeLimits) -> pl.DataFrame:
    """The anomalous rows, each with its ``change``: spike, zero or drop (incrementals: spikes).

    Judged on every node at once; only the few anomalies are put in words.
    """
    rows, median = pl.col("rows"), pl.col("median")
    spike = (rows >= median * limits.ratio) & (rows - median >= limits.min_rows)
    zero = (rows == 0) & (median > 0) & (pl.col("writing_share") >= limits.usually_writes)
    drop = (rows * limits.ratio <= median) & (median - rows >= limits.min_rows)
    steady = pl.col("unique_id").is_in(list(incremental)).not_()
    change = (
        pl.when(spike)
        .then(pl.lit("spike"))
        .when(steady & zero)
        .then(pl.lit("zero"))
        .when(steady & drop)
        .then(pl.lit("drop"))
    )
    return scored.with_columns(change.alias("change")).filter(pl.col("change").is_not_null())


def _finding(row: dict[str, object], invocation_id: str, env: str, incremental: bool) -> Finding:
    rows, median, runs = row["rows"], row["median"], row["runs"]
    assert isinstance(rows, int) and isinstance(median, float) and isinstance(runs, int)
    name = name_of(str(row["unique_id"]))
    severity: Severity = "warn"
    if row["change"] == "spike":
        ratio = rows / max(median, 1)
        what = f"{name} wrote {rows:,} rows, {ratio:.1f}× its median of {median:,.0f}"
    elif row["change"] == "zero":
        severity = "error"
        what = f"{name} wrote 0 rows; it usually writes about {median:,.0f}"
    else:
        what = f"{name} wrote {rows:,} rows, {rows / median:.0%} of its median of {median:,.0f}"
    return Finding(
        "volume_anomaly",
        severity,
        str(row["unique_id"]),
        invocation_id,
        f"{what} over the last {runs} runs",
        {
            "rows": rows,
            "baseline_median": median,
            "baseline_runs": runs,
            "ratio": round(rows / median, 3) if median else None,
            "incremental": incremental,
            "environment": env,
        },
    )


def _incrementals(facts: Facts, at: dt.datetime) -> set[str]:
    if facts.versions.is_empty():
        return set()
    nodes = as_of(facts.versions, at)
    return set(nodes.filter(pl.col("materialized") == "incremental")["unique_id"].to_list())
