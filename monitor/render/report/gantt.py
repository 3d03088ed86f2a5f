"""Section 4, last run timeline: the latest build per thread, idle time, critical path."""

from __future__ import annotations

import math

from monitor.analysis.critical_path import timeline
from monitor.analysis.words import name_of
from monitor.render.report.context import CriticalStep, ThreadView, Timeline
from monitor.render.report.inputs import Inputs
from monitor.render.report.runs import epoch_ms

STATUSES = ("success", "pass", "warn", "fail", "error", "skipped", "runtime error")
"""Status codes in the chart data, by index (unknown statuses get their own)."""


def build_timeline(inputs: Inputs) -> Timeline:
    """Gantt data for the latest build, with its threads' idle time and critical path."""
    build = inputs.latest_build
    if build is None:
        return Timeline(None, "no build in the history", 0.0, 0, [], [], 0.0, None)
    result = timeline(inputs.frames, build)
    critical = set(result.critical_path)
    threads = result.threads["thread"].to_list()
    thread_index = {name: i for i, name in enumerate(threads)}
    statuses = list(STATUSES)
    digits = _digits(result.span)
    names: list[str] = []
    types: list[str] = []
    bars = []
    for uid, rtype, status, thread, start, end, seconds in result.bars.iter_rows():
        if status not in statuses:
            statuses.append(status)
        names.append(name_of(uid))
        if rtype not in types:
            types.append(rtype)
        bars.append(
            [
                thread_index[thread],
                round(start, digits),
                round(end, digits),
                statuses.index(status),
                len(names) - 1,
                int(uid in critical),
                round(seconds, digits),
                types.index(rtype),
            ]
        )
    chart = None
    if bars:
        chart = inputs.charts.add(
            "gantt",
            "gantt",
            origin=epoch_ms(result.origin) if result.origin else None,
            threads=threads,
            statuses=statuses,
            names=names,
            types=types,
            bars=bars,
        )
    seconds_by_node = dict(
        inputs.frames.node_runs.filter(inputs.frames.node_runs["invocation_id"] == build)
        .select("unique_id", "execution_time")
        .iter_rows()
    )
    status_by_node = dict(result.bars.select("unique_id", "status").iter_rows())
    return Timeline(
        chart=chart,
        build_label=inputs.invocation_label(build),
        span=result.span,
        bars=len(bars),
        threads=[
            ThreadView(
                name=row["thread"],
                nodes=row["nodes"],
                busy=row["busy"],
                idle=row["idle"],
                idle_share=row["idle_share"],
            )
            for row in result.threads.iter_rows(named=True)
        ],
        critical=[
            CriticalStep(
                inputs.nodes.ref(uid),
                seconds_by_node.get(uid) or 0.0,
                status_by_node.get(uid, "—"),
            )
            for uid in result.critical_path
        ],
        critical_seconds=result.critical_seconds,
        critical_share=result.critical_share,
    )


def _digits(span: float) -> int:
    """Decimals that keep about four significant digits of the build's span."""
    return max(0, 3 - int(math.log10(span))) if span >= 1 else 3
