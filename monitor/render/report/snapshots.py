"""Section 9, snapshot changes: per snapshot run, each changed key as column: old → new."""

from __future__ import annotations

from monitor.analysis.snapshots import snapshot_changes, with_recorded_at
from monitor.render.report.context import Diff, SnapshotRunView, SnapshotView
from monitor.render.report.inputs import Inputs

MAX_KEYS = 50
"""Keys listed per snapshot run; the rest are counted."""

MAX_RUNS = 20
"""Snapshot runs listed, newest first; older ones are counted."""


def build_snapshots(inputs: Inputs) -> list[SnapshotView]:
    """One view per ``--snapshot`` table."""
    return [_one(inputs, spec) for spec in inputs.options.snapshots]


def _one(inputs: Inputs, spec: str) -> SnapshotView:
    name, _, key = spec.partition(":")
    mart = inputs.marts(name)
    if mart is None or mart.latest.is_empty():
        hint = (
            f"No snapshot table {name!r} in {inputs.options.source_hint}. Export it beside "
            f"the run's artifacts as {name}.parquet before `dbt-monitor ingest`, or read it "
            "live with --warehouse PATH.duckdb."
        )
        return SnapshotView(name, None, None, [], 0, [], hint)
    table = mart.latest
    if mart.exports is not None:
        table = with_recorded_at(table, mart.exports)
    changes = snapshot_changes(table, key=key or None, since=inputs.since)
    changed = [run for run in changes.runs if run.changed or run.removed]
    runs = [
        SnapshotRunView(
            recorded_at=run.recorded_at,
            diffs=[
                Diff(k.key, [(c.column, c.old, c.new) for c in k.changes])
                for k in run.changed[:MAX_KEYS]
            ],
            more=max(len(run.changed) - MAX_KEYS, 0),
            inserted=run.inserted,
            removed=run.removed,
        )
        for run in changed[:MAX_RUNS]
    ]
    return SnapshotView(
        name=name,
        origin=mart.origin,
        key=changes.key,
        runs=runs,
        more_runs=max(len(changed) - MAX_RUNS, 0),
        quiet=[
            (run.recorded_at, run.inserted)
            for run in changes.runs
            if not (run.changed or run.removed)
        ],
        hint=None,
    )
