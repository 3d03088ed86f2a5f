"""Mart tables for the report: the exports stored in the history, or a DuckDB warehouse.

Ingest stores a Parquet export of a mart beside each invocation that wrote
one (``<history>/marts/<name>/...``). A :class:`MartRows` holds the newest
export and, from the history, every export with its invocation's start time.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_$]*(\.[A-Za-z_][A-Za-z0-9_$]*){0,2}$")


@dataclass(frozen=True)
class MartRows:
    """A mart's rows: the newest export and, when stored in the history, all of them."""

    name: str
    origin: str
    latest: pl.DataFrame
    exports: pl.DataFrame | None
    """Every export's rows with ``invocation_id`` and ``started_at``; None for a warehouse."""


def stored_mart(history: History, name: str, invocations: pl.DataFrame) -> MartRows | None:
    """The exports of mart ``name`` stored in the history, or None when there are none.

    ``invocations`` (invocation_id, started_at) dates each export.
    """
    scanned = history.scan_mart(name)
    if scanned is None:
        return None
    exports = (
        scanned.join(
            invocations.lazy().select("invocation_id", "started_at"),
            on="invocation_id",
            how="inner",
        )
        .sort("started_at")
        .collect(engine=ENGINE)
    )
    if exports.is_empty():
        return None
    newest = exports["invocation_id"][-1]
    latest = exports.filter(pl.col("invocation_id") == newest).drop("invocation_id", "started_at")
    count = exports["invocation_id"].n_unique()
    origin = f"{count} export{'s' if count != 1 else ''} stored in {history.root}/marts/{name}"
    return MartRows(name, origin, latest, exports)


def warehouse_mart(path: Path, name: str) -> MartRows | None:
    """Table ``name`` (``table``, ``schema.table`` or ``db.schema.table``) of a DuckDB file.

    None when the file has no such table. DuckDB is imported only here:
    it is needed only for ``--warehouse``.
    """
    if not _NAME.match(name):
        raise MonitorError(f"{name!r} is not a table name (expected table or schema.table)")
    try:
        import duckdb
    except ImportError as err:
        raise MonitorError(
            "--warehouse needs the duckdb package: pip install duckdb (or 'dbt-monitor[dev]')"
        ) from err
    if not path.is_file():
        raise MonitorError(f"{path}: no such DuckDB file")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as err:
        raise MonitorError(f"{path}: cannot open as a DuckDB database: {err}") from err
    try:
        qualified = _find_table(con, name)
        if qualified is None:
            return None
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "mart.parquet"
            escaped = str(out).replace("'", "''")
            con.execute(f"COPY (SELECT * FROM {qualified}) TO '{escaped}' (FORMAT parquet)")
            latest = pl.read_parquet(out)
    except duckdb.Error as err:
        raise MonitorError(f"{path}: cannot read {name}: {err}") from err
    finally:
        con.close()
    shown = qualified.replace('"', "")
    return MartRows(name, f"{shown} in {path}", latest, None)


def _find_table(con: Any, name: str) -> str | None:
    """The quoted, fully qualified name of the one table called ``name``; ambiguity is an error."""
    parts = name.split(".")
    table = parts[-1]
    schema = parts[-2] if len(parts) >= 2 else None
    rows = con.execute(
        "SELECT table_catalog, table_schema, table_name FROM information_schema.tables "
        "WHERE table_name = ? AND (? IS NULL OR table_schema = ?) "
        "ORDER BY table_schema = 'main' DESC, table_schema",
        [table, schema, schema],
    ).fetchall()
    if not rows:
        return None
    if len(rows) > 1 and schema is None:
        schemas = ", ".join(f"{r[1]}.{table}" for r in rows)
        raise MonitorError(
            f"{name!r} is in several schemas ({schemas}); name one, e.g. {schemas.split(', ')[0]}"
        )
    catalog, found_schema, found = rows[0]
    return ".".join(f'"{part}"' for part in (catalog, found_schema, found))
