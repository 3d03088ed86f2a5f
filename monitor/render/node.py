"""``model NAME``: one node's history as a terminal page, markdown, JSON or CSV.

``csv`` holds the runs only (the part worth piping); ``json`` is one object
with the node, its baseline, runs, findings, parents and children.
"""

from __future__ import annotations

import json

import polars as pl

from monitor.analysis.queries.node_history import NodeHistory
from monitor.analysis.words import duration, moment, name_of
from monitor.render.sparkline import sparkline
from monitor.render.table import as_csv, as_markdown, as_table

HIDDEN = ("env_key", "full_refresh")
"""Run columns kept for machines, left out of pages."""

MOST_NEIGHBOURS = 12
"""Parents or children listed by name before ``and N more``."""


def render_node(history: NodeHistory, output_format: str, *, width: int) -> str:
    """``history`` in ``output_format`` (table, csv, json or markdown)."""
    if output_format == "csv":
        return as_csv(history.runs)
    if output_format == "json":
        return as_json(history)
    if output_format == "markdown":
        return as_markdown_page(history)
    return as_text(history, width)


def as_text(history: NodeHistory, width: int) -> str:
    """A terminal page: what the node is, its baseline, its runs and findings."""
    runs = history.runs.drop(HIDDEN, strict=False)
    parts = [
        "\n".join(_summary(history, width)),
        f"{_runs_title(history)}:\n{as_table(runs, width)}",
        f"{_findings_title(history)}:\n{as_table(_findings(history), width)}",
    ]
    return "\n".join(parts)


def as_markdown_page(history: NodeHistory) -> str:
    """The page as markdown, for a PR comment or a wiki."""
    summary = "\n".join(f"- {line}" for line in _summary(history, width=None)[1:])
    return (
        f"### {_title(history)}\n\n{summary}\n\n"
        f"#### {_runs_title(history)}\n\n{as_markdown(history.runs.drop(HIDDEN, strict=False))}\n"
        f"#### {_findings_title(history)}\n\n{as_markdown(_findings(history))}"
    )


def as_json(history: NodeHistory) -> str:
    """One JSON object; timestamps in ISO 8601, evidence as an object."""
    baseline = history.baseline
    findings = [
        {**row, "evidence": json.loads(row["evidence"] or "{}")}
        for row in history.findings.iter_rows(named=True)
    ]
    document = {
        "unique_id": history.unique_id,
        "node": history.node,
        "baseline": None
        if baseline is None
        else {"median_s": baseline.median, "mad_s": baseline.mad, "runs": baseline.runs},
        "total_runs": history.total_runs,
        "runs": json.loads(history.runs.write_json()),
        "findings": findings,
        "parents": history.parents,
        "children": history.children,
    }
    return json.dumps(document, indent=2, default=str) + "\n"


def _title(history: NodeHistory) -> str:
    return f"{name_of(history.unique_id)} ({history.unique_id})"


def _summary(history: NodeHistory, width: int | None) -> list[str]:
    node = history.node or {}
    facts = [
        str(node[key])
        for key in ("resource_type", "path", "materialized")
        if node.get(key) not in (None, "")
    ]
    tags = node.get("tags")
    if isinstance(tags, list) and tags:
        facts.append("tags: " + ", ".join(map(str, tags)))
    if node.get("test_node"):
        tested = name_of(str(node["test_node"]))
        column = node.get("test_column")
        facts.append(f"tests {tested}.{column}" if column else f"tests {tested}")
    lines = [_title(history)]
    if facts:
        lines.append(" · ".join(facts))
    if not history.node:
        lines.append("not in any manifest the history holds (known from its runs only)")
    lines.append(f"parents: {_names(history.parents)}")
    lines.append(f"children: {_names(history.children)}")
    lines.append(_baseline(history))
    if history.series:
        what = "ages (h)" if history.is_source else "durations"
        line = sparkline(history.series, width=(width - 30) if width else None)
        low = min((v for v in history.series if v is not None), default=None)
        high = max((v for v in history.series if v is not None), default=None)
        scale = (
            f" {_amount(low, history.is_source)} … {_amount(high, history.is_source)}"
            if low is not None and high is not None
            else ""
        )
        lines.append(f"{what}: {line}{scale}")
    return lines


def _amount(value: float, is_source: bool) -> str:
    return f"{value:.1f} h" if is_source else duration(value)


def _baseline(history: NodeHistory) -> str:
    if history.is_source:
        return "baseline: none (sources are judged by their freshness thresholds)"
    baseline = history.baseline
    if baseline is None:
        return "baseline: not enough successful runs yet"
    return (
        f"baseline: {duration(baseline.median)} (median of the last {baseline.runs} "
        f"successful runs, MAD {duration(baseline.mad)})"
    )


def _names(ids: list[str]) -> str:
    if not ids:
        return "none"
    names = [name_of(uid) for uid in ids]
    shown = ", ".join(names[:MOST_NEIGHBOURS])
    more = len(names) - MOST_NEIGHBOURS
    return f"{shown} and {more} more" if more > 0 else shown


def _runs_title(history: NodeHistory) -> str:
    what = "freshness checks" if history.is_source else "runs"
    start = history.window.start
    if start is not None:
        what += f" since {moment(start)}"
    shown = history.runs.height
    if shown == history.total_runs:
        return f"{what} ({shown})"
    of = f" of {history.total_runs}" if history.total_runs is not None else ""
    return f"{what} (newest {shown}{of}; --limit 0 shows all)"


def _findings_title(history: NodeHistory) -> str:
    judged = "freshness checks" if history.is_source else "runs"
    return f"findings ({history.findings.height}, over the {judged} shown)"


def _findings(history: NodeHistory) -> pl.DataFrame:
    when = history.runs.select("invocation_id", "started_at")
    return history.findings.join(when, on="invocation_id", how="left").select(
        "started_at", "severity", "kind", "message", "invocation_id"
    )
