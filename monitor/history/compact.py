"""Compaction and retention: fewer, larger files, and history past ``--keep`` dropped.

Per table and day, the live files of committed invocations are merged into one
``compacted-<id>.parquet``; then one record naming every compacted file in
force, and the files each replaces, is written. Readers trust a compacted file
only once a record names it and skip what it replaces, so they never see a
row twice or miss one. The replaced files are deleted ``grace`` seconds later,
after readers that listed them before the record have had time to finish;
then the layout is clean for other engines. Run one compaction at a time.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from monitor import schema
from monitor.history.store import (
    COMMIT_TABLE,
    COMPACTED,
    RECORDS,
    Entry,
    History,
    Records,
    _day_of,
    _is_compacted,
    _parquet,
    _stem,
    write_records,
)

VERSIONED = ("nodes", "exposures")
"""Tables of node versions: kept across retention while they may be current."""

DEFAULT_GRACE = 10.0
"""Seconds replaced files stay readable after their record appears."""


@dataclass
class CompactReport:
    """What a compaction did."""

    merged: int = 0
    written: int = 0
    deleted: int = 0
    dropped_days: int = 0


def compact(
    history: History,
    *,
    keep_days: int | None = None,
    grace: float = DEFAULT_GRACE,
    progress: Callable[[int, int], None] | None = None,
) -> CompactReport:
    """Merge each day's files per table; drop days older than ``keep_days``."""
    report = CompactReport()
    storage = history.storage
    delete_unrecorded(history)  # left by a compaction that died before its record
    old_records = history.records()
    entries = dict(old_records.entries)
    dropped: list[str] = []
    superseded = list(old_records.names)
    if keep_days is not None:
        entries, dropped, carried_record = _drop_old_days(history, entries, keep_days, report)
        superseded += carried_record
    committed = history.committed_ids()
    tables = list(schema.TABLES)
    for done, table in enumerate(tables):
        listed = set(storage.list(table))
        # carry entries forward, forgetting replaced files that are gone
        for key, entry in list(entries.items()):
            if entry.table == table:
                kept = tuple(path for path in entry.replaces if path in listed)
                entries[key] = Entry(entry.table, entry.day, entry.file, entry.invocations, kept)
        by_day: dict[str, list[str]] = defaultdict(list)
        dead = {old for entry in entries.values() for old in entry.replaces}
        for path in history.live_files(table, records=Records(dict(entries), old_records.names)):
            if path in dead:
                continue
            if _is_compacted(path) or _stem(path) in committed:
                by_day[_day_of(path).isoformat()].append(path)
        for day, paths in sorted(by_day.items()):
            if len(paths) < 2:
                continue
            entry = _merge(history, table, day, paths, entries)
            for path in paths:
                entries.pop(path, None)
            entries[entry.file] = entry
            report.merged += len(paths)
            report.written += 1
        if progress is not None:
            progress(done + 1, len(tables))
    if report.written or report.dropped_days or entries != old_records.entries:
        write_records(storage, uuid.uuid4().hex, entries.values(), superseded)
        time.sleep(grace)
        replaced = {old for entry in entries.values() for old in entry.replaces}
        storage.delete(sorted(replaced | set(dropped)))
        storage.delete(superseded)
        report.deleted = len(replaced) + len(dropped)
    return report


def _merge(
    history: History, table: str, day: str, paths: list[str], entries: dict[str, Entry]
) -> Entry:
    storage = history.storage
    table_schema = schema.TABLES[table]
    frames = [
        pl.read_parquet(storage.read(path), schema=table_schema, missing_columns="insert")
        .select(table_schema.names())
        .cast(table_schema)
        for path in paths
    ]
    merged = pl.concat(frames)
    key = "invocation_id" if "invocation_id" in table_schema else "first_seen_invocation"
    sort = [key, "unique_id"] if "unique_id" in table_schema else [key]
    merged = merged.sort(sort)
    invocations = tuple(sorted(set(merged[key].drop_nulls().to_list())))
    name = f"{COMPACTED}{uuid.uuid4().hex[:16]}"
    file = history.path(table, day, name)
    storage.write(file, _parquet(merged))
    replaces = set(paths)
    for path in paths:
        if path in entries:
            replaces |= set(entries[path].replaces)
    return Entry(table, day, file, invocations, tuple(sorted(replaces)))


def _drop_old_days(
    history: History, entries: dict[str, Entry], keep_days: int, report: CompactReport
) -> tuple[dict[str, Entry], list[str], list[str]]:
    """Delete every file of days older than ``keep_days`` before the newest day.

    Node versions are carried into a compacted file at the cutoff day (and
    recorded) first; then commit markers go, so no reader sees half an
    invocation; compacted files go once the new record no longer names them.
    Returns the entries in force, the compacted files to delete, and the
    record written for the carried versions.
    """
    newest = history.newest_day()
    if newest is None:
        return entries, [], []
    cutoff = newest - dt.timedelta(days=keep_days)
    storage = history.storage
    committed = history.committed_ids()
    carried: set[str] = set()
    for table in VERSIONED:
        # node versions first seen long ago may still be current: carry them
        # into one file at the cutoff day instead of dropping them
        old = [
            path
            for path in history.live_files(table, records=Records(dict(entries)))
            if _day_of(path) < cutoff and (_is_compacted(path) or _stem(path) in committed)
        ]
        if old:
            entry = _merge(history, table, cutoff.isoformat(), old, entries)
            for path in old:
                entries.pop(path, None)
            entries[entry.file] = entry
            carried |= set(old)
    record: list[str] = []
    if carried:
        name = uuid.uuid4().hex
        write_records(storage, name, entries.values(), list(history.records().names))
        record.append(f"{RECORDS}/{name}.json")
    tables = [COMMIT_TABLE, *(t for t in schema.TABLES if t != COMMIT_TABLE), "marts"]
    days: set[dt.date] = set()
    for table in tables:
        old = [
            path
            for path in storage.list(table)
            if path.endswith(".parquet")
            and not _is_compacted(path)
            and _day_of(path) < cutoff
            and path not in carried
        ]
        days |= {_day_of(path) for path in old}
        storage.delete(old)
    kept, dropped = {}, []
    for key, entry in entries.items():
        if dt.date.fromisoformat(entry.day) < cutoff and entry.table not in VERSIONED:
            days.add(dt.date.fromisoformat(entry.day))
            dropped.append(entry.file)
        else:
            kept[key] = entry
    report.dropped_days = len(days)
    return kept, dropped, record


def delete_unrecorded(history: History) -> int:
    """Delete compacted files no record names (left by a compaction that died)."""
    names = history.records().entries
    orphans = [
        path
        for table in schema.TABLES
        for path in history.storage.list(table)
        if _is_compacted(path) and path not in names
    ]
    history.storage.delete(orphans)
    return len(orphans)


__all__ = ["DEFAULT_GRACE", "RECORDS", "CompactReport", "compact", "delete_unrecorded"]
