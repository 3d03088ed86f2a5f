"""Section 3, model performance: the slowest models with their trend and share of runtime."""

from __future__ import annotations

import datetime as dt
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
    current = {id(f) for f in inputs.findings}
    rows = [
        _row(inputs, row, flagged.get(row["unique_id"], []), current)
        for row in top.iter_rows(named=True)
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


def _row(
    inputs: Inputs, row: dict[str, Any], findings: list[Finding], current: set[int]
) -> ModelRow:
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
        flags=[(_label(f), f.severity if id(f) in current else None) for f in findings],
        flag_severity=max(
            (f.severity for f in findings if id(f) in current),
            key=RANK.__getitem__,
            default=None,
        ),
    )


def _label(finding: Finding) -> str:
    """``slow now``, ``creeping``, or ``was slow on Feb 5–6`` for a regression that ended.

    A badge describes now: a slowdown earlier in the window is told in the
    past tense and drawn in a neutral colour.
    """
    first, last = finding.evidence.get("first_seen"), finding.evidence.get("last_seen")
    if finding.kind == "slow_model" and isinstance(first, str) and isinstance(last, str):
        return (
            f"was slow on {days(dt.datetime.fromisoformat(first), dt.datetime.fromisoformat(last))}"
        )
    return FLAG_LABELS[finding.kind]


def days(first: dt.datetime, last: dt.datetime) -> str:
    """``Feb 5``, ``Feb 5–6``, ``Jan 30–Feb 2``."""
    if first.date() == last.date():
        return f"{first:%b} {first.day}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b} {first.day}–{last.day}"
    return f"{first:%b} {first.day}–{last:%b} {last.day}"
