"""What-if and forecast answers as terminal text and JSON."""

from __future__ import annotations

import datetime as dt
import json

from monitor.analysis.schedule.forecast import Forecast
from monitor.analysis.schedule.whatif import WhatIf
from monitor.analysis.words import duration, name_of


def _clock(when: dt.datetime | None) -> str:
    return "-" if when is None else when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _threads(count: int) -> str:
    return f"{count} thread{'' if count == 1 else 's'}"


def _iso(when: dt.datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def whatif_text(result: WhatIf, scenario: list[str]) -> str:
    """The prediction, the critical path and the leverage ranking, for a terminal."""
    build = result.build
    source = (
        f"invocation {build.invocation_id[:8]}"
        if result.runs_used == 1
        else f"median node times of {result.runs_used} runs, graph of {build.invocation_id[:8]}"
    )
    error = (
        f"; replay error {(result.baseline_seconds / build.recorded_span - 1):+.1%}"
        if build.recorded_span and result.runs_used == 1
        else ""
    )
    lines = [
        f"what-if on {source} ({len(build.graph)} nodes, {_threads(build.threads)}, "
        f"started {build.started_at:%Y-%m-%d %H:%M} UTC)",
        f"  baseline   {duration(result.baseline_seconds):>10}  finishes "
        f"{_clock(result.baseline_finish)}  (recorded {duration(build.recorded_span)}{error})",
    ]
    if scenario:
        change = result.predicted_seconds - result.baseline_seconds
        lines.append(
            f"  predicted  {duration(result.predicted_seconds):>10}  finishes "
            f"{_clock(result.predicted_finish)}  ({change:+.1f} s with {', '.join(scenario)})"
        )
    lines.append(f"  critical path ({_threads(result.threads)}): {_path(result.critical_path)}")
    if result.leverage:
        lines.append("  leverage: nodes whose 50 % speed-up shortens the build most")
        names = [_short(name_of(item.unique_id)) for item in result.leverage]
        width = max(len(name) for name in names)
        for rank, (name, item) in enumerate(zip(names, result.leverage, strict=True), 1):
            lines.append(
                f"  {rank:>4}. {name:<{width}}  {duration(item.seconds):>9}"
                f"  saves {duration(item.seconds_saved)}"
            )
    elif not scenario:
        lines.append("  leverage: no single node's 50 % speed-up shortens this build")
    return "\n".join(lines) + "\n"


PATH_SHOWN = 8
"""Nodes of the critical path named in text; JSON lists them all."""


def _path(ids: list[str]) -> str:
    if not ids:
        return "-"
    names = [_short(name_of(uid)) for uid in ids]
    if len(names) <= PATH_SHOWN:
        return " → ".join(names)
    head = PATH_SHOWN // 2
    hidden = len(names) - PATH_SHOWN
    return " → ".join([*names[:head], f"… {hidden} more …", *names[-head:]])


def _short(name: str, most: int = 40) -> str:
    return name if len(name) <= most else name[: most - 1] + "…"


def whatif_json(result: WhatIf) -> str:
    """``baseline_seconds``, ``predicted_seconds``, ``critical_path``, ``leverage`` and context."""
    build = result.build
    doc = {
        "invocation_id": build.invocation_id,
        "runs_used": result.runs_used,
        "threads": result.threads,
        "recorded_seconds": round(build.recorded_span, 3),
        "baseline_seconds": round(result.baseline_seconds, 3),
        "predicted_seconds": round(result.predicted_seconds, 3),
        "baseline_finish": _iso(result.baseline_finish),
        "predicted_finish": _iso(result.predicted_finish),
        "critical_path": result.critical_path,
        "leverage": [
            {
                "unique_id": item.unique_id,
                "seconds": round(item.seconds, 3),
                "seconds_saved": round(item.seconds_saved, 3),
            }
            for item in result.leverage
        ],
    }
    return json.dumps(doc, indent=2) + "\n"


def forecast_text(result: Forecast) -> str:
    """The next run's P50/P90 finish and each exposure's ready time, for a terminal."""
    every = result.period.total_seconds() / 3600
    lines = [
        f"forecast for job {result.job}: next run at {_clock(result.next_start)} "
        f"(every {every:.1f} h)",
        f"  from {result.runs_used} runs ({result.samples} Monte Carlo samples through the "
        f"scheduler replay, {len(result.build.graph)} nodes, {_threads(result.build.threads)})",
        f"  finish  P50 {_clock(result.p50_finish)}   P90 {_clock(result.p90_finish)}",
    ]
    for item in result.exposures:
        lines.append(
            f"  {item.name}: data ready P50 {_clock(item.p50_ready)}   P90 {_clock(item.p90_ready)}"
        )
    return "\n".join(lines) + "\n"


def forecast_json(result: Forecast) -> str:
    """``p50_finish``, ``p90_finish``, ``runs_used``, ``exposures`` and context."""
    doc = {
        "job": result.job,
        "next_start": result.next_start.isoformat(),
        "p50_finish": result.p50_finish.isoformat(),
        "p90_finish": result.p90_finish.isoformat(),
        "runs_used": result.runs_used,
        "samples": result.samples,
        "exposures": [
            {
                "unique_id": item.unique_id,
                "name": item.name,
                "p50_ready": item.p50_ready.isoformat(),
                "p90_ready": item.p90_ready.isoformat(),
            }
            for item in result.exposures
        ],
    }
    return json.dumps(doc, indent=2) + "\n"
