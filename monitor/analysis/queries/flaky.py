"""``flaky``: tests by how often they flip between pass and fail.

As for the ``flaky_test`` detector, only pass and fail/error outcomes count
(warnings and skips are left out), and a test is listed once it went from
pass to fail at least ``min_flips`` times: pass → fail → pass is one failure,
not flakiness. ``flips`` counts changes either way and ``flip_rate`` is flips
per pair of consecutive runs; ``history`` shows each run, oldest first
(✓ pass, ✗ fail). Unlike the detector, this does not look at whether the
test's code changed.
"""

from __future__ import annotations

import polars as pl

from monitor.analysis.queries.node_runs import short_name
from monitor.analysis.results import FAILING, TEST_TYPES
from monitor.engine import ENGINE


def flaky(runs: pl.LazyFrame, *, min_flips: int = 2, limit: int | None = None) -> pl.DataFrame:
    """One row per test of ``runs`` that went from pass to fail ``min_flips`` times or more."""
    outcomes = runs.filter(
        pl.col("resource_type").is_in(TEST_TYPES) & pl.col("status").is_in(("pass", *FAILING))
    ).with_columns((pl.col("status") == "pass").alias("ok"))
    ok = pl.col("ok").sort_by("started_at")
    by_test = (
        outcomes.group_by("unique_id")
        .agg(
            pl.len().alias("runs"),
            (~pl.col("ok")).sum().cast(pl.Int64).alias("fails"),
            (ok != ok.shift()).sum().cast(pl.Int64).alias("flips"),
            (ok.shift() & ~ok).sum().cast(pl.Int64).alias("pass_to_fail"),
            pl.when(ok).then(pl.lit("✓")).otherwise(pl.lit("✗")).str.join("").alias("history"),
            pl.col("status").sort_by("started_at").last().alias("last_status"),
            pl.col("started_at").filter(~pl.col("ok")).max().alias("last_failed"),
        )
        .with_columns(
            (pl.col("flips") / (pl.col("runs") - 1).clip(lower_bound=1)).alias("flip_rate")
        )
        .filter(pl.col("pass_to_fail") >= min_flips)
        .sort(["flip_rate", "flips", "unique_id"], descending=[True, True, False])
    )
    if limit:
        by_test = by_test.head(limit)
    return by_test.select(
        short_name(),
        "flip_rate",
        "flips",
        "pass_to_fail",
        "fails",
        "runs",
        "history",
        "last_status",
        "last_failed",
        "unique_id",
    ).collect(engine=ENGINE)
