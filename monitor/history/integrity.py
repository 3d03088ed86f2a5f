"""Checksums and schema checks of history files, so a damaged file is never read as data.

Every data file's size and CRC-32 are recorded in the commit marker that
commits it (compacted files: in their compaction record). Readers check both
before trusting a file, and check its Parquet schema against the columns this
version of dbt-monitor first wrote: a wrong type or a missing original column
is damage; a column added by a later version reads as null. CRC-32 (zlib, about
1 GB/s here) catches truncation and bit flips; it is no defence against a
deliberate forger, who could also rewrite the marker.
"""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass

import polars as pl

from monitor import schema

ORIGINAL: dict[str, tuple[str, ...]] = {
    "invocations": (
        "invocation_id",
        "artifact",
        "command",
        "started_at",
        "n_results",
    ),
    "node_runs": ("invocation_id", "unique_id", "status", "execution_time"),
    "freshness": ("invocation_id", "unique_id", "status"),
    "nodes": ("unique_id", "version", "first_seen_invocation", "first_seen_at"),
    "exposures": ("unique_id", "version", "first_seen_invocation", "first_seen_at"),
    "catalog": ("invocation_id", "unique_id"),
    "compiled_code": ("invocation_id", "unique_id"),
}
"""Columns every file of a table has held since the first release: one missing is damage."""


@dataclass(frozen=True)
class Checksum:
    """What a commit recorded about one file."""

    size: int
    crc32: int


def checksum(data: bytes) -> Checksum:
    """Size and CRC-32 of a file's bytes."""
    return Checksum(len(data), zlib.crc32(data))


def problem(table: str, data: bytes, expected: Checksum | None) -> str | None:
    """What is wrong with one file of ``table`` (None when it can be read)."""
    if expected is not None:
        if len(data) != expected.size:
            return f"{len(data)} bytes where {expected.size} were written (truncated or replaced)"
        if zlib.crc32(data) != expected.crc32:
            return "its checksum does not match what was written (damaged on disk)"
    try:
        found = pl.read_parquet_schema(io.BytesIO(data))
    except (pl.exceptions.PolarsError, OSError, ValueError) as err:
        return f"not a readable Parquet file ({type(err).__name__})"
    return schema_problem(table, found)


def schema_problem(table: str, found: dict[str, pl.DataType]) -> str | None:
    """A wrong type or a missing original column (later columns may be missing: null)."""
    declared = schema.TABLES.get(table)
    if declared is None:
        return None
    missing = [name for name in ORIGINAL[table] if name not in found]
    if missing:
        return f"not a {table} file: no column {', '.join(missing)}"
    for name, dtype in found.items():
        if name in declared and not _compatible(dtype, declared[name]):
            return f"column {name} is {dtype}, expected {declared[name]}"
    return None


def _compatible(found: pl.DataType, declared: pl.DataType) -> bool:
    if found == declared:
        return True
    if isinstance(found, pl.Null):
        return True
    if isinstance(declared, pl.Datetime) and isinstance(found, pl.Datetime):
        return True
    return bool(found.is_integer() and declared.is_integer())
