"""A fast, strict first check of run-results v6: every result, in one msgspec decode.

These structs mirror dbt-artifacts-parser's ``run_results_v6`` model
(``RunResultsV6``: unknown fields forbidden, the same required fields and
types). msgspec is at least as strict as pydantic's lax mode on every field
(it accepts no numeric strings, no ``3.0`` for an int), so a file it accepts
pydantic accepts too, and a file it refuses goes to pydantic for the verdict:
a difference here costs time, never a wrong warning.
``tests/artifacts/test_strict.py`` checks the agreement on real and mutated
files.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec

from monitor.artifacts.model import Header

Status = Literal[
    "success",
    "error",
    "skipped",
    "partial success",
    "no-op",
    "reused",
    "pass",
    "fail",
    "warn",
    "runtime error",
]
"""Every status run-results v6 allows (its three status enums together)."""


class _Strict(msgspec.Struct, forbid_unknown_fields=True, gc=False):
    pass


class MetadataV6(_Strict):
    """``metadata`` (``BaseArtifactMetadata``)."""

    dbt_schema_version: str
    dbt_version: str | None = None
    generated_at: str | None = None
    invocation_id: str | None = None
    invocation_started_at: str | None = None
    env: dict[str, str] | None = None


class TimingV6(_Strict):
    """One ``timing`` item."""

    name: str
    started_at: str | None = None
    completed_at: str | None = None


class BatchResultsV6(_Strict):
    """``batch_results`` of a microbatch model."""

    successful: list[list[Any]] | None = None
    failed: list[list[Any]] | None = None


class OverloadResultsV6(_Strict):
    """``overload_results`` (dbt 1.12)."""

    successful: list[str] | None = None
    failed: list[str] | None = None


class ResultV6(_Strict):
    """One result."""

    status: Status
    timing: list[TimingV6]
    thread_id: str
    execution_time: float
    adapter_response: dict[str, Any]
    unique_id: str
    message: str | None = None
    failures: int | None = None
    compiled: bool | None = None
    compiled_code: str | None = None
    relation_name: str | None = None
    batch_results: BatchResultsV6 | None = None
    overload_results: OverloadResultsV6 | None = None


class RunResultsV6(_Strict):
    """A whole run_results.json v6."""

    metadata: MetadataV6
    results: list[ResultV6]
    elapsed_time: float
    args: dict[str, Any] | None = None


_STRICT: dict[tuple[str, int], type[msgspec.Struct]] = {("run_results", 6): RunResultsV6}


def strict_run_results(header: Header, raw: bytes) -> RunResultsV6 | None:
    """``raw`` decoded by the strict structs, or None when it differs (or is not v6).

    The ingest reads a file that passes from this decode alone: one pass both
    validates every result and yields the fields the history keeps.
    """
    if (header.kind, header.schema_version) != ("run_results", 6):
        return None
    try:
        return msgspec.json.decode(raw, type=RunResultsV6)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None


def strictly_valid(header: Header, raw: bytes) -> bool:
    """Whether ``raw`` passes the strict check (False: ask dbt-artifacts-parser)."""
    struct = _STRICT.get((header.kind, header.schema_version))
    if struct is None:
        return False
    try:
        msgspec.json.decode(raw, type=struct)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return False
    return True
