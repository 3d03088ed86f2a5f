"""The one-row ``invocations`` frame shared by run_results.json and sources.json."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from monitor import schema
from monitor.artifacts import coerce, sanity
from monitor.artifacts.detect import SLUG
from monitor.artifacts.model import Header, ManifestArtifact, RunArtifact
from monitor.artifacts.read import fail

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/dbt-monitor/invocations")

_COUNTED = {status: f"n_{status.replace(' ', '_')}" for status in schema.STATUSES}


@dataclass(frozen=True)
class Args:
    """What dbt's ``args`` say about how it was called (all optional)."""

    command: str | None = None
    invocation_command: str | None = None
    target: str | None = None
    selector: str | None = None
    full_refresh: bool | None = None
    threads: int | None = None


@dataclass(frozen=True)
class Facts:
    """Everything the invocation row needs from one run file."""

    header: Header
    raw: bytes
    elapsed_time: float | None
    invocation_started_at: object
    env: object
    args: Args
    statuses: list[str | None]
    timing_starts: Iterable[dt.datetime | None]


def invocation_id(header: Header, raw: bytes) -> str:
    """The file's invocation_id, or (very old dbt) a uuid derived from its content."""
    if header.invocation_id:
        return header.invocation_id
    return str(uuid.uuid5(_NAMESPACE, hashlib.sha256(raw).hexdigest()))


def started_at(facts: Facts) -> dt.datetime:
    """When the invocation started, from the best evidence the file holds.

    ``metadata.invocation_started_at`` (dbt ≥ 1.9), else the earliest timing
    of any result, else ``generated_at`` minus ``elapsed_time``.
    """
    recorded = coerce.timestamp(facts.invocation_started_at)
    if recorded is not None:
        return recorded
    starts = [when for when in facts.timing_starts if when is not None]
    if starts:
        return min(starts)
    generated = coerce.timestamp(facts.header.generated_at)
    if generated is None:
        raise fail(
            facts.header.path,
            f"metadata.generated_at is not a timestamp: {facts.header.generated_at!r}",
        )
    sanity.check_dated(facts.header.path, generated, "metadata.generated_at")
    return generated - dt.timedelta(seconds=facts.elapsed_time or 0.0)


def invocation_frame(facts: Facts) -> pl.DataFrame:
    """The one-row :data:`monitor.schema.INVOCATIONS` frame (manifest columns null)."""
    header = facts.header
    when = started_at(facts)
    sanity.check_dated(header.path, when, "the invocation started at")
    generated = coerce.timestamp(header.generated_at)
    if generated is not None:
        sanity.check_dated(header.path, generated, "metadata.generated_at")
    counts = Counter(facts.statuses)
    row: dict[str, Any] = {
        "invocation_id": invocation_id(header, facts.raw),
        "artifact": header.kind,
        "command": facts.args.command,
        "invocation_command": facts.args.invocation_command,
        "started_at": when,
        "generated_at": generated,
        "elapsed_time": facts.elapsed_time,
        "dbt_version": header.dbt_version,
        "schema_version": f"{SLUG[header.kind]}/v{header.schema_version}",
        "target": facts.args.target,
        "selector": facts.args.selector,
        "full_refresh": facts.args.full_refresh,
        "threads": facts.args.threads,
        "env": [
            {"key": str(key), "value": coerce.text(value)}
            for key, value in (facts.env.items() if isinstance(facts.env, dict) else ())
        ],
        "n_results": len(facts.statuses),
    }
    for status, column in _COUNTED.items():
        row[column] = counts.get(status, 0)
    return pl.DataFrame(
        {name: [row.get(name)] for name in schema.INVOCATIONS.names()},
        schema=schema.INVOCATIONS,
    )


def manifest_only(manifest: ManifestArtifact) -> RunArtifact:
    """An invocation known only from its manifest (``dbt parse``, ``dbt ls``, a lone file).

    It executed nothing: no results, command ``manifest only``; its node
    versions still enter the history.
    """
    header = manifest.header
    facts = Facts(
        header=header,
        raw=f"{header.path}|{header.generated_at}".encode(),
        elapsed_time=None,
        invocation_started_at=None,
        env=None,
        args=Args(command="manifest only"),
        statuses=[],
        timing_starts=(),
    )
    return RunArtifact(header, invocation_frame(facts), schema.empty("node_runs"))
