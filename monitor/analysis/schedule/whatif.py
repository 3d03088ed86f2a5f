"""What-if: a node faster, a node skipped, or more threads, replayed on the build's graph.

Every prediction is a replay (:mod:`.simulate`) of one build's graph: the
baseline with the recorded durations, the scenario with the changed ones,
both through the same scheduler, so the difference is the scenario's and not
the simulation's error. Without a scenario the answer is the *leverage*
ranking: the nodes whose 50 % speed-up would shorten the build most, tried
among the nodes the build actually waited for (its binding chain), each
re-timed through the replay's dispatch order (:func:`.simulate.retime`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import polars as pl

from monitor.analysis.frames import Frames
from monitor.analysis.schedule.graph import Build, load_build, node_times
from monitor.analysis.schedule.simulate import binding_chain, retime, simulate

if TYPE_CHECKING:
    pass

LEVERAGE_SPEEDUP = 0.5
LEVERAGE_TOP = 10
LEVERAGE_CANDIDATES = 40
"""The slowest nodes of the binding chain tried for leverage (each costs one replay)."""


@dataclass(frozen=True)
class Scenario:
    """Changes to replay: thread count, factors on durations, nodes skipped."""

    threads: int | None = None
    faster: Mapping[str, float] = field(default_factory=dict)
    """unique_id -> share of its duration taken off (0.5 halves it)."""
    skip: frozenset[str] = frozenset()

    @property
    def empty(self) -> bool:
        """True when nothing is changed."""
        return self.threads is None and not self.faster and not self.skip


@dataclass(frozen=True)
class Leverage:
    """What a 50 % faster node would save."""

    unique_id: str
    seconds: float
    seconds_saved: float


@dataclass(frozen=True)
class WhatIf:
    """A scenario's prediction against the baseline replay of the same build."""

    build: Build
    runs_used: int
    baseline_seconds: float
    predicted_seconds: float
    threads: int
    critical_path: list[str]
    leverage: list[Leverage]

    @property
    def baseline_finish(self) -> dt.datetime | None:
        """Clock time the baseline replay ends."""
        return self.build.finish(self.baseline_seconds)

    @property
    def predicted_finish(self) -> dt.datetime | None:
        """Clock time the scenario's replay ends."""
        return self.build.finish(self.predicted_seconds)


def typical_build(frames: Frames, invocation_ids: list[str]) -> tuple[Build, int]:
    """The newest of ``invocation_ids``' graph with each node's median duration over all of them."""
    newest = invocation_ids[-1]
    build = load_build(frames, newest)
    if len(invocation_ids) == 1:
        return build, 1
    times = node_times(
        frames.node_runs.filter(
            pl.col("invocation_id").is_in(invocation_ids) & pl.col("status").is_in(DONE)
        )
    )
    medians = dict(times.group_by("unique_id").agg(pl.col("seconds").median()).iter_rows())
    durations = [
        float(medians.get(uid) or build.durations[i]) for i, uid in enumerate(build.graph.ids)
    ]
    return replace(build, durations=durations), len(invocation_ids)


DONE = ("success", "pass", "warn", "fail", "no-op")
"""Statuses whose timings are a node's real work (skips and errors are not)."""


def what_if(build: Build, scenario: Scenario, runs_used: int = 1) -> WhatIf:
    """Replay ``build`` as it was and as ``scenario`` changes it."""
    baseline = simulate(build.graph, build.slots, build.threads)
    threads = scenario.threads or build.threads
    slots = _changed(build, scenario)
    predicted = simulate(build.graph, slots, threads)
    chain = binding_chain(predicted)
    leverage = _leverage(build, slots, threads, chain, predicted.span) if scenario.empty else []
    return WhatIf(
        build=build,
        runs_used=runs_used,
        baseline_seconds=baseline.span,
        predicted_seconds=predicted.span,
        threads=threads,
        critical_path=[build.graph.ids[i] for i in chain if slots[i] > build.overhead],
        leverage=leverage,
    )


def _changed(build: Build, scenario: Scenario) -> list[float]:
    slots = []
    for uid, seconds in zip(build.graph.ids, build.durations, strict=True):
        if uid in scenario.skip:
            slots.append(0.0)
        else:
            slots.append(seconds * (1.0 - scenario.faster.get(uid, 0.0)) + build.overhead)
    return slots


def _leverage(
    build: Build, slots: list[float], threads: int, chain: list[int], span: float
) -> list[Leverage]:
    """Each candidate's 50 % speed-up re-timed through the replay's dispatch order, at once."""
    import numpy as np

    candidates = [i for i in chain if build.durations[i] > 0]
    candidates = sorted(candidates, key=lambda i: -build.durations[i])[:LEVERAGE_CANDIDATES]
    if not candidates:
        return []
    order = simulate(build.graph, slots, threads).order
    trials = np.tile(np.asarray(slots, dtype=np.float64)[:, None], (1, len(candidates)))
    for column, i in enumerate(candidates):
        trials[i, column] -= build.durations[i] * LEVERAGE_SPEEDUP
    spans = retime(build.graph, order, trials, threads).max(axis=0)
    found = [
        Leverage(build.graph.ids[i], build.durations[i], float(span - trial))
        for i, trial in zip(candidates, spans, strict=True)
        if span - trial > 1e-9
    ]
    found.sort(key=lambda item: (-item.seconds_saved, item.unique_id))
    return found[:LEVERAGE_TOP]
