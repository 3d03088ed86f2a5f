"""Model performance over a window: the slowest models, their trend and share of runtime.

Only the top of the list travels on to rendering, so a project of thousands
of models costs a handful of rows.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.frames import EXECUTABLE, Frames
from monitor.analysis.timing import timing_runs

PERFORMANCE = pl.Schema(
    {
        "unique_id": pl.String(),
        "resource_type": pl.String(),
        "latest": pl.Float64(),
        "latest_status": pl.String(),
        "share": pl.Float64(),
        "runs": pl.UInt32(),
        "median": pl.Float64(),
        "p90": pl.Float64(),
        "series": pl.List(
            pl.Struct({"started_at": pl.Datetime("us", "UTC"), "seconds": pl.Float64})
        ),
    }
)
"""What :func:`slowest_models` returns, one row per model."""


def build_runtime(frames: Frames, invocation_id: str) -> tuple[float, int]:
    """Total execution time and count of the models, seeds and snapshots of one invocation."""
    runs = frames.node_runs.filter(
        (pl.col("invocation_id") == invocation_id) & pl.col("resource_type").is_in(EXECUTABLE)
    )
    return float(runs["execution_time"].fill_null(0).sum()), runs.height


def slowest_models(
    frames: Frames,
    invocation_id: str,
    since: dt.datetime | None,
    *,
    top: int = 15,
    also: frozenset[str] = frozenset(),
) -> pl.DataFrame:
    """The ``top`` slowest models of an invocation, plus the nodes in ``also``.

    ``latest`` is the node's execution time in the invocation and ``share``
    its part of :func:`build_runtime`. ``median``, ``p90`` and ``series``
    (the successful runs in the window, oldest first) describe its recent
    runs in the same environment. Sorted by ``latest``, slowest first.
    """
    env = frames.invocation(invocation_id)["env_key"]
    current = frames.node_runs.filter(
        (pl.col("invocation_id") == invocation_id) & pl.col("resource_type").is_in(EXECUTABLE)
    ).select(
        "unique_id",
        "resource_type",
        pl.col("execution_time").fill_null(0).alias("latest"),
        pl.col("status").alias("latest_status"),
    )
    if current.is_empty():
        return pl.DataFrame(schema=PERFORMANCE)
    total = float(current["latest"].sum())
    chosen = current.filter(
        (pl.col("latest").rank("ordinal", descending=True) <= top)
        | pl.col("unique_id").is_in(sorted(also))
    )
    window = timing_runs(frames).filter(
        (pl.col("env_key") == env) & pl.col("unique_id").is_in(chosen["unique_id"].implode())
    )
    if since is not None:
        window = window.filter(pl.col("started_at") >= since)
    stats = window.group_by("unique_id").agg(
        pl.len().cast(pl.UInt32).alias("runs"),
        pl.col("execution_time").median().alias("median"),
        pl.col("execution_time").quantile(0.9, "linear").alias("p90"),
        pl.struct("started_at", pl.col("execution_time").alias("seconds"))
        .sort_by("started_at")
        .alias("series"),
    )
    return (
        chosen.join(stats, on="unique_id", how="left")
        .with_columns(
            (pl.col("latest") / total if total > 0 else pl.lit(0.0)).alias("share"),
            pl.col("runs").fill_null(0),
        )
        .select(PERFORMANCE.names())
        .cast(PERFORMANCE)
        .sort(["latest", "unique_id"], descending=[True, False])
    )
