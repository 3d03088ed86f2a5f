"""Parquet exports of mart tables found beside a run: checked before they are stored.

The history keeps each export as is and reads them all back for the report,
so a file that is not Parquet, or whose columns clash with the ones the
history adds, would break every later report. Such a file is refused at
ingest with one line naming it (the invocation itself is still ingested).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from monitor.artifacts.read import fail, open_regular
from monitor.errors import MonitorError

PARQUET_MAGIC = b"PAR1"
"""The first and last four bytes of every Parquet file."""

RESERVED = ("invocation_id", "started_at")
"""Columns the history adds to every stored export: a mart may not have its own."""


def check_mart(path: Path) -> None:
    """Raise :class:`MonitorError` (one line) unless ``path`` is a usable mart export."""
    try:
        with open_regular(path) as file:
            head = file.read(4)
            file.seek(0, 2)
            size = file.tell()
            file.seek(max(0, size - 4))
            tail = file.read(4)
    except OSError as exc:
        raise fail(path, f"cannot read the mart export: {exc.strerror or exc}") from exc
    if head != PARQUET_MAGIC or tail != PARQUET_MAGIC or size < 12:
        raise fail(
            path, "not a Parquet file: a mart export beside a run must be Parquet; not stored"
        )
    try:
        columns = pl.read_parquet_schema(path)
    except (pl.exceptions.PolarsError, OSError) as exc:
        problem = " ".join(str(exc).split())[:200]
        raise fail(path, f"unreadable Parquet ({problem}): not stored") from exc
    if not columns:
        raise fail(path, "a Parquet file without columns: not stored as a mart export")
    clash = [name for name in RESERVED if name in columns]
    if clash:
        raise fail(
            path,
            f"has a column named {', '.join(clash)}, which the history adds to every mart"
            " export: rename it; not stored",
        )


def usable_marts(marts: dict[str, Path], errors: list[str]) -> dict[str, Path]:
    """The exports of ``marts`` that pass :func:`check_mart`; each refusal added to ``errors``."""
    kept = {}
    for name, path in marts.items():
        try:
            check_mart(path)
        except MonitorError as exc:
            errors.append(str(exc))
        else:
            kept[name] = path
    return kept
