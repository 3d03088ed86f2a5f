"""Time-sliced attribution: a warehouse's busy seconds split among the nodes running in them.

A warehouse bills once for a second in which several nodes run, so each
second of its busy time is shared equally by the nodes running in it: two
nodes overlapping for 10 s on one warehouse share 10 s, not 20 s. Per
invocation and warehouse the shares add up to the union of the busy
intervals.

Vectorized: with ``F(t)`` the integral of ``1 / (nodes running)`` from the
first event to ``t``, a node's share is ``F(end) - F(start)``, and every
start and end is an event, so ``F`` is read off a cumulative sum.
"""

from __future__ import annotations

import polars as pl

KEYS = ("invocation_id", "warehouse")


def attribute(intervals: pl.DataFrame) -> pl.DataFrame:
    """``intervals`` (invocation_id, warehouse, start, end: datetimes) with its ``seconds`` share.

    Rows without both timestamps, or ending before they start, get 0 s.
    """
    keys = list(KEYS)
    frame = intervals.with_columns(
        pl.col("warehouse").fill_null(""),
        pl.col("start").dt.epoch("us").alias("_start"),
        pl.col("end").dt.epoch("us").alias("_end"),
    )
    valid = frame.filter(
        pl.col("_start").is_not_null()
        & pl.col("_end").is_not_null()
        & (pl.col("_end") > pl.col("_start"))
    )
    events = pl.concat(
        [
            valid.select(*keys, pl.col("_start").alias("t"), pl.lit(1).alias("delta")),
            valid.select(*keys, pl.col("_end").alias("t"), pl.lit(-1).alias("delta")),
        ]
    )
    points = (
        events.group_by(*keys, "t")
        .agg(pl.col("delta").sum())
        .sort(*keys, "t")
        .with_columns(
            pl.col("delta").cum_sum().over(keys).alias("active"),
            (pl.col("t").shift(-1).over(keys) - pl.col("t")).alias("length"),
        )
        .with_columns(
            pl.when(pl.col("active") > 0)
            .then(pl.col("length") / pl.col("active"))
            .otherwise(0.0)
            .fill_null(0.0)
            .alias("piece")
        )
        .select(*keys, "t", (pl.col("piece").cum_sum().over(keys) - pl.col("piece")).alias("f"))
    )
    shared = (
        frame.join(
            points.rename({"t": "_start", "f": "_f_start"}), on=[*keys, "_start"], how="left"
        )
        .join(points.rename({"t": "_end", "f": "_f_end"}), on=[*keys, "_end"], how="left")
        .with_columns(
            pl.when(pl.col("_end") > pl.col("_start"))
            .then((pl.col("_f_end") - pl.col("_f_start")) / 1e6)
            .otherwise(0.0)
            .fill_null(0.0)
            .alias("seconds")
        )
    )
    return shared.drop("_start", "_end", "_f_start", "_f_end").with_columns(
        pl.col("warehouse").replace("", None)
    )


def busy_seconds(intervals: pl.DataFrame) -> pl.DataFrame:
    """invocation_id, warehouse, seconds: the union of each warehouse's busy intervals."""
    return attribute(intervals).group_by(*KEYS, maintain_order=True).agg(pl.col("seconds").sum())
