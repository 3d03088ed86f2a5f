"""Source freshness over a window: each source's age at every check and its stale periods."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.frames import Frames, as_of

STALE = pl.Schema(
    {
        "unique_id": pl.String(),
        "start": pl.Datetime("us", "UTC"),
        "end": pl.Datetime("us", "UTC"),
        "status": pl.String(),
        "checks": pl.UInt32(),
    }
)
"""What :func:`stale_periods` returns."""


def source_ages(frames: Frames, since: dt.datetime | None) -> pl.DataFrame:
    """Every freshness check in the window, oldest first.

    Columns: unique_id, invocation_id, checked_at, status, age, warn_after,
    error_after (seconds; thresholds as configured at that check).
    """
    checks = frames.freshness
    if since is not None:
        checks = checks.filter(pl.col("started_at") >= since)
    return checks.select(
        "unique_id",
        "invocation_id",
        pl.coalesce("snapshotted_at", "started_at").alias("checked_at"),
        "status",
        "age",
        "warn_after",
        "error_after",
    ).sort("unique_id", "checked_at")


def stale_periods(ages: pl.DataFrame) -> pl.DataFrame:
    """Runs of consecutive checks of one source that did not pass.

    A period starts at its first non-passing check and ends at the next
    passing check (or its own last check when the source is still stale);
    ``status`` is the worst status seen in it.
    """
    rows = []
    for (unique_id,), group in ages.group_by("unique_id", maintain_order=True):
        current: list[tuple[dt.datetime, str]] = []
        for checked_at, status in group.select("checked_at", "status").iter_rows():
            if status == "pass":
                if current:
                    rows.append(_period(str(unique_id), current, checked_at))
                    current = []
            else:
                current.append((checked_at, status))
        if current:
            rows.append(_period(str(unique_id), current, current[-1][0]))
    return pl.DataFrame(rows, schema=STALE, orient="row")


_WORST = {"runtime error": 3, "error": 2, "warn": 1}


def _period(
    unique_id: str, checks: list[tuple[dt.datetime, str]], end: dt.datetime
) -> tuple[str, dt.datetime, dt.datetime, str, int]:
    worst = max((status for _, status in checks), key=lambda s: _WORST.get(s, 0))
    return unique_id, checks[0][0], end, worst, len(checks)


def unmonitored(frames: Frames, at: dt.datetime) -> list[str]:
    """Sources in the project as it stood at ``at`` with neither warn_after nor error_after."""
    if frames.nodes.is_empty():
        return []
    sources = as_of(frames.nodes, at).filter(
        (pl.col("resource_type") == "source")
        & pl.col("warn_after").is_null()
        & pl.col("error_after").is_null()
    )
    return sorted(sources["unique_id"].to_list())


def source_summary(ages: pl.DataFrame) -> pl.DataFrame:
    """Per source, its latest check and how many checks in the window were stale.

    Columns: unique_id, status, age, warn_after, error_after (of the latest
    check), checks, stale_checks. The most troubled sources come first.
    """
    order = pl.col("status").replace_strict(
        {"runtime error": 0, "error": 1, "warn": 2, "pass": 3}, default=4, return_dtype=pl.Int8
    )
    return (
        ages.sort("checked_at")
        .group_by("unique_id")
        .agg(
            pl.col("status", "age", "warn_after", "error_after").last(),
            pl.len().alias("checks"),
            (pl.col("status") != "pass").sum().alias("stale_checks"),
        )
        .sort(
            [pl.col("stale_checks"), order, pl.col("unique_id")],
            descending=[True, False, False],
        )
    )
