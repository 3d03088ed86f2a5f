"""Decode run_results.json (v1–v6, and dbt Fusion's) into an invocation row and NODE_RUNS rows.

msgspec reads only the fields below and skips the rest (compiled SQL, batch
results, whatever a newer dbt adds). dbt-artifacts-parser is the authority on
the schema: the file is checked against its model and a mismatch is one
warning, never a failure (see :mod:`monitor.artifacts.validate`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import msgspec
import polars as pl

from monitor import schema
from monitor.artifacts import coerce, fusion
from monitor.artifacts.args import parse_args
from monitor.artifacts.detect import describe
from monitor.artifacts.invocation import Facts, invocation_frame, invocation_id
from monitor.artifacts.model import Header, RunArtifact
from monitor.artifacts.read import decode_typed
from monitor.artifacts.validate import schema_warning

# Every field is optional and loosely typed (``Any``, read through
# monitor.artifacts.coerce): a field that a newer dbt or dbt Fusion writes
# differently becomes null instead of failing the whole file.


class Timing(msgspec.Struct, gc=False):
    """One ``timing`` entry: ``compile`` or ``execute``."""

    name: Any = None
    started_at: Any = None
    completed_at: Any = None


class Metadata(msgspec.Struct, gc=False):
    """The ``metadata`` fields read beyond the :class:`Header`."""

    invocation_started_at: Any = None
    env: Any = None


class _Result(msgspec.Struct, gc=False):
    unique_id: str
    status: Any = None
    timing: list[Timing] | None = None
    thread_id: Any = None
    execution_time: Any = None
    adapter_response: Any = None
    message: Any = None
    failures: Any = None
    compiled_code: Any = None
    compiled_sql: Any = None  # dbt < 1.3 (never in run_results; kept for safety)


class _RunResults(msgspec.Struct, gc=False):
    metadata: Metadata
    results: list[_Result]
    elapsed_time: Any = None
    args: Any = None


def decode_run_results(header: Header, raw: bytes, *, validate: bool = True) -> RunArtifact:
    """Decode the run_results.json whose bytes are ``raw`` (header already read)."""
    doc = decode_typed(header.path, describe(header), raw, _RunResults)
    results = doc.results
    compiles = [_timing(result.timing, "compile") for result in results]
    executes = [_timing(result.timing, "execute") for result in results]
    statuses = [coerce.lower(result.status) for result in results]
    facts = Facts(
        header=header,
        raw=raw,
        elapsed_time=coerce.number(doc.elapsed_time),
        invocation_started_at=doc.metadata.invocation_started_at,
        env=doc.metadata.env,
        args=parse_args(_mapping(doc.args)),
        statuses=statuses,
        timing_starts=[start for start, _ in compiles + executes],
    )
    invocation = invocation_frame(facts)
    codes = [_code(result) for result in results]
    node_runs = _node_runs(invocation_id(header, raw), results, statuses, compiles, executes, codes)
    code = compiled_code(node_runs, codes)
    if fusion.is_fusion(header):
        warning = fusion.run_results_warning(header, results)
    else:
        warning = schema_warning(header, raw) if validate else None
    return RunArtifact(header, invocation, node_runs, (warning,) if warning else (), code)


def _timing(
    timing: list[Timing] | None, name: str
) -> tuple[dt.datetime | None, dt.datetime | None]:
    for item in timing or ():
        if item.name == name:
            return coerce.timestamp(item.started_at), coerce.timestamp(item.completed_at)
    return None, None


def _node_runs(
    invocation: str,
    results: list[_Result],
    statuses: list[str | None],
    compiles: list[tuple[dt.datetime | None, dt.datetime | None]],
    executes: list[tuple[dt.datetime | None, dt.datetime | None]],
    codes: list[str | None],
) -> pl.DataFrame:
    responses = [_mapping(result.adapter_response) for result in results]
    columns: dict[str, list[Any]] = {
        "invocation_id": [invocation] * len(results),
        "unique_id": [result.unique_id for result in results],
        "resource_type": [result.unique_id.split(".", 1)[0] for result in results],
        "status": statuses,
        "compile_started_at": [start for start, _ in compiles],
        "compile_completed_at": [end for _, end in compiles],
        "execute_started_at": [start for start, _ in executes],
        "execute_completed_at": [end for _, end in executes],
        "execution_time": [coerce.number(result.execution_time) for result in results],
        "thread_id": [coerce.text(result.thread_id) for result in results],
        "rows_affected": [coerce.integer(response.get("rows_affected")) for response in responses],
        "failures": [coerce.integer(result.failures) for result in results],
        "message": [coerce.text(result.message) for result in results],
        "adapter_code": [coerce.text(response.get("code")) for response in responses],
        "bytes_processed": [
            coerce.integer(response.get("bytes_processed")) for response in responses
        ],
        "bytes_billed": [coerce.integer(response.get("bytes_billed")) for response in responses],
        "slot_ms": [coerce.integer(response.get("slot_ms")) for response in responses],
        "query_id": [query_id(response) for response in responses],
        "rows_inserted": [coerce.integer(response.get("rows_inserted")) for response in responses],
        "rows_updated": [coerce.integer(response.get("rows_updated")) for response in responses],
        "rows_deleted": [coerce.integer(response.get("rows_deleted")) for response in responses],
        "compiled_code_hash": [code_hash(code) if code else None for code in codes],
    }
    return pl.DataFrame(columns, schema=schema.NODE_RUNS)


QUERY_ID_KEYS = ("query_id", "job_id", "statement_id", "query_ids")
"""Where adapters put the warehouse's id of a node's query: Snowflake, Databricks
and Redshift ``query_id``, BigQuery ``job_id``; others (Postgres, DuckDB) none."""


def query_id(response: dict[str, Any]) -> str | None:
    """The warehouse's query or job id in one ``adapter_response``, if any."""
    for key in QUERY_ID_KEYS:
        value = response.get(key)
        if isinstance(value, list):
            value = ",".join(str(item) for item in value if item not in (None, "")) or None
        found = coerce.text(value)
        if found:
            return found
    return None


def code_hash(code: str) -> str:
    """A stable 16-hex-digit hash of compiled SQL (equal SQL, equal hash)."""
    return hashlib.blake2b(code.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _code(result: _Result) -> str | None:
    for value in (result.compiled_code, result.compiled_sql):
        if isinstance(value, str) and value.strip():
            return value
    return None


def compiled_code(node_runs: pl.DataFrame, codes: list[str | None]) -> pl.DataFrame:
    """The :data:`monitor.schema.COMPILED_CODE` rows: one per result carrying SQL."""
    frame = node_runs.select("invocation_id", "unique_id", "compiled_code_hash").with_columns(
        pl.Series("compiled_code", codes, dtype=pl.String)
    )
    return frame.filter(pl.col("compiled_code_hash").is_not_null()).unique(
        "unique_id", keep="first", maintain_order=True
    )


def _mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
