"""Section 6, source freshness: age at each check against warn/error bands, stale periods."""

from __future__ import annotations

import polars as pl

from monitor.analysis.source_ages import (
    source_ages,
    source_summary,
    stale_periods,
    unmonitored,
)
from monitor.analysis.words import age
from monitor.render.report.context import Freshness, SourceView
from monitor.render.report.formats import when
from monitor.render.report.inputs import Inputs
from monitor.render.report.runs import epoch_ms
from monitor.render.report.sparkline import sparkline

CHARTED = 12
"""Sources drawn as a chart each, the stale ones first; the next get a table row."""

LISTED = 60
"""Sources listed in all; the rest (the least troubled) are only counted."""


def build_freshness(inputs: Inputs) -> Freshness:
    """One row per checked source, a chart for the most interesting ones."""
    ages = source_ages(inputs.frames, inputs.since)
    periods = stale_periods(ages)
    sources = []
    summary = source_summary(ages)
    for index, row in enumerate(summary.head(LISTED).iter_rows(named=True)):
        uid = row["unique_id"]
        checks = ages.filter(pl.col("unique_id") == uid)
        chart = None
        if index < CHARTED:
            chart = inputs.charts.add(
                f"fresh-{index}",
                "freshness",
                name=inputs.nodes.ref(uid).name,
                t=[epoch_ms(v) for v in checks["checked_at"].to_list()],
                age=[(v or 0) / 3600 for v in checks["age"].to_list()],
                status=checks["status"].to_list(),
                warn=row["warn_after"] / 3600 if row["warn_after"] else None,
                error=row["error_after"] / 3600 if row["error_after"] else None,
                stale=[
                    [epoch_ms(p["start"]), epoch_ms(p["end"]), p["status"]]
                    for p in periods.filter(pl.col("unique_id") == uid).iter_rows(named=True)
                ],
            )
        sources.append(
            SourceView(
                node=inputs.nodes.ref(uid),
                status=row["status"],
                age=row["age"],
                warn_after=row["warn_after"],
                error_after=row["error_after"],
                checks=row["checks"],
                stale_checks=row["stale_checks"],
                chart=chart,
                sparkline=None
                if chart
                else sparkline(
                    [
                        (a or 0.0, f"{when(t)}: {age(a or 0.0)} old, {s}")
                        for t, a, s in checks.select("checked_at", "age", "status").iter_rows()
                    ],
                    hover=False,
                ),
            )
        )
    at = inputs.latest_at
    return Freshness(
        sources=sources,
        unmonitored=[inputs.nodes.ref(u, card=False) for u in unmonitored(inputs.frames, at)]
        if at
        else [],
        not_charted=max(len(sources) - CHARTED, 0),
        not_listed=max(summary.height - LISTED, 0),
    )
