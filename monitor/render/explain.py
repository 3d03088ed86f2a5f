"""``dbt-monitor explain``: a node's change points as text, markdown or JSON."""

from __future__ import annotations

import json
from typing import Any

from monitor.analysis.explain.explain import ChangePoint
from monitor.analysis.explain.load import Explanation
from monitor.analysis.words import duration, moment, name_of


def render_explanation(found: Explanation, output_format: str, *, diff: bool = False) -> str:
    """The explanation in ``output_format`` (text, markdown or json)."""
    if output_format == "json":
        return json.dumps(found.as_dict(diff=diff), indent=2) + "\n"
    markdown = output_format == "markdown"
    lines = [_title(found, markdown)]
    if found.rows_note:
        lines.append(f"rows: {found.rows_note}; only the runtime is followed")
    if not found.change_points:
        lines.append(f"no change in runtime or rows from {found.window.describe()}")
    for point in found.change_points:
        lines.append("")
        lines.extend(_point(point, markdown=markdown, diff=diff))
    return "\n".join(lines) + "\n"


def _title(found: Explanation, markdown: bool) -> str:
    node = found.node or {}
    facts = [str(v) for v in (node.get("resource_type"), node.get("materialized")) if v]
    if found.adapter:
        facts.append(found.adapter)
    since = f" since {found.runs_since.isoformat()}" if found.runs_since else ""
    facts.append(f"{found.runs} successful runs{since}")
    count = len(found.change_points)
    facts.append(f"{count} change point{'' if count == 1 else 's'}")
    title = f"{name_of(found.unique_id)} ({found.unique_id}) · " + " · ".join(facts)
    return f"### {title}" if markdown else title


def _point(point: ChangePoint, *, markdown: bool, diff: bool) -> list[str]:
    metric = "runtime" if point.metric == "execution_time" else "rows"
    ratio = f" ({point.ratio:.1f}×)" if point.ratio is not None else ""
    head = (
        f"{moment(point.started_at)}  {metric} {point.shape}: "
        f"{_value(point, point.before)} → {_value(point, point.after)}{ratio}  "
        f"invocation {point.invocation_id[:8]}"
    )
    if point.environment:
        head += f" ({point.environment})"
    if point.git_sha:
        head += f"  git {point.git_sha[:10]}"
    lines = [f"**{head}**" if markdown else head]
    for rank, cause in enumerate(point.causes, start=1):
        bullet = "-" if markdown else f"  {rank}."
        lines.append(f"{bullet} {cause.kind} ({cause.confidence}): {cause.message}")
        text = cause.evidence.get("diff")
        if diff and isinstance(text, str):
            lines.extend(_diff(text, markdown))
    return lines


def _value(point: ChangePoint, value: float) -> str:
    if point.metric == "execution_time":
        return duration(value)
    return f"{value:,.0f}"


def _diff(text: str, markdown: bool) -> list[str]:
    body = text.rstrip("\n").splitlines()
    if markdown:
        return ["", "```diff", *body, "```", ""]
    return [f"     {line}" for line in body]


def as_json(found: Explanation, *, diff: bool = False) -> dict[str, Any]:
    """The JSON object ``--format json`` prints."""
    return found.as_dict(diff=diff)


def change_points_section(found: Explanation, *, markdown: bool = False) -> str:
    """The short list ``model NAME`` ends with: each change point and its top cause."""
    if not found.change_points:
        return ""
    title = "Change points" + ("" if markdown else f" (dbt-monitor explain {found.unique_id})")
    lines = ["", f"### {title}" if markdown else f"{title}:"]
    for point in found.change_points:
        head = _point(point, markdown=False, diff=False)[0]
        top = point.causes[0]
        line = f"{head}: {top.kind} ({top.confidence}), {top.message}"
        lines.append(f"- {line}" if markdown else f"  {line}")
    return "\n".join(lines) + "\n"
