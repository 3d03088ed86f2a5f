"""When the next run of a job finishes, and when each exposure's data will be ready.

A Monte Carlo over the scheduler replay: each sample draws every node's
duration from its own recent runs (independently, node by node), re-times
the job's newest graph through one dispatch order (:func:`.simulate.retime`)
and reads off the build's end and each exposure's last upstream node. The
next run starts one schedule period after the last (the period inferred as
``run_gap`` infers it, or ``schedule_hours``), its first node after the
usual delay. The random generator is seeded from the newest invocation id:
the same history gives the same answer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from itertools import pairwise
from typing import TYPE_CHECKING

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.frames import Frames, as_of
from monitor.analysis.gaps import _inferred_period
from monitor.analysis.lineage import Dag
from monitor.analysis.schedule.graph import Build, load_build, node_times
from monitor.analysis.schedule.readiness import BUILT, Target
from monitor.analysis.schedule.runs import job_invocations
from monitor.analysis.schedule.simulate import retime, simulate
from monitor.analysis.schedule.whatif import DONE
from monitor.errors import MonitorError

if TYPE_CHECKING:
    import numpy as np

MIN_RUNS = 5
RECENT_RUNS = 14
"""Each node's durations are drawn from the job's last this-many runs."""
SAMPLES = 1000


@dataclass(frozen=True)
class ExposureForecast:
    """When one exposure's data is ready in the next run."""

    unique_id: str
    name: str
    p50_ready: dt.datetime
    p90_ready: dt.datetime


@dataclass(frozen=True)
class Forecast:
    """The next run of a job: start, P50/P90 finish, per-exposure readiness."""

    job: str
    runs_used: int
    samples: int
    period: dt.timedelta
    next_start: dt.datetime
    p50_finish: dt.datetime
    p90_finish: dt.datetime
    exposures: list[ExposureForecast]
    build: Build
    ready: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)
    """Each target's ready time in every sample, as UTC epoch seconds."""

    def chance_after(self, unique_id: str, when: dt.datetime) -> float | None:
        """The share of samples in which ``unique_id``'s data is ready after ``when``."""
        found = self.ready.get(unique_id)
        if found is None or not found.size:
            return None
        return float((found > when.timestamp()).mean())


def forecast(
    frames: Frames,
    job: str,
    config: Config | None = None,
    samples: int = SAMPLES,
    targets: list[Target] | None = None,
) -> Forecast:
    """The finish-time forecast of ``job``'s next run (a user error below 5 runs).

    ``targets`` (default: every exposure) get a ready time each.
    """
    import numpy as np

    ids = job_invocations(frames.invocations, job)
    if len(ids) < MIN_RUNS:
        raise MonitorError(
            f"job {job!r} has {len(ids)} run{'s' if len(ids) != 1 else ''} in the history; "
            f"a forecast needs at least {MIN_RUNS}"
        )
    recent = ids[-RECENT_RUNS:]
    build = load_build(frames, recent[-1])
    facts = frames.invocations.filter(pl.col("invocation_id").is_in(ids)).sort("started_at")
    period = _period(facts["started_at"].to_list(), config)
    last = facts["started_at"][-1]
    assert isinstance(last, dt.datetime)
    next_start = last + period
    offset = _first_node_delay(frames, recent)
    draws = _draws(frames, recent, build, samples, _seed(recent[-1]))
    order = simulate(build.graph, build.slots, build.threads).order
    ends = retime(build.graph, order, draws + build.overhead, build.threads)
    origin: dt.datetime = next_start + offset

    def clock(seconds: float) -> dt.datetime:
        return origin + dt.timedelta(seconds=float(seconds))

    spans = ends.max(axis=0) if ends.size else np.zeros(samples)
    exposures = []
    ready_at = {}
    for uid, name, columns in _target_columns(frames, build, targets):
        ready = ends[columns].max(axis=0)
        ready_at[uid] = origin.timestamp() + ready
        exposures.append(
            ExposureForecast(
                uid, name, clock(np.quantile(ready, 0.5)), clock(np.quantile(ready, 0.9))
            )
        )
    return Forecast(
        job=job,
        runs_used=len(recent),
        samples=samples,
        period=period,
        next_start=next_start,
        p50_finish=clock(np.quantile(spans, 0.5)),
        p90_finish=clock(np.quantile(spans, 0.9)),
        exposures=exposures,
        build=build,
        ready=ready_at,
    )


def _seed(invocation_id: str) -> int:
    return int.from_bytes(hashlib.sha256(invocation_id.encode()).digest()[:8], "big")


def _period(starts: list[dt.datetime], config: Config | None) -> dt.timedelta:
    if config is not None and config.schedule_hours:
        return dt.timedelta(hours=config.schedule_hours)
    inferred = _inferred_period(starts)
    if inferred is not None:
        return inferred
    intervals = sorted(b - a for a, b in pairwise(starts))
    return intervals[len(intervals) // 2]


def _first_node_delay(frames: Frames, ids: list[str]) -> dt.timedelta:
    """Median time from an invocation's start to its first node's start."""
    runs = frames.node_runs.filter(pl.col("invocation_id").is_in(ids))
    delays = (
        runs.group_by("invocation_id")
        .agg(
            (
                pl.coalesce("compile_started_at", "execute_started_at").min()
                - pl.col("started_at").first()
            )
            .dt.total_microseconds()
            .alias("us")
        )["us"]
        .drop_nulls()
    )
    median = delays.median() if delays.len() else None
    return (
        dt.timedelta(microseconds=float(median))
        if isinstance(median, int | float)
        else dt.timedelta()
    )


def _draws(frames: Frames, ids: list[str], build: Build, samples: int, seed: int) -> np.ndarray:
    """A nodes x samples matrix of durations, each node's drawn from its own recent runs."""
    import numpy as np

    times = node_times(
        frames.node_runs.filter(pl.col("invocation_id").is_in(ids) & pl.col("status").is_in(DONE))
    )
    history = dict(times.group_by("unique_id").agg(pl.col("seconds")).iter_rows())
    seen = [
        sorted(history.get(uid) or [build.durations[i]]) for i, uid in enumerate(build.graph.ids)
    ]
    counts = np.asarray([len(values) for values in seen], dtype=np.intp)
    table = np.zeros((len(seen), int(counts.max(initial=1))))
    for i, values in enumerate(seen):
        table[i, : len(values)] = values
    rng = np.random.default_rng(seed)
    picks = (rng.random((len(seen), samples)) * counts[:, None]).astype(np.intp)
    return table[np.arange(len(seen))[:, None], picks]


def _target_columns(
    frames: Frames, build: Build, targets: list[Target] | None
) -> list[tuple[str, str, np.ndarray]]:
    import numpy as np

    dag = build.dag or Dag.at(frames, build.started_at)
    if targets is None:
        if frames.exposures.is_empty():
            return []
        exposures = as_of(frames.exposures, build.started_at).sort("name")
        targets = [
            Target(uid, name, "exposure")
            for uid, name in exposures.select("unique_id", "name").iter_rows()
        ]
    index = {uid: i for i, uid in enumerate(build.graph.ids)}
    found = []
    for target in targets:
        nodes = dag.ancestors(target.unique_id) | {target.unique_id}
        columns = [index[n] for n in nodes if n in index and n.split(".", 1)[0] in BUILT]
        if columns:
            found.append(
                (target.unique_id, target.name, np.asarray(sorted(columns), dtype=np.intp))
            )
    return found
