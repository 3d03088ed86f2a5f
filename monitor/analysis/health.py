"""Run health over a window: per invocation status counts, wall time, trigger, missed runs.

A *run* is the group of invocations a schedule starts together (freshness,
build, snapshot, docs): invocations of one environment that start within
:data:`~monitor.analysis.gaps.SAME_RUN` of the previous one.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.frames import Frames
from monitor.analysis.gaps import SAME_RUN, run_gaps
from monitor.history.labels import CI_VARIABLES

CI_LABEL_KEYS = frozenset(CI_VARIABLES) | {"DBT_CLOUD_PR_ID", "pr", "pull_request"}
"""A label with one of these keys marks an invocation a CI run."""

CI_VALUE = re.compile(r"^(ci|pr|pull[-_ ]?request|ci[-_].*|.*[-_]ci)$", re.IGNORECASE)
"""An environment or ``job``/``trigger`` label value naming CI."""

BUILD_COMMANDS = ("build", "run")
"""Commands whose invocation is "the build" of a run."""


@dataclass(frozen=True)
class Gap:
    """Scheduled runs that did not happen between two runs."""

    previous: dt.datetime
    next: dt.datetime
    missed: int
    environment: str


def window_start(frames: Frames, span: dt.timedelta) -> dt.datetime | None:
    """The window's first moment: ``span`` back from the newest invocation (not the clock)."""
    if frames.invocations.is_empty():
        return None
    newest = frames.invocations["started_at"].max()
    assert isinstance(newest, dt.datetime)
    return newest - span


def trigger() -> pl.Expr:
    """``"ci"`` for invocations a CI system or a pull request started, else ``"scheduled"``."""
    keys = pl.col("labels").list.eval(pl.element().struct.field("key"))
    values = pl.col("labels").list.eval(
        pl.element()
        .filter(pl.element().struct.field("key").is_in(["job", "trigger"]))
        .struct.field("value")
    )
    is_ci = (
        keys.list.eval(pl.element().is_in(list(CI_LABEL_KEYS))).list.any()
        | values.list.eval(pl.element().str.contains(CI_VALUE.pattern)).list.any()
        | pl.col("env_key").str.contains(CI_VALUE.pattern)
    )
    return pl.when(is_ci.fill_null(False)).then(pl.lit("ci")).otherwise(pl.lit("scheduled"))


def run_health(frames: Frames, since: dt.datetime | None) -> pl.DataFrame:
    """One row per executing invocation in the window, oldest first.

    Columns: invocation_id, started_at, command, env_key, trigger, ok (success
    and pass), warn, failed (fail, error, runtime error), skipped, results,
    elapsed_time.
    """
    invocations = frames.invocations.filter(pl.col("executes"))
    if since is not None:
        invocations = invocations.filter(pl.col("started_at") >= since)
    return invocations.select(
        "invocation_id",
        "started_at",
        "command",
        "env_key",
        trigger().alias("trigger"),
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


def missed_runs(frames: Frames, since: dt.datetime | None, config: Config) -> list[Gap]:
    """Gaps in the schedule that end inside the window, as the ``run_gap`` detector sees them.

    One per environment: :func:`merge_gaps` folds those of one missed run.
    """
    health = run_health(frames, since)
    gaps = []
    for invocation_id in health["invocation_id"].to_list():
        for finding in run_gaps(frames, invocation_id, config):
            previous = finding.evidence["previous_run"]
            missed = finding.evidence["missed_runs"]
            env = finding.evidence.get("environment")
            assert isinstance(previous, str) and isinstance(missed, int)
            started = frames.invocation(invocation_id)["started_at"]
            assert isinstance(started, dt.datetime)
            gaps.append(
                Gap(
                    dt.datetime.fromisoformat(previous),
                    started,
                    missed,
                    str(env) if env else "",
                )
            )
    return gaps


def merge_gaps(gaps: list[Gap]) -> list[Gap]:
    """One gap per missed run, naming every environment that missed it.

    The invocations of one run (freshness, build) start minutes apart and may
    carry different environments, so gaps whose ends lie within
    :data:`~monitor.analysis.gaps.SAME_RUN` of each other are one gap.
    """
    merged: list[Gap] = []
    for gap in sorted(gaps, key=lambda g: (g.previous, g.next)):
        env = gap.environment or "default"
        last = merged[-1] if merged else None
        if (
            last is not None
            and abs(gap.previous - last.previous) <= SAME_RUN
            and abs(gap.next - last.next) <= SAME_RUN
        ):
            known = last.environment.split(", ")
            envs = last.environment if env in known else f"{last.environment}, {env}"
            merged[-1] = Gap(
                min(last.previous, gap.previous),
                min(last.next, gap.next),
                max(last.missed, gap.missed),
                envs,
            )
        else:
            merged.append(Gap(gap.previous, gap.next, gap.missed, env))
    return merged


def latest_run(frames: Frames) -> list[str]:
    """The invocations of the newest run: the newest executing one and those just before it.

    Empty when nothing in the history executed anything.
    """
    executing = frames.invocations.filter(pl.col("executes"))
    if executing.is_empty():
        return []
    env = executing["env_key"][-1]
    same_env = executing.filter(pl.col("env_key") == env)
    starts = same_env["started_at"].to_list()
    ids = same_env["invocation_id"].to_list()
    first = len(starts) - 1
    while first > 0 and starts[first] - starts[first - 1] <= SAME_RUN:
        first -= 1
    return ids[first:]


def latest_build(frames: Frames) -> str | None:
    """The newest ``build`` or ``run`` invocation, else the newest executing one."""
    executing = frames.invocations.filter(pl.col("executes"))
    if executing.is_empty():
        return None
    builds = executing.filter(pl.col("command").is_in(BUILD_COMMANDS))
    chosen = builds if not builds.is_empty() else executing
    return str(chosen["invocation_id"][-1])


@dataclass(frozen=True)
class HealthSummary:
    """Totals of :func:`run_health`'s rows."""

    invocations: int
    scheduled: int
    ci: int
    with_failures: int
    median_wall: float | None
    """Of the scheduled ``build``/``run`` invocations."""


def health_summary(rows: pl.DataFrame) -> HealthSummary:
    """How many invocations, of which CI and scheduled, failing, and the median build time."""
    builds = rows.filter(
        pl.col("command").is_in(BUILD_COMMANDS) & (pl.col("trigger") == "scheduled")
    )
    median = builds["elapsed_time"].median() if builds.height else None
    return HealthSummary(
        invocations=rows.height,
        scheduled=rows.filter(pl.col("trigger") == "scheduled").height,
        ci=rows.filter(pl.col("trigger") == "ci").height,
        with_failures=rows.filter(pl.col("failed") > 0).height,
        median_wall=float(median) if isinstance(median, int | float) else None,
    )
