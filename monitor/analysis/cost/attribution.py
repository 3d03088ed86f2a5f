"""Time-sliced attribution: a warehouse's busy seconds split among the nodes running in them.

A warehouse bills once for a second in which several nodes run, so each
second of its busy time is shared equally by the nodes running in it: two
nodes overlapping for 10 s on one warehouse share 10 s, not 20 s. Per
invocation and warehouse the shares add up to the union of the busy
intervals.

Vectorized: with ``F(t)`` the integral of ``1 / (nodes running)`` from the
first event to ``t``, a node's share is ``F(end) - F(start)``, and every
start and end is an event, so ``F`` is read off a cumulative sum over the
events sorted by (invocation, warehouse, time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    pass

KEYS = ("invocation_id", "warehouse")


def attribute(intervals: pl.DataFrame) -> pl.DataFrame:
    """``intervals`` (invocation_id, warehouse, start, end: datetimes) with its ``seconds`` share.

    Rows without both timestamps, or ending before they start, get 0 s.
    """
    import numpy as np

    frame = intervals.with_columns(pl.col("warehouse").fill_null(""))
    begin = frame["start"].dt.epoch("us").to_numpy()
    finish = frame["end"].dt.epoch("us").to_numpy()
    valid = ~(np.isnan(begin.astype(np.float64)) | np.isnan(finish.astype(np.float64)))
    valid &= np.nan_to_num(finish.astype(np.float64)) > np.nan_to_num(begin.astype(np.float64))
    rows = np.flatnonzero(valid)
    seconds = np.zeros(frame.height)
    if rows.size:
        group = frame.select(pl.struct(*KEYS).rank("dense")).to_series().to_numpy()[rows]
        times = np.concatenate([begin[rows], finish[rows]]).astype(np.int64)
        groups = np.concatenate([group, group])
        deltas = np.concatenate([np.ones(rows.size), -np.ones(rows.size)])
        order = np.lexsort((times, groups))
        times, groups, deltas = times[order], groups[order], deltas[order]
        # every group's +1s and -1s cancel out: the running count restarts at each group
        active = np.cumsum(deltas)
        length = np.zeros(times.size)
        length[:-1] = np.where(groups[1:] == groups[:-1], np.diff(times), 0)
        piece = np.where(active > 0, length / np.maximum(active, 1.0), 0.0)
        integral = np.cumsum(piece) - piece  # F at each event
        position = np.empty_like(order)
        position[order] = np.arange(order.size)
        seconds[rows] = (integral[position[rows.size :]] - integral[position[: rows.size]]) / 1e6
    return frame.with_columns(pl.Series("seconds", seconds), pl.col("warehouse").replace("", None))


def busy_seconds(intervals: pl.DataFrame) -> pl.DataFrame:
    """invocation_id, warehouse, seconds: the union of each warehouse's busy intervals."""
    return attribute(intervals).group_by(*KEYS, maintain_order=True).agg(pl.col("seconds").sum())
