"""Mart exports beside a run are checked before they are stored."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from monitor.artifacts.discover import discover
from monitor.artifacts.mart_files import check_mart
from monitor.errors import MonitorError
from tests.artifacts.samples import run_result, run_results, write_json


def _problem(path: Path) -> str:
    with pytest.raises(MonitorError) as caught:
        check_mart(path)
    return str(caught.value)


def test_a_real_export_passes(tmp_path: Path) -> None:
    path = tmp_path / "fct_orders.parquet"
    pl.DataFrame({"order_id": [1], "amount": [9.5]}).write_parquet(path)
    check_mart(path)


def test_text_named_parquet_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fct_orders.parquet"
    path.write_text("order_id,amount\n1,9.5\n")
    assert _problem(path) == (
        f"{path}: not a Parquet file: a mart export beside a run must be Parquet; not stored"
    )


def test_a_truncated_export_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fct_orders.parquet"
    pl.DataFrame({"order_id": list(range(1000))}).write_parquet(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2] + b"PAR1")
    assert _problem(path).startswith(f"{path}: unreadable Parquet (")


def test_a_column_the_history_adds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fct_orders.parquet"
    pl.DataFrame({"invocation_id": ["x"], "n": [1]}).write_parquet(path)
    assert "has a column named invocation_id" in _problem(path)


def test_discover_drops_the_bad_export_and_keeps_the_run(tmp_path: Path) -> None:
    write_json(tmp_path / "run_results.json", run_results([run_result("model.p.m")]))
    (tmp_path / "broken.parquet").write_bytes(b"PAR1 not really")
    pl.DataFrame({"n": [1]}).write_parquet(tmp_path / "good.parquet")
    found = discover([tmp_path])
    (bundle,) = found.bundles
    assert bundle.marts == {"good": tmp_path / "good.parquet"}
    assert found.errors == [
        f"{tmp_path / 'broken.parquet'}: not a Parquet file: a mart export beside a run must be"
        " Parquet; not stored"
    ]
