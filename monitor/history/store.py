"""The run history: Hive-partitioned Parquet, one file per invocation per table.

Layout (a local folder, or a prefix in object storage)::

    <root>/<table>/date=YYYY-MM-DD/<invocation_id>.parquet
    <root>/marts/<name>/date=YYYY-MM-DD/<invocation_id>.parquet
    <root>/<table>/date=YYYY-MM-DD/compacted-<id>.parquet   (after `compact`)
    <root>/_compactions/<id>.json                           (which files those replace)

Every file is written whole and atomically (a rename locally, a single PUT in
object storage). An invocation's ``invocations`` file is written last and only
if absent: it is the commit marker. Readers return only committed rows, so a
process killed half-way through an ingest leaves nothing visible, and two
writers never touch the same file.

Compaction merges a day's files into one ``compacted-*`` file and records, in
``_compactions/``, which files it replaces. Readers trust a compacted file only
once its record exists, and skip the files a record replaces: each row is read
exactly once, whatever a compaction is doing meanwhile.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from monitor import schema
from monitor.errors import MonitorError
from monitor.history.storage import LocalStorage, Storage, open_storage

COMMIT_TABLE = "invocations"
"""The table whose file marks an invocation as complete."""

DATA_TABLES = tuple(name for name in schema.TABLES if name != COMMIT_TABLE)
"""Tables written before the commit marker."""

COMPACTED = "compacted-"
"""Prefix of the files compaction writes."""

RECORDS = "_compactions"
"""Where compaction records live (outside every table's folder)."""


@dataclass(frozen=True)
class Entry:
    """One compacted file: its table and day, the invocations in it, what it replaces."""

    table: str
    day: str
    file: str
    invocations: tuple[str, ...]
    replaces: tuple[str, ...]


@dataclass(frozen=True)
class Records:
    """Every live compaction entry, by file."""

    entries: dict[str, Entry] = field(default_factory=dict)
    names: tuple[str, ...] = ()

    @property
    def dead(self) -> set[str]:
        """Files some live compacted file replaces."""
        return {old for entry in self.entries.values() for old in entry.replaces}

    def compacted_ids(self, table: str) -> set[str]:
        """Invocations whose rows of ``table`` live in compacted files."""
        return {
            invocation
            for entry in self.entries.values()
            if entry.table == table
            for invocation in entry.invocations
        }


@dataclass(frozen=True)
class View:
    """What several scans share: the records and the committed invocations."""

    records: Records
    markers: list[str]
    """The live ``invocations`` files (listed once: they also give ``committed``)."""
    since: dt.date | None

    @property
    def committed(self) -> set[str]:
        """Every committed invocation in the view."""
        originals = {_stem(path) for path in self.markers if not _is_compacted(path)}
        return originals | self.records.compacted_ids(COMMIT_TABLE)


class History:
    """A run history in a local folder or an object-storage prefix."""

    def __init__(self, root: str | Path) -> None:
        self.storage: Storage = open_storage(root)
        self.root: Path | str = (
            self.storage.root if isinstance(self.storage, LocalStorage) else self.storage.location
        )

    def __repr__(self) -> str:
        return f"History({self.storage.location!r})"

    # -- paths -------------------------------------------------------------

    @staticmethod
    def path(table: str, day: dt.date | str, name: str) -> str:
        """The relative path of one file of ``table``."""
        day_text = day.isoformat() if isinstance(day, dt.date) else day
        return f"{table}/date={day_text}/{name}.parquet"

    def file(self, table: str, day: dt.date, invocation_id: str) -> Path:
        """Where ``table``'s rows for one invocation live (a local history only)."""
        if not isinstance(self.storage, LocalStorage):
            raise TypeError("file() is for local histories")
        return self.storage.root / self.path(table, day, invocation_id)

    # -- writing -----------------------------------------------------------

    def has_invocation(self, invocation_id: str, day: dt.date) -> bool:
        """Whether the invocation is committed (its marker exists, or was compacted)."""
        if self.storage.exists(self.path(COMMIT_TABLE, day, invocation_id)):
            return True
        return invocation_id in self.records().compacted_ids(COMMIT_TABLE)

    def write_invocation(
        self,
        day: dt.date,
        invocation_id: str,
        tables: dict[str, pl.DataFrame],
        marts: dict[str, Path] | None = None,
    ) -> None:
        """Write one invocation's files, the commit marker last.

        ``tables`` must hold the ``invocations`` row; other tables are
        optional and written only when they have rows.
        """
        if COMMIT_TABLE not in tables:
            raise ValueError("an invocation needs its 'invocations' row")
        for name in DATA_TABLES:
            frame = tables.get(name)
            if frame is not None and frame.height:
                data = _parquet(frame.select(schema.TABLES[name].names()))
                self.storage.write(self.path(name, day, invocation_id), data)
        for name, source in (marts or {}).items():
            self.storage.write(self.path(f"marts/{name}", day, invocation_id), source.read_bytes())
        marker = _parquet(tables[COMMIT_TABLE].select(schema.INVOCATIONS.names()))
        self.storage.write(self.path(COMMIT_TABLE, day, invocation_id), marker, only_if_absent=True)

    # -- reading -----------------------------------------------------------

    def is_empty(self) -> bool:
        """True when no invocation has been committed yet."""
        return self.newest_day() is None

    def newest_day(self) -> dt.date | None:
        """The newest date partition holding a committed invocation (None when empty).

        Walks the partitions from the newest down, listing files of the last
        ones only, so a long history is not listed whole.
        """
        records = self.records()
        days = {name.removeprefix("date=") for name in self.storage.partitions(COMMIT_TABLE)}
        days |= {entry.day for entry in records.entries.values() if entry.table == COMMIT_TABLE}
        for day in sorted(days, reverse=True):
            since = dt.date.fromisoformat(day)
            if self.live_files(COMMIT_TABLE, since=since, records=records):
                return since
        return None

    def view(self, *, since: dt.date | None = None) -> View:
        """The records and committed invocations, read once for several scans."""
        records = self.records()
        markers = self.live_files(COMMIT_TABLE, since=since, records=records)
        return View(records, markers, since)

    def scan(
        self, table: str, *, since: dt.date | None = None, view: View | None = None
    ) -> pl.LazyFrame:
        """Committed rows of ``table``, lazily, with its declared schema.

        ``since`` prunes whole date partitions before any file is opened.
        """
        table_schema = schema.TABLES[table]
        files = self.readable_files(table, view or self.view(since=since))
        if not files:
            return pl.LazyFrame(schema=table_schema)
        return pl.scan_parquet(
            [self.storage.source(path) for path in files],
            schema=table_schema,
            hive_partitioning=False,
            missing_columns="insert",
            extra_columns="ignore",
            storage_options=self.storage.storage_options,
        )

    def scan_mart(self, name: str) -> pl.LazyFrame | None:
        """Every committed export of mart ``name`` with its ``invocation_id``, or None."""
        committed = self.committed_ids()
        frames = [
            pl.scan_parquet(
                self.storage.source(path), storage_options=self.storage.storage_options
            ).with_columns(pl.lit(_stem(path)).alias("invocation_id"))
            for path in self.storage.list(f"marts/{name}")
            if path.endswith(".parquet") and _stem(path) in committed
        ]
        return pl.concat(frames, how="diagonal_relaxed") if frames else None

    def committed_ids(
        self, *, since: dt.date | None = None, records: Records | None = None
    ) -> set[str]:
        """Every committed invocation."""
        records = records if records is not None else self.records()
        markers = self.live_files(COMMIT_TABLE, since=since, records=records)
        return View(records, markers, since).committed

    def readable_files(self, table: str, view: View) -> list[str]:
        """The files a reader of ``table`` opens: live, and of committed invocations."""
        if table == COMMIT_TABLE:
            return view.markers
        committed = view.committed
        files = self.live_files(table, since=view.since, records=view.records)
        return [path for path in files if _is_compacted(path) or _stem(path) in committed]

    def live_files(
        self, table: str, *, since: dt.date | None = None, records: Records | None = None
    ) -> list[str]:
        """``table``'s files that hold current rows: not replaced, and not in flight.

        A compacted file counts only once its record exists; a file a record
        replaces no longer counts, even before compaction deletes it.
        """
        records = records if records is not None else self.records()
        dead = records.dead
        after = since.isoformat() if since else None
        listed = [p for p in self.storage.list(table, since=after) if p.endswith(".parquet")]
        live = {
            path
            for path in listed
            if path not in dead and (not _is_compacted(path) or path in records.entries)
        }
        live |= {
            e.file for e in records.entries.values() if e.table == table and e.file not in dead
        }
        if since is not None:
            live = {path for path in live if _day_of(path) >= since}
        return sorted(live)

    def records(self) -> Records:
        """The compaction records in force (a newer record supersedes the ones it names)."""
        names = [p for p in self.storage.list(RECORDS) if p.endswith(".json")]
        loaded = {}
        for name in names:
            try:
                loaded[name] = json.loads(self.storage.read(name))
            except MonitorError:
                continue  # superseded and deleted while we listed
        superseded = {old for doc in loaded.values() for old in doc.get("supersedes", [])}
        entries: dict[str, Entry] = {}
        for name, doc in loaded.items():
            if name in superseded:
                continue
            for item in doc["entries"]:
                entry = Entry(
                    item["table"],
                    item["day"],
                    item["file"],
                    tuple(item["invocations"]),
                    tuple(item["replaces"]),
                )
                entries[entry.file] = entry
        return Records(entries, tuple(n for n in loaded if n not in superseded))


def _parquet(frame: pl.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=True)
    return buffer.getvalue()


# Plain string slicing: these run for every file of a long history.


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].removesuffix(".parquet")


def _is_compacted(path: str) -> bool:
    return path.rsplit("/", 1)[-1].startswith(COMPACTED)


def _day_of(path: str) -> dt.date:
    start = path.find("/date=")
    try:
        return dt.date.fromisoformat(path[start + 6 : start + 16])
    except ValueError:
        raise MonitorError(f"{path}: not in a date partition (expected date=YYYY-MM-DD)") from None


def write_records(
    storage: Storage, name: str, entries: Iterable[Entry], supersedes: list[str]
) -> None:
    """Write a compaction record (all entries in force, and the records it replaces)."""
    doc = {
        "created_at": dt.datetime.now(dt.UTC).isoformat(),
        "supersedes": supersedes,
        "entries": [
            {
                "table": e.table,
                "day": e.day,
                "file": e.file,
                "invocations": list(e.invocations),
                "replaces": list(e.replaces),
            }
            for e in entries
        ],
    }
    storage.write(f"{RECORDS}/{name}.json", json.dumps(doc).encode(), only_if_absent=True)
