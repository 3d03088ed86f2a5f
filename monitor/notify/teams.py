"""Microsoft Teams: an Adaptive Card to a Workflows webhook.

The webhook is the Teams Workflows template "Post to a channel when a webhook
request is received".

Text from dbt goes into ``TextBlock`` elements with its markdown characters
backslash-escaped, so a model name cannot make a link or markup; the card is
kept under :data:`MAX_BYTES` (Teams rejects bigger messages), cutting the list
with "… and N more".
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from monitor.notify.alert import Alert, cut
from monitor.notify.destination import Message, Sender
from monitor.notify.http import post

MAX_BYTES = 26_000
"""Below Teams' 28 KB message limit, leaving room for the envelope."""

COLOR = {"opened": "attention", "escalated": "attention", "resolved": "good", "reminder": "warning"}
_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!<>|~])")


def escape(text: str) -> str:
    """Text with every markdown character escaped."""
    return _MARKDOWN.sub(r"\\\1", text)


def _text(text: str, **style: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **style}


def items(alert: Alert) -> list[dict[str, Any]]:
    """The card elements for one alert."""
    facts = [
        {"title": "What", "value": escape(cut(alert.message, 1000))},
        {
            "title": "Where",
            "value": escape(f"{alert.unique_id or '(the whole run)'} in {alert.scope}"),
        },
        {"title": "Since", "value": escape(alert.since[:16].replace("T", " ") + " UTC")},
    ]
    if alert.cause:
        facts.append({"title": "Likely cause", "value": escape(cut(alert.cause, 500))})
    if alert.owners or alert.subscribers:
        facts.append(
            {"title": "Owner", "value": escape(", ".join([*alert.owners, *alert.subscribers]))}
        )
    return [
        _text(escape(alert.title), weight="Bolder", color=COLOR[alert.transition], separator=True),
        {"type": "FactSet", "facts": facts},
    ]


def card(alerts: list[Alert]) -> dict[str, Any]:
    """The Workflows message: one Adaptive Card for the alerts, under the size limit."""
    report_url = alerts[0].report_url
    heading = (
        alerts[0].title if len(alerts) == 1 else f"dbt-monitor: {len(alerts)} incident changes"
    )
    body: list[dict[str, Any]] = [_text(escape(heading), size="Large", weight="Bolder")]
    shown = 0
    for alert in alerts:
        candidate = [*body, *items(alert)]
        if len(json.dumps(_envelope(candidate, report_url)).encode()) > MAX_BYTES:
            break
        body, shown = candidate, shown + 1
    if shown < len(alerts):
        body.append(_text(escape(f"… and {len(alerts) - shown} more (see the report)")))
    body.append(
        _text(
            escape(
                f"dedup key {alerts[0].incident_id}"
                if len(alerts) == 1
                else f"run {alerts[0].invocation_id[:8]}"
            ),
            isSubtle=True,
            size="Small",
        )
    )
    return _envelope(body, report_url)


def _envelope(body: list[dict[str, Any]], report_url: str) -> dict[str, Any]:
    content: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
    }
    if report_url:
        content["actions"] = [
            {"type": "Action.OpenUrl", "title": "Open the report", "url": report_url}
        ]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": content,
            }
        ],
    }


class TeamsSender(Sender):
    """A Workflows webhook URL in ``url_env``."""

    def messages(self, alerts: list[Alert], threads: Mapping[str, str]) -> list[Message]:
        """One card per alert, or one for the run."""
        out = []
        for batch in self.batches(alerts):
            text = json.dumps(card(batch), ensure_ascii=False)
            out.append(Message(tuple(batch), text.encode("utf-8"), text))
        return out

    def send(self, message: Message) -> str:
        """POST the card (Workflows answers 202 Accepted)."""
        post(
            self.secret("url_env"),
            message.payload,
            {"Content-Type": "application/json"},
            timeout=self.settings.timeout,
            attempts=self.settings.attempts,
        )
        return ""


SENDER = TeamsSender
