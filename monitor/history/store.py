"""The run history: Hive-partitioned Parquet, one file per invocation per table.

Layout::

    <root>/<table>/date=YYYY-MM-DD/<invocation_id>.parquet
    <root>/marts/<name>/date=YYYY-MM-DD/<invocation_id>.parquet

Every file is written to a hidden temporary name and renamed into place, so a
reader never sees half a file. The ``invocations`` file is written last: it is
the invocation's commit marker. Readers only return rows of committed
invocations, so a process killed half-way through an ingest leaves nothing
visible, and re-ingesting the same invocation rewrites the same files.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from monitor import schema
from monitor.errors import MonitorError

COMMIT_TABLE = "invocations"
"""The table whose file marks an invocation as complete."""

DATA_TABLES = tuple(name for name in schema.TABLES if name != COMMIT_TABLE)
"""Tables written before the commit marker."""

_HIDDEN = "."
"""Temporary files start with this prefix and are never read."""


class History:
    """A run history rooted at a local folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"History({str(self.root)!r})"

    # -- paths -------------------------------------------------------------

    def file(self, table: str, day: dt.date, invocation_id: str) -> Path:
        """Where ``table``'s rows for one invocation live."""
        return self.root / table / f"date={day.isoformat()}" / f"{invocation_id}.parquet"

    def mart_file(self, name: str, day: dt.date, invocation_id: str) -> Path:
        """Where one invocation's export of mart ``name`` lives."""
        return self.file(f"marts/{name}", day, invocation_id)

    # -- writing -----------------------------------------------------------

    def has_invocation(self, invocation_id: str, day: dt.date) -> bool:
        """Whether the invocation is committed (its marker file exists)."""
        return self.file(COMMIT_TABLE, day, invocation_id).exists()

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
                _write_frame(
                    frame.select(schema.TABLES[name].names()), self.file(name, day, invocation_id)
                )
        for name, source in (marts or {}).items():
            _copy_file(source, self.mart_file(name, day, invocation_id))
        marker = tables[COMMIT_TABLE].select(schema.INVOCATIONS.names())
        _write_frame(marker, self.file(COMMIT_TABLE, day, invocation_id))

    # -- reading -----------------------------------------------------------

    def is_empty(self) -> bool:
        """True when no invocation has been committed yet."""
        return not any(self._files(COMMIT_TABLE))

    def newest_day(self) -> dt.date | None:
        """The newest date partition holding a committed invocation (None when empty).

        Lets a reader find "the newest invocation" without opening every file.
        """
        base = self.root / COMMIT_TABLE
        if not base.is_dir():
            return None
        parts = sorted((p for p in base.iterdir() if p.name.startswith("date=")), reverse=True)
        for part in parts:
            files = part.iterdir()
            if any(f.suffix == ".parquet" and not f.name.startswith(_HIDDEN) for f in files):
                return _partition_date(part)
        return None

    def scan(self, table: str, *, since: dt.date | None = None) -> pl.LazyFrame:
        """Committed rows of ``table``, lazily, with its declared schema.

        ``since`` prunes whole date partitions before any file is opened.
        """
        table_schema = schema.TABLES[table]
        files = list(self._files(table, since=since))
        if table != COMMIT_TABLE:
            # Each file holds one invocation's rows and is named after it, so
            # uncommitted rows are left out by file, not row by row.
            committed = self._committed_ids(since=since)
            files = [path for path in files if path.stem in committed]
        if not files:
            return pl.LazyFrame(schema=table_schema)
        return pl.scan_parquet(
            files,
            schema=table_schema,
            hive_partitioning=False,
            missing_columns="insert",
            extra_columns="ignore",
        )

    def scan_mart(self, name: str) -> pl.LazyFrame | None:
        """Every committed export of mart ``name`` with its ``invocation_id``, or None."""
        files = list(self._files(f"marts/{name}"))
        if not files:
            return None
        committed = self._committed_ids()
        frames = [
            pl.scan_parquet(path).with_columns(pl.lit(path.stem).alias("invocation_id"))
            for path in files
            if path.stem in committed
        ]
        return pl.concat(frames, how="diagonal_relaxed") if frames else None

    def _committed_ids(self, *, since: dt.date | None = None) -> set[str]:
        return {path.stem for path in self._files(COMMIT_TABLE, since=since)}

    def _files(self, table: str, *, since: dt.date | None = None) -> Iterable[Path]:
        base = self.root / table
        if not base.is_dir():
            return
        for part in sorted(base.iterdir()):
            if not part.name.startswith("date="):
                continue
            if since is not None and _partition_date(part) < since:
                continue
            for path in sorted(part.iterdir()):
                if path.suffix == ".parquet" and not path.name.startswith(_HIDDEN):
                    yield path


def _partition_date(folder: Path) -> dt.date:
    try:
        return dt.date.fromisoformat(folder.name.removeprefix("date="))
    except ValueError as err:
        raise MonitorError(f"{folder}: not a date partition (expected date=YYYY-MM-DD)") from err


def _temp_beside(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.with_name(f"{_HIDDEN}{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def _write_frame(frame: pl.DataFrame, path: Path) -> None:
    tmp = _temp_beside(path)
    try:
        frame.write_parquet(tmp, compression="zstd", statistics=True)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _copy_file(source: Path, path: Path) -> None:
    tmp = _temp_beside(path)
    try:
        shutil.copyfile(source, tmp)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
