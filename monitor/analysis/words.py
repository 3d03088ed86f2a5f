"""How numbers and names read in a finding's sentence."""

from __future__ import annotations

import datetime as dt


def name_of(unique_id: str) -> str:
    """The short name of a node: ``model.greenery.fct_orders`` -> ``fct_orders``.

    Sources keep their source name: ``source.greenery.raw.orders`` -> ``raw.orders``;
    generic tests drop their hash suffix.
    """
    parts = unique_id.split(".")
    if parts[0] == "source" and len(parts) >= 4:
        return ".".join(parts[2:])
    if parts[0] == "test" and len(parts) >= 4:
        return parts[2]  # generic tests end in a hash: test.pkg.name.1a2b3c
    return parts[-1] if len(parts) >= 3 else unique_id


def counted(count: int, noun: str) -> str:
    """``1 alert``, ``0 alerts``, ``3 alerts``: a count with its noun in the right number."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def duration(seconds: float) -> str:
    """``0.42 s``, ``41.2 s``, ``3 min 5 s``, ``2.5 h``."""
    if seconds < 10:
        return f"{seconds:.2f} s"
    if seconds < 120:
        return f"{seconds:.1f} s"
    if seconds < 3 * 3600:
        minutes, rest = divmod(round(seconds), 60)
        return f"{minutes} min {rest} s"
    return f"{seconds / 3600:.1f} h"


def age(seconds: float) -> str:
    """An age, in the largest unit that keeps it readable: ``45 min``, ``30.2 h``, ``3.1 days``."""
    if seconds < 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 3 * 86400:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


def moment(when: dt.datetime) -> str:
    """A UTC timestamp to the minute: ``2021-02-03 02:00``."""
    return when.strftime("%Y-%m-%d %H:%M")


SUMMARY_LENGTH = 300
"""A message summary is cut to this many characters."""


def summary_line(message: str | None) -> str:
    """The line of dbt's message that names the error: one rule for check, failures and model.

    dbt opens with ``Runtime Error in model x (path)``; the cause follows, so
    the first line that is not such a heading is the summary (the heading
    itself when nothing follows). Empty for no message.
    """
    lines = [line.strip() for line in (message or "").splitlines() if line.strip()]
    for line in lines:
        if not (" Error in " in line and line.endswith(")")):
            return line[:SUMMARY_LENGTH]
    return lines[0][:SUMMARY_LENGTH] if lines else ""
