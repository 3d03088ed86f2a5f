"""PagerDuty Events API v2: ``trigger`` on opened / escalated / reminder, ``resolve`` on resolved.

The ``dedup_key`` is the incident's id, so PagerDuty keeps one incident open
across the nights and resolves it when dbt-monitor does; a re-sent event (after
a crash) is merged by PagerDuty itself. One event per alert: never grouped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from monitor.notify.alert import Alert, cut
from monitor.notify.destination import Message, Sender
from monitor.notify.http import post

API = "https://events.pagerduty.com"
SEVERITY = {"error": "error", "warn": "warning", "info": "info"}


def event(alert: Alert, routing_key: str) -> dict[str, Any]:
    """The event for one alert (``routing_key`` is filled in only when sending)."""
    body: dict[str, Any] = {
        "routing_key": routing_key,
        "event_action": "resolve" if alert.transition == "resolved" else "trigger",
        "dedup_key": alert.incident_id,
    }
    if alert.transition == "resolved":
        return body
    body["payload"] = {
        "summary": cut(f"{alert.title}: {alert.message}", 1024),
        "source": cut(f"dbt-monitor {alert.scope}", 255),
        "severity": SEVERITY.get(alert.severity, "info"),
        "component": cut(alert.unique_id, 255),
        "group": cut(alert.package, 255),
        "class": alert.kind,
        "custom_details": {
            "transition": alert.transition,
            "message": cut(alert.message, 4000),
            "cause": cut(alert.cause, 2000),
            "owners": list(alert.owners),
            "since": alert.since,
            "invocation_id": alert.invocation_id,
            "environment": alert.environment,
        },
    }
    if alert.report_url:
        body["links"] = [{"href": alert.report_url, "text": "dbt-monitor report"}]
    return body


class PagerDutySender(Sender):
    """An Events API v2 integration key in ``routing_key_env``."""

    def batches(self, alerts: list[Alert]) -> list[list[Alert]]:
        """Always one event per alert."""
        return [[alert] for alert in alerts]

    def messages(self, alerts: list[Alert], threads: Mapping[str, str]) -> list[Message]:
        """One event per alert (the preview shows the key as ``$ROUTING_KEY_ENV``)."""
        placeholder = f"${self.options['routing_key_env']}"
        return [
            Message((a,), b"", json.dumps(event(a, placeholder), ensure_ascii=False))
            for a in alerts
        ]

    def send(self, message: Message) -> str:
        """POST the event to /v2/enqueue (PagerDuty answers 202)."""
        payload = json.dumps(event(message.alerts[0], self.secret("routing_key_env"))).encode()
        url = str(self.options.get("api_url", API)).rstrip("/") + "/v2/enqueue"
        post(
            url,
            payload,
            {"Content-Type": "application/json"},
            timeout=self.settings.timeout,
            attempts=self.settings.attempts,
        )
        return ""


SENDER = PagerDutySender
