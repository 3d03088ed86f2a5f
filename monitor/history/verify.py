"""``verify``: check every file and commit marker of a history; move damaged invocations aside.

Nothing is ever deleted: a damaged invocation's files (every part, markers
first, so it is uncommitted before its data moves) go to
``<history>/_damaged/<when>/<their path>``, where no reader looks, and
re-ingesting its artifacts then stores it again. A damaged compacted file
takes its whole day with it (every compacted file of that day, and the
invocations' files there), since a compacted day is committed as one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from monitor.history import names
from monitor.history.store import (
    DATA_TABLES,
    RECORDS,
    History,
    View,
    _day_of,
    _is_compacted,
    _stem,
    marker_files,
    write_records,
)

ASIDE = "_damaged"
"""Where ``--repair`` moves damaged files (outside every table's folder)."""


@dataclass(frozen=True)
class Damage:
    """One damaged or missing file, and the invocation it belongs to when known."""

    path: str
    problem: str
    invocation: str | None


@dataclass
class VerifyReport:
    """What ``verify`` checked and found, and what ``--repair`` moved where."""

    checked: int = 0
    damaged: list[Damage] = field(default_factory=list)
    moved: list[str] = field(default_factory=list)
    aside: str = ""
    invocations: set[str] = field(default_factory=set)


def verify(history: History, *, repair: bool = False) -> VerifyReport:
    """Check every committed file against its checksum and schema; optionally move damage aside."""
    history.warn = _quiet
    report = VerifyReport()
    view = history.view()
    report.checked = len(view.markers) + len(view.records.names)
    for table in DATA_TABLES:
        for path in history.readable_files(table, view):
            report.checked += 1
            history._sound(table, path, view)
    for path in history.storage.list("marts"):
        if path.endswith(".parquet") and view.holds(path):
            report.checked += 1
            history._sound(None, path, view)
    missing = _missing(history, view)
    for path, trouble in sorted({**history.damaged, **missing}.items()):
        owner = None if _is_compacted(path) else view.owners.get(_name(path))
        report.damaged.append(Damage(path, trouble, owner))
    if repair and report.damaged:
        _move_aside(history, view, report)
    return report


def _quiet(message: str) -> None:
    """Verify lists damage itself, once, instead of a warning per file."""


def _name(path: str) -> str:
    return names.split_stem(_stem(path))[0]


def _missing(history: History, view: View) -> dict[str, str]:
    """Files a live commit marker commits that are not there."""
    tables = ("invocations", *DATA_TABLES, "marts")
    listed = {path for table in tables for path in history.storage.list(table)}
    dead = view.records.dead
    missing = {}
    for marker in view.markers:
        if _is_compacted(marker):
            continue
        for path, _, _ in marker_files(history.storage.read(marker)):
            if path not in listed and path not in dead:
                missing[path] = "committed but missing (deleted or moved by hand?)"
    for entry in view.records.entries.values():
        if entry.file not in listed and entry.file not in dead:
            missing[entry.file] = "a compacted file the compaction record names is missing"
    return missing


def _move_aside(history: History, view: View, report: VerifyReport) -> None:
    storage = history.storage
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
    report.aside = f"{ASIDE}/{stamp}"
    bad_names = {_name(d.path) for d in report.damaged if not _is_compacted(d.path)}
    bad_names -= {""}
    bad_days = {_day_of(d.path) for d in report.damaged if _is_compacted(d.path)}
    records = [d.path for d in report.damaged if d.path.startswith(f"{RECORDS}/")]
    entries = view.records.entries
    dropped = {f for f, e in entries.items() if dt.date.fromisoformat(e.day) in bad_days}
    for entry in (entries[f] for f in dropped):
        report.invocations |= set(entry.invocations)
    report.invocations |= {view.owners.get(name, name) for name in bad_names}
    tables = ["invocations", *DATA_TABLES]
    doomed: list[str] = []
    for table in [*tables, "marts"]:  # markers first: uncommitted before the data moves
        for path in storage.list(table):
            if _is_compacted(path):
                if path in dropped:
                    doomed.append(path)
            elif _name(path) in bad_names or (
                bad_days and path.endswith(".parquet") and _day_of(path) in bad_days
            ):
                doomed.append(path)
    if dropped:  # a record without the dropped days' compacted files, superseding the rest
        kept = [entry for file, entry in entries.items() if file not in dropped]
        write_records(storage, uuid.uuid4().hex, kept, list(view.records.names))
        storage.delete(list(view.records.names))
    for path in [*records, *doomed]:
        if path.startswith(f"{RECORDS}/") or storage.exists(path):
            storage.write(f"{report.aside}/{path}", storage.read(path))
            storage.delete([path])
            report.moved.append(path)
