"""Inline SVG sparklines: coordinates for a polyline and a hoverable dot per point."""

from __future__ import annotations

from collections.abc import Sequence

from monitor.render.report.context import Sparkline

WIDTH = 120
HEIGHT = 28
PAD = 3


def sparkline(
    points: Sequence[tuple[float, str]],
    *,
    width: int = WIDTH,
    height: int = HEIGHT,
    floor_zero: bool = True,
    hover: bool = True,
) -> Sparkline | None:
    """A sparkline of ``(value, hover text)`` points, evenly spaced; None for < 2 points.

    Without ``hover`` there is no dot per point (only the last), which keeps
    long lists of sparklines small.
    """
    if len(points) < 2:
        return None
    values = [value for value, _ in points]
    low = 0.0 if floor_zero else min(values)
    high = max(values)
    scale = (high - low) or 1.0
    step = (width - 2 * PAD) / (len(points) - 1)
    coords = [
        (
            round(PAD + i * step, 1),
            round(height - PAD - (value - low) / scale * (height - 2 * PAD), 1),
        )
        for i, value in enumerate(values)
    ]
    return Sparkline(
        width=width,
        height=height,
        points=" ".join(f"{x},{y}" for x, y in coords),
        dots=[(x, y, text) for (x, y), (_, text) in zip(coords, points, strict=True)]
        if hover
        else [(*coords[-1], points[-1][1])],
        last=coords[-1],
    )
