"""The declared schema of every history table, in one place.

The artifacts stage builds frames with exactly these schemas, the history
stage writes and reads them, and analysis relies on them. Timestamps are
microsecond UTC datetimes; durations are float seconds.

Layout on disk (see :mod:`monitor.history.store`)::

    <history>/<table>/date=YYYY-MM-DD/<invocation_id>.parquet

The ``date`` partition is the UTC date the invocation started. It is a Hive
partition column, so it is not stored inside the files.
"""

from __future__ import annotations

import polars as pl

TS = pl.Datetime("us", "UTC")
"""Every timestamp in the history."""

LABEL = pl.Struct({"key": pl.String(), "value": pl.String()})
"""One ``key=value`` pair (labels, dbt's ``metadata.env``)."""

STATUSES = ("success", "pass", "warn", "fail", "error", "skipped", "runtime error")
"""dbt result statuses we count per invocation (lower case)."""

INVOCATIONS = pl.Schema(
    {
        "invocation_id": pl.String(),
        # "run_results" or "sources": which artifact described the invocation.
        "artifact": pl.String(),
        # dbt's own command word: "build", "run", "test", "seed", "snapshot",
        # "source freshness", "docs generate", "compile", ...
        "command": pl.String(),
        # The full command line when dbt recorded it (args.invocation_command).
        "invocation_command": pl.String(),
        "started_at": TS,
        "generated_at": TS,
        "elapsed_time": pl.Float64(),
        "dbt_version": pl.String(),
        # e.g. "run-results/v6", "sources/v3", "manifest/v12" (None when absent)
        "schema_version": pl.String(),
        "manifest_schema_version": pl.String(),
        "project_name": pl.String(),
        "project_id": pl.String(),
        "adapter_type": pl.String(),
        # The adapter plugin's version where an artifact records it (dbt-core
        # writes none today; dbt Fusion and dbt Cloud may): None when absent.
        "adapter_version": pl.String(),
        "target": pl.String(),
        "selector": pl.String(),
        "full_refresh": pl.Boolean(),
        "threads": pl.Int32(),
        "labels": pl.List(LABEL),
        "env": pl.List(LABEL),
        "n_results": pl.Int32(),
        "n_success": pl.Int32(),
        "n_pass": pl.Int32(),
        "n_warn": pl.Int32(),
        "n_fail": pl.Int32(),
        "n_error": pl.Int32(),
        "n_skipped": pl.Int32(),
        "n_runtime_error": pl.Int32(),
        "ingested_at": TS,
    }
)

NODE_RUNS = pl.Schema(
    {
        "invocation_id": pl.String(),
        "unique_id": pl.String(),
        # model, seed, snapshot, test, unit_test, source, operation, ...
        "resource_type": pl.String(),
        "status": pl.String(),
        "compile_started_at": TS,
        "compile_completed_at": TS,
        "execute_started_at": TS,
        "execute_completed_at": TS,
        "execution_time": pl.Float64(),
        "thread_id": pl.String(),
        "rows_affected": pl.Int64(),
        "failures": pl.Int64(),
        "message": pl.String(),
        "adapter_code": pl.String(),
        "bytes_processed": pl.Int64(),
        "bytes_billed": pl.Int64(),
        "slot_ms": pl.Int64(),
        # The warehouse's id of the node's query: Snowflake, Databricks and
        # Redshift `query_id`, BigQuery `job_id` (None where the adapter gives none)
        "query_id": pl.String(),
        # Per-DML counts where the adapter reports them (None when absent, never 0).
        # Whether rows_affected is a real row count depends on the adapter and the
        # statement: see monitor.artifacts.rows.trusted_rows_affected.
        "rows_inserted": pl.Int64(),
        "rows_updated": pl.Int64(),
        "rows_deleted": pl.Int64(),
        # Hash of the compiled SQL run_results carried for this run (v5+); the
        # SQL itself is in the compiled_code table, shown only with --include-sql
        "compiled_code_hash": pl.String(),
    }
)

FRESHNESS = pl.Schema(
    {
        "invocation_id": pl.String(),
        "unique_id": pl.String(),
        # pass, warn, error, runtime error
        "status": pl.String(),
        "max_loaded_at": TS,
        "snapshotted_at": TS,
        # seconds between max_loaded_at and snapshotted_at
        "age": pl.Float64(),
        "warn_after": pl.Float64(),
        "error_after": pl.Float64(),
        "filter": pl.String(),
        "execution_time": pl.Float64(),
        "thread_id": pl.String(),
        "error": pl.String(),
    }
)

NODES = pl.Schema(
    {
        "unique_id": pl.String(),
        # dbt's checksum of the node's file (None where dbt gives none, e.g. sources)
        "checksum": pl.String(),
        # our hash of every attribute below; a row each time a version takes effect
        "version": pl.String(),
        "first_seen_invocation": pl.String(),
        "first_seen_at": TS,
        "name": pl.String(),
        "resource_type": pl.String(),
        "package_name": pl.String(),
        "path": pl.String(),
        "materialized": pl.String(),
        "tags": pl.List(pl.String()),
        "owner": pl.String(),
        "meta": pl.String(),  # JSON text
        "description": pl.String(),
        "depends_on": pl.List(pl.String()),
        # tests: the node and column they test, and the generic test's name
        "test_node": pl.String(),
        "test_column": pl.String(),
        "test_name": pl.String(),
        "severity": pl.String(),
        # sources: the source's name and its freshness criteria in seconds
        "source_name": pl.String(),
        "loaded_at_field": pl.String(),
        "warn_after": pl.Float64(),
        "error_after": pl.Float64(),
        # The node's SQL (or Python) as written (dbt's raw_code, raw_sql before
        # dbt 1.3), kept once per version; not part of `version` (checksum is)
        "raw_code": pl.String(),
    }
)

COMPILED_CODE = pl.Schema(
    {
        # The compiled SQL of a run, from run_results (v5+). It can hold secrets
        # (rendered env vars), so no command shows it unless --include-sql.
        "invocation_id": pl.String(),
        "unique_id": pl.String(),
        "compiled_code_hash": pl.String(),
        "compiled_code": pl.String(),
    }
)

CATALOG = pl.Schema(
    {
        # catalog.json of a `dbt docs generate`: table sizes where the adapter gives them
        "invocation_id": pl.String(),
        "unique_id": pl.String(),
        "row_count": pl.Int64(),
        "bytes": pl.Int64(),
    }
)

EXPOSURES = pl.Schema(
    {
        "unique_id": pl.String(),
        "version": pl.String(),
        "first_seen_invocation": pl.String(),
        "first_seen_at": TS,
        "name": pl.String(),
        "type": pl.String(),
        "label": pl.String(),
        "owner": pl.String(),
        "url": pl.String(),
        "maturity": pl.String(),
        "description": pl.String(),
        "depends_on": pl.List(pl.String()),
    }
)

TABLES: dict[str, pl.Schema] = {
    "invocations": INVOCATIONS,
    "node_runs": NODE_RUNS,
    "freshness": FRESHNESS,
    "nodes": NODES,
    "exposures": EXPOSURES,
    "catalog": CATALOG,
    "compiled_code": COMPILED_CODE,
}
"""Every history table by name. ``invocations`` is written last: it is the
per-invocation commit marker."""


def empty(table: str) -> pl.DataFrame:
    """An empty frame with ``table``'s schema."""
    return pl.DataFrame(schema=TABLES[table])
