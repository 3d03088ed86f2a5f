"""``freshness``: sources with their latest status, age, thresholds, and how often they were late.

Ages and thresholds are in hours. ``error_days`` and ``warn_days`` are the
UTC dates of the checks that came out ``error`` (or ``runtime error``) and
``warn``.
"""

from __future__ import annotations

import polars as pl

from monitor.analysis.queries.node_runs import short_name
from monitor.engine import ENGINE

HOUR = 3600.0
_SEVERITY = {"runtime error": 3, "error": 3, "warn": 2, "pass": 0}


def freshness_summary(checks: pl.LazyFrame, *, limit: int | None = None) -> pl.DataFrame:
    """One row per source of ``checks`` (see :func:`freshness_in`).

    Late now first, then those most often in error, then in warning.
    """
    status = pl.col("status")
    is_error = status.is_in(("error", "runtime error"))
    day = pl.col("started_at").dt.date()

    def last(column: str) -> pl.Expr:
        return pl.col(column).sort_by("started_at").last()

    by_source = (
        checks.group_by("unique_id")
        .agg(
            last("status"),
            (last("age") / HOUR).alias("age_h"),
            (last("warn_after") / HOUR).alias("warn_after_h"),
            (last("error_after") / HOUR).alias("error_after_h"),
            last("max_loaded_at").alias("last_loaded"),
            pl.len().alias("checks"),
            (status == "warn").sum().cast(pl.Int64).alias("warns"),
            is_error.sum().cast(pl.Int64).alias("errors"),
            day.filter(is_error).unique().sort().alias("error_days"),
            day.filter(status == "warn").unique().sort().alias("warn_days"),
            pl.col("started_at").max().alias("last_checked"),
        )
        .with_columns(
            ((pl.col("warns") + pl.col("errors")) / pl.col("checks")).alias("late_share"),
            status.replace_strict(_SEVERITY, default=1, return_dtype=pl.Int8).alias("rank"),
        )
        .sort(
            ["rank", "errors", "warns", "unique_id"],
            descending=[True, True, True, False],
        )
    )
    if limit:
        by_source = by_source.head(limit)
    return by_source.select(
        short_name(),
        "status",
        "age_h",
        "error_days",
        "warn_days",
        "checks",
        "errors",
        "warns",
        "late_share",
        "warn_after_h",
        "error_after_h",
        "last_loaded",
        "last_checked",
        "unique_id",
    ).collect(engine=ENGINE)
