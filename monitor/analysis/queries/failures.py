"""``failures``: tests and models that failed within a window, with their streaks.

``streak`` is how many runs in a row, up to the node's last run in the
window, did not pass (0: it passes now), and ``since`` when that streak
began (both counted within the window). Warnings
count as not passing; skipped runs are not outcomes and are left out.
"""

from __future__ import annotations

import polars as pl

from monitor.analysis.frames import EXECUTABLE
from monitor.analysis.queries.node_runs import OK, message_summary, short_name
from monitor.analysis.results import TEST_TYPES
from monitor.engine import ENGINE


def failures(
    runs: pl.LazyFrame, *, limit: int | None = None, full_message: bool = False
) -> pl.DataFrame:
    """One row per node that did not pass at least once in ``runs``, failing ones first.

    ``message`` is the last failure's summary line, as ``check`` shows it (its
    whole text with ``full_message``).
    """
    outcomes = runs.filter(
        pl.col("resource_type").is_in([*EXECUTABLE, *TEST_TYPES]) & (pl.col("status") != "skipped")
    ).with_columns(pl.col("status").is_in(OK).alias("ok"))
    ok = pl.col("ok").sort_by("started_at")
    in_streak = (ok.cast(pl.Int32).cum_sum() == ok.sum()) & ~ok
    bad = ~pl.col("ok")
    by_node = (
        outcomes.group_by("unique_id")
        .agg(
            pl.col("resource_type").last(),
            pl.col("status").sort_by("started_at").last(),
            in_streak.sum().cast(pl.Int64).alias("streak"),
            pl.col("started_at").sort_by("started_at").filter(in_streak).first().alias("since"),
            bad.sum().cast(pl.Int64).alias("fails"),
            pl.len().alias("runs"),
            pl.col("started_at").filter(bad).max().alias("last_failed"),
            pl.col("failures").sort_by("started_at").filter(bad).last(),
            pl.col("message").sort_by("started_at").filter(bad).last(),
        )
        .filter(pl.col("fails") > 0)
        .sort(
            ["streak", "last_failed", "unique_id"],
            descending=[True, True, False],
        )
    )
    if limit:
        by_node = by_node.head(limit)
    # the columns that matter first: a narrow table keeps them and leaves out the rest
    return by_node.select(
        short_name(),
        "status",
        "streak",
        pl.col("message") if full_message else message_summary(),
        "since",
        "fails",
        "runs",
        "last_failed",
        pl.col("resource_type").alias("type"),
        "failures",
        "unique_id",
    ).collect(engine=ENGINE)
