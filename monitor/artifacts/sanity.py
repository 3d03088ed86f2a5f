"""Values no dbt run can produce: refused (dates) or set aside with one warning.

- An invocation dated before 2016-01-01 (before dbt wrote these artifacts) or
  more than a day after the ingest is refused with a clear error: one such
  date would move every "last 30 days" window, which counts back from the
  newest invocation.
- An execution time that is negative or longer than :data:`MAX_SECONDS` is
  stored as null (the file is kept), with one warning per file.
- A unique_id that appears twice in one run_results.json keeps its first
  result, with one warning per file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from monitor.artifacts.read import fail

EARLIEST = dt.datetime(2016, 1, 1, tzinfo=dt.UTC)
"""No dbt artifact is older (dbt's first release was in 2016)."""

AHEAD = dt.timedelta(days=1)
"""How far after the ingest an invocation may be dated (clock skew, time zones)."""

MAX_SECONDS = 7 * 86400.0
"""The longest execution time believed: a week."""


def check_dated(path: Path, when: dt.datetime, what: str, now: dt.datetime | None = None) -> None:
    """Refuse ``when`` (the file's ``what``) if it is before 2016 or after tomorrow."""
    now = now or dt.datetime.now(dt.UTC)
    stamp = when.isoformat(timespec="seconds")
    if when < EARLIEST:
        raise fail(path, f"{what} {stamp} is before 2016-01-01: refused (not a real dbt run)")
    if when > now + AHEAD:
        raise fail(
            path,
            f"{what} {stamp} is more than a day after now ({now:%Y-%m-%d %H:%M} UTC): refused;"
            " was the clock of the machine that ran dbt wrong?",
        )


def sane_seconds(value: float | None) -> float | None:
    """``value`` if it can be a duration in seconds, else None."""
    return value if value is not None and 0 <= value <= MAX_SECONDS else None


def impossible_times(
    path: Path, frame: pl.DataFrame, elapsed: float | None = None
) -> tuple[pl.DataFrame, float | None, str | None]:
    """Impossible execution times set aside: the frame, the sane elapsed time, a warning.

    ``execution_time`` values outside 0..:data:`MAX_SECONDS` become null, so
    does such an ``elapsed``; the warning (None when nothing was wrong) says
    how many and gives examples.
    """
    times = pl.col("execution_time")
    wrong = times.is_not_null() & ((times < 0) | (times > MAX_SECONDS))
    bad = frame.filter(wrong)["execution_time"]
    parts = []
    if bad.len():
        examples = ", ".join(f"{value:g}" for value in bad.unique(maintain_order=True).head(3))
        parts.append(
            f"{bad.len()} result{'s' if bad.len() != 1 else ''} with an impossible"
            f" execution_time ({examples})"
        )
        frame = frame.with_columns(
            pl.when(wrong).then(None).otherwise(times).alias("execution_time")
        )
    if elapsed is not None and sane_seconds(elapsed) is None:
        parts.append(f"an impossible elapsed_time ({elapsed:g})")
        elapsed = None
    if not parts:
        return frame, elapsed, None
    return (
        frame,
        elapsed,
        (f"{path}: {' and '.join(parts)}, negative or over a week: stored as unknown"),
    )


def first_of_duplicates(path: Path, frame: pl.DataFrame) -> tuple[pl.DataFrame, str | None]:
    """``frame`` with the first row of each unique_id, and one warning if any repeated."""
    counts = frame["unique_id"].value_counts()
    repeated = counts.filter(pl.col("count") > 1).sort("unique_id")
    if repeated.is_empty():
        return frame, None
    first, times = repeated.row(0)
    more = repeated.height - 1
    others = f" and {more} more unique_id{'s' if more != 1 else ''}" if more else ""
    return frame.unique("unique_id", keep="first", maintain_order=True), (
        f"{path}: {first} appears {times} times{others}; kept the first result of each"
    )
