"""Dagster: dbt-monitor after each dagster-dbt invocation, its findings as asset checks.

Needs the optional extra ``dagster`` (``pip install 'dbt-monitor[dagster]'``:
dagster and dagster-dbt); nothing else in ``monitor`` imports this module, and
it imports Dagster only when called.

- :func:`ingest_invocation`: once a ``DbtCliResource.cli(...)`` invocation has
  finished (``.wait()``), ingest the artifacts in its target path, labelled
  with the Dagster run id, the job name and the partition key.
- :func:`check_specs`: one asset check per concern for each dbt asset of a
  manifest (:data:`CHECKS`), for ``@multi_asset_check(specs=...)``.
- :func:`check_results`: the results of those checks for the dbt invocations
  a Dagster run ingested: a check fails when the run has a finding of its
  kinds for that node, with the finding's severity and evidence as metadata.
- :func:`write_report`: the HTML report, as ``dbt-monitor report -o PATH``
  writes it; a user error is raised as :class:`~monitor.errors.MonitorError`
  (Dagster shows it as the step's failure) instead of exiting the process.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from monitor.analysis.check import check
from monitor.analysis.config import Config
from monitor.analysis.finding import Finding
from monitor.analysis.load import load_frames
from monitor.artifacts.discover import is_artifact_name
from monitor.cli.options import write_text
from monitor.cli.report import make_report
from monitor.engine import ENGINE
from monitor.history.ingest import IngestReport, ingest
from monitor.history.store import History
from monitor.notify.incidents import open_incidents
from monitor.render.report import ReportOptions

if TYPE_CHECKING:  # dagster is an optional extra
    from dagster import AssetCheckResult, AssetCheckSpec, AssetKey

RUN_ID_LABEL = "dagster_run_id"
JOB_LABEL = "job"
PARTITION_LABEL = "dagster_partition"


@dataclass(frozen=True)
class Concern:
    """One asset check: the finding kinds it reports and the dbt resources it watches."""

    name: str
    kinds: tuple[str, ...]
    resource_types: tuple[str, ...]
    description: str


CHECKS = (
    Concern(
        "dbt_monitor_runtime",
        ("slow_model", "creeping_model"),
        ("model", "seed", "snapshot"),
        "dbt-monitor: the run time is not far above its own history, nor creeping up",
    ),
    Concern(
        "dbt_monitor_volume",
        ("volume_anomaly",),
        ("model", "seed", "snapshot"),
        "dbt-monitor: rows written are within their recent range (where the adapter counts rows)",
    ),
    Concern(
        "dbt_monitor_freshness",
        ("source_stale", "source_not_advancing", "freshness_unmonitored"),
        ("source",),
        "dbt-monitor: the source is fresh and its data advances",
    ),
)
"""The asset checks, one per concern."""

EVIDENCE_KEYS = (
    "execution_time",
    "baseline_median",
    "baseline_runs",
    "ratio",
    "weekly_growth",
    "rows",
    "status",
    "age_seconds",
    "max_loaded_at",
    "error_after_seconds",
    "cause",
)
"""Evidence shown as plain metadata entries (the whole evidence is in ``findings``)."""


def ingest_invocation(
    invocation: Any,
    history: str | Path,
    *,
    run_id: str,
    job_name: str,
    partition_key: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> IngestReport:
    """Ingest what a finished dagster-dbt invocation wrote in its target path.

    ``invocation`` is a ``DbtCliInvocation`` (anything with a ``target_path``);
    call it after ``.wait()`` or after streaming its events, also when dbt
    failed: a failed build is history too.
    """
    target = Path(invocation.target_path)
    if not target.is_dir():  # dbt died before it made its target folder
        return IngestReport(warnings=[f"{target}: no artifacts written; nothing to ingest"])
    files = sorted(p for p in target.iterdir() if p.is_file() and is_artifact_name(p.name))
    tags = {RUN_ID_LABEL: run_id, JOB_LABEL: job_name, **(labels or {})}
    if partition_key is not None:
        tags[PARTITION_LABEL] = partition_key
    return ingest(files, History(str(history)), user_labels=tags)


def check_specs(manifest: Mapping[str, Any], translator: Any = None) -> list[AssetCheckSpec]:
    """The dbt-monitor asset checks of every model, seed, snapshot and source in ``manifest``."""
    from dagster import AssetCheckSpec

    return [
        AssetCheckSpec(concern.name, asset=key, description=concern.description)
        for _, key, concern in _targets(manifest, translator)
    ]


def check_results(
    history: str | Path,
    run_id: str,
    manifest: Mapping[str, Any],
    translator: Any = None,
    config: Config | None = None,
) -> list[AssetCheckResult]:
    """One result per spec of :func:`check_specs`, from the invocations of Dagster run ``run_id``.

    A check fails when one of the run's invocations has a warn or error
    finding of its kinds for the node: severity ERROR when one is an error,
    else WARN; metadata: the findings (info ones too: they pass), with
    message and evidence, and the main figures.
    A node none of the run's invocations judged passes, saying so.
    """
    from dagster import AssetCheckResult, AssetCheckSeverity

    config = config or Config()
    findings, judged = _run_findings(History(str(history)), run_id, config)
    results = []
    for unique_id, key, concern in _targets(manifest, translator):
        mine = [f for f in findings if f.unique_id == unique_id and f.kind in concern.kinds]
        metadata: dict[str, Any] = {"dagster_run_id": run_id}
        if mine:
            metadata["findings"] = [
                {"kind": f.kind, "severity": f.severity, "message": f.message, **f.evidence}
                for f in mine
            ]
            metadata.update(_figures(mine[0]))
        elif unique_id not in judged:
            metadata["note"] = "not run by this Dagster run: nothing to judge"
        failing = [f for f in mine if f.severity in ("warn", "error")]
        errors = any(f.severity == "error" for f in failing)
        results.append(
            AssetCheckResult(
                asset_key=key,
                check_name=concern.name,
                passed=not failing,
                severity=AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN,
                description=(failing or mine)[0].message if mine else None,
                metadata=metadata,
            )
        )
    return results


def write_report(history: str | Path, output: str | Path, since: str = "30d") -> Path:
    """Write the HTML report of ``history`` to ``output``, as ``dbt-monitor report`` does.

    The command's defaults (``--since 30d``, the funnel and snapshot
    sections from the history's mart exports); returns the path written.
    """
    store = History(str(history))
    options = ReportOptions(
        span=dt.timedelta(0),
        source_hint=f"{store.root}/marts",
        incidents=open_incidents(store),
    )
    path = Path(output)
    write_text(path, make_report(store, options, None, span=since))
    return path


def _targets(manifest: Mapping[str, Any], translator: Any) -> list[tuple[str, AssetKey, Concern]]:
    """(unique_id, asset key, concern) for every node a concern watches, as dagster-dbt keys it."""
    from dagster_dbt import DagsterDbtTranslator

    translator = translator or DagsterDbtTranslator()
    nodes = {**manifest.get("nodes", {}), **manifest.get("sources", {})}
    found = []
    for unique_id in sorted(nodes):
        props = nodes[unique_id]
        for concern in CHECKS:
            if props.get("resource_type") in concern.resource_types:
                key = translator.get_asset_spec(manifest, unique_id, None).key
                found.append((unique_id, key, concern))
    return found


def _run_findings(history: History, run_id: str, config: Config) -> tuple[list[Finding], set[str]]:
    """The findings of the run's invocations, and the nodes and sources they judged."""
    if history.is_empty():  # nothing was ingested: every check passes, saying so
        return [], set()
    labels = pl.col("labels").list.eval(
        (pl.element().struct.field("key") == RUN_ID_LABEL)
        & (pl.element().struct.field("value") == run_id)
    )
    mine = (
        history.scan("invocations")
        .filter(labels.list.any())
        .select("invocation_id")
        .unique()
        .collect(engine=ENGINE)
    )
    wanted = mine["invocation_id"].to_list()
    if not wanted:
        return [], set()
    frames, ids = load_frames(history, config.lookback_days, wanted)
    findings: list[Finding] = []
    for invocation_id in ids:
        findings.extend(check(frames, invocation_id, config).findings)
    judged = set(
        frames.node_runs.filter(pl.col("invocation_id").is_in(ids))["unique_id"].to_list()
    ) | set(frames.freshness.filter(pl.col("invocation_id").is_in(ids))["unique_id"].to_list())
    return findings, judged


def _figures(finding: Finding) -> dict[str, Any]:
    return {key: finding.evidence[key] for key in EVIDENCE_KEYS if key in finding.evidence}
