"""Incidents from findings, run after run: which transitions one judged run makes.

An incident is one finding identity that stays open across consecutive runs:
``kind + node + scope``. The *scope* is the job (:mod:`monitor.analysis.jobs`:
``nightly build``, ``nightly source freshness``, ``pull-request build``), which
names the environment and the command: the nightly freshness run and the
nightly build each follow their own incidents, so a build, which does not
check freshness, never resolves a stale source, and a pull request never
resolves what production still has.

Transitions, judged for one run against the incidents open before it:

- **opened**: a finding whose identity has no open incident;
- **escalated**: an open warn incident whose finding is now an error;
- **resolved**: an open incident whose node this run judged without the finding
  (its node ran, or was checked for freshness; kinds about the whole run,
  like ``run_gap``, are judged by every run of the job);
- **reminder**: an open incident still found, last announced at least
  ``remind_after`` before this run (off by default).

Everything here is a pure function of its inputs: judging the same run twice
gives the same transitions, with the same ids. Runs are meant to be judged in
order (``notify`` after each run, ``ingest --notify`` oldest first): judging an
old run after a newer one of the same job compares it with what was recorded
before it, not with the newer run.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import polars as pl

from monitor.analysis.finding import RANK, Finding

WHOLE_RUN = frozenset({"run_gap", "exposure_at_risk", "freshness_unmonitored"})
"""Kinds judged by every run of the job, not only by runs that include the node."""


@dataclass(frozen=True)
class Open:
    """An incident open before the judged run."""

    incident_id: str
    kind: str
    unique_id: str
    severity: str
    since: dt.datetime
    last_announced: dt.datetime
    message: str


@dataclass(frozen=True)
class Change:
    """One transition the judged run makes."""

    transition: str
    incident_id: str
    transition_id: str
    kind: str
    unique_id: str
    severity: str
    since: dt.datetime
    message: str
    finding: Finding | None


def open_incidents(prior: pl.DataFrame) -> dict[tuple[str, str], Open]:
    """The incidents open after ``prior`` (one scope's transitions, oldest first)."""
    found: dict[tuple[str, str], Open] = {}
    for row in prior.sort("run_started_at", "recorded_at").iter_rows(named=True):
        key = (row["kind"], row["unique_id"])
        transition = row["transition"]
        when = row["run_started_at"]
        if transition == "opened":
            found[key] = Open(
                row["incident_id"],
                row["kind"],
                row["unique_id"],
                row["severity"],
                when,
                when,
                _message(row["alert"]),
            )
        elif key in found and found[key].incident_id == row["incident_id"]:
            if transition == "resolved":
                del found[key]
            else:
                old = found[key]
                found[key] = Open(
                    old.incident_id,
                    old.kind,
                    old.unique_id,
                    row["severity"],
                    old.since,
                    when,
                    old.message,
                )
    return found


def judge(
    prior: pl.DataFrame,
    findings: list[Finding],
    judged: set[str],
    scope: str,
    invocation_id: str,
    started_at: dt.datetime,
    remind_after: dt.timedelta | None = None,
) -> list[Change]:
    """The transitions ``findings`` of one run make, given the transitions before it."""
    opened = open_incidents(prior)
    current: dict[tuple[str, str], Finding] = {}
    for finding in findings:
        key = (finding.kind, finding.unique_id or "")
        if key not in current or RANK[finding.severity] > RANK[current[key].severity]:
            current[key] = finding
    changes = []
    for key, finding in sorted(current.items()):
        incident = opened.get(key)
        if incident is None:
            incident_id = _hash(scope, *key, invocation_id)
            changes.append(_change("opened", incident_id, invocation_id, finding, started_at))
        elif finding.severity == "error" and incident.severity != "error":
            changes.append(
                _change("escalated", incident.incident_id, invocation_id, finding, incident.since)
            )
        elif remind_after is not None and started_at - incident.last_announced >= remind_after:
            changes.append(
                _change("reminder", incident.incident_id, invocation_id, finding, incident.since)
            )
    for key, incident in sorted(opened.items()):
        kind, unique_id = key
        if key in current or not (kind in WHOLE_RUN or not unique_id or unique_id in judged):
            continue
        changes.append(
            Change(
                "resolved",
                incident.incident_id,
                _hash(incident.incident_id, "resolved", invocation_id),
                kind,
                unique_id,
                incident.severity,
                incident.since,
                incident.message,
                None,
            )
        )
    return changes


def _change(
    transition: str, incident_id: str, invocation_id: str, finding: Finding, since: dt.datetime
) -> Change:
    return Change(
        transition,
        incident_id,
        _hash(incident_id, transition, invocation_id),
        finding.kind,
        finding.unique_id or "",
        finding.severity,
        since,
        finding.message,
        finding,
    )


def _message(alert_json: str) -> str:
    import json

    return str(json.loads(alert_json).get("message", ""))


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:24]
