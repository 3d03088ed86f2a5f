"""What each ``dbt snapshot`` run recorded: per key, the columns that changed, old → new.

A snapshot table keeps one row per version of each key, with dbt's columns
``dbt_scd_id``, ``dbt_valid_from`` and ``dbt_valid_to``. A version whose
predecessor exists is a change; the first version of a key is an insert; a
closed version without a successor is a removal. Each version is credited to
the snapshot run that recorded it: the first export of the table holding it
when exports are stored per invocation, else its ``dbt_valid_from``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import polars as pl

from monitor.errors import MonitorError

DBT_COLUMNS = ("dbt_scd_id", "dbt_updated_at", "dbt_valid_from", "dbt_valid_to", "dbt_is_deleted")
"""Columns dbt adds to every snapshot; never part of a diff."""

UTC = pl.Datetime("us", "UTC")

RECORDED_AT = "recorded_at"
"""Optional column: when the snapshot run that recorded the version ran."""


def tracked_columns(table: pl.DataFrame, key: str) -> list[str]:
    """The columns a diff compares: not dbt's, not the key, not loader metadata (``_loaded_at``)."""
    return [
        c
        for c in table.columns
        if c not in (*DBT_COLUMNS, RECORDED_AT, key) and not c.startswith("_")
    ]


def with_recorded_at(latest: pl.DataFrame, exports: pl.DataFrame) -> pl.DataFrame:
    """``latest`` with each version's :data:`RECORDED_AT`: the first export that held it.

    ``exports`` holds every stored export's rows with its ``started_at``.
    """
    if "dbt_scd_id" not in exports.columns or "dbt_scd_id" not in latest.columns:
        return latest
    first = exports.group_by("dbt_scd_id").agg(pl.col("started_at").min().alias(RECORDED_AT))
    return latest.join(first, on="dbt_scd_id", how="left")


@dataclass(frozen=True)
class ColumnChange:
    """One column of one key: its value before and after, as text (None for null)."""

    column: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class KeyChange:
    """A key whose tracked columns changed in one snapshot run."""

    key: str
    changes: list[ColumnChange]


@dataclass(frozen=True)
class SnapshotRun:
    """The versions one snapshot run recorded."""

    recorded_at: dt.datetime
    changed: list[KeyChange] = field(default_factory=list)
    inserted: int = 0
    removed: int = 0


@dataclass(frozen=True)
class SnapshotChanges:
    """A snapshot's runs in the window, newest first, and the key column used."""

    key: str
    runs: list[SnapshotRun]
    versions: int
    keys: int


def infer_key(table: pl.DataFrame) -> str:
    """The unique key: the first non-dbt column unique among the current versions."""
    _require(table)
    current = table.filter(pl.col("dbt_valid_to").is_null())
    for name in table.columns:
        if name in DBT_COLUMNS or name == RECORDED_AT:
            continue
        values = current[name]
        if values.null_count() == 0 and values.n_unique() == current.height:
            return name
    raise MonitorError(
        "snapshot: cannot tell its unique key; name it as --snapshot TABLE:KEY_COLUMN"
    )


def snapshot_changes(
    table: pl.DataFrame, *, key: str | None = None, since: dt.datetime | None = None
) -> SnapshotChanges:
    """The changes each snapshot run recorded since ``since``, newest run first."""
    _require(table)
    key = key or infer_key(table)
    if key not in table.columns:
        raise MonitorError(f"snapshot: no key column {key!r} (it has {', '.join(table.columns)})")
    tracked = tracked_columns(table, key)
    recorded = pl.col("dbt_valid_from").cast(UTC)
    if RECORDED_AT in table.columns:
        recorded = pl.coalesce(pl.col(RECORDED_AT).cast(UTC), recorded)
    versions = (
        table.with_columns(
            pl.col(key).cast(pl.String).alias("_key"),
            recorded.alias("_recorded"),
        )
        .sort("_key", "dbt_valid_from")
        .with_columns(pl.int_range(pl.len()).over("_key").alias("_index"))
    )
    previous = versions.select(
        "_key",
        (pl.col("_index") + 1).alias("_index"),
        *[pl.col(c).alias(f"_old_{c}") for c in tracked],
    )
    paired = versions.join(previous, on=["_key", "_index"], how="left")
    if since is not None:
        paired = paired.filter(pl.col("_recorded") >= since)
    successors = versions.select("_key", (pl.col("_index") - 1).alias("_index"))
    removed = versions.filter(pl.col("dbt_valid_to").is_not_null()).join(
        successors, on=["_key", "_index"], how="anti"
    )
    changed: dict[dt.datetime, list[KeyChange]] = defaultdict(list)
    inserted: Counter[dt.datetime] = Counter()
    for row in paired.sort("_recorded", "_key").iter_rows(named=True):
        when = row["_recorded"]
        if row["_index"] == 0:
            inserted[when] += 1
            continue
        diffs = [
            ColumnChange(c, _text(row[f"_old_{c}"]), _text(row[c]))
            for c in tracked
            if row[f"_old_{c}"] != row[c]
        ]
        changed[when].append(KeyChange(row["_key"], diffs))
    closed = removed["dbt_valid_to"].cast(UTC).to_list()
    gone = Counter(when for when in closed if since is None or when >= since)
    runs = [
        SnapshotRun(when, changed.get(when, []), inserted[when], gone[when])
        for when in sorted({*changed, *inserted, *gone}, reverse=True)
    ]
    return SnapshotChanges(key, runs, table.height, versions["_key"].n_unique())


def _require(table: pl.DataFrame) -> None:
    missing = [c for c in ("dbt_valid_from", "dbt_valid_to") if c not in table.columns]
    if missing:
        raise MonitorError(
            f"snapshot: no {' or '.join(missing)} column: is this a dbt snapshot table?"
        )


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)
