"""``notify``'s core: judge a run, record its incident transitions, deliver what is pending.

1. The run is judged as ``check`` judges it; :mod:`monitor.notify.lifecycle`
   turns its findings into transitions against the incidents open before it.
2. Each transition becomes an :class:`~monitor.notify.alert.Alert` with its
   node's owners, its route and whether it is muted, and is recorded in the
   history (only if absent: a second process judging the same run records
   nothing new).
3. Every recorded transition not yet delivered to one of its destinations
   (this run's, or an earlier run's that failed) is claimed, sent and its
   outcome recorded (:mod:`monitor.history.incidents` has the guarantee).
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import polars as pl

from monitor.analysis.check import check
from monitor.analysis.config import Config
from monitor.analysis.finding import Finding
from monitor.analysis.load import load_frames
from monitor.history.incidents import CLAIM_LEASE, IncidentLog, active_mutes
from monitor.history.store import History
from monitor.notify.alert import Alert
from monitor.notify.destination import Message, Sender, sender_for
from monitor.notify.http import DeliveryError
from monitor.notify.lifecycle import Change, judge
from monitor.notify.routing import NodeFacts, destinations_for, judged_nodes, node_facts


@dataclass
class Outcome:
    """What one ``notify`` did."""

    invocation_id: str
    scope: str
    alerts: list[Alert] = field(default_factory=list)
    """This run's transitions (recorded now, or earlier by another process)."""
    sent: list[tuple[str, Alert]] = field(default_factory=list)
    """(destination, alert) delivered by this process."""
    failures: list[str] = field(default_factory=list)
    """One line per destination that failed: its name, the status, what stays pending."""
    previews: list[tuple[str, str]] = field(default_factory=list)
    """``--dry-run``: (destination, payload) of every message that would be sent."""


def notify(
    history: History,
    config: Config,
    invocation: str = "latest",
    *,
    dry_run: bool = False,
    report_url: str | None = None,
    environ: Mapping[str, str],
    now: dt.datetime | None = None,
) -> Outcome:
    """Judge ``invocation``, record its transitions and send what is pending."""
    now = now or dt.datetime.now(dt.UTC)
    frames, [invocation_id] = load_frames(history, config.lookback_days, [invocation])
    result = check(frames, invocation_id, config)
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    scope = str(info["job"])
    log = IncidentLog(history.storage)
    recorded = log.transitions()
    prior = recorded.filter(
        (pl.col("scope") == scope)
        & (pl.col("run_started_at") < started_at)
        & (pl.col("invocation_id") != invocation_id)
    )
    remind = config.alerts.remind_after_hours
    changes = judge(
        prior,
        result.findings,
        judged_nodes(frames, invocation_id),
        scope,
        invocation_id,
        started_at,
        dt.timedelta(hours=remind) if remind else None,
    )
    facts = node_facts(frames, started_at)
    muted = set(active_mutes(log.mutes(), now))
    url = report_url if report_url is not None else (config.alerts.report_url or "")
    outcome = Outcome(invocation_id, scope)
    rows = []
    for change in changes:
        node = facts.get(change.unique_id, NodeFacts())
        alert = _alert(change, node, info, url, muted)
        if _held_back(prior, change, node, started_at):
            alert = replace(alert, muted=True)
        targets = [] if alert.muted else destinations_for(alert, config.alerts)
        outcome.alerts.append(alert)
        rows.append(_row(change, alert, targets, invocation_id, started_at, now))
    if dry_run:
        known = set(recorded["transition_id"].to_list())
        _preview(outcome, [r for r in rows if r["transition_id"] not in known], config, environ)
        return outcome
    for row in rows:
        log.record_transition(row)
    deliver_pending(log, config, environ, outcome, now)
    return outcome


def deliver_pending(
    log: IncidentLog,
    config: Config,
    environ: Mapping[str, str],
    outcome: Outcome,
    now: dt.datetime,
) -> None:
    """Claim, send and record every transition not yet delivered to one of its destinations."""
    transitions = log.transitions()
    deliveries = log.deliveries()
    pending = _pending(log, transitions, deliveries, now)
    for name, items in pending.items():
        destination = config.alerts.destinations.get(name)
        if destination is None:
            outcome.failures.append(
                f"{name}: no longer in alerts.destinations; {len(items)} alerts not sent"
            )
            continue
        claimed = [(alert, n) for alert, n in items if log.claim(alert.transition_id, name, n)]
        if not claimed:
            continue
        sender = sender_for(destination, config.alerts, environ)
        attempts = {alert.transition_id: n for alert, n in claimed}
        failed: list[str] = []
        threads = _threads(log, transitions, deliveries, name, [a for a, _ in claimed])
        for message in sender.messages([a for a, _ in claimed], threads):
            _send(log, sender, message, attempts, outcome, failed)
        if failed:
            outcome.failures.append(
                f"{destination.type} {name}: {failed[0]}; {len(failed)} alerts stay pending"
            )


def _send(
    log: IncidentLog,
    sender: Sender,
    message: Message,
    attempts: dict[str, int],
    outcome: Outcome,
    failed: list[str],
) -> None:
    try:
        ref = sender.send(message)
    except DeliveryError as err:
        for alert in message.alerts:
            log.finish(
                alert.transition_id,
                sender.name,
                attempts[alert.transition_id],
                sent=False,
                detail=str(err),
            )
            failed.append(str(err))
        return
    for alert in message.alerts:
        log.finish(
            alert.transition_id,
            sender.name,
            attempts[alert.transition_id],
            sent=True,
            detail="sent",
            ref=ref,
        )
        outcome.sent.append((sender.name, alert))


def _pending(
    log: IncidentLog, transitions: pl.DataFrame, deliveries: pl.DataFrame, now: dt.datetime
) -> dict[str, list[tuple[Alert, int]]]:
    """Per destination, the alerts to send and the attempt number each would be."""
    done = {(row[0], row[1]) for row in deliveries.filter(pl.col("state") == "sent").iter_rows()}
    states: dict[tuple[str, str], dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for tid, dest, attempt, state in deliveries.iter_rows():
        states[(tid, dest)][attempt].add(state)
    pending: dict[str, list[tuple[Alert, int]]] = defaultdict(list)
    for row in transitions.iter_rows(named=True):
        for name in row["destinations"] or []:
            key = (row["transition_id"], name)
            if key in done:
                continue
            attempt = max(states[key], default=0)
            if attempt and states[key][attempt] == {"claim"}:
                claimed = log.delivery(*key, attempt, "claim")["at"]
                assert isinstance(claimed, dt.datetime)
                if now - claimed < CLAIM_LEASE:
                    continue  # another process is sending it right now
            pending[name].append((Alert.from_json(row["alert"]), attempt + 1))
    return dict(pending)


def _threads(
    log: IncidentLog,
    transitions: pl.DataFrame,
    deliveries: pl.DataFrame,
    destination: str,
    alerts: list[Alert],
) -> dict[str, str]:
    """Incident id -> the ref of its opening message at ``destination``, for follow-ups."""
    follow = {a.incident_id for a in alerts if a.transition != "opened"}
    if not follow:
        return {}
    openings = transitions.filter(
        pl.col("incident_id").is_in(list(follow)) & (pl.col("transition") == "opened")
    ).select("transition_id", "incident_id")
    sent = deliveries.filter((pl.col("destination") == destination) & (pl.col("state") == "sent"))
    found = {}
    for tid, incident, attempt in (
        openings.join(sent, on="transition_id")
        .select("transition_id", "incident_id", "attempt")
        .iter_rows()
    ):
        ref = log.delivery(tid, destination, attempt, "sent")["ref"]
        if ref:
            found[incident] = str(ref)
    return found


def _preview(
    outcome: Outcome, rows: list[dict[str, object]], config: Config, environ: Mapping[str, str]
) -> None:
    per: dict[str, list[Alert]] = defaultdict(list)
    for row in rows:
        targets = row["destinations"]
        assert isinstance(targets, list)
        for name in targets:
            per[name].append(Alert.from_json(str(row["alert"])))
    for name, alerts in per.items():
        sender = sender_for(config.alerts.destinations[name], config.alerts, environ)
        outcome.previews.extend((name, m.preview) for m in sender.messages(alerts, {}))


def _alert(
    change: Change, facts: NodeFacts, info: dict[str, object], report_url: str, muted: set[str]
) -> Alert:
    finding = change.finding
    uid = change.unique_id
    alert = Alert(
        transition=change.transition,
        kind=change.kind,
        severity=change.severity,
        unique_id=uid,
        name=facts.name or (uid.rsplit(".", 1)[-1] if uid else ""),
        resource_type=facts.resource_type or (uid.split(".", 1)[0] if uid else ""),
        scope=str(info["job"]),
        environment=str(info["env_key"]),
        invocation_id=str(info["invocation_id"]),
        run_started_at=_iso(info["started_at"]),
        since=_iso(change.since),
        incident_id=change.incident_id,
        transition_id=change.transition_id,
        message=_message(change),
        cause=_cause(finding),
        owners=facts.owners,
        subscribers=facts.subscribers,
        channel=facts.channel,
        tags=facts.tags,
        package=facts.package,
        path=facts.path,
        report_url=report_url,
    )
    return replace(alert, muted=bool({uid, change.kind} & muted))


def _held_back(
    prior: pl.DataFrame, change: Change, node: NodeFacts, started_at: dt.datetime
) -> bool:
    """An opening within the node's suppression interval; anything after a held-back opening."""
    if change.transition == "opened":
        return _suppressed(prior, change, node, started_at)
    return _unannounced(prior, change)


def _suppressed(
    prior: pl.DataFrame, change: Change, node: NodeFacts, started_at: dt.datetime
) -> bool:
    """Whether the node's ``alert_suppression_interval`` holds this opening back."""
    if not node.suppress_hours:
        return False
    since = started_at - dt.timedelta(hours=node.suppress_hours)
    recent = prior.filter(
        (pl.col("kind") == change.kind)
        & (pl.col("unique_id") == change.unique_id)
        & (pl.col("transition") != "resolved")
        & ~pl.col("muted")
        & (pl.col("run_started_at") > since)
    )
    return not recent.is_empty()


def _unannounced(prior: pl.DataFrame, change: Change) -> bool:
    """Whether the incident's opening was held back (muted or suppressed): then so is the rest."""
    opening = prior.filter(
        (pl.col("incident_id") == change.incident_id) & (pl.col("transition") == "opened")
    )
    return bool(opening["muted"].any())


def _message(change: Change) -> str:
    if change.transition == "resolved":
        return f"No longer found (was: {change.message})"
    return change.message


def _cause(finding: Finding | None) -> str:
    """The explain layer's ``cause`` / ``causes`` evidence, when present."""
    if finding is None:
        return ""
    value = finding.evidence.get("cause") or finding.evidence.get("causes")
    if value is None:
        return ""
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if isinstance(parsed, list):
            return "; ".join(str(item) for item in parsed)
    return str(value)


def _row(
    change: Change,
    alert: Alert,
    targets: list[str],
    invocation_id: str,
    started_at: dt.datetime,
    now: dt.datetime,
) -> dict[str, object]:
    return {
        "transition_id": change.transition_id,
        "incident_id": change.incident_id,
        "kind": change.kind,
        "unique_id": change.unique_id,
        "scope": alert.scope,
        "transition": change.transition,
        "severity": change.severity,
        "invocation_id": invocation_id,
        "run_started_at": started_at,
        "recorded_at": now,
        "muted": alert.muted,
        "destinations": targets,
        "alert": alert.to_json(),
    }


def _iso(value: object) -> str:
    assert isinstance(value, dt.datetime)
    return value.astimezone(dt.UTC).isoformat()
