"""Section 3, model performance: the slowest models with their trend and share of runtime."""

from __future__ import annotations

from typing import Any

from monitor.analysis.finding import RANK, Finding
from monitor.analysis.performance import build_runtime, slowest_models
from monitor.analysis.words import duration
from monitor.render.report.context import ModelRow, Performance
from monitor.render.report.formats import when
from monitor.render.report.inputs import Inputs
from monitor.render.report.runs import epoch_ms
from monitor.render.report.sparkline import sparkline

CHARTED = 8
"""Duration lines drawn in the chart for the slowest models (the table lists more)."""

EXTRA_ROWS = 10
"""Flagged models listed beyond the slowest, the latest run's findings first."""

EXTRA_LINES = 4
"""Flagged models drawn beyond the slowest."""

FLAG_LABELS = {"slow_model": "slow now", "creeping_model": "creeping"}


def build_performance(inputs: Inputs) -> Performance:
    """The latest build's slowest models, flagged ones always included."""
    build = inputs.latest_build
    if build is None:
        return Performance(None, "no build in the history", 0.0, 0, [], 0)
    flagged: dict[str, list[Finding]] = {}
    for finding in [*inputs.findings, *inputs.window_findings]:
        if finding.kind in FLAG_LABELS and finding.unique_id:
            flagged.setdefault(finding.unique_id, []).append(finding)
    extra = list(flagged)[:EXTRA_ROWS]
    top = slowest_models(
        inputs.frames,
        build,
        inputs.since,
        top=inputs.options.top_models,
        also=frozenset(extra),
    )
    rows = [
        _row(inputs, row, flagged.get(row["unique_id"], [])) for row in top.iter_rows(named=True)
    ]
    series = [
        {
            "name": row.node.name,
            "flagged": bool(row.flags),
            "points": [[epoch_ms(p["started_at"]), p["seconds"]] for p in points],
        }
        for index, (row, points) in enumerate(zip(rows, top["series"].to_list(), strict=True))
        if points and (index < CHARTED or row.node.unique_id in extra[:EXTRA_LINES])
    ]
    chart = inputs.charts.add("durations", "durations", series=series) if series else None
    total, models = build_runtime(inputs.frames, build)
    return Performance(
        chart=chart,
        build_label=inputs.invocation_label(build),
        total_runtime=total,
        models=models,
        rows=rows,
        more_flagged=len(set(flagged) - {r.node.unique_id for r in rows}),
    )


def _row(inputs: Inputs, row: dict[str, Any], findings: list[Finding]) -> ModelRow:
    points = row["series"] or []
    return ModelRow(
        node=inputs.nodes.ref(row["unique_id"]),
        latest=row["latest"],
        status=row["latest_status"],
        share=row["share"],
        median=row["median"],
        p90=row["p90"],
        runs=row["runs"],
        sparkline=sparkline(
            [(p["seconds"], f"{when(p['started_at'])}: {duration(p['seconds'])}") for p in points]
        ),
        flags=[_label(f) for f in findings],
        flag_severity=max((f.severity for f in findings), key=RANK.__getitem__, default=None),
    )


def _label(finding: Finding) -> str:
    """``slow now``, ``creeping``, or ``slow in 2 runs`` for a regression earlier in the window."""
    runs = finding.evidence.get("runs")
    if finding.kind == "slow_model" and isinstance(runs, int) and "first_seen" in finding.evidence:
        return f"slow in {runs} run{'s' if runs != 1 else ''}"
    return FLAG_LABELS[finding.kind]
