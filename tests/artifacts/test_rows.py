"""The per-adapter row-count rule, on a real BigQuery build and on exact adapter shapes.

Only BigQuery is in the vendored corpus (dbt-artifacts-parser's test resources,
Apache-2.0). No public Snowflake, Postgres or Databricks run_results with a
licence that allows vendoring were found, so those cases are built here in the
exact ``adapter_response`` shapes the adapters write (issue 13, "What adapters
really report").
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pytest

from monitor.artifacts.load import load
from monitor.artifacts.model import RunArtifact
from monitor.artifacts.rows import row_count_rule, trusted_rows_affected
from tests.artifacts.samples import CORPUS, run_result, run_results, write_json


def _trusted(artifact: RunArtifact, adapter: str | None) -> dict[str, int | None]:
    frame = artifact.results.with_columns(pl.lit(adapter, dtype=pl.String).alias("adapter_type"))
    trusted = frame.select("unique_id", trusted_rows_affected())
    return dict(trusted.iter_rows())


def _decode(tmp_path: Path, responses: list[tuple[str, dict[str, Any]]]) -> RunArtifact:
    doc = run_results([run_result(uid, adapter_response=resp) for uid, resp in responses])
    artifact = load(write_json(tmp_path / "run_results.json", doc))
    assert isinstance(artifact, RunArtifact)
    return artifact


def test_bigquery_build_keeps_table_counts_and_drops_tests_and_views() -> None:
    artifact = load(CORPUS / "run_results/v6/jaffle_shop/run_results.json")
    assert isinstance(artifact, RunArtifact)
    trusted = _trusted(artifact, "bigquery")
    rows = artifact.results.select("unique_id", "resource_type", "adapter_code", "rows_affected")
    for uid, resource_type, code, raw in rows.iter_rows():
        if resource_type == "test" or code == "CREATE VIEW":
            assert trusted[uid] is None, uid
        else:
            assert trusted[uid] == raw, uid
    assert trusted["model.jaffle_shop.customers"] == 100
    assert trusted["seed.jaffle_shop.raw_orders"] == 99
    # A MERGE that wrote nothing is a real 0, not unknown.
    merged = rows.filter(pl.col("adapter_code") == "MERGE")["unique_id"]
    assert {trusted[uid] for uid in merged} == {0}
    # BigQuery's job_id is kept as the query id.
    assert artifact.results.filter(pl.col("adapter_code") == "MERGE")["query_id"].null_count() == 0


def test_snowflake_constant_one_is_unknown_but_per_dml_counts_are_used(tmp_path: Path) -> None:
    artifact = _decode(
        tmp_path,
        [
            ("model.p.a", {"_message": "SUCCESS 1", "code": "SUCCESS", "rows_affected": 1,
                           "query_id": "01b2-a"}),
            ("model.p.b", {"_message": "SUCCESS 1", "code": "SUCCESS", "rows_affected": 1,
                           "query_id": "01b2-b", "rows_inserted": 40, "rows_updated": 2}),
            ("test.p.t", {"_message": "SUCCESS 1", "code": "SUCCESS", "rows_affected": 1,
                          "query_id": "01b2-c"}),
        ],
    )  # fmt: skip
    assert _trusted(artifact, "snowflake") == {"model.p.a": None, "model.p.b": 42, "test.p.t": None}
    # Without a manifest the adapter is recognised by its response.
    assert _trusted(artifact, None) == {"model.p.a": None, "model.p.b": 42, "test.p.t": None}
    assert artifact.results["query_id"].to_list() == ["01b2-a", "01b2-b", "01b2-c"]
    assert artifact.results["rows_inserted"].to_list() == [None, 40, None]
    assert artifact.results["rows_deleted"].to_list() == [None, None, None]


@pytest.mark.parametrize("adapter", ["postgres", "redshift", "athena"])
def test_minus_one_for_views_and_one_for_test_selects_are_unknown(
    tmp_path: Path, adapter: str
) -> None:
    artifact = _decode(
        tmp_path,
        [
            ("model.p.table", {"_message": "SELECT 5120", "code": "SELECT", "rows_affected": 5120}),
            ("model.p.view", {"_message": "CREATE VIEW", "code": "CREATE VIEW",
                              "rows_affected": -1}),
            ("model.p.empty", {"_message": "SELECT 0", "code": "SELECT", "rows_affected": 0}),
            ("test.p.t", {"_message": "SELECT 1", "code": "SELECT", "rows_affected": 1}),
        ],
    )  # fmt: skip
    assert _trusted(artifact, adapter) == {
        "model.p.table": 5120,
        "model.p.view": None,
        "model.p.empty": 0,
        "test.p.t": None,
    }


@pytest.mark.parametrize("adapter", ["duckdb", "databricks"])
def test_adapters_without_counts_and_fusion_empty_response_are_unknown(
    tmp_path: Path, adapter: str
) -> None:
    artifact = _decode(
        tmp_path,
        [
            ("model.p.a", {"_message": "OK", "code": "OK", "rows_affected": 3}),
            ("model.p.fusion", {}),
        ],
    )
    assert _trusted(artifact, adapter) == {"model.p.a": None, "model.p.fusion": None}
    # Absent is null in the stored columns too, never 0.
    fusion = artifact.results.filter(pl.col("unique_id") == "model.p.fusion").row(0, named=True)
    for column in ("rows_affected", "rows_inserted", "bytes_processed", "slot_ms", "query_id"):
        assert fusion[column] is None, column


def test_the_rule_is_said_per_adapter() -> None:
    assert row_count_rule("duckdb") == "duckdb reports no row counts"
    assert "constant 1" in row_count_rule("snowflake")
    assert "-1 for views" in row_count_rule("postgres")
    assert "unknown" in row_count_rule(None)


@pytest.mark.parametrize("adapter", ["postgres", "snowflake", "duckdb", None])
def test_the_rule_reads_only_its_declared_columns(adapter: str | None) -> None:
    # explain reads node_runs with ROW_COUNT_COLUMNS only: a column the rule
    # starts to need must be declared there too, or explain breaks
    from monitor import schema
    from monitor.artifacts.rows import ROW_COUNT_COLUMNS

    runs = schema.empty("node_runs").select("resource_type", *ROW_COUNT_COLUMNS)
    frame = runs.with_columns(pl.lit(adapter, dtype=pl.String).alias("adapter_type"))
    assert frame.select(trusted_rows_affected()).columns == ["rows_affected"]


def test_adapter_names_and_codes_are_read_in_any_case() -> None:
    frame = pl.DataFrame(
        {
            "unique_id": ["model.p.view", "model.p.table", "model.p.snow", "model.p.duck"],
            "resource_type": ["model"] * 4,
            "rows_affected": [5, 7, 1, 9],
            "adapter_code": ["create view", "INSERT", "success", "OK"],
            "query_id": [None, None, "01b2-a", None],
            "rows_inserted": [None, None, 40, None],
            "rows_updated": [None, None, 2, None],
            "rows_deleted": [None, None, None, None],
            "adapter_type": ["Postgres", "Postgres", None, "DuckDB"],
        },
        schema_overrides={f"rows_{n}": pl.Int64 for n in ("inserted", "updated", "deleted")},
    )
    trusted = dict(frame.select("unique_id", trusted_rows_affected()).iter_rows())
    # a view by its lower-case code, Snowflake by its response, DuckDB by its capitalised name
    assert trusted == {
        "model.p.view": None,
        "model.p.table": 7,
        "model.p.snow": 42,
        "model.p.duck": None,
    }
    named = frame.with_columns(pl.lit("SnowFlake").alias("adapter_type"))
    assert (
        dict(named.select("unique_id", trusted_rows_affected()).iter_rows())["model.p.snow"] == 42
    )
