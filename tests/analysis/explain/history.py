"""A small nightly DAG for cause tests: raw table -> stg view -> parent table -> m, plus bystanders.

Seven clean nights (days 0-6), then the night under test (day 7) and two
more like it, so a change can be seen as a step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitor.analysis.explain.facts import Facts, build_facts
from tests.analysis.builder import HistoryBuilder

M = "model.p.m"
PARENT = "model.p.parent"
STG = "model.p.stg"
BYSTANDERS = [f"model.p.other_{i}" for i in range(6)]
NIGHTS = 10
INCIDENT = 7


@dataclass
class Night:
    """How one night differs from the clean ones."""

    seconds: float = 4.0
    rows: int | None = 1000
    parent_rows: int | None = 5000
    bystander_seconds: float = 1.0
    threads: int = 4
    dbt_version: str = "1.11.16"
    full_refresh: bool = False
    node_checksums: dict[str, str] = field(default_factory=dict)


def history(
    incident: Night,
    *,
    adapter: str = "postgres",
    manifest: bool = True,
    nights: int = NIGHTS,
    materialized: str = "table",
) -> tuple[Facts, list[str]]:
    """The facts and invocation ids of ``nights`` builds, ``incident`` from INCIDENT on.

    ``materialized`` is m's materialization.
    """
    b = HistoryBuilder()
    ids = []
    clean = Night()
    for day in range(nights):
        night = incident if day >= INCIDENT else clean
        inv = b.invocation(day, full_refresh=night.full_refresh)
        _set(b.invocations[-1], adapter_type=adapter, threads=night.threads)
        b.invocations[-1].update(
            dbt_version=night.dbt_version, elapsed_time=30.0 * 4 / night.threads
        )
        b.run(inv, STG, 0.01, rows_affected=-1)
        b.run(inv, PARENT, 2.0, rows_affected=night.parent_rows)
        b.run(inv, M, night.seconds, rows_affected=night.rows)
        for other in BYSTANDERS:
            b.run(inv, other, night.bystander_seconds + 0.01 * day, rows_affected=10)
        ids.append(inv)
        if manifest and (day == 0 or night.node_checksums) and (day in (0, INCIDENT)):
            for uid, parents in (
                (STG, []),
                (PARENT, [STG]),
                (M, [PARENT]),
                *((o, []) for o in BYSTANDERS),
            ):
                b.node(
                    uid,
                    day=day,
                    checksum=night.node_checksums.get(uid, "c0") if day else "c0",
                    depends_on=parents,
                    materialized="view" if uid == STG else materialized if uid == M else "table",
                )
    return build_facts(b.frames()), ids


def _set(row: dict[str, Any], **values: Any) -> None:
    row.update(values)
