"""Runs by job: each job's invocations with a verdict, and what went wrong in one run.

A job is :mod:`monitor.analysis.jobs`' definition (``nightly build``,
``nightly source freshness``, ``pull-request build``). A run's verdict comes
from its own results, so it is cheap for every run of a month:

- ``failed``: a result with status ``error``, ``fail`` or ``runtime error``;
- ``warn``: otherwise a result with status ``warn``;
- ``ok``: otherwise (``skipped`` results follow from a failure, counted there);
- ``none``: a command that executes nothing (``docs generate``, ``compile``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from monitor.analysis.frames import Frames
from monitor.analysis.health import trigger

PROBLEM_STATUSES = ("error", "fail", "runtime error", "warn", "skipped")


def verdict() -> pl.Expr:
    """``failed`` / ``warn`` / ``ok`` / ``none`` from an invocation's status counts."""
    failed = (
        pl.col("n_fail").fill_null(0)
        + pl.col("n_error").fill_null(0)
        + pl.col("n_runtime_error").fill_null(0)
    )
    return (
        pl.when(~pl.col("executes"))
        .then(pl.lit("none"))
        .when(failed > 0)
        .then(pl.lit("failed"))
        .when(pl.col("n_warn").fill_null(0) > 0)
        .then(pl.lit("warn"))
        .otherwise(pl.lit("ok"))
        .alias("verdict")
    )


def job_runs(frames: Frames, since: dt.datetime | None) -> pl.DataFrame:
    """Every invocation in the window with its job, trigger and verdict, oldest first.

    Columns: invocation_id, started_at, job, command, env_key, trigger,
    executes, verdict, ok, warn, failed, skipped, results, elapsed_time.
    """
    invocations = frames.invocations
    if since is not None:
        invocations = invocations.filter(pl.col("started_at") >= since)
    return invocations.select(
        "invocation_id",
        "started_at",
        "job",
        "command",
        "env_key",
        trigger().alias("trigger"),
        "executes",
        verdict(),
        (pl.col("n_success").fill_null(0) + pl.col("n_pass").fill_null(0)).alias("ok"),
        pl.col("n_warn").fill_null(0).alias("warn"),
        (
            pl.col("n_fail").fill_null(0)
            + pl.col("n_error").fill_null(0)
            + pl.col("n_runtime_error").fill_null(0)
        ).alias("failed"),
        pl.col("n_skipped").fill_null(0).alias("skipped"),
        pl.col("n_results").fill_null(0).alias("results"),
        "elapsed_time",
    ).sort("started_at", "invocation_id")


def newest_per_job(runs: pl.DataFrame) -> pl.DataFrame:
    """Each job's newest run (from :func:`job_runs`), jobs that execute first, newest first."""
    return (
        runs.sort("started_at")
        .group_by("job")
        .agg(pl.all().last(), pl.len().alias("runs"))
        .sort(["executes", "started_at"], descending=[True, True])
    )


def run_problems(frames: Frames, invocation_ids: Sequence[str]) -> pl.DataFrame:
    """The results of these runs that did not pass, worst first, with dbt's message.

    Node results (errors, failing and warning tests with their failing row
    count, skipped nodes) and stale sources. Columns: invocation_id,
    unique_id, resource_type, status, failures, message, test_node.
    """
    wanted = list(invocation_ids)
    rank = {status: i for i, status in enumerate(PROBLEM_STATUSES)}
    runs = frames.node_runs.filter(
        pl.col("invocation_id").is_in(wanted) & pl.col("status").is_in(PROBLEM_STATUSES)
    ).select(
        "invocation_id",
        "unique_id",
        "resource_type",
        "status",
        "failures",
        "message",
    )
    fresh = frames.freshness.filter(
        pl.col("invocation_id").is_in(wanted) & pl.col("status").is_in(["warn", "error"])
    ).select(
        "invocation_id",
        "unique_id",
        pl.lit("source").alias("resource_type"),
        "status",
        pl.lit(None, pl.Int64).alias("failures"),
        pl.col("error").alias("message"),
    )
    return (
        pl.concat([runs, fresh])
        .with_columns(
            pl.col("status")
            .replace_strict(rank, default=len(rank), return_dtype=pl.Int32)
            .alias("_rank")
        )
        .sort("invocation_id", "_rank", "unique_id")
        .drop("_rank")
    )


def slowest_in_runs(frames: Frames, invocation_ids: Sequence[str], top: int) -> pl.DataFrame:
    """The ``top`` longest node executions of each run: invocation_id, unique_id, seconds."""
    return (
        frames.node_runs.filter(
            pl.col("invocation_id").is_in(list(invocation_ids))
            & pl.col("execution_time").is_not_null()
        )
        .select("invocation_id", "unique_id", pl.col("execution_time").alias("seconds"))
        .sort("seconds", descending=True)
        .group_by("invocation_id", maintain_order=True)
        .head(top)
    )
