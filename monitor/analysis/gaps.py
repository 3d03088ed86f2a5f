"""``run_gap``: a job's regular schedule missed a run.

Each job (:mod:`monitor.analysis.jobs`: its name and the dbt command, so the
nightly ``source freshness`` and the nightly ``build`` are two jobs) keeps
its own schedule. Invocations of one job that start within an hour of each
other form one *run*. The schedule is the median interval between runs,
inferred when most intervals agree, or configured. A gap is reported on
the job's first invocation after it, naming the job: each nightly job's own
check mentions its missed night.
"""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.finding import Finding
from monitor.analysis.frames import Frames
from monitor.analysis.words import moment

SAME_RUN = dt.timedelta(hours=1)
MIN_RUNS = 5
REGULAR_SHARE = 0.7


def run_gaps(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """Report a missed run when this invocation opens its job's first run after a gap."""
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    if not info["executes"]:
        return []
    job, env = str(info["job"]), str(info["env_key"])
    starts = frames.invocations.filter(
        pl.col("executes") & (pl.col("job") == job) & (pl.col("started_at") <= started_at)
    )["started_at"].to_list()
    runs = _run_starts(starts)
    if len(runs) < 2 or runs[-1] != started_at:
        return []  # not the first invocation of its run
    period = (
        dt.timedelta(hours=config.schedule_hours)
        if config.schedule_hours
        else _inferred_period(runs[:-1])
    )
    if period is None:
        return []
    previous = runs[-2]
    interval = started_at - previous
    if interval <= period * config.gap_tolerance:
        return []
    missed = max(round(interval / period) - 1, 1)
    message = (
        f"no run of job {job!r} between {moment(previous)} and {moment(started_at)}: "
        f"{missed} expected run{'s' if missed != 1 else ''} missed "
        f"(schedule: every {_every(period)})"
    )
    return [
        Finding(
            "run_gap",
            "warn",
            None,
            invocation_id,
            message,
            {
                "job": job,
                "previous_run": previous.isoformat(),
                "gap_hours": round(interval.total_seconds() / 3600, 2),
                "period_hours": round(period.total_seconds() / 3600, 2),
                "missed_runs": missed,
                "environment": env or None,
            },
        )
    ]


def _run_starts(starts: list[dt.datetime]) -> list[dt.datetime]:
    runs: list[dt.datetime] = []
    for start in sorted(starts):
        if not runs or start - runs[-1] > SAME_RUN:
            runs.append(start)
    # a run's members may straddle: keep the run's first start
    return runs


def _inferred_period(runs: list[dt.datetime]) -> dt.timedelta | None:
    if len(runs) < MIN_RUNS:
        return None
    intervals = sorted(b - a for a, b in pairwise(runs))
    median = intervals[len(intervals) // 2]
    regular = sum(1 for i in intervals if abs(i - median) <= median * 0.25)
    return median if regular / len(intervals) >= REGULAR_SHARE else None


def _every(period: dt.timedelta) -> str:
    hours = period.total_seconds() / 3600
    if abs(hours - 24) < 1:
        return "day"
    if abs(hours - 168) < 2:
        return "week"
    return f"{hours:.1f} h"
