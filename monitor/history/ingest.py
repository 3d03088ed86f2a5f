"""Ingest: decoded artifact bundles into the run history, one invocation at a time."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from monitor.artifacts.discover import discover
from monitor.artifacts.model import Bundle, ManifestArtifact
from monitor.history import labels as labels_mod
from monitor.history.store import History

Outcome = Literal["added", "present"]


@dataclass(frozen=True)
class Ingested:
    """What happened to one invocation."""

    invocation_id: str
    outcome: Outcome
    started_at: dt.datetime
    command: str
    results: int
    source: Path


@dataclass
class IngestReport:
    """The outcome of one ``ingest``: per invocation, plus file-level errors."""

    invocations: list[Ingested] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, outcome: Outcome) -> int:
        """How many invocations had ``outcome``."""
        return sum(1 for item in self.invocations if item.outcome == outcome)


class _NodeIndex:
    """When each node version was seen taking effect (its sightings), per node.

    A version is stored again only when it is not already the one in effect
    at that moment: unchanged nodes add nothing run after run, and a version
    that comes back (a pull request's edit, then the nightly run of main) is
    recorded again, so it is current again from then on.
    """

    def __init__(self, history: History, table: str) -> None:
        seen = (
            history.scan(table)
            .select("unique_id", "first_seen_at", "version")
            .unique()
            .sort("first_seen_at")
            .collect()
        )
        self.sightings: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for uid, when, version in seen.iter_rows():
            self.sightings[uid].append((when, version))

    def in_effect(self, unique_id: str, at: dt.datetime) -> str | None:
        """The version of ``unique_id`` in effect at ``at`` (None before its first sighting)."""
        seen = self.sightings.get(unique_id, [])
        index = bisect.bisect_right(seen, at, key=lambda sighting: sighting[0])
        return seen[index - 1][1] if index else None

    def new_rows(self, frame: pl.DataFrame, invocation_id: str, at: dt.datetime) -> pl.DataFrame:
        """Rows of ``frame`` whose version is not the one in effect at ``at``."""
        pairs = frame.select("unique_id", "version").iter_rows()
        keep = [self.in_effect(uid, at) != version for uid, version in pairs]
        fresh = frame.filter(pl.Series(keep, dtype=pl.Boolean))
        for uid, version in fresh.select("unique_id", "version").iter_rows():
            bisect.insort(self.sightings[uid], (at, version))
        return fresh.with_columns(
            pl.lit(invocation_id).alias("first_seen_invocation"),
            pl.lit(at).cast(pl.Datetime("us", "UTC")).alias("first_seen_at"),
        )


def ingest(
    paths: Sequence[Path],
    history: History,
    *,
    user_labels: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Decode every artifact under ``paths`` and add the new invocations to ``history``."""
    now = now or dt.datetime.now(dt.UTC)
    found = discover(paths, progress=progress)
    report = IngestReport()
    ci = labels_mod.ci_labels(environ or {})
    nodes = _NodeIndex(history, "nodes")
    exposures = _NodeIndex(history, "exposures")
    for bundle in found.each():  # decoded one at a time: memory stays flat
        report.invocations.append(
            _ingest_bundle(bundle, history, nodes, exposures, ci, dict(user_labels or {}), now)
        )
    report.errors, report.warnings = list(found.errors), list(found.warnings)
    return report


def _ingest_bundle(
    bundle: Bundle,
    history: History,
    nodes: _NodeIndex,
    exposures: _NodeIndex,
    ci: Mapping[str, str],
    user_labels: Mapping[str, str],
    now: dt.datetime,
) -> Ingested:
    run = bundle.run
    invocation_id = run.invocation_id
    started_at = run.invocation["started_at"][0]
    assert isinstance(started_at, dt.datetime)
    day = started_at.date()
    command = str(run.invocation["command"][0] or "")
    done = Ingested(
        invocation_id, "present", started_at, command, run.results.height, run.header.path
    )
    if history.has_invocation(invocation_id, day):
        return done
    recent_ci = ci if abs(now - started_at) <= labels_mod.CI_RECENT else {}
    tables = {
        "invocations": _invocation_row(bundle, recent_ci, user_labels, now),
        "node_runs" if run.header.kind == "run_results" else "freshness": run.results,
    }
    if run.code is not None:
        tables["compiled_code"] = run.code
    if bundle.manifest is not None:
        tables["nodes"] = nodes.new_rows(bundle.manifest.nodes, invocation_id, started_at)
        tables["exposures"] = exposures.new_rows(
            bundle.manifest.exposures, invocation_id, started_at
        )
    if bundle.catalog is not None:
        tables["catalog"] = bundle.catalog.stats.with_columns(
            pl.lit(invocation_id).alias("invocation_id")
        )
    history.write_invocation(day, invocation_id, tables, bundle.marts)
    return Ingested(
        invocation_id, "added", started_at, command, run.results.height, run.header.path
    )


def _invocation_row(
    bundle: Bundle,
    ci: Mapping[str, str],
    user_labels: Mapping[str, str],
    now: dt.datetime,
) -> pl.DataFrame:
    row = bundle.run.invocation
    env = [(item["key"], item["value"]) for item in (row["env"].to_list()[0] or [])]
    manifest: ManifestArtifact | None = bundle.manifest
    updates: dict[str, object] = {
        "labels": labels_mod.merge_labels(env, ci, user_labels),
        "ingested_at": now,
    }
    if manifest is not None:
        updates |= {
            "manifest_schema_version": f"manifest/v{manifest.header.schema_version}",
            "project_name": manifest.project_name,
            "project_id": manifest.project_id,
            "adapter_type": manifest.adapter_type,
            "adapter_version": manifest.adapter_version,
        }
    return row.with_columns(
        pl.Series(name, [value], dtype=row.schema[name]) for name, value in updates.items()
    )
