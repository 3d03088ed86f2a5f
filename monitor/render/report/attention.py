"""Section 1, needs attention: the latest run's findings and those earlier in the window."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.finding import RANK, SEVERITIES, Finding
from monitor.render.report.context import Attention, EarlierFinding, FindingGroup, FindingView
from monitor.render.report.inputs import Inputs

KIND_LABELS = {
    "slow_model": "slow model",
    "creeping_model": "creeping model",
    "model_error": "model error",
    "test_failure": "test failure",
    "flaky_test": "flaky test",
    "source_stale": "stale source",
    "source_not_advancing": "source not advancing",
    "freshness_unmonitored": "no freshness check",
    "run_gap": "missed run",
    "exposure_at_risk": "exposure at risk",
}

SEVERITY_LABELS = {"error": "Errors", "warn": "Warnings", "info": "For information"}


def finding_view(inputs: Inputs, finding: Finding, *, card: bool | None = None) -> FindingView:
    """A finding as the report lists it, its node linked to a detail card.

    By default only errors and warnings earn a card of their own; others link
    to one only when another section gave the node a card.
    """
    wants_card = finding.severity != "info" if card is None else card
    node = inputs.nodes.ref(finding.unique_id, card=wants_card) if finding.unique_id else None
    return FindingView(
        severity=finding.severity,
        kind=finding.kind,
        kind_label=KIND_LABELS.get(finding.kind, finding.kind.replace("_", " ")),
        message=finding.message,
        node=node,
        invocation=finding.invocation_id[:8],
    )


def build_attention(inputs: Inputs) -> Attention:
    """Group the latest run's findings by severity; fold the window's earlier ones."""
    findings = inputs.findings
    groups = []
    for severity in SEVERITIES:
        chosen = [finding_view(inputs, f) for f in findings if f.severity == severity]
        if chosen:
            groups.append(FindingGroup(severity, SEVERITY_LABELS[severity], chosen))
    counts: dict[str, int] = {s: sum(f.severity == s for f in findings) for s in SEVERITIES}
    earlier, checked = _earlier(inputs, {(f.kind, f.unique_id) for f in findings})
    return Attention(
        run_label=_run_label(inputs),
        groups=groups,
        counts=counts,
        earlier=earlier,
        earlier_checked=checked,
    )


def _run_label(inputs: Inputs) -> str:
    if not inputs.latest_run:
        return "no invocation in the history executed anything yet"
    rows = inputs.frames.invocations.filter(pl.col("invocation_id").is_in(inputs.latest_run))
    commands = ", ".join(dict.fromkeys(rows["command"].to_list()))
    started = rows["started_at"][0]
    env = rows["env_key"][-1] or "default"
    return f"{commands} on {env}, {started:%Y-%m-%d %H:%M} UTC"


def _earlier(
    inputs: Inputs, current: set[tuple[str, str | None]]
) -> tuple[list[EarlierFinding], int]:
    """The window's findings before the latest run that are not raised now."""
    invocations = inputs.frames.invocations.filter(
        pl.col("executes") & ~pl.col("invocation_id").is_in(inputs.latest_run)
    )
    if inputs.since is not None:
        invocations = invocations.filter(pl.col("started_at") >= inputs.since)
    earlier = []
    for finding in inputs.window_findings:
        if (finding.kind, finding.unique_id) in current:
            continue
        runs, first, last = (finding.evidence.get(k) for k in ("runs", "first_seen", "last_seen"))
        assert isinstance(runs, int) and isinstance(first, str) and isinstance(last, str)
        earlier.append(
            EarlierFinding(
                finding=finding_view(inputs, finding, card=False),
                runs=runs,
                first_seen=dt.datetime.fromisoformat(first),
                last_seen=dt.datetime.fromisoformat(last),
            )
        )
    earlier.sort(key=lambda e: (-RANK[e.finding.severity], -e.last_seen.timestamp()))
    return earlier, invocations.height
