"""Which invocations a replay is about: builds that ran nodes, grouped by job."""

from __future__ import annotations

import polars as pl

from monitor.errors import MonitorError

NODE_COMMANDS = ("build", "run", "seed", "snapshot", "test")
"""dbt commands whose results are scheduled nodes."""


def node_invocations(invocations: pl.DataFrame) -> pl.DataFrame:
    """Invocations (``invocation_facts``' frame) that executed scheduled nodes, oldest first."""
    return invocations.filter(pl.col("executes") & pl.col("command").is_in(NODE_COMMANDS)).sort(
        "started_at", "invocation_id"
    )


def newest_job(invocations: pl.DataFrame) -> str:
    """The job of the newest invocation that executed nodes."""
    runs = node_invocations(invocations)
    if runs.is_empty():
        raise MonitorError("no invocation in the history ran models yet (dbt build or dbt run)")
    return str(runs["job"][-1])


def job_invocations(invocations: pl.DataFrame, job: str) -> list[str]:
    """The invocations of ``job`` that executed nodes, oldest first; a user error if none."""
    runs = node_invocations(invocations)
    found = runs.filter(pl.col("job") == job)["invocation_id"].to_list()
    if not found:
        known = sorted(set(runs["job"].to_list()))
        raise MonitorError(f"no runs of job {job!r} in the history (jobs: {', '.join(known)})")
    return found
