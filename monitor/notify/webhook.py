"""A generic webhook: the alerts as JSON, signed with HMAC-SHA256 when ``secret_env`` is set.

Body: ``{"source": "dbt-monitor", "alerts": [<Alert fields>, ...]}``. With a
secret, the header ``X-Dbt-Monitor-Signature: sha256=<hex>`` carries the
HMAC-SHA256 of the exact body bytes; receivers recompute and compare it (and
use each alert's ``incident_id`` + ``transition_id`` to drop a re-sent copy).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import asdict

from monitor.notify.alert import Alert
from monitor.notify.destination import Message, Sender
from monitor.notify.http import post

SIGNATURE = "X-Dbt-Monitor-Signature"


def body(alerts: list[Alert]) -> bytes:
    """The JSON body."""
    doc = {"source": "dbt-monitor", "alerts": [asdict(alert) for alert in alerts]}
    return json.dumps(doc, sort_keys=True).encode("utf-8")


def signature(secret: str, payload: bytes) -> str:
    """``sha256=<hex>`` of the payload."""
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


class WebhookSender(Sender):
    """A URL in ``url_env``; optionally a signing secret in ``secret_env``."""

    def messages(self, alerts: list[Alert], threads: Mapping[str, str]) -> list[Message]:
        """One body per alert, or one for the run."""
        out = []
        for batch in self.batches(alerts):
            payload = body(batch)
            out.append(Message(tuple(batch), payload, payload.decode()))
        return out

    def send(self, message: Message) -> str:
        """POST the body, signed when a secret is configured."""
        headers = {"Content-Type": "application/json"}
        if "secret_env" in self.options:
            headers[SIGNATURE] = signature(self.secret("secret_env"), message.payload)
        post(
            self.secret("url_env"),
            message.payload,
            headers,
            timeout=self.settings.timeout,
            attempts=self.settings.attempts,
        )
        return ""


SENDER = WebhookSender
