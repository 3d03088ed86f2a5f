"""A unicode sparkline: a series of numbers as one line of block characters."""

from __future__ import annotations

from collections.abc import Sequence

BLOCKS = "▁▂▃▄▅▆▇█"
GAP = " "
"""Where a value is missing (a run that errored or was skipped)."""


def sparkline(values: Sequence[float | None], width: int | None = None) -> str:
    """``values`` scaled between their minimum and maximum; the last ``width`` of them.

    A flat series sits on the lowest block; missing values leave a gap.
    """
    shown = list(values)[-width:] if width else list(values)
    present = [v for v in shown if v is not None]
    if not present:
        return GAP * len(shown)
    low, high = min(present), max(present)
    span = high - low
    top = len(BLOCKS) - 1
    return "".join(
        GAP if v is None else BLOCKS[round((v - low) / span * top) if span else 0] for v in shown
    )
