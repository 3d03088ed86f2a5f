"""Where a series stepped up or down and stayed, or spiked for one run.

The detector is a robust two-window comparison, chosen over PELT-style
search because it needs no cost model or penalty, is exact on short
histories (a dbt node has tens to hundreds of runs) and says in plain
numbers why it fired:

* the baseline of run ``i`` is the median of up to ``window`` earlier runs
  (since the last change point), with at least ``min_runs`` of them;
* run ``i`` *differs* when its value is at least ``ratio`` times the
  baseline (or at most 1/``ratio``), by at least ``min_change`` in absolute
  terms, and by at least ``mad_factor`` robust sigmas (1.4826 × MAD) of the
  baseline runs;
* a **step** is ``min_runs`` or more differing runs in a row, the same way
  (or fewer, when the median of the next ``window`` runs still differs);
  its level after is their median, and the baseline restarts at the step;
* a **spike** is fewer than ``min_runs`` differing runs, then back to the
  baseline; its level is their median;
* differing runs up to the newest one, fewer than ``min_runs``, are
  **latest**: the next runs will tell a step from a spike.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

MAD_TO_SIGMA = 1.4826

Shape = Literal["step", "spike", "latest"]


@dataclass(frozen=True)
class Thresholds:
    """When a run differs from its baseline."""

    ratio: float
    min_change: float
    window: int = 7
    min_runs: int = 3
    mad_factor: float = 3.0


RUNTIME = Thresholds(ratio=1.5, min_change=0.5)
"""Runtime (seconds): 1.5× and at least 0.5 s."""

ROWS = Thresholds(ratio=2.0, min_change=10.0)
"""rows_affected: 2× and at least 10 rows."""


@dataclass(frozen=True)
class Change:
    """One change point: the index of the first run after it, and the levels around it."""

    index: int
    shape: Shape
    before: float
    after: float

    @property
    def ratio(self) -> float:
        """The ratio after / before (infinite from a baseline of 0)."""
        return self.after / self.before if self.before else float("inf")

    @property
    def direction(self) -> int:
        """+1 up, -1 down."""
        return 1 if self.after > self.before else -1


def differs(baseline: Sequence[float], value: float, limits: Thresholds) -> int:
    """+1 when ``value`` is far above ``baseline``, -1 far below, 0 otherwise."""
    median = statistics.median(baseline)
    mad = statistics.median(abs(v - median) for v in baseline)
    change = value - median
    if abs(change) < limits.min_change or abs(change) < limits.mad_factor * MAD_TO_SIGMA * mad:
        return 0
    if value >= median * limits.ratio:
        return 1
    if value * limits.ratio <= median:
        return -1
    return 0


def change_points(values: Sequence[float], limits: Thresholds) -> list[Change]:
    """Every step, spike and unresolved latest change in ``values``, oldest first."""
    found: list[Change] = []
    start = 0
    i = limits.min_runs
    n = len(values)
    while i < n:
        baseline = values[max(start, i - limits.window) : i]
        direction = differs(baseline, values[i], limits) if len(baseline) >= limits.min_runs else 0
        if direction == 0:
            i += 1
            continue
        level = statistics.median(baseline)
        end = i
        while end < n and differs(baseline, values[end], limits) == direction:
            end += 1
        excursion = statistics.median(values[i:end])
        if end - i >= limits.min_runs:
            found.append(Change(i, "step", level, excursion))
        elif end == n:
            found.append(Change(i, "latest", level, excursion))
            break
        else:
            after = statistics.median(values[i : i + limits.window])
            if differs(baseline, after, limits) != direction:
                found.append(Change(i, "spike", level, excursion))
                i = end
                continue
            found.append(Change(i, "step", level, after))
        start = i
        i += limits.min_runs
    return found
