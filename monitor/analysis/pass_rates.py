"""Tests over a window: pass rate per invocation and the flip history of unstable tests."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.frames import Frames
from monitor.analysis.results import FAILING, TEST_TYPES

FLIPS = pl.Schema(
    {
        "unique_id": pl.String(),
        "flips": pl.UInt32(),
        "pass_to_fail": pl.UInt32(),
        "runs": pl.UInt32(),
        "failures": pl.UInt32(),
        "history": pl.List(
            pl.Struct(
                {
                    "invocation_id": pl.String(),
                    "started_at": pl.Datetime("us", "UTC"),
                    "status": pl.String(),
                }
            )
        ),
    }
)
"""What :func:`flip_history` returns."""


def _tests(frames: Frames, since: dt.datetime | None, env: str | None) -> pl.DataFrame:
    runs = frames.node_runs.filter(
        pl.col("resource_type").is_in(TEST_TYPES)
        & pl.col("executes")
        & (pl.col("status") != "skipped")
    )
    if since is not None:
        runs = runs.filter(pl.col("started_at") >= since)
    if env is not None:
        runs = runs.filter(pl.col("env_key") == env)
    return runs


def pass_rate(frames: Frames, since: dt.datetime | None) -> pl.DataFrame:
    """Per invocation that ran tests: tests, passed, warned, failed and pass_rate (0–1)."""
    return (
        _tests(frames, since, None)
        .group_by("invocation_id", "started_at", "env_key")
        .agg(
            pl.len().alias("tests"),
            (pl.col("status") == "pass").sum().alias("passed"),
            (pl.col("status") == "warn").sum().alias("warned"),
            pl.col("status").is_in(FAILING).sum().alias("failed"),
        )
        .with_columns((pl.col("passed") / pl.col("tests")).alias("pass_rate"))
        .sort("started_at", "invocation_id")
    )


def flip_history(
    frames: Frames,
    since: dt.datetime | None,
    env: str | None,
    *,
    min_flips: int = 2,
    top: int = 20,
) -> pl.DataFrame:
    """Tests that went from pass to fail at least ``min_flips`` times in the window.

    As for the ``flaky_test`` detector, pass → fail → pass is one failure,
    not flakiness. Most pass → fail transitions first; ``flips`` counts
    changes either way.

    ``history`` holds each run in the window (invocation, time, status),
    oldest first: the strip of pass/fail cells. As for the ``flaky_test``
    detector, a warning is neither: it neither flips nor counts as a failure.
    """
    runs = _tests(frames, since, env).with_columns(
        pl.when(pl.col("status") == "pass")
        .then(False)
        .when(pl.col("status").is_in(FAILING))
        .then(True)
        .alias("bad")  # null for warn: a warning is neither a pass nor a failure
    )
    bad = pl.col("bad").drop_nulls()
    flips = (
        runs.sort("started_at", "invocation_id")
        .group_by("unique_id", maintain_order=True)
        .agg(
            (bad != bad.shift(1)).slice(1).sum().cast(pl.UInt32).alias("flips"),
            (bad & ~bad.shift(1)).slice(1).sum().cast(pl.UInt32).alias("pass_to_fail"),
            pl.len().cast(pl.UInt32).alias("runs"),
            bad.sum().cast(pl.UInt32).alias("failures"),
            pl.struct("invocation_id", "started_at", "status").alias("history"),
        )
        .filter(pl.col("pass_to_fail") >= min_flips)
        .sort(["pass_to_fail", "failures", "unique_id"], descending=[True, True, False])
        .head(top)
    )
    return flips.select(FLIPS.names()).cast(FLIPS)
