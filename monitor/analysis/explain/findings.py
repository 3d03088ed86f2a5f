"""Attach likely causes to ``slow_model``, ``creeping_model`` and ``volume_anomaly`` findings.

Each such finding gets ``evidence.cause`` (the top cause's kind) and
``evidence.causes`` (the ranked list), and its message ends with the top
cause in words. The run before is the node's previous run in the same
environment; for ``creeping_model``, its first run in the creep window.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable

import polars as pl

from monitor.analysis.explain.causes import Question, likely_cause, rank_causes
from monitor.analysis.explain.facts import Facts
from monitor.analysis.finding import Finding

EXPLAINED = ("slow_model", "creeping_model", "volume_anomaly")


def with_causes(facts: Facts, findings: Iterable[Finding], creep_window_days: int) -> list[Finding]:
    """``findings`` with causes attached to those of the :data:`EXPLAINED` kinds."""
    findings = list(findings)
    facts.read_series(f.unique_id for f in findings if f.kind in EXPLAINED and f.unique_id)
    return [
        _explained(facts, finding, creep_window_days)
        if finding.kind in EXPLAINED and finding.unique_id
        else finding
        for finding in findings
    ]


def _explained(facts: Facts, finding: Finding, creep_window_days: int) -> Finding:
    assert finding.unique_id is not None
    question = _question(facts, finding, creep_window_days)
    if question is None:
        return finding
    causes = rank_causes(facts, question)
    evidence = {
        **finding.evidence,
        "cause": causes[0].kind,
        "causes": [cause.as_dict() for cause in causes],
    }
    message = finding.message + likely_cause(causes)
    return dataclasses.replace(finding, message=message, evidence=evidence)


def _question(facts: Facts, finding: Finding, creep_window_days: int) -> Question | None:
    assert finding.unique_id is not None
    info = facts.invocation(finding.invocation_id)
    started_at: dt.datetime = info["started_at"]
    runs = facts.series(finding.unique_id).filter(
        (pl.col("started_at") < started_at) & (pl.col("env_key") == info["env_key"])
    )
    if finding.kind == "volume_anomaly":
        runs = runs.filter(pl.col("rows").is_not_null())
        ratio = finding.evidence.get("ratio")
        direction = 1 if ratio is None or ratio >= 1 else -1
        before = runs["invocation_id"][-1] if runs.height else None
        return Question(
            finding.unique_id, finding.invocation_id, before, "rows_affected", direction
        )
    if finding.kind == "creeping_model":
        window = runs.filter(
            pl.col("started_at") > started_at - dt.timedelta(days=creep_window_days)
        )
        before = window["invocation_id"][0] if window.height else None
    else:
        before = runs["invocation_id"][-1] if runs.height else None
    return Question(finding.unique_id, finding.invocation_id, before)
