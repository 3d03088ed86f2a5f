"""Section 4, last run timeline: the latest build per thread, idle time, critical path."""

from __future__ import annotations

import math

from monitor.analysis.critical_path import Timeline as BuildTimeline
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
    result = inputs.build_timeline
    assert result is not None
    ran = {
        uid: (seconds, status)
        for uid, seconds, status in result.bars.select("unique_id", "seconds", "status").iter_rows()
    }
    return Timeline(
        chart=_chart(inputs, result),
        build_label=inputs.invocation_label(build),
        span=result.span,
        bars=result.bars.height,
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
            CriticalStep(inputs.nodes.ref(uid), *ran.get(uid, (0.0, "—")))
            for uid in result.critical_path
        ],
        critical_seconds=result.critical_seconds,
        critical_share=result.critical_share,
    )


def _chart(inputs: Inputs, result: BuildTimeline) -> str | None:
    """One compact row per bar: thread, start, end, status, critical, seconds, type.

    Names, statuses, threads and types are sent once and referred to by
    index; bar ``i`` is node ``names[i]``.
    """
    if result.bars.is_empty():
        return None
    critical = set(result.critical_path)
    threads = result.threads["thread"].to_list()
    thread_index = {name: i for i, name in enumerate(threads)}
    statuses = list(STATUSES)
    types: list[str] = []
    digits = _digits(result.span)
    names = []
    bars = []
    for uid, rtype, status, thread, start, end, seconds in result.bars.iter_rows():
        for known, value in ((statuses, status), (types, rtype)):
            if value not in known:
                known.append(value)
        names.append(name_of(uid))
        bars.append(
            [
                thread_index[thread],
                round(start, digits),
                round(end, digits),
                statuses.index(status),
                int(uid in critical),
                round(seconds, digits),
                types.index(rtype),
            ]
        )
    origin = epoch_ms(result.origin) if result.origin else None
    return inputs.charts.add(
        "gantt", "gantt", origin=origin, threads=threads, statuses=statuses,
        names=names, types=types, bars=bars,
    )  # fmt: skip


def _digits(span: float) -> int:
    """Decimals that keep about four significant digits of the build's span."""
    return max(0, 3 - int(math.log10(span))) if span >= 1 else 3
