"""When the data of an exposure (or a model) was ready, run by run.

Data is ready when the last model, seed or snapshot upstream of it (the
model itself, for a model) finished; an upstream node that errored or was
skipped means it was never ready in that run. A run that built nothing
upstream says nothing about it. Computed from the node runs the history
keeps, so the readiness history is as long as the run history.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from monitor.analysis.lineage import Dag
from monitor.analysis.schedule.runs import NODE_COMMANDS

BUILT = ("model", "seed", "snapshot")
FAILED = ("error", "skipped", "runtime error", "fail")

READINESS = pl.Schema(
    {
        "invocation_id": pl.String(),
        "started_at": pl.Datetime("us", "UTC"),
        "target": pl.String(),
        "ready_at": pl.Datetime("us", "UTC"),
        "ready": pl.Boolean(),
        "last_node": pl.String(),
        "blocked_by": pl.String(),
    }
)


@dataclass(frozen=True)
class Target:
    """Something whose data can be ready: an exposure or a model."""

    unique_id: str
    name: str
    kind: str


def upstream_pairs(dag: Dag, targets: list[Target]) -> pl.DataFrame:
    """target, unique_id: every node whose run makes each target's data."""
    rows: list[tuple[str, str]] = []
    for target in targets:
        nodes = dag.ancestors(target.unique_id)
        if not target.unique_id.startswith("exposure."):
            nodes.add(target.unique_id)
        rows.extend((target.unique_id, node) for node in nodes)
    return pl.DataFrame(rows, schema={"target": pl.String, "unique_id": pl.String}, orient="row")


def readiness(node_runs: pl.DataFrame, dag: Dag, targets: list[Target]) -> pl.DataFrame:
    """One :data:`READINESS` row per run and target that built something upstream of it.

    ``node_runs`` is ``Frames.node_runs`` (or a slice of it), oldest first.
    """
    pairs = upstream_pairs(dag, targets)
    runs = node_runs.filter(
        pl.col("resource_type").is_in(BUILT)
        & pl.col("executes")
        & pl.col("command").is_in(NODE_COMMANDS)
    ).select(
        "invocation_id",
        "started_at",
        "unique_id",
        "status",
        pl.coalesce("execute_completed_at", "compile_completed_at").alias("finished_at"),
    )
    joined = runs.join(pairs, on="unique_id", how="inner")
    if joined.is_empty():
        return pl.DataFrame(schema=READINESS)
    failed = pl.col("status").is_in(FAILED)
    grouped = joined.group_by("invocation_id", "target", maintain_order=True).agg(
        pl.col("started_at").first(),
        pl.col("finished_at").filter(~failed).max().alias("ready_at"),
        (~failed.any()).alias("ready"),
        pl.col("unique_id")
        .filter(~failed)
        .sort_by(pl.col("finished_at").filter(~failed))
        .last()
        .alias("last_node"),
        # the root cause: an error before a skip
        pl.col("unique_id")
        .filter(failed)
        .sort_by(pl.col("status").filter(failed) == "skipped")
        .first()
        .alias("blocked_by"),
    )
    return (
        grouped.with_columns(
            pl.when(pl.col("ready")).then(pl.col("ready_at")).alias("ready_at"),
        )
        .select(READINESS.names())
        .sort("started_at", "invocation_id", "target")
    )
