"""Each exposure with the health of everything upstream of it.

An exposure is *at risk* when an upstream node, source or test has an
error-level finding, *warned* when it has only warnings, else *healthy*.
A test's finding counts against the node it tests.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import polars as pl

from monitor.analysis.finding import Finding, sort_findings
from monitor.analysis.frames import Frames, as_of
from monitor.analysis.lineage import Dag

Health = Literal["healthy", "warned", "at_risk"]


@dataclass(frozen=True)
class ExposureHealth:
    """One exposure and the findings upstream of it."""

    unique_id: str
    name: str
    label: str | None
    type: str | None
    owner: str | None
    url: str | None
    maturity: str | None
    description: str | None
    upstream: int
    findings: list[Finding]

    @property
    def health(self) -> Health:
        """``at_risk``, ``warned`` or ``healthy``."""
        severities = {f.severity for f in self.findings}
        if "error" in severities:
            return "at_risk"
        return "warned" if "warn" in severities else "healthy"


def exposure_health(
    frames: Frames, at: dt.datetime, findings: Sequence[Finding]
) -> list[ExposureHealth]:
    """Every exposure of the project as it stood at ``at``, by name."""
    if frames.exposures.is_empty():
        return []
    dag = Dag.at(frames, at)
    tested = _tested_nodes(frames, at)
    relevant = [f for f in findings if f.unique_id and f.severity in ("error", "warn")]
    result = []
    exposures = as_of(frames.exposures, at).sort("name")
    for row in exposures.iter_rows(named=True):
        upstream = dag.ancestors(row["unique_id"])
        hits = [
            f
            for f in relevant
            if f.unique_id in upstream or tested.get(f.unique_id or "") in upstream
        ]
        result.append(
            ExposureHealth(
                unique_id=row["unique_id"],
                name=row["name"],
                label=row["label"],
                type=row["type"],
                owner=row["owner"],
                url=row["url"],
                maturity=row["maturity"],
                description=row["description"],
                upstream=len(upstream),
                findings=sort_findings(hits),
            )
        )
    return result


def _tested_nodes(frames: Frames, at: dt.datetime) -> dict[str, str]:
    if frames.nodes.is_empty():
        return {}
    tests = as_of(frames.nodes, at).filter(pl.col("test_node").is_not_null())
    return dict(tests.select("unique_id", "test_node").iter_rows())
