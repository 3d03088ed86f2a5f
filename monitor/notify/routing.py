"""Who an alert is for: the node's owners from the dbt project, and the configured routes.

Owners and channels come from the node's ``meta`` (``config.meta`` overlaid by
``meta``, as dbt does), with elementary's keys so that a project moving from
elementary changes no yml:

- ``owner``: a name, an email, or a list of them (else the owner of the
  node's dbt ``group``);
- ``subscribers``: people to mention (Slack ids like ``<@U024BE7LH>`` become
  mentions, anything else is shown as text);
- ``channel``: the Slack channel for this node (with a bot token);
- ``tags``: added to the node's dbt tags for routing;
- ``alert_suppression_interval``: hours after an alert for the node during
  which a new incident of the same kind is recorded but not sent (a test that
  flips fail → pass → fail overnight pings once).

A test with none of these inherits them from the node it tests.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import json
from dataclasses import dataclass
from typing import Any

import polars as pl

from monitor.analysis.alerting import Alerts
from monitor.analysis.frames import Frames, as_of
from monitor.notify.alert import Alert


@dataclass(frozen=True)
class NodeFacts:
    """What routing and messages know about a node."""

    name: str = ""
    resource_type: str = ""
    owners: tuple[str, ...] = ()
    subscribers: tuple[str, ...] = ()
    channel: str = ""
    tags: tuple[str, ...] = ()
    package: str = ""
    path: str = ""
    suppress_hours: float = 0.0


def node_facts(frames: Frames, when: dt.datetime) -> dict[str, NodeFacts]:
    """Every node's facts as of ``when``, tests inheriting from the node they test."""
    if frames.nodes.is_empty():
        return {}
    nodes = as_of(frames.nodes, when)
    own: dict[str, NodeFacts] = {}
    tested: dict[str, str] = {}
    for row in nodes.iter_rows(named=True):
        meta = _meta(row["meta"])
        owners = _strings(meta.get("owner")) or _strings(row["owner"])
        own[row["unique_id"]] = NodeFacts(
            name=row["name"] or "",
            resource_type=row["resource_type"] or "",
            owners=owners,
            subscribers=_strings(meta.get("subscribers")),
            channel=meta["channel"] if isinstance(meta.get("channel"), str) else "",
            tags=tuple(dict.fromkeys([*(row["tags"] or []), *_strings(meta.get("tags"))])),
            package=row["package_name"] or "",
            path=row["path"] or "",
            suppress_hours=_hours(meta.get("alert_suppression_interval")),
        )
        if row["test_node"]:
            tested[row["unique_id"]] = row["test_node"]
    for test, parent in tested.items():
        mine, theirs = own[test], own.get(parent)
        if theirs is None:
            continue
        own[test] = NodeFacts(
            mine.name,
            mine.resource_type,
            mine.owners or theirs.owners,
            mine.subscribers or theirs.subscribers,
            mine.channel or theirs.channel,
            mine.tags or theirs.tags,
            mine.package,
            mine.path,
            mine.suppress_hours or theirs.suppress_hours,
        )
    return own


def destinations_for(alert: Alert, alerts: Alerts) -> list[str]:
    """The destinations an alert goes to.

    With destinations and no routes, every warn or error transition goes to
    every destination; with routes, the destinations of every matching route.
    """
    if not alerts.routes:
        return sorted(alerts.destinations) if alert.severity in ("warn", "error") else []
    found: dict[str, None] = {}
    for route in alerts.routes:
        if all(_matches(alert, key, values) for key, values in route.matchers.items()):
            found.update(dict.fromkeys(route.to))
    return list(found)


def _matches(alert: Alert, key: str, values: tuple[str, ...]) -> bool:
    if key == "severity":
        return alert.severity in values
    if key == "kind":
        return alert.kind in values
    if key == "owner":
        return any(owner in values for owner in alert.owners)
    if key == "tag":
        return any(tag in values for tag in alert.tags)
    if key == "package":
        return alert.package in values
    if key == "resource_type":
        return alert.resource_type in values
    if key == "path":
        return any(fnmatch.fnmatchcase(alert.path, pattern) for pattern in values)
    raise ValueError(key)


def _hours(value: object) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        return float(value)
    return 0.0


def _meta(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    if isinstance(value, list):
        return tuple(str(item).strip() for item in value if str(item).strip())
    return ()


def judged_nodes(frames: Frames, invocation_id: str) -> set[str]:
    """The nodes a run judged: those that ran (not skipped) or were checked for freshness."""
    runs = frames.node_runs.filter(
        (pl.col("invocation_id") == invocation_id) & (pl.col("status") != "skipped")
    )["unique_id"]
    checked = frames.freshness.filter(pl.col("invocation_id") == invocation_id)["unique_id"]
    return {*runs.to_list(), *checked.to_list()}
