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

import copy
import datetime as dt
import io
import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import polars as pl

from monitor import schema
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history import names
from monitor.history.integrity import Checksum, checksum, problem
from monitor.history.storage import DryRun, LocalStorage, Storage, open_storage

COMMIT_TABLE = "invocations"
"""The table whose files mark parts of invocations as complete."""

DATA_TABLES = tuple(name for name in schema.TABLES if name != COMMIT_TABLE)
"""Tables written before the commit marker."""

VERSIONED = ("nodes", "exposures")
"""Tables of node version sightings (read canonically: one row per change)."""

COMPACTED = "compacted-"
"""Prefix of the files compaction writes."""

RECORDS = "_compactions"
"""Where compaction records live (outside every table's folder)."""

FILES_KEY = "dbt_monitor_files"
"""The Parquet metadata key of a commit marker listing the files it commits, with checksums
(JSON: ``[[path, size, crc32], ...]``); metadata, so engines reading the table see no extra
column."""

_MANIFEST_COLUMNS = ("manifest_schema_version", "project_name", "project_id", "adapter_type")

Warn = Callable[[str], None]

T = TypeVar("T")


def warn_on_stderr(message: str) -> None:
    """The default way a history reports a damaged file: one line on stderr."""
    print(f"warning: {message}", file=sys.stderr)


@dataclass(frozen=True)
class Entry:
    """One compacted file: its table and day, the invocations in it, what it replaces.

    ``size``/``crc32`` are the compacted file's checksum. A compacted commit
    marker also keeps the stems of the markers it holds (``commits``) and the
    checksums those markers recorded (``files``), so the parts they commit stay
    committed and verifiable.
    """

    table: str
    day: str
    file: str
    invocations: tuple[str, ...]
    replaces: tuple[str, ...]
    commits: tuple[str, ...] = ()
    files: tuple[tuple[str, int, int], ...] = ()
    size: int | None = None
    crc32: int | None = None


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

    def committed_parts(self) -> dict[str, frozenset[str]]:
        """Parts committed by compacted markers, by file name."""
        parts: dict[str, frozenset[str]] = {}
        for entry in self.entries.values():
            if entry.table != COMMIT_TABLE:
                continue
            stems = entry.commits or tuple(names.file_name(i) for i in entry.invocations)
            for stem in stems:
                name, held = names.split_stem(stem)
                parts[name] = parts.get(name, frozenset()) | held
        return parts

    def checksums(self) -> dict[str, list[Checksum]]:
        """Recorded checksums: of compacted files, and of what compacted markers commit."""
        sums: dict[str, list[Checksum]] = defaultdict(list)
        for entry in self.entries.values():
            if entry.size is not None and entry.crc32 is not None:
                sums[entry.file].append(Checksum(entry.size, entry.crc32))
            for path, size, crc in entry.files:
                sums[path].append(Checksum(size, crc))
        return sums


@dataclass
class View:
    """What several scans share: the records and the commit markers, read once."""

    records: Records
    markers: list[str]
    """The live, readable ``invocations`` files."""
    since: dt.date | None
    rows: pl.DataFrame | None
    """Every marker row (one per committed part set) with its ``_path``, once read."""
    parts: dict[str, frozenset[str]]
    """The committed parts of each invocation, by file name."""
    checksums: dict[str, list[Checksum]]
    owners: dict[str, str]
    """The invocation id of each file name."""
    unread: dict[str, list[str]] = field(default_factory=dict)
    """Markers by file name whose recorded checksums are not loaded yet."""

    @property
    def committed(self) -> set[str]:
        """Every committed invocation in the view."""
        return set(self.owners.values()) | self.records.compacted_ids(COMMIT_TABLE)

    def holds(self, path: str) -> bool:
        """Whether ``path`` (an original file of a data table or mart) is committed."""
        name, parts = names.split_stem(_stem(path))
        committed = self.parts.get(name)
        if committed is None:
            return False
        return any(names.covers(committed, part) for part in parts) or names.LEGACY in parts


class History:
    """A run history in a local folder or an object-storage prefix."""

    def __init__(self, root: str | Path, *, warn: Warn = warn_on_stderr) -> None:
        self.storage: Storage = open_storage(root)
        self.root: Path | str = (
            self.storage.root if isinstance(self.storage, LocalStorage) else self.storage.location
        )
        self.warn = warn
        self.damaged: dict[str, str] = {}
        """Files left out of answers, with what is wrong with them."""
        self._verified: set[str] = set()

    def __repr__(self) -> str:
        return f"History({self.storage.location!r})"

    def dry_run(self) -> History:
        """The same history seen through an overlay that keeps writes and deletes in memory."""
        twin = copy.copy(self)
        twin.storage = DryRun(self.storage)
        twin.damaged, twin._verified = dict(self.damaged), set(self._verified)
        return twin

    @property
    def partial(self) -> bool:
        """Whether some answer left out a damaged file."""
        return bool(self.damaged)

    # -- paths -------------------------------------------------------------

    @staticmethod
    def path(table: str, day: dt.date | str, name: str) -> str:
        """The relative path of one file of ``table``."""
        day_text = day.isoformat() if isinstance(day, dt.date) else day
        return f"{table}/date={day_text}/{name}.parquet"

    def file(self, table: str, day: dt.date, invocation_id: str) -> Path:
        """Where ``table``'s rows for one invocation's part live (a local history only)."""
        if not isinstance(self.storage, LocalStorage):
            raise TypeError("file() is for local histories")
        part = names.TABLE_PART.get(table, "run")
        return self.storage.root / self.path(table, day, f"{names.file_name(invocation_id)}.{part}")

    # -- writing -----------------------------------------------------------

    def has_invocation(self, invocation_id: str, day: dt.date) -> bool:
        """Whether any part of the invocation is committed."""
        return bool(self.committed_parts(invocation_id, day))

    def committed_parts(self, invocation_id: str, day: dt.date) -> frozenset[str]:
        """The parts of an invocation committed so far (``*``: a legacy, whole invocation)."""
        name = names.file_name(invocation_id)
        parts: frozenset[str] = frozenset()
        for path in self.storage.list(f"{COMMIT_TABLE}/date={day.isoformat()}"):
            stem = _stem(path)
            if path.endswith(".parquet") and stem.split(".", 1)[0] == name:
                parts |= names.split_stem(stem)[1]
        return parts | self.records().committed_parts().get(name, frozenset())

    def write_invocation(
        self,
        day: dt.date,
        invocation_id: str,
        tables: dict[str, pl.DataFrame],
        marts: dict[str, Path] | None = None,
        parts: tuple[str, ...] | None = None,
    ) -> bool:
        """Write parts of one invocation, their commit marker last; False if another won.

        ``tables`` must hold the ``invocations`` row; other tables are
        optional and written only when they have rows. ``parts`` (default:
        those ``tables`` hold data for, and always the run) are committed
        together by one marker, written only if absent.
        """
        if COMMIT_TABLE not in tables:
            raise ValueError("an invocation needs its 'invocations' row")
        if parts is None:
            held = {"run"} | {names.TABLE_PART[t] for t in tables if t in names.TABLE_PART}
            parts = tuple(part for part in names.PARTS if part in held)
        name = names.file_name(invocation_id)
        files: list[tuple[str, int, int]] = []

        def put(path: str, data: bytes) -> None:
            self.storage.write(path, data)
            sums = checksum(data)
            files.append((path, sums.size, sums.crc32))

        for table in DATA_TABLES:
            frame = tables.get(table)
            part = names.TABLE_PART[table]
            if frame is not None and frame.height and part in parts:
                data = _parquet(frame.select(schema.TABLES[table].names()))
                put(self.path(table, day, f"{name}.{part}"), data)
        for mart, source in (marts or {}).items() if "run" in parts else ():
            put(self.path(f"marts/{mart}", day, f"{name}.run"), _read_source(source))
        marker = tables[COMMIT_TABLE].select(schema.INVOCATIONS.names())
        return self.storage.write(
            self.path(COMMIT_TABLE, day, names.marker_stem(name, parts)),
            _parquet(marker, {FILES_KEY: json.dumps(files)}),
            only_if_absent=True,
        )

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
        """The records and commit markers, listed once for several scans.

        The markers themselves are read (and checked) by the first scan of
        ``invocations`` (:meth:`loaded`); other tables need only their names
        (markers found damaged before are left out).
        """
        records = self.records()
        listed = self.live_files(COMMIT_TABLE, since=since, records=records)
        listed = [path for path in listed if path not in self.damaged]
        return _indexed(View(records, listed, since, None, {}, records.checksums(), {}))

    def view_of(self, tables: tuple[str, ...]) -> View:
        """A view of the markers on the days ``tables`` have files (not of every day).

        The versioned tables (nodes, exposures) get a file only when a
        version changes: reading them whole needs the markers of those few
        days, not a listing of every partition of a long history.
        """
        records = self.records()
        days = sorted(
            {
                _day_of(path)
                for table in tables
                for path in self.live_files(table, records=records)
                if not _is_compacted(path)
            }
        )
        listed = [
            path
            for day in days
            for path in self.live_files(COMMIT_TABLE, day=day, records=records)
            if path not in self.damaged
        ]
        return _indexed(View(records, listed, None, None, {}, records.checksums(), {}))

    def narrowed(self, view: View, since: dt.date) -> View:
        """``view`` from ``since`` on, its markers' rows kept (nothing listed or read again)."""
        if view.since is not None and since < view.since:
            raise ValueError(f"a view since {view.since} cannot be widened to {since}")
        view = self.loaded(view)
        assert view.rows is not None
        markers = [path for path in view.markers if _day_of(path) >= since]
        rows = view.rows.filter(pl.col("_path").is_in(markers))
        return _indexed(View(view.records, markers, since, rows, {}, view.records.checksums(), {}))

    def loaded(self, view: View) -> View:
        """``view`` with its markers read: damaged ones left out, invocation ids known."""
        if view.rows is None:
            view.rows, view.markers = self._read_markers(view.markers, view.checksums)
            _indexed(view)
        return view

    def scan(
        self, table: str, *, since: dt.date | None = None, view: View | None = None
    ) -> pl.LazyFrame:
        """Committed rows of ``table``, lazily, with its declared schema.

        ``since`` prunes whole date partitions before any file is opened.
        Damaged files are left out with one warning each (see :attr:`damaged`).
        """
        view = view or self.view(since=since)
        if table == COMMIT_TABLE:  # other tables need only the markers' names
            rows = self.loaded(view).rows
            assert rows is not None
            return _one_row_per_invocation(rows)
        return self.scan_files(table, self.sound(table, self.readable_files(table, view), view))

    def scan_files(self, table: str, files: list[str]) -> pl.LazyFrame:
        """The rows of these files of ``table``, lazily, unchecked.

        A reader that checks them itself (:meth:`sound`, before it uses what
        it read) can do so while Polars reads; :meth:`scan` checks first.
        """
        table_schema = schema.TABLES[table]
        if not files:
            return pl.LazyFrame(schema=table_schema)
        frame = pl.scan_parquet(
            [self.storage.source(path) for path in files],
            schema=table_schema,
            hive_partitioning=False,
            glob=False,
            missing_columns="insert",
            extra_columns="ignore",
            storage_options=self.storage.storage_options,
        )
        return _changes_only(frame) if table in VERSIONED else frame

    def scan_mart(self, name: str) -> pl.LazyFrame | None:
        """Every committed export of mart ``name`` with its ``invocation_id``, or None."""
        if not names.mart_name_ok(name):
            return None
        view = self.loaded(self.view())
        frames = []
        for path in self.storage.list(f"marts/{name}"):
            if not path.endswith(".parquet") or not view.holds(path):
                continue
            if not self._sound(None, path, view):
                continue
            owner = view.owners.get(names.split_stem(_stem(path))[0])
            if owner is None:
                continue
            frames.append(
                pl.scan_parquet(
                    self.storage.source(path),
                    glob=False,
                    storage_options=self.storage.storage_options,
                ).with_columns(pl.lit(owner).alias("invocation_id"))
            )
        return pl.concat(frames, how="diagonal_relaxed") if frames else None

    def committed_ids(
        self, *, since: dt.date | None = None, records: Records | None = None
    ) -> set[str]:
        """Every committed invocation."""
        return self.loaded(self.view(since=since)).committed

    def readable_files(self, table: str, view: View) -> list[str]:
        """The files a reader of ``table`` opens: live, and of committed parts."""
        if table == COMMIT_TABLE:
            return view.markers
        files = self.live_files(table, since=view.since, records=view.records)
        return [path for path in files if _is_compacted(path) or view.holds(path)]

    def live_files(
        self,
        table: str,
        *,
        since: dt.date | None = None,
        day: dt.date | None = None,
        records: Records | None = None,
    ) -> list[str]:
        """``table``'s files that hold current rows: not replaced, and not in flight.

        A compacted file counts only once its record exists; a file a record
        replaces no longer counts, even before compaction deletes it.
        ``since`` keeps the days from then on; ``day`` lists that day's partition only.
        """
        records = records if records is not None else self.records()
        dead = records.dead
        after = since.isoformat() if since else None
        prefix = table if day is None else f"{table}/date={day.isoformat()}"
        listed = [p for p in self.storage.list(prefix, since=after) if p.endswith(".parquet")]
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
        names_ = [p for p in self.storage.list(RECORDS) if p.endswith(".json")]
        loaded = {}
        for name in names_:
            try:
                doc = json.loads(self.storage.read(name))
            except MonitorError:
                continue  # superseded and deleted while we listed
            except ValueError:
                self._damage(name, "not a readable compaction record (JSON)", None)
                continue
            if not _record_ok(doc):
                self._damage(name, "not a compaction record (entries missing)", None)
                continue
            loaded[name] = doc
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
                    tuple(item.get("commits", ())),
                    tuple(tuple(f) for f in item.get("files", ())),
                    item.get("size"),
                    item.get("crc32"),
                )
                entries[entry.file] = entry
        return Records(entries, tuple(n for n in loaded if n not in superseded))

    # -- integrity ---------------------------------------------------------

    def check_file(self, table: str | None, path: str, view: View) -> str | None:
        """What is wrong with one committed file (None when sound)."""
        try:
            data = self.storage.read(path)
        except MonitorError as err:
            return str(err)
        expected = self._expected(path, view)
        found = [problem(table or "", data, sums) for sums in expected] or [
            problem(table or "", data, None)
        ]
        return None if None in found else found[0]

    def _expected(self, path: str, view: View) -> list[Checksum]:
        """The checksums recorded for ``path`` (its markers' metadata read on first need)."""
        if not _is_compacted(path):
            self._load_checksums([path], view)
        return view.checksums.get(path, [])

    def _load_checksums(self, paths: list[str], view: View) -> None:
        """Read the recorded checksums of the markers that commit ``paths`` (a few at once)."""
        markers = [
            marker
            for path in paths
            if not _is_compacted(path)
            for marker in view.unread.pop(names.split_stem(_stem(path))[0], [])
        ]
        local = isinstance(self.storage, LocalStorage)

        def files_of(marker: str) -> list[tuple[str, int, int]]:
            return marker_files(self.storage.source(marker) if local else self.storage.read(marker))

        for listed in _parallel(files_of, markers):
            for recorded, size, crc in listed:
                view.checksums[recorded].append(Checksum(size, crc))

    def sound(self, table: str | None, paths: list[str], view: View) -> list[str]:
        """The files of ``paths`` that pass their checks (several checked at once)."""
        todo = [path for path in paths if path not in self._verified and path not in self.damaged]
        self._load_checksums(todo, view)
        for path, trouble in zip(
            todo, _parallel(lambda path: self.check_file(table, path, view), todo), strict=True
        ):
            if trouble is None:
                self._verified.add(path)
            else:
                self._damage(path, trouble, view.owners.get(names.split_stem(_stem(path))[0]))
        return [path for path in paths if path in self._verified]

    def _sound(self, table: str | None, path: str, view: View) -> bool:
        if path in self._verified:
            return True
        if path in self.damaged:
            return False
        trouble = self.check_file(table, path, view)
        if trouble is None:
            self._verified.add(path)
            return True
        owner = view.owners.get(names.split_stem(_stem(path))[0])
        self._damage(path, trouble, owner)
        return False

    def _damage(self, path: str, trouble: str, owner: str | None) -> None:
        if path in self.damaged:
            return
        self.damaged[path] = trouble
        of = f" (invocation {owner})" if owner else ""
        self.warn(
            f"{self.storage.location}/{path}{of}: {trouble}; left out, so this answer is"
            " partial (`dbt-monitor verify` lists every damaged file)"
        )

    def _read_markers(
        self, listed: list[str], checksums: dict[str, list[Checksum]]
    ) -> tuple[pl.DataFrame, list[str]]:
        """Every marker's rows (one read), leaving out markers that are not sound."""
        wanted = schema.INVOCATIONS
        empty = pl.DataFrame(schema={**wanted, "_path": pl.String()})
        if not listed:
            return empty, []
        for path in listed:
            if _is_compacted(path) and not self._sound(COMMIT_TABLE, path, _bare(checksums)):
                listed = [p for p in listed if p != path]
        try:
            rows = self._scan_markers(listed, wanted).collect(engine=ENGINE)
        except (pl.exceptions.PolarsError, OSError):
            rows = None
        if rows is None:  # some marker is damaged: find which, read the others
            good = []
            for path in listed:
                trouble = self.check_file(COMMIT_TABLE, path, _bare(checksums))
                if trouble is None:
                    good.append(path)
                else:
                    self._damage(path, trouble, None)
            listed = good
            rows = self._scan_markers(listed, wanted).collect(engine=ENGINE) if listed else empty
        if (
            rows.height == len(listed)
            and rows["invocation_id"].null_count() == 0
            and rows["started_at"].null_count() == 0
            and not any(_is_compacted(path) for path in listed)
        ):
            return rows, listed  # one sound row per marker: the usual case, checked cheaply
        bad = rows.filter(pl.col("invocation_id").is_null() | pl.col("started_at").is_null())
        single = rows.group_by("_path").len().filter(pl.col("len") > 1)
        for path in bad["_path"].unique().to_list():
            self._damage(path, "not a commit marker (no invocation_id or started_at)", None)
        for path in single["_path"].to_list():
            if not _is_compacted(path):
                self._damage(path, "not a commit marker (more than one row)", None)
        dropped = set(bad["_path"]) | {p for p in single["_path"] if not _is_compacted(p)}
        if dropped:
            rows = rows.filter(~pl.col("_path").is_in(list(dropped)))
            listed = [path for path in listed if path not in dropped]
        return rows, listed

    def _scan_markers(self, listed: list[str], wanted: pl.Schema) -> pl.LazyFrame:
        sources = [self.storage.source(path) for path in listed]
        cut = len(sources[0]) - len(listed[0])  # the root the sources start with
        return pl.scan_parquet(
            sources,
            schema=wanted,
            hive_partitioning=False,
            glob=False,
            missing_columns="insert",
            extra_columns="ignore",
            include_file_paths="_path",
            storage_options=self.storage.storage_options,
        ).with_columns(pl.col("_path").str.slice(cut))


def _parallel(work: Callable[[str], T], items: list[str]) -> list[T]:
    """``work`` over ``items`` in a few threads (file reads and hashing release the GIL)."""
    if len(items) < 8:
        return [work(item) for item in items]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(work, items))


def marker_files(source: bytes | str) -> list[tuple[str, int, int]]:
    """The files a commit marker commits, with their size and CRC-32 (none for old markers).

    ``source`` is the marker's bytes, or the path of a local one (only its footer is read).
    """
    try:
        metadata = pl.read_parquet_metadata(
            io.BytesIO(source) if isinstance(source, bytes) else source
        )
        listed = json.loads(metadata.get(FILES_KEY, "[]"))
    except (pl.exceptions.PolarsError, OSError, ValueError):
        return []
    return [(str(p), int(size), int(crc)) for p, size, crc in listed]


def _indexed(view: View) -> View:
    """Fill in a view's committed parts, markers by name and invocation ids (from its markers)."""
    view.parts = view.records.committed_parts()
    view.unread = defaultdict(list)
    view.owners = {}
    for path in view.markers:
        if not _is_compacted(path):
            name, held = names.split_stem(_stem(path))
            view.parts[name] = view.parts.get(name, frozenset()) | held
            view.unread[name].append(path)
            if not name.startswith("x-"):  # a plain id names its files
                view.owners[name] = name
    if view.rows is not None:
        for path, invocation_id in zip(
            view.rows["_path"].to_list(), view.rows["invocation_id"].to_list(), strict=True
        ):
            name = _stem(path).split(".", 1)[0]
            if _is_compacted(path):
                view.owners.setdefault(names.file_name(invocation_id), invocation_id)
            else:
                view.owners[name] = invocation_id
    return view


def _bare(checksums: dict[str, list[Checksum]]) -> View:
    """A view that only knows checksums (for checking markers before the view exists)."""
    return View(Records(), [], None, pl.DataFrame(), {}, checksums, {})


def _record_ok(doc: object) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("entries"), list):
        return False
    need = ("table", "day", "file", "invocations", "replaces")
    return all(isinstance(item, dict) and all(k in item for k in need) for item in doc["entries"])


def _one_row_per_invocation(rows: pl.DataFrame) -> pl.LazyFrame:
    """One ``invocations`` row per invocation from the rows of its parts' markers.

    The run's row wins (its command and counts); a manifest that arrived on its
    own fills in the manifest columns.
    """
    columns = schema.INVOCATIONS.names()
    if rows.is_empty():
        return pl.LazyFrame(schema=schema.INVOCATIONS)
    if rows["invocation_id"].n_unique() == rows.height:
        return rows.lazy().select(columns)
    manifest_only = (pl.col("artifact") == "manifest").cast(pl.Int8)
    best = rows.with_row_index("_order").sort(manifest_only, "_order")
    best = best.unique("invocation_id", keep="first", maintain_order=True).sort("_order")
    fill = rows.group_by("invocation_id").agg(
        pl.col(name).drop_nulls().first() for name in _MANIFEST_COLUMNS
    )
    merged = best.drop(*_MANIFEST_COLUMNS).join(fill, on="invocation_id", how="left")
    return merged.lazy().select(columns)


def _changes_only(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Node version sightings as changes: a sighting of the version already in effect is dropped.

    Whatever order invocations were ingested in (or however many writers raced),
    the rows read are the same.
    """
    same_node = pl.col("unique_id") == pl.col("unique_id").shift(1)
    same_version = pl.col("version") == pl.col("version").shift(1)
    return frame.sort("unique_id", "first_seen_at", "version").filter(
        ~(same_node & same_version).fill_null(False)
    )


def _read_source(source: Path) -> bytes:
    try:
        return source.read_bytes()
    except OSError as err:
        raise MonitorError(f"{source}: cannot read this mart export: {err.strerror}") from err


def _parquet(frame: pl.DataFrame, metadata: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    frame.write_parquet(buffer, compression="zstd", statistics=True, metadata=metadata)
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
                "commits": list(e.commits),
                "files": [list(f) for f in e.files],
                "size": e.size,
                "crc32": e.crc32,
            }
            for e in entries
        ],
    }
    storage.write(f"{RECORDS}/{name}.json", json.dumps(doc).encode(), only_if_absent=True)
