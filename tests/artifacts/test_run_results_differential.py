"""The lean msgspec decode of run_results.json and sources.json against the authority.

dbt-artifacts-parser validates every field of every schema version; for each
corpus file (and each recorded fixture) its reading of the results must give
the same rows as ours.
"""

import datetime as dt
from enum import Enum
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from dbt_artifacts_parser.parser import parse_run_results, parse_sources
from polars.testing import assert_frame_equal

from monitor import schema
from monitor.artifacts import coerce
from monitor.artifacts.load import load
from monitor.artifacts.model import RunArtifact
from monitor.artifacts.run_results import code_hash
from tests.artifacts.samples import corpus_files, load_json, recorded_files, sources, write_json


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _ts(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    return coerce.timestamp(value)


def _timing(result: Any, name: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    for item in result.timing or []:
        if item.name == name:
            return _ts(item.started_at), _ts(item.completed_at)
    return None, None


def _hash(code: str | None) -> str | None:
    return code_hash(code) if code and code.strip() else None


def _load(path: Path) -> RunArtifact:
    artifact = load(path)
    assert isinstance(artifact, RunArtifact)
    return artifact


@pytest.mark.parametrize("path", corpus_files("run_results") + recorded_files("run_results"))
def test_run_results_agree_with_dbt_artifacts_parser(path: Path) -> None:
    parsed = parse_run_results(load_json(path))
    ours = _load(path)
    results = parsed.results
    responses = [result.adapter_response or {} for result in results]
    theirs = pl.DataFrame(
        {
            "unique_id": [result.unique_id for result in results],
            "status": [str(_value(result.status)).lower() for result in results],
            "compile_started_at": [_timing(result, "compile")[0] for result in results],
            "compile_completed_at": [_timing(result, "compile")[1] for result in results],
            "execute_started_at": [_timing(result, "execute")[0] for result in results],
            "execute_completed_at": [_timing(result, "execute")[1] for result in results],
            "execution_time": [result.execution_time for result in results],
            "thread_id": [result.thread_id for result in results],
            "rows_affected": [response.get("rows_affected") for response in responses],
            "failures": [getattr(result, "failures", None) for result in results],
            "message": [
                None if result.message is None else str(result.message) for result in results
            ],
            "adapter_code": [response.get("code") for response in responses],
            "bytes_processed": [response.get("bytes_processed") for response in responses],
            "bytes_billed": [response.get("bytes_billed") for response in responses],
            "slot_ms": [response.get("slot_ms") for response in responses],
            "query_id": [
                response.get("query_id") or response.get("job_id") for response in responses
            ],
            "rows_inserted": [response.get("rows_inserted") for response in responses],
            "rows_updated": [response.get("rows_updated") for response in responses],
            "rows_deleted": [response.get("rows_deleted") for response in responses],
            "compiled_code_hash": [
                _hash(getattr(result, "compiled_code", None)) for result in results
            ],
        },
        schema={
            name: schema.NODE_RUNS[name]
            for name in schema.NODE_RUNS.names()
            if name not in ("invocation_id", "resource_type")
        },
    )
    assert_frame_equal(ours.results.drop("invocation_id", "resource_type"), theirs)
    row = ours.invocation.row(0, named=True)
    assert row["invocation_id"] == parsed.metadata.invocation_id
    assert row["dbt_version"] == parsed.metadata.dbt_version
    assert row["generated_at"] == _ts(parsed.metadata.generated_at)
    assert row["elapsed_time"] == parsed.elapsed_time
    assert ours.warnings == ()


def _sources_frame(parsed: Any) -> pl.DataFrame:
    rows = []
    for result in parsed.results:
        criteria = getattr(result, "criteria", None)
        warn = getattr(criteria, "warn_after", None)
        error = getattr(criteria, "error_after", None)
        rows.append(
            {
                "unique_id": result.unique_id,
                "status": _value(result.status),
                "max_loaded_at": _ts(getattr(result, "max_loaded_at", None)),
                "snapshotted_at": _ts(getattr(result, "snapshotted_at", None)),
                "age": getattr(result, "max_loaded_at_time_ago_in_s", None),
                "warn_after": coerce.duration(
                    getattr(warn, "count", None), _value(getattr(warn, "period", None))
                ),
                "error_after": coerce.duration(
                    getattr(error, "count", None), _value(getattr(error, "period", None))
                ),
                "filter": getattr(criteria, "filter", None),
                "execution_time": getattr(result, "execution_time", None),
                "thread_id": getattr(result, "thread_id", None),
                "error": getattr(result, "error", None),
            }
        )
    columns = [name for name in schema.FRESHNESS.names() if name != "invocation_id"]
    return pl.DataFrame(rows, schema={name: schema.FRESHNESS[name] for name in columns})


@pytest.mark.parametrize("version", [1, 2, 3])
def test_sources_agree_with_dbt_artifacts_parser(tmp_path: Path, version: int) -> None:
    doc = sources(version)
    path = write_json(tmp_path / "sources.json", doc)
    theirs = _sources_frame(parse_sources(doc))
    ours = _load(path)
    assert_frame_equal(ours.results.drop("invocation_id"), theirs)
    assert ours.warnings == ()


@pytest.mark.parametrize("path", recorded_files("sources"))
def test_recorded_sources_agree_with_dbt_artifacts_parser(path: Path) -> None:
    theirs = _sources_frame(parse_sources(load_json(path)))
    assert_frame_equal(_load(path).results.drop("invocation_id"), theirs)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_hand_written_sources_are_valid(version: int) -> None:
    assert type(parse_sources(sources(version))).__name__ == f"SourcesV{version}"
