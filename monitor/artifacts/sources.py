"""Decode sources.json (v1–v3, ``dbt source freshness``) into FRESHNESS rows.

Each result is either a freshness outcome (pass / warn / error with
``max_loaded_at``, ``snapshotted_at`` and the criteria) or a ``runtime error``
with only an ``error`` message. Criteria are converted to seconds.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import msgspec
import polars as pl

from monitor import schema
from monitor.artifacts import coerce, sanity, secrets
from monitor.artifacts.detect import describe
from monitor.artifacts.invocation import Args, Facts, invocation_frame, invocation_id
from monitor.artifacts.model import Header, RunArtifact
from monitor.artifacts.read import decode_typed
from monitor.artifacts.run_results import Metadata, Timing
from monitor.artifacts.validate import schema_warning

COMMAND = "source freshness"
"""The dbt command that writes sources.json."""


class Threshold(msgspec.Struct, gc=False):
    """``{count, period}``: a warn_after or error_after."""

    count: Any = None
    period: Any = None

    def seconds(self) -> float | None:
        """The threshold in seconds (``None`` when not set)."""
        return coerce.duration(self.count, self.period)


class Criteria(msgspec.Struct, gc=False):
    """dbt's ``FreshnessThreshold``."""

    warn_after: Threshold | None = None
    error_after: Threshold | None = None
    filter: Any = None


class _Result(msgspec.Struct, gc=False):
    unique_id: str
    status: Any = None
    max_loaded_at: Any = None
    snapshotted_at: Any = None
    max_loaded_at_time_ago_in_s: Any = None
    criteria: Criteria | None = None
    timing: list[Timing] | None = None
    thread_id: Any = None
    execution_time: Any = None
    error: Any = None


class _Sources(msgspec.Struct, gc=False):
    metadata: Metadata
    results: list[_Result]
    elapsed_time: Any = None


def decode_sources(header: Header, raw: bytes, *, validate: bool = True) -> RunArtifact:
    """Decode the sources.json whose bytes are ``raw`` (header already read)."""
    doc = decode_typed(header.path, describe(header), raw, _Sources)
    results = doc.results
    statuses = [coerce.lower(result.status) for result in results]
    freshness = _freshness(invocation_id(header, raw), results, statuses)
    freshness, elapsed, impossible = sanity.impossible_times(
        header.path, freshness, coerce.number(doc.elapsed_time)
    )
    env, dropped = secrets.safe_env(doc.metadata.env)
    facts = Facts(
        header=header,
        raw=raw,
        elapsed_time=elapsed,
        invocation_started_at=doc.metadata.invocation_started_at,
        env=env,
        args=Args(command=COMMAND),
        statuses=statuses,
        timing_starts=[
            coerce.timestamp(item.started_at) for result in results for item in result.timing or ()
        ],
    )
    warning = schema_warning(header, raw) if validate else None
    hidden = secrets.env_warning(header.path, dropped)
    warnings = tuple(line for line in (warning, impossible, hidden) if line)
    return RunArtifact(header, invocation_frame(facts), freshness, warnings)


def _freshness(invocation: str, results: list[_Result], statuses: list[str | None]) -> pl.DataFrame:
    criteria = [result.criteria or Criteria() for result in results]
    loaded = [coerce.timestamp(result.max_loaded_at) for result in results]
    snapshotted = [coerce.timestamp(result.snapshotted_at) for result in results]
    columns: dict[str, list[Any]] = {
        "invocation_id": [invocation] * len(results),
        "unique_id": [result.unique_id for result in results],
        "status": statuses,
        "max_loaded_at": loaded,
        "snapshotted_at": snapshotted,
        "age": [
            _age(result.max_loaded_at_time_ago_in_s, start, end)
            for result, start, end in zip(results, loaded, snapshotted, strict=True)
        ],
        "warn_after": [item.warn_after.seconds() if item.warn_after else None for item in criteria],
        "error_after": [
            item.error_after.seconds() if item.error_after else None for item in criteria
        ],
        "filter": [coerce.text(item.filter) for item in criteria],
        "execution_time": [coerce.number(result.execution_time) for result in results],
        "thread_id": [coerce.text(result.thread_id) for result in results],
        "error": [coerce.text(result.error) for result in results],
    }
    return pl.DataFrame(columns, schema=schema.FRESHNESS)


def _age(
    reported: object, loaded: dt.datetime | None, snapshotted: dt.datetime | None
) -> float | None:
    """The reported ``max_loaded_at_time_ago_in_s``, else the difference of the two timestamps."""
    seconds = coerce.number(reported)
    if seconds is not None:
        return seconds
    if loaded is None or snapshotted is None:
        return None
    return (snapshotted - loaded).total_seconds()
