"""A fast, strict first check of run-results v6 and sources v3: every result, in one decode.

These structs mirror dbt-artifacts-parser's ``run_results_v6`` and
``sources_v3`` models (``RunResultsV6``, ``SourcesV3``: unknown fields
forbidden, the same required fields and types). msgspec is at least as
strict as pydantic's lax mode on every field (it accepts no numeric strings,
no ``3.0`` for an int), so a file it accepts pydantic accepts too, and a file
it refuses goes to pydantic for the verdict: a difference here costs time,
never a wrong warning.
``tests/artifacts/test_strict.py`` checks the agreement on real and mutated
files.
"""

from __future__ import annotations

from collections.abc import Callable
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


class FreshnessLimitV3(_Strict):
    """``warn_after`` / ``error_after``."""

    count: int | None = None
    period: Literal["minute", "hour", "day"] | None = None


class CriteriaV3(_Strict):
    """``criteria`` (``FreshnessThreshold``)."""

    warn_after: FreshnessLimitV3 | None = None
    error_after: FreshnessLimitV3 | None = None
    filter: str | None = None


class SourceResultV3(_Strict):
    """One result of sources v3, either shape the model allows (see :func:`_sources_ok`).

    msgspec takes one struct per union, so the two shapes are one struct with
    the fields of a freshness check left unset when absent.
    """

    unique_id: str
    status: Literal["pass", "warn", "error", "runtime error"]
    error: str | int | msgspec.UnsetType | None = msgspec.UNSET
    max_loaded_at: str | msgspec.UnsetType = msgspec.UNSET
    snapshotted_at: str | msgspec.UnsetType = msgspec.UNSET
    max_loaded_at_time_ago_in_s: float | msgspec.UnsetType = msgspec.UNSET
    criteria: CriteriaV3 | msgspec.UnsetType = msgspec.UNSET
    adapter_response: dict[str, Any] | msgspec.UnsetType = msgspec.UNSET
    timing: list[TimingV6] | msgspec.UnsetType = msgspec.UNSET
    thread_id: str | msgspec.UnsetType = msgspec.UNSET
    execution_time: float | msgspec.UnsetType = msgspec.UNSET


CHECK_FIELDS = (
    "max_loaded_at",
    "snapshotted_at",
    "max_loaded_at_time_ago_in_s",
    "criteria",
    "adapter_response",
    "timing",
    "thread_id",
    "execution_time",
)
"""The fields of a sources v3 freshness check, all required in that shape."""


class SourcesV3(_Strict):
    """A whole sources.json v3 (``SourcesV3``)."""

    metadata: MetadataV6
    results: list[SourceResultV3]
    elapsed_time: float


def _sources_ok(doc: SourcesV3) -> bool:
    """Every result has one of the model's two shapes (its union, unknown fields forbidden).

    A freshness check: every one of :data:`CHECK_FIELDS` and no ``error``. An
    error: ``status`` "runtime error", ``unique_id`` and perhaps ``error``, nothing else.
    """
    for result in doc.results:
        given = [getattr(result, name) is not msgspec.UNSET for name in CHECK_FIELDS]
        if all(given) and result.error is msgspec.UNSET:
            continue
        if not any(given) and result.status == "runtime error":
            continue
        return False
    return True


_STRICT: dict[tuple[str, int], tuple[type[msgspec.Struct], Callable[[Any], bool] | None]] = {
    ("run_results", 6): (RunResultsV6, None),
    ("sources", 3): (SourcesV3, _sources_ok),
}
"""The strict structs by (kind, schema version), with what the structs alone cannot say."""


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
    strict = _STRICT.get((header.kind, header.schema_version))
    if strict is None:
        return False
    struct, shapes_ok = strict
    try:
        doc = msgspec.json.decode(raw, type=struct)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return False
    return shapes_ok is None or shapes_ok(doc)
