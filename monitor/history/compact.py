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
from monitor.history.integrity import checksum
from monitor.history.store import (
    COMMIT_TABLE,
    COMPACTED,
    RECORDS,
    VERSIONED,
    Entry,
    History,
    Records,
    View,
    _day_of,
    _is_compacted,
    _parquet,
    _stem,
    marker_files,
    write_records,
)

DEFAULT_GRACE = 10.0
"""Seconds replaced files stay readable after their record appears."""


@dataclass
class CompactReport:
    """What a compaction did."""

    merged: int = 0
    written: int = 0
    deleted: int = 0
    dropped_days: int = 0
    skipped: int = 0
    """Damaged files left where they are (``dbt-monitor verify`` deals with them)."""
    folders: int = 0
    """Partition folders removed because compaction emptied them."""


def compact(
    history: History,
    *,
    keep_days: int | None = None,
    grace: float = DEFAULT_GRACE,
    progress: Callable[[int, int], None] | None = None,
    waiting: Callable[[float], None] | None = None,
    dry_run: bool = False,
) -> CompactReport:
    """Merge each day's files per table; drop days before the last ``keep_days``.

    ``keep_days`` keeps the days ``--since <keep_days>d`` selects: the newest
    invocation's day and the ``keep_days - 1`` before it. ``waiting(grace)``
    is called before the grace period is slept. ``dry_run`` does it all in
    memory and changes nothing: the report says what would happen.
    """
    if dry_run:
        history, grace = history.dry_run(), 0.0
    report = CompactReport()
    storage = history.storage
    delete_unrecorded(history)  # left by a compaction that died before its record
    old_records = history.records()
    entries = dict(old_records.entries)
    dropped: list[str] = []
    superseded = list(old_records.names)
    view = history.view()
    if keep_days is not None:
        entries, dropped, carried_record = _drop_old_days(history, view, entries, keep_days, report)
        superseded += carried_record
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
            if _is_compacted(path) or view.holds(path):
                by_day[_day_of(path).isoformat()].append(path)
        for day, listed_paths in sorted(by_day.items()):
            paths = [p for p in listed_paths if history._sound(table, p, view)]
            report.skipped += len(listed_paths) - len(paths)
            if len(paths) < 2:
                continue
            entry = _merge(history, view, table, day, paths, entries)
            for path in paths:
                entries.pop(path, None)
            entries[entry.file] = entry
            report.merged += len(paths)
            report.written += 1
        if progress is not None:
            progress(done + 1, len(tables))
    if report.written or report.dropped_days or entries != old_records.entries:
        write_records(storage, uuid.uuid4().hex, entries.values(), superseded)
        if grace and waiting is not None:
            waiting(grace)
        time.sleep(grace)
        replaced = {old for entry in entries.values() for old in entry.replaces}
        storage.delete(sorted(replaced | set(dropped)))
        storage.delete(superseded)
        report.deleted = len(replaced) + len(dropped)
    report.folders = storage.remove_empty_folders()
    return report


def _merge(
    history: History,
    view: View,
    table: str,
    day: str,
    paths: list[str],
    entries: dict[str, Entry],
) -> Entry:
    storage = history.storage
    table_schema = schema.TABLES[table]
    frames = []
    commits: set[str] = set()
    files: set[tuple[str, int, int]] = set()
    for path in paths:
        data = storage.read(path)
        raw = pl.read_parquet(data, missing_columns="insert")
        if table == COMMIT_TABLE:
            if path in entries:
                commits |= set(entries[path].commits)
                files |= set(entries[path].files)
            else:
                commits.add(_stem(path))
                files |= set(marker_files(data))
        present = [name for name in table_schema.names() if name in raw.columns]
        frames.append(
            raw.select(present)
            .with_columns(
                pl.lit(None, dtype=dtype).alias(name)
                for name, dtype in table_schema.items()
                if name not in present
            )
            .select(table_schema.names())
            .cast(table_schema)
        )
    merged = pl.concat(frames)
    key = "invocation_id" if "invocation_id" in table_schema else "first_seen_invocation"
    sort = [key, "unique_id"] if "unique_id" in table_schema else [key]
    merged = merged.sort(sort)
    invocations = tuple(sorted(set(merged[key].drop_nulls().to_list())))
    name = f"{COMPACTED}{uuid.uuid4().hex[:16]}"
    file = history.path(table, day, name)
    data = _parquet(merged)
    storage.write(file, data)
    replaces = set(paths)
    for path in paths:
        if path in entries:
            replaces |= set(entries[path].replaces)
    sums = checksum(data)
    return Entry(
        table,
        day,
        file,
        invocations,
        tuple(sorted(replaces)),
        tuple(sorted(commits)),
        tuple(sorted(files)),
        sums.size,
        sums.crc32,
    )


def cutoff_day(newest: dt.date, keep_days: int) -> dt.date:
    """The first day ``--keep <keep_days>d`` keeps: as ``--since <keep_days>d`` counts."""
    return newest - dt.timedelta(days=keep_days - 1)


def _drop_old_days(
    history: History,
    view: View,
    entries: dict[str, Entry],
    keep_days: int,
    report: CompactReport,
) -> tuple[dict[str, Entry], list[str], list[str]]:
    """Delete every file of days before the last ``keep_days``.

    Node versions are carried into a compacted file at the cutoff day (and
    recorded) first; then commit markers go, so no reader sees half an
    invocation; compacted files go once the new record no longer names them.
    Returns the entries in force, the compacted files to delete, and the
    record written for the carried versions.
    """
    newest = history.newest_day()
    if newest is None:
        return entries, [], []
    cutoff = cutoff_day(newest, keep_days)
    storage = history.storage
    carried: set[str] = set()
    for table in VERSIONED:
        # node versions first seen long ago may still be current: carry them
        # into one file at the cutoff day instead of dropping them
        old = [
            path
            for path in history.live_files(table, records=Records(dict(entries)))
            if _day_of(path) < cutoff
            and (_is_compacted(path) or view.holds(path))
            and history._sound(table, path, view)
        ]
        if old:
            entry = _merge(history, view, table, cutoff.isoformat(), old, entries)
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
