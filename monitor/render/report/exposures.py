"""Section 7, exposures: each dashboard with the health of what feeds it."""

from __future__ import annotations

from monitor.analysis.exposure_health import exposure_health
from monitor.render.report.attention import finding_view
from monitor.render.report.context import ExposureView
from monitor.render.report.inputs import Inputs

SAFE_SCHEMES = ("https://", "http://")
"""Only these URLs become links; anything else (``javascript:``) is shown as text."""


def build_exposures(inputs: Inputs) -> list[ExposureView]:
    """Every exposure, green or with the findings that put it at risk."""
    at = inputs.latest_at
    if at is None:
        return []
    findings = [f for f in inputs.findings if f.kind != "exposure_at_risk"]
    return [
        ExposureView(
            name=item.name,
            label=item.label,
            type=item.type,
            owner=item.owner,
            url=item.url if item.url and item.url.lower().startswith(SAFE_SCHEMES) else None,
            maturity=item.maturity,
            description=item.description,
            health=item.health,
            upstream=item.upstream,
            findings=[finding_view(inputs, f) for f in item.findings],
        )
        for item in exposure_health(inputs.frames, at, findings)
    ]
