"""What one message says about one incident transition, and text helpers for every format."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

TRANSITIONS = ("opened", "escalated", "resolved", "reminder")

VERB = {
    "opened": "Opened",
    "escalated": "Escalated",
    "resolved": "Resolved",
    "reminder": "Still open",
}


@dataclass(frozen=True)
class Alert:
    """One incident transition, with what a reader needs to act on it.

    Every string that comes from dbt (names, messages, owners) is raw here:
    each destination escapes it for its own format.
    """

    transition: str
    kind: str
    severity: str
    unique_id: str
    name: str
    resource_type: str
    scope: str
    environment: str
    invocation_id: str
    run_started_at: str  # ISO 8601, UTC
    since: str  # when the incident opened (ISO 8601, UTC)
    incident_id: str
    transition_id: str
    message: str
    cause: str = ""
    owners: tuple[str, ...] = ()
    subscribers: tuple[str, ...] = ()
    channel: str = ""
    tags: tuple[str, ...] = ()
    package: str = ""
    path: str = ""
    report_url: str = ""
    muted: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """``Opened: test_failure (error) on dim_users``."""
        where = f" on {self.name}" if self.name else ""
        return f"{VERB[self.transition]}: {self.kind} ({self.severity}){where}"

    def to_json(self) -> str:
        """The form stored with the transition (re-sent as is when a delivery is retried)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Alert:
        """The inverse of :meth:`to_json`."""
        data = json.loads(text)
        for key in ("owners", "subscribers", "tags"):
            data[key] = tuple(data.get(key) or ())
        return cls(**data)


def cut(text: str, limit: int) -> str:
    """``text`` no longer than ``limit`` characters, ending in ``…`` when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + "…"
