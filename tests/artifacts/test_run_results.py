import datetime as dt
import uuid
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from monitor import schema
from monitor.artifacts.load import load
from monitor.artifacts.model import RunArtifact
from monitor.artifacts.run_results import code_hash
from monitor.errors import MonitorError
from tests.artifacts.samples import (
    corpus_files,
    load_json,
    recorded_files,
    run_result,
    run_results,
    timing,
    write_json,
)

UTC = dt.UTC


def _load(path: Path) -> RunArtifact:
    artifact = load(path)
    assert isinstance(artifact, RunArtifact)
    return artifact


def _row(artifact: RunArtifact) -> dict[str, Any]:
    return artifact.invocation.row(0, named=True)


@pytest.mark.parametrize("path", corpus_files("run_results") + recorded_files("run_results"))
def test_every_file_decodes(path: Path) -> None:
    doc = load_json(path)
    artifact = _load(path)
    assert artifact.invocation.schema == schema.INVOCATIONS
    assert artifact.results.schema == schema.NODE_RUNS
    assert artifact.invocation.height == 1
    assert artifact.results.height == len(doc["results"])
    row = _row(artifact)
    assert row["invocation_id"] == doc["metadata"]["invocation_id"]
    assert row["n_results"] == len(doc["results"])
    counted = sum(row[f"n_{s.replace(' ', '_')}"] for s in schema.STATUSES)
    assert counted == sum(r["status"].lower() in schema.STATUSES for r in doc["results"])
    assert row["command"]
    assert row["started_at"] <= row["generated_at"]
    assert artifact.results["unique_id"].to_list() == [r["unique_id"] for r in doc["results"]]
    assert artifact.results["invocation_id"].unique().to_list() == [row["invocation_id"]]


def test_every_column(tmp_path: Path) -> None:
    doc = run_results(
        [
            run_result("model.shop.orders"),
            run_result(
                "test.shop.unique_orders_id.1a2b3c",
                status="fail",
                failures=3,
                message="Got 3 results, configured to fail if != 0",
                thread_id="Thread-2 (worker)",
                adapter_response={
                    "_message": "SELECT (3.0 rows, 1.2 KiB processed)",
                    "code": "SELECT",
                    "bytes_processed": 1229,
                    "bytes_billed": 10485760,
                    "slot_ms": 52,
                    "job_id": "bquxjob_1a2b",
                },
                compiled_code="select * from orders where id is null",
            ),
            run_result(
                "seed.shop.countries",
                status="error",
                timing=[],
                adapter_response={},
                message=None,
                compiled_code=None,
            ),
        ],
        select=["tag:nightly", "orders+"],
        target="prod",
        threads=8,
        full_refresh=True,
    )
    doc["metadata"]["env"] = {"DBT_CLOUD_JOB_ID": "42"}
    artifact = _load(write_json(tmp_path / "run_results.json", doc))
    start = dt.datetime(2026, 3, 1, 6, 0, 1, tzinfo=UTC)
    mid = dt.datetime(2026, 3, 1, 6, 0, 1, 500000, tzinfo=UTC)
    end = dt.datetime(2026, 3, 1, 6, 0, 3, tzinfo=UTC)
    invocation_id = "11111111-2222-3333-4444-555555555555"
    expected = pl.DataFrame(
        {
            "invocation_id": [invocation_id] * 3,
            "unique_id": [
                "model.shop.orders",
                "test.shop.unique_orders_id.1a2b3c",
                "seed.shop.countries",
            ],
            "resource_type": ["model", "test", "seed"],
            "status": ["success", "fail", "error"],
            "compile_started_at": [start, start, None],
            "compile_completed_at": [mid, mid, None],
            "execute_started_at": [mid, mid, None],
            "execute_completed_at": [end, end, None],
            "execution_time": [2.0, 2.0, 2.0],
            "thread_id": ["Thread-1 (worker)", "Thread-2 (worker)", "Thread-1 (worker)"],
            "rows_affected": [7, None, None],
            "failures": [None, 3, None],
            "message": ["OK", "Got 3 results, configured to fail if != 0", None],
            "adapter_code": ["SELECT", "SELECT", None],
            "bytes_processed": [None, 1229, None],
            "bytes_billed": [None, 10485760, None],
            "slot_ms": [None, 52, None],
            "query_id": [None, "bquxjob_1a2b", None],
            "rows_inserted": [None, None, None],
            "rows_updated": [None, None, None],
            "rows_deleted": [None, None, None],
            "compiled_code_hash": [
                code_hash("select 1"),
                code_hash("select * from orders where id is null"),
                None,
            ],
        },
        schema=schema.NODE_RUNS,
    )
    assert_frame_equal(artifact.results, expected)
    assert artifact.code is not None
    assert artifact.code.to_dicts() == [
        {
            "invocation_id": invocation_id,
            "unique_id": uid,
            "compiled_code_hash": code_hash(sql),
            "compiled_code": sql,
        }
        for uid, sql in [
            ("model.shop.orders", "select 1"),
            ("test.shop.unique_orders_id.1a2b3c", "select * from orders where id is null"),
        ]
    ]
    row = _row(artifact)
    assert row == {
        "invocation_id": invocation_id,
        "artifact": "run_results",
        "command": "build",
        "invocation_command": "dbt build",
        "started_at": start,
        "generated_at": dt.datetime(2026, 3, 1, 6, 0, 10, tzinfo=UTC),
        "elapsed_time": 9.5,
        "dbt_version": "1.11.2",
        "schema_version": "run-results/v6",
        "manifest_schema_version": None,
        "project_name": None,
        "project_id": None,
        "adapter_type": None,
        "adapter_version": None,
        "target": "prod",
        "selector": "tag:nightly orders+",
        "full_refresh": True,
        "threads": 8,
        "labels": None,
        "env": [{"key": "DBT_CLOUD_JOB_ID", "value": "42"}],
        "n_results": 3,
        "n_success": 1,
        "n_pass": 0,
        "n_warn": 0,
        "n_fail": 1,
        "n_error": 1,
        "n_skipped": 0,
        "n_runtime_error": 0,
        "ingested_at": None,
    }
    assert artifact.warnings == ()


def test_fusion_statuses_are_lower_cased_with_one_warning(tmp_path: Path) -> None:
    # dbt Fusion: capitalised statuses, no message / compiled fields.
    results = []
    for unique_id, status in [
        ("model.shop.orders", "Success"),
        ("test.shop.not_null_orders_id", "Pass"),
        ("test.shop.unique_orders_id", "Warn"),
        ("test.shop.accepted_values_orders_status", "Error"),
    ]:
        result = run_result(unique_id, status=status)
        for field in ("message", "compiled", "compiled_code", "relation_name", "batch_results"):
            del result[field]
        results.append(result)
    path = write_json(tmp_path / "run_results.json", run_results(results))
    artifact = _load(path)
    assert artifact.results["status"].to_list() == ["success", "pass", "warn", "error"]
    row = _row(artifact)
    assert (row["n_success"], row["n_pass"], row["n_warn"], row["n_error"]) == (1, 1, 1, 1)
    assert len(artifact.warnings) == 1
    assert artifact.warnings[0].startswith(
        f"{path}: differs from dbt's run-results v6 schema (results.0.status"
    )
    assert artifact.warnings[0].endswith("; ingested the fields dbt-monitor knows")


def test_unknown_fields_warn_and_carry_on(tmp_path: Path) -> None:
    doc = run_results([run_result("model.shop.orders", new_field_from_dbt_2={"x": 1})])
    doc["metadata"]["run_started_at"] = "2026-03-01T06:00:00Z"
    artifact = _load(write_json(tmp_path / "run_results.json", doc))
    assert artifact.results.height == 1
    (warning,) = artifact.warnings
    assert "Extra inputs are not permitted; 1 more problem)" in warning


def test_runtime_error_counts(tmp_path: Path) -> None:
    doc = run_results(
        [run_result("model.shop.a", status="runtime error"), run_result("model.shop.b", "skipped")]
    )
    row = _row(_load(write_json(tmp_path / "run_results.json", doc)))
    assert (row["n_runtime_error"], row["n_skipped"], row["n_results"]) == (1, 1, 2)


def test_started_at_prefers_invocation_started_at(tmp_path: Path) -> None:
    doc = run_results([run_result("model.shop.orders")])
    doc["metadata"]["invocation_started_at"] = "2026-03-01T05:59:00.250000+00:00"
    row = _row(_load(write_json(tmp_path / "run_results.json", doc)))
    assert row["started_at"] == dt.datetime(2026, 3, 1, 5, 59, 0, 250000, tzinfo=UTC)


def test_started_at_is_the_earliest_timing(tmp_path: Path) -> None:
    late = run_result("model.shop.b")
    early = run_result(
        "model.shop.a",
        timing=[timing("2026-03-01T05:59:30.000000", "2026-03-01T06:00:00.000000")],
    )
    row = _row(_load(write_json(tmp_path / "run_results.json", run_results([late, early]))))
    assert row["started_at"] == dt.datetime(2026, 3, 1, 5, 59, 30, tzinfo=UTC)


def test_started_at_from_generated_at_minus_elapsed(tmp_path: Path) -> None:
    doc = run_results([run_result("model.shop.a", timing=[])])
    row = _row(_load(write_json(tmp_path / "run_results.json", doc)))
    assert row["started_at"] == dt.datetime(2026, 3, 1, 6, 0, 0, 500000, tzinfo=UTC)


def test_empty_results(tmp_path: Path) -> None:
    artifact = _load(write_json(tmp_path / "run_results.json", run_results([])))
    assert artifact.results.height == 0
    assert artifact.results.schema == schema.NODE_RUNS
    assert _row(artifact)["n_results"] == 0


def test_missing_invocation_id_is_derived_from_content(tmp_path: Path) -> None:
    doc = run_results([run_result("model.shop.orders")], version=1)
    del doc["metadata"]["invocation_id"]
    plain = _load(write_json(tmp_path / "a" / "run_results.json", doc))
    gz = _load(write_json(tmp_path / "b" / "run_results.json.gz", doc))
    assert plain.invocation_id == gz.invocation_id
    assert uuid.UUID(plain.invocation_id).version == 5
    assert plain.results["invocation_id"].to_list() == [plain.invocation_id]
    doc["elapsed_time"] = 1.0
    other = _load(write_json(tmp_path / "c" / "run_results.json", doc))
    assert other.invocation_id != plain.invocation_id


def test_gzip_decodes_the_same(tmp_path: Path) -> None:
    doc = run_results([run_result("model.shop.orders")])
    plain = _load(write_json(tmp_path / "run_results.json", doc))
    gz = _load(write_json(tmp_path / "run_results.json.gz", doc))
    assert_frame_equal(plain.results, gz.results)
    assert_frame_equal(plain.invocation, gz.invocation)


@pytest.mark.parametrize(
    ("args", "selector"),
    [
        ({"select": ["a", "b+"]}, "a b+"),
        ({"select": "tag:x"}, "tag:x"),
        ({"select": [], "models": ["m"]}, "m"),
        ({"models": "m1 m2"}, "m1 m2"),
        ({"select": []}, None),
        ({}, None),
    ],
)
def test_selector(tmp_path: Path, args: dict[str, Any], selector: str | None) -> None:
    doc = run_results([run_result("model.shop.orders")], **args)
    assert _row(_load(write_json(tmp_path / "run_results.json", doc)))["selector"] == selector


def test_wrong_shape_names_the_file(tmp_path: Path) -> None:
    doc = run_results([])
    del doc["results"]
    path = write_json(tmp_path / "run_results.json", doc)
    with pytest.raises(MonitorError) as caught:
        load(path)
    assert str(caught.value) == (
        f"{path}: not a valid run-results v6 file: Object missing required field `results`"
    )


def test_oddly_typed_fields_become_null(tmp_path: Path) -> None:
    odd = run_result(
        "model.shop.orders",
        adapter_response="OK",
        thread_id=3,
        failures="2",
        execution_time="fast",
        timing=[{"name": "execute", "started_at": 1772344801, "completed_at": None}],
    )
    doc = run_results([odd])
    doc["metadata"]["env"] = ["not", "a", "mapping"]
    doc["args"] = None
    artifact = _load(write_json(tmp_path / "run_results.json", doc))
    row = artifact.results.row(0, named=True)
    assert (row["adapter_code"], row["thread_id"], row["failures"], row["execution_time"]) == (
        None,
        "3",
        2,
        None,
    )
    assert row["execute_started_at"] is None
    invocation = _row(artifact)
    assert (invocation["env"], invocation["command"]) == ([], None)
    assert len(artifact.warnings) == 1
