"""Small hand-built histories for detector tests: real frames, declared schemas."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from monitor import schema
from monitor.analysis.frames import Frames, prepare
from monitor.history.tables import Tables

T0 = dt.datetime(2021, 2, 1, 2, 0, tzinfo=dt.UTC)


def _frame(rows: list[dict[str, Any]], table_schema: pl.Schema) -> pl.DataFrame:
    full = [{name: row.get(name) for name in table_schema.names()} for row in rows]
    return pl.DataFrame(full, schema=table_schema, orient="row")


class HistoryBuilder:
    def __init__(self) -> None:
        self.invocations: list[dict[str, Any]] = []
        self.node_runs: list[dict[str, Any]] = []
        self.freshness: list[dict[str, Any]] = []
        self.nodes: list[dict[str, Any]] = []
        self.exposures: list[dict[str, Any]] = []

    def invocation(
        self,
        day: int,
        command: str = "build",
        *,
        target: str = "prod",
        hour: float = 0.0,
        full_refresh: bool = False,
        labels: Sequence[tuple[str, str]] = (),
    ) -> str:
        invocation_id = f"inv-{len(self.invocations):03d}"
        self.invocations.append(
            {
                "invocation_id": invocation_id,
                "artifact": "sources" if command == "source freshness" else "run_results",
                "command": command,
                "started_at": T0 + dt.timedelta(days=day, hours=hour),
                "target": target,
                "full_refresh": full_refresh,
                "labels": [{"key": k, "value": v} for k, v in labels],
                "n_results": 1,
            }
        )
        return invocation_id

    def run(
        self,
        invocation_id: str,
        unique_id: str,
        seconds: float = 1.0,
        status: str = "success",
        **extra: Any,
    ) -> None:
        self.node_runs.append(
            {
                "invocation_id": invocation_id,
                "unique_id": unique_id,
                "resource_type": unique_id.split(".")[0],
                "status": status,
                "execution_time": seconds,
                **extra,
            }
        )

    def check(
        self, invocation_id: str, unique_id: str, status: str, age: float, **extra: Any
    ) -> None:
        self.freshness.append(
            {
                "invocation_id": invocation_id,
                "unique_id": unique_id,
                "status": status,
                "age": age,
                **extra,
            }
        )

    def node(self, unique_id: str, *, day: int = 0, checksum: str = "c0", **extra: Any) -> None:
        self.nodes.append(
            {
                "unique_id": unique_id,
                "checksum": checksum,
                "version": f"{checksum}-{extra}",
                "first_seen_at": T0 + dt.timedelta(days=day),
                "name": unique_id.split(".")[-1],
                "resource_type": unique_id.split(".")[0],
                "tags": extra.pop("tags", []),
                "depends_on": extra.pop("depends_on", []),
                **extra,
            }
        )

    def exposure(self, unique_id: str, depends_on: list[str]) -> None:
        self.exposures.append(
            {
                "unique_id": unique_id,
                "version": "v",
                "first_seen_at": T0,
                "name": unique_id.split(".")[-1],
                "type": "dashboard",
                "depends_on": depends_on,
            }
        )

    def frames(self) -> Frames:
        tables = Tables(
            invocations=_frame(self.invocations, schema.INVOCATIONS).lazy(),
            node_runs=_frame(self.node_runs, schema.NODE_RUNS).lazy(),
            freshness=_frame(self.freshness, schema.FRESHNESS).lazy(),
            nodes=_frame(self.nodes, schema.NODES).lazy(),
            exposures=_frame(self.exposures, schema.EXPOSURES).lazy(),
        )
        return prepare(tables)


def nightly(
    builder: HistoryBuilder, unique_id: str, seconds: Sequence[float], **kw: Any
) -> list[str]:
    """One build a day, each running ``unique_id`` for the given seconds."""
    ids = []
    for day, value in enumerate(seconds):
        inv = builder.invocation(day, **kw)
        builder.run(inv, unique_id, value)
        ids.append(inv)
    return ids
