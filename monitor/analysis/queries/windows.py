"""``--since`` / ``--until``: time windows counted back from the newest invocation.

A recorded history gives the same answers next year because relative windows
count back from the newest invocation in the history, never from the wall
clock. Whole days (``7d``, ``2w``) are calendar days in UTC: ``7d`` is the
newest invocation's day and the six days before it, so a nightly job that
starts a few seconds earlier one night does not fall out of the window.
Hours (``24h``) count back exactly. Absolute dates (``2021-02-08``) and
times (``2021-02-08T12:00``) are UTC; an ``--until`` date includes its day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from monitor.errors import MonitorError

_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$")
_UNITS = {"h": dt.timedelta(hours=1), "d": dt.timedelta(days=1), "w": dt.timedelta(weeks=1)}
_EXAMPLES = "7d, 24h, 2w, or a date such as 2021-02-08"


@dataclass(frozen=True)
class Window:
    """A closed time range over invocation start times; ``None`` leaves a side open."""

    start: dt.datetime | None = None
    end: dt.datetime | None = None

    @property
    def first_day(self) -> dt.date | None:
        """The first date partition the window needs (for pruning)."""
        return self.start.date() if self.start is not None else None

    def contains(self, column: str = "started_at") -> pl.Expr:
        """True for rows whose ``column`` falls in the window."""
        inside = pl.lit(value=True)
        if self.start is not None:
            inside = inside & (pl.col(column) >= self.start)
        if self.end is not None:
            inside = inside & (pl.col(column) <= self.end)
        return inside

    def describe(self) -> str:
        """The window in words: ``2021-02-08 00:00 to 2021-02-17 02:00``."""
        start = _moment(self.start) if self.start else "the first run"
        end = _moment(self.end) if self.end else "the last run"
        return f"{start} to {end}"


def parse_window(since: str | None, until: str | None, newest: dt.datetime) -> Window:
    """The window ``--since`` and ``--until`` describe, relative to ``newest``."""
    start = parse_moment(since, newest, option="--since", end=False) if since else None
    end = parse_moment(until, newest, option="--until", end=True) if until else None
    if start is not None and end is not None and end < start:
        raise MonitorError(f"--until {until} is before --since {since}; swap them")
    return Window(start, end)


def parse_moment(text: str, newest: dt.datetime, *, option: str, end: bool) -> dt.datetime:
    """One side of a window: ``7d``, ``24h``, ``2w``, a date or a date and time (UTC).

    ``end`` makes a date mean the end of that day rather than its start.
    """
    relative = _RELATIVE.match(text)
    if relative:
        count, unit = int(relative.group(1)), relative.group(2)
        if unit == "h":
            return newest - count * _UNITS[unit]
        days = count * _UNITS[unit].days
        if days == 0:
            raise MonitorError(f"{option} {text}: a window of whole days needs at least 1d")
        day = newest.date() - dt.timedelta(days=days if end else days - 1)
        return _day_end(day) if end else _day_start(day)
    try:
        parsed = dt.datetime.fromisoformat(text.strip())
    except ValueError:
        raise MonitorError(f"{option} {text!r}: expected {_EXAMPLES}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    is_date = len(text.strip()) == len("2021-02-08")
    if is_date and end:
        return _day_end(parsed.date())
    return parsed.astimezone(dt.UTC)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=dt.UTC)


def _day_end(day: dt.date) -> dt.datetime:
    return _day_start(day + dt.timedelta(days=1)) - dt.timedelta(microseconds=1)


def _moment(when: dt.datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M")
