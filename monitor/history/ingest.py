"""Ingest: decoded artifact bundles into the run history, one invocation at a time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from monitor.artifacts.discover import discover
from monitor.artifacts.model import Bundle, ManifestArtifact
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history import labels as labels_mod
from monitor.history import names
from monitor.history.store import History
from monitor.history.versions import Moments, NodeIndex

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


def ingest(
    paths: Sequence[Path],
    history: History,
    *,
    user_labels: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Decode every artifact under ``paths`` and add what the history lacks.

    Each part of an invocation (its run_results or sources, its manifest, its
    catalog) is stored once: a part that arrives later completes the
    invocation, a part already stored is "present".
    """
    now = now or dt.datetime.now(dt.UTC)
    found = discover(paths, progress=progress)
    report = IngestReport()
    ci = labels_mod.ci_labels(environ or {})
    moments = Moments(history)
    nodes = NodeIndex(history, "nodes", moments)
    exposures = NodeIndex(history, "exposures", moments)
    errors: list[str] = []
    for bundle in found.each():  # decoded one at a time: memory stays flat
        try:
            names.check_id(bundle.run.invocation_id)
        except MonitorError as err:
            errors.append(f"{bundle.run.header.path}: {err}")
            continue
        try:
            done = _ingest_bundle(
                bundle, history, nodes, exposures, ci, dict(user_labels or {}), now, report
            )
        except MonitorError as err:  # the history refuses writes: the rest would fail alike
            errors.append(str(err))
            break
        report.invocations.append(done)
    report.errors = [*found.errors, *errors]
    report.warnings = [*found.warnings, *report.warnings]
    return report


def _ingest_bundle(
    bundle: Bundle,
    history: History,
    nodes: NodeIndex,
    exposures: NodeIndex,
    ci: Mapping[str, str],
    user_labels: Mapping[str, str],
    now: dt.datetime,
    report: IngestReport,
) -> Ingested:
    run = bundle.run
    invocation_id = run.invocation_id
    started_at = run.invocation["started_at"][0]
    assert isinstance(started_at, dt.datetime)
    if run.header.kind == "manifest":  # a manifest alone: its run may be stored already
        started_at = _stored_start(history, invocation_id, started_at) or started_at
    day = started_at.date()
    command = str(run.invocation["command"][0] or "")
    done = Ingested(
        invocation_id, "present", started_at, command, run.results.height, run.header.path
    )
    offered = {"run"} if run.header.kind in ("run_results", "sources") else set()
    tables = {}
    if bundle.manifest is not None:
        offered.add("manifest")
        # learned even when the manifest is already stored: node versions then
        # come out the same whatever order (or however many processes) ingest
        tables["nodes"] = nodes.new_rows(bundle.manifest.nodes, invocation_id, started_at)
        tables["exposures"] = exposures.new_rows(
            bundle.manifest.exposures, invocation_id, started_at
        )
    if bundle.catalog is not None:
        offered.add("catalog")
        tables["catalog"] = bundle.catalog.stats.with_columns(
            pl.lit(invocation_id).alias("invocation_id")
        )
    stored = history.committed_parts(invocation_id, day)
    new = tuple(p for p in names.PARTS if p in offered and not names.covers(stored, p))
    if not new:
        return done
    recent_ci = ci if abs(now - started_at) <= labels_mod.CI_RECENT else {}
    tables["invocations"] = _invocation_row(bundle, recent_ci, user_labels, now)
    tables["node_runs" if run.header.kind == "run_results" else "freshness"] = run.results
    if run.code is not None:
        tables["compiled_code"] = run.code
    marts = {}
    for name, path in bundle.marts.items():
        if names.mart_name_ok(name):
            marts[name] = path
        else:
            report.warnings.append(
                f"{path}: {name!r} cannot name a mart (letters, digits, _ and - only); not stored"
            )
    if not history.write_invocation(day, invocation_id, tables, marts, parts=new):
        return done  # another process committed these parts first
    return Ingested(
        invocation_id, "added", started_at, command, run.results.height, run.header.path
    )


def _stored_start(history: History, invocation_id: str, around: dt.datetime) -> dt.datetime | None:
    """When a stored run of this invocation started (dbt writes the manifest soon after)."""
    since = (around - dt.timedelta(days=1)).date()
    found = (
        history.scan("invocations", since=since)
        .filter((pl.col("invocation_id") == invocation_id) & (pl.col("artifact") != "manifest"))
        .select("started_at")
        .collect(engine=ENGINE)
    )
    return found["started_at"][0] if found.height else None


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
        }
    return row.with_columns(
        pl.Series(name, [value], dtype=row.schema[name]) for name, value in updates.items()
    )
