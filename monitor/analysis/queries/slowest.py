"""``slowest``: models, seeds and snapshots by execution time over a window.

Only successful, non-full-refresh executions count, as for the timing
baselines of the ``slow_model`` detector. ``trend`` is the node's execution
times, oldest first.
"""

from __future__ import annotations

import polars as pl

from monitor.analysis.frames import EXECUTABLE
from monitor.analysis.queries.node_runs import short_name
from monitor.engine import ENGINE

RANKINGS = ("median", "latest", "total", "max")
"""What ``--by`` may rank on."""


def slowest(runs: pl.LazyFrame, *, by: str = "median", limit: int | None = None) -> pl.DataFrame:
    """One row per node of ``runs`` (see :func:`node_runs_in`), slowest first."""
    if by not in RANKINGS:
        raise ValueError(f"by must be one of {RANKINGS}, not {by!r}")
    timed = runs.filter(
        pl.col("resource_type").is_in(EXECUTABLE)
        & (pl.col("status") == "success")
        & ~pl.col("full_refresh")
        & pl.col("execution_time").is_not_null()
    ).select("unique_id", "resource_type", "started_at", "execution_time")
    seconds = pl.col("execution_time")
    ranked = (
        timed.group_by("unique_id")
        .agg(
            pl.col("resource_type").last(),
            pl.len().alias("runs"),
            seconds.median().alias("median_s"),
            seconds.sort_by("started_at").last().alias("latest_s"),
            seconds.max().alias("max_s"),
            seconds.sum().alias("total_s"),
            seconds.sort_by("started_at").alias("trend"),
        )
        .sort(f"{by}_s", "unique_id", descending=[True, False])
    )
    if limit:
        ranked = ranked.head(limit)
    return ranked.select(
        short_name(),
        pl.col("resource_type").alias("type"),
        "runs",
        "median_s",
        "latest_s",
        "max_s",
        "total_s",
        "trend",
        "unique_id",
    ).collect(engine=ENGINE)
