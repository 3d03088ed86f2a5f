"""The one shape every detector produces."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

Severity = Literal["error", "warn", "info"]

SEVERITIES: tuple[Severity, ...] = ("error", "warn", "info")
"""Most severe first."""

RANK: dict[str, int] = {"info": 0, "warn": 1, "error": 2}

FAIL_ON = ("error", "warn", "never")
"""The levels ``--fail-on`` takes: exit 1 from this severity up, or never."""

Evidence = dict[str, Any]
"""JSON values: numbers, strings, booleans, null, and lists or objects of them."""

FINDINGS = pl.Schema(
    {
        "invocation_id": pl.String,
        "kind": pl.String,
        "severity": pl.String,
        "unique_id": pl.String,
        "message": pl.String,
        "evidence": pl.String,  # JSON object
    }
)
"""The ``findings`` table offered to queries."""


@dataclass(frozen=True)
class Finding:
    """Something worth a person's attention in one invocation."""

    kind: str
    severity: Severity
    unique_id: str | None
    invocation_id: str
    message: str
    evidence: Evidence = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        """The JSON form: kind, severity, unique_id, invocation_id, message, evidence."""
        return {
            "kind": self.kind,
            "severity": self.severity,
            "unique_id": self.unique_id,
            "invocation_id": self.invocation_id,
            "message": self.message,
            "evidence": self.evidence,
        }


def findings_frame(findings: Iterable[Finding]) -> pl.DataFrame:
    """Findings as a frame with the FINDINGS schema."""
    rows = [
        (f.invocation_id, f.kind, f.severity, f.unique_id, f.message, json.dumps(f.evidence))
        for f in findings
    ]
    return pl.DataFrame(rows, schema=FINDINGS, orient="row")


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Most severe first, then by kind and node."""
    return sorted(findings, key=lambda f: (-RANK[f.severity], f.kind, f.unique_id or ""))
