"""Histories written before a column existed still load: the new columns read as null."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from monitor import schema
from monitor.history.compact import compact
from monitor.history.ingest import ingest
from monitor.history.store import History
from tests.artifacts.samples import RUNS

ADDED = {
    "invocations": ["adapter_version"],
    "node_runs": [
        "query_id",
        "rows_inserted",
        "rows_updated",
        "rows_deleted",
        "compiled_code_hash",
    ],
    "nodes": ["raw_code"],
}
"""Columns this version added, per table: files of older versions lack them."""


def _age(history: Path) -> None:
    """Rewrite every file as an older dbt-monitor wrote it: without the added columns."""
    for table, columns in ADDED.items():
        for path in (history / table).rglob("*.parquet"):
            pl.read_parquet(path).drop(columns).write_parquet(path)
    shutil.rmtree(history / "compiled_code")


def test_old_files_read_with_new_columns_null(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    ingest([RUNS / "2021-02-01"], history)
    assert (
        history.scan("node_runs")
        .select(pl.col("compiled_code_hash").is_not_null().any())
        .collect()
        .item()
    )
    assert history.scan("nodes").select(pl.col("raw_code").is_not_null().any()).collect().item()
    _age(tmp_path / "h")
    for table, columns in ADDED.items():
        frame = history.scan(table).collect()
        assert frame.schema == schema.TABLES[table]
        assert frame.height > 0
        assert frame.select(pl.col(columns).null_count()).row(0) == (frame.height,) * len(columns)
    assert history.scan("compiled_code").collect().height == 0


def test_old_and_new_files_compact_together(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    ingest([RUNS / "2021-02-01"], history)
    _age(tmp_path / "h")
    ingest([RUNS / "2021-02-02"], history)
    before = {table: history.scan(table).collect() for table in ADDED}
    compact(history, grace=0)
    for table, frame in before.items():
        after = history.scan(table).collect()
        assert after.height == frame.height
        assert after.schema == schema.TABLES[table]
        for column in ADDED[table]:
            assert after[column].null_count() == frame[column].null_count(), (table, column)
