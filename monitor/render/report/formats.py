"""How numbers, times and names read in the HTML report (Jinja filters)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from monitor.analysis.words import duration, name_of

_ANCHOR = re.compile(r"[^A-Za-z0-9_.-]+")


def seconds(value: float | None) -> str:
    """``0.42 s``, ``3 min 5 s``; an em dash for no value."""
    return "—" if value is None else duration(value)


def percent(value: float | None, digits: int = 1) -> str:
    """``47.3%``; an em dash for no value."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def number(value: float | None) -> str:
    """``1,871``; an em dash for no value."""
    if value is None:
        return "—"
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def when(value: dt.datetime | None) -> str:
    """``2021-02-17 02:00 UTC``."""
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M UTC")


def day(value: dt.datetime | None) -> str:
    """``Feb 17``."""
    return "—" if value is None else f"{value:%b} {value.day}"


def hours(value: float | None) -> str:
    """An age in seconds as ``30.2 h`` / ``3.1 days``."""
    if value is None:
        return "—"
    if value < 3600:
        return f"{value / 60:.0f} min"
    if value < 3 * 86400:
        return f"{value / 3600:.1f} h"
    return f"{value / 86400:.1f} days"


def anchor(unique_id: str) -> str:
    """The HTML id of a node's detail card."""
    return "node-" + _ANCHOR.sub("-", unique_id)


def step_label(step: str) -> str:
    """``add_to_cart`` -> ``add to cart``."""
    return step.replace("_", " ")


FILTERS: dict[str, Callable[..., Any]] = {
    "seconds": seconds,
    "percent": percent,
    "number": number,
    "when": when,
    "day": day,
    "hours": hours,
    "anchor": anchor,
    "short_name": name_of,
    "step_label": step_label,
}
