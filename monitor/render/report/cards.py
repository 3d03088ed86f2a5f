"""Detail cards for every node the report mentions: what it is, how it ran lately."""

from __future__ import annotations

import polars as pl

from monitor.analysis.words import duration
from monitor.render.report.context import NodeCard, Sparkline
from monitor.render.report.formats import when
from monitor.render.report.inputs import Inputs
from monitor.render.report.sparkline import sparkline


def build_cards(inputs: Inputs) -> list[NodeCard]:
    """One card per mentioned node, by name."""
    mentioned = inputs.nodes.mentioned
    if not mentioned:
        return []
    runs = inputs.frames.node_runs.filter(
        pl.col("unique_id").is_in(list(mentioned)) & pl.col("executes")
    )
    if inputs.since is not None:
        runs = runs.filter(pl.col("started_at") >= inputs.since)
    grouped = {
        uid: group.sort("started_at")
        for (uid,), group in runs.select(
            "unique_id", "started_at", "status", "execution_time", "message"
        ).group_by("unique_id")
    }
    cards = []
    for uid, ref in mentioned.items():
        row = inputs.nodes.row(uid) or {}
        history = grouped.get(uid)
        last = history.row(-1, named=True) if history is not None and history.height else None
        sql = inputs.options.compiled_code.get(uid) if inputs.options.include_sql else None
        cards.append(
            NodeCard(
                node=ref,
                description=row.get("description") or None,
                path=row.get("path"),
                materialized=row.get("materialized"),
                owner=row.get("owner"),
                tags=list(row.get("tags") or []),
                last_status=last["status"] if last else None,
                last_message=last["message"] if last else None,
                sparkline=_durations(history) if history is not None else None,
                sql=sql if isinstance(sql, str) else None,
            )
        )
    return sorted(cards, key=lambda card: (card.node.name, card.node.unique_id))


def _durations(history: pl.DataFrame) -> Sparkline | None:
    timed = history.filter(pl.col("execution_time").is_not_null())
    return sparkline(
        [
            (seconds, f"{when(started)}: {duration(seconds)} ({status})")
            for started, status, seconds in timed.select(
                "started_at", "status", "execution_time"
            ).iter_rows()
        ],
        hover=False,
    )
