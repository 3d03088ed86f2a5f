"""Section 2, run health: status counts and wall time per invocation, missed runs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from monitor.analysis.health import (
    BUILD_COMMANDS,
    health_summary,
    merge_gaps,
    missed_runs,
    run_health,
)
from monitor.render.report.context import GapView, Health
from monitor.render.report.inputs import Inputs
from monitor.render.report.jobs import build_runs


def epoch_ms(value: dt.datetime) -> int:
    """Milliseconds since the epoch: how charts take time."""
    return round(value.timestamp() * 1000)


def build_health(inputs: Inputs) -> Health:
    """The window's invocations as a chart, with its totals and gaps."""
    rows = run_health(inputs.frames, inputs.since)
    gaps = [
        GapView(g.previous, g.next, g.missed, g.environment)
        for g in merge_gaps(missed_runs(inputs.frames, inputs.since, inputs.config))
    ]
    summary = health_summary(rows)
    builds = rows.filter(pl.col("invocation_id") == (inputs.latest_build or ""))
    job = _main_job(inputs)
    if job is not None:
        ids = inputs.frames.invocations.filter(pl.col("job") == job)["invocation_id"]
        charted = rows.filter(pl.col("invocation_id").is_in(ids.implode()))
    else:
        charted = rows
    return Health(
        chart=inputs.charts.add("health", "health", **_slots(charted, gaps)),
        invocations=summary.invocations,
        scheduled=summary.scheduled,
        ci=summary.ci,
        with_failures=summary.with_failures,
        median_wall=summary.median_wall,
        latest_wall=builds["elapsed_time"][0] if builds.height else None,
        gaps=gaps,
        missed=sum(g.missed for g in gaps),
        chart_job=job,
        runs=build_runs(inputs),
    )


def _main_job(inputs: Inputs) -> str | None:
    """The job the chart shows: the latest build's (other jobs are in the run list)."""
    if inputs.latest_build is None:
        return None
    return str(inputs.frames.invocation(inputs.latest_build)["job"])


def _slots(rows: pl.DataFrame, gaps: list[GapView]) -> dict[str, list[Any]]:
    """One chart slot per invocation, and one per gap where the missed runs would have been."""
    slots: dict[str, list[Any]] = {
        name: []
        for name in (
            "label", "t", "id", "command", "env", "trigger", "build",
            "ok", "warn", "failed", "skipped", "wall", "missed",
        )
    }  # fmt: skip
    pending = list(gaps)
    for row in rows.iter_rows(named=True):
        while pending and pending[0].next <= row["started_at"]:
            gap = pending.pop(0)
            _append(slots, label="missed", t=epoch_ms(gap.previous), missed=gap.missed)
        _append(
            slots,
            label=f"{row['started_at']:%b %-d %H:%M}",
            t=epoch_ms(row["started_at"]),
            id=row["invocation_id"][:8],
            command=row["command"],
            env=row["env_key"] or "default",
            trigger=row["trigger"],
            build=row["command"] in BUILD_COMMANDS,
            ok=row["ok"],
            warn=row["warn"],
            failed=row["failed"],
            skipped=row["skipped"],
            wall=row["elapsed_time"],
        )
    return slots


def _append(slots: dict[str, list[Any]], **values: Any) -> None:
    for name, column in slots.items():
        column.append(values.get(name))
