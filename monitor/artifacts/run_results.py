"""Decode run_results.json (v1–v6, and dbt Fusion's) into an invocation row and NODE_RUNS rows.

msgspec reads only the fields below and skips the rest (batch results,
whatever a newer dbt adds). dbt-artifacts-parser is the authority on the
schema: the file is checked against its model and a mismatch is one warning,
never a failure (see :mod:`monitor.artifacts.validate`). A run-results v6 file
(today's dbt) is first decoded by the strict structs of
:mod:`monitor.artifacts.strict`: when it passes, that one decode has both
validated every result and read them; only a file that differs is decoded
again, leniently, and shown to dbt-artifacts-parser for the warning's words.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from typing import Any

import msgspec
import polars as pl

from monitor import schema
from monitor.artifacts import coerce, fusion, sanity, secrets
from monitor.artifacts.args import parse_args
from monitor.artifacts.detect import describe
from monitor.artifacts.invocation import Facts, invocation_frame, invocation_id
from monitor.artifacts.model import Header, RunArtifact
from monitor.artifacts.read import decode_typed
from monitor.artifacts.strict import ResultV6, RunResultsV6, strict_run_results
from monitor.artifacts.validate import parser_warning, schema_warning

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


Result = _Result | ResultV6
"""One result, from the lenient decode or from the strict one (a valid v6 file)."""


class _RunResults(msgspec.Struct, gc=False):
    metadata: Metadata
    results: list[_Result]
    elapsed_time: Any = None
    args: Any = None


def decode_run_results(header: Header, raw: bytes, *, validate: bool = True) -> RunArtifact:
    """Decode the run_results.json whose bytes are ``raw`` (header already read)."""
    strict = strict_run_results(header, raw) if validate else None
    doc: RunResultsV6 | _RunResults = (
        strict
        if strict is not None
        else decode_typed(header.path, describe(header), raw, _RunResults)
    )
    results: Sequence[Result] = doc.results
    codes = [_code(result) for result in results]
    node_runs = _node_runs(invocation_id(header, raw), results, codes)
    code = compiled_code(node_runs, codes)
    node_runs, duplicated = sanity.first_of_duplicates(header.path, node_runs)
    node_runs, elapsed, impossible = sanity.impossible_times(
        header.path, node_runs, coerce.number(doc.elapsed_time)
    )
    env, dropped = secrets.safe_env(doc.metadata.env)
    facts = Facts(
        header=header,
        raw=raw,
        elapsed_time=elapsed,
        invocation_started_at=doc.metadata.invocation_started_at,
        env=env,
        args=parse_args(_mapping(doc.args)),
        statuses=node_runs["status"].to_list(),
        timing_starts=_earliest(node_runs),
    )
    invocation = invocation_frame(facts)
    if fusion.is_fusion(header):
        warning = fusion.run_results_warning(header, list(results))
    elif strict is not None or not validate:
        warning = None  # valid: the strict decode read every result
    elif (header.kind, header.schema_version) == ("run_results", 6):
        warning = parser_warning(header, raw)  # the strict decode failed: pydantic says why
    else:
        warning = schema_warning(header, raw)
    hidden = secrets.env_warning(header.path, dropped)
    warnings = tuple(line for line in (warning, duplicated, impossible, hidden) if line)
    return RunArtifact(header, invocation, node_runs, warnings, code)


def _earliest(node_runs: pl.DataFrame) -> list[dt.datetime | None]:
    """The earliest compile and execute start (None where no result has one)."""
    found = node_runs.select(pl.col("compile_started_at", "execute_started_at").min()).row(0)
    return [when if isinstance(when, dt.datetime) else None for when in found]


TIMING_COLUMNS = (
    "compile_started_at",
    "compile_completed_at",
    "execute_started_at",
    "execute_completed_at",
)


def _timings(results: Sequence[Result]) -> list[list[object]]:
    """The raw timestamps of each result's first compile and execute timing, by column."""
    columns: list[list[object]] = [[], [], [], []]
    compile_start, compile_end, execute_start, execute_end = columns
    for result in results:
        compiled = executed = None
        for item in result.timing or ():
            if item.name == "compile" and compiled is None:
                compiled = item
            elif item.name == "execute" and executed is None:
                executed = item
        compile_start.append(compiled.started_at if compiled else None)
        compile_end.append(compiled.completed_at if compiled else None)
        execute_start.append(executed.started_at if executed else None)
        execute_end.append(executed.completed_at if executed else None)
    return columns


RESPONSE_INTEGERS = (
    "rows_affected",
    "bytes_processed",
    "bytes_billed",
    "slot_ms",
    "rows_inserted",
    "rows_updated",
    "rows_deleted",
)
"""The NODE_RUNS columns read as integers from ``adapter_response`` (same key)."""


def _node_runs(invocation: str, results: Sequence[Result], codes: list[str | None]) -> pl.DataFrame:
    """The NODE_RUNS frame, built column by column."""
    responses = [_mapping(result.adapter_response) for result in results]
    unique_ids = [result.unique_id for result in results]
    columns: dict[str, pl.Series | list[Any]] = {
        "invocation_id": [invocation] * len(results),
        "unique_id": unique_ids,
        "resource_type": [uid.split(".", 1)[0] for uid in unique_ids],
        "status": [coerce.lower(result.status) for result in results],
        "execution_time": coerce.numbers([result.execution_time for result in results]),
        "thread_id": coerce.texts([result.thread_id for result in results]),
        "failures": coerce.integers([result.failures for result in results]),
        "message": coerce.texts([result.message for result in results]),
        "adapter_code": coerce.texts([response.get("code") for response in responses]),
        "query_id": [query_id(response) if response else None for response in responses],
        "compiled_code_hash": [code_hash(code) if code else None for code in codes],
    }
    for name in RESPONSE_INTEGERS:
        columns[name] = coerce.integers([response.get(name) for response in responses])
    timings = dict(zip(TIMING_COLUMNS, _timings(results), strict=True))
    for series in coerce.timestamp_columns(timings):
        columns[series.name] = series
    return pl.DataFrame(
        [
            pl.Series(name, columns[name], dtype=dtype, strict=False)
            for name, dtype in schema.NODE_RUNS.items()
        ]
    )


QUERY_ID_KEYS = ("query_id", "job_id", "statement_id", "query_ids")
"""Where adapters put the warehouse's id of a node's query: Snowflake, Databricks
and Redshift ``query_id``, BigQuery ``job_id``; others (Postgres, DuckDB) none."""


def query_id(response: dict[str, Any]) -> str | None:
    """The warehouse's query or job id in one ``adapter_response``, if any."""
    if not response:
        return None
    for key in QUERY_ID_KEYS:
        value = response.get(key)
        if value is None:
            continue
        if type(value) is str:  # the usual shape: one id
            if value:
                return value
            continue
        if isinstance(value, list):
            value = ",".join(str(item) for item in value if item not in (None, "")) or None
        found = coerce.text(value)
        if found:
            return found
    return None


def code_hash(code: str) -> str:
    """A stable 16-hex-digit hash of compiled SQL (equal SQL, equal hash)."""
    return hashlib.blake2b(code.encode("utf-8", "replace"), digest_size=8).hexdigest()


def _code(result: Result) -> str | None:
    for value in (result.compiled_code, getattr(result, "compiled_sql", None)):
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
