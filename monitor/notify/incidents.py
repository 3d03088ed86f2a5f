"""The incidents as a table: one row per incident, its state, and what is still pending."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.history.incidents import IncidentLog, active_mutes
from monitor.history.store import History
from monitor.render.report.context import IncidentView

COLUMNS = ("scope", "kind", "node", "severity", "state", "since", "last", "pending", "muted")


def incident_table(
    transitions: pl.DataFrame, deliveries: pl.DataFrame, mutes: dict[str, str]
) -> pl.DataFrame:
    """One row per incident, newest first.

    ``state`` is ``open`` or ``resolved``; ``pending`` counts deliveries not
    yet made; ``muted`` is the reason when the node or kind is muted now.
    """
    if transitions.is_empty():
        return pl.DataFrame(schema=dict.fromkeys(COLUMNS, pl.String))
    sent = (
        deliveries.filter(pl.col("state") == "sent").select("transition_id", "destination").unique()
    )
    wanted = (
        transitions.select("incident_id", "transition_id", "destinations")
        .explode("destinations")
        .drop_nulls("destinations")
    )
    undelivered = (
        wanted.join(
            sent,
            left_on=["transition_id", "destinations"],
            right_on=["transition_id", "destination"],
            how="anti",
        )
        .group_by("incident_id")
        .len("pending")
    )
    ordered = transitions.sort("run_started_at", "recorded_at")
    table = (
        ordered.group_by("incident_id", maintain_order=True)
        .agg(
            pl.col("scope").first(),
            pl.col("kind").first(),
            pl.col("unique_id").first().alias("node"),
            pl.col("severity").last(),
            pl.col("transition").last().alias("last"),
            pl.col("run_started_at").first().alias("since"),
            pl.col("run_started_at").last().alias("last_at"),
        )
        .join(undelivered, on="incident_id", how="left")
        .with_columns(
            pl.when(pl.col("last") == "resolved")
            .then(pl.lit("resolved"))
            .otherwise(pl.lit("open"))
            .alias("state"),
            pl.col("pending").fill_null(0),
            pl.col("since").dt.strftime("%Y-%m-%d %H:%M"),
            (pl.col("last") + " " + pl.col("last_at").dt.strftime("%Y-%m-%d")).alias("last"),
            pl.coalesce(
                pl.col("node").replace_strict(mutes, default=None, return_dtype=pl.String),
                pl.col("kind").replace_strict(mutes, default=None, return_dtype=pl.String),
            ).alias("muted"),
        )
        .sort("last_at", descending=True)
    )
    return table.select(COLUMNS)


def open_incidents(history: History) -> tuple[IncidentView, ...] | None:
    """The open incidents for the report (None when ``notify`` never ran on this history)."""
    log = IncidentLog(history.storage)
    transitions = log.transitions()
    if transitions.is_empty():
        return None
    mutes = active_mutes(log.mutes(), dt.datetime.now(dt.UTC))
    table = incident_table(transitions, log.deliveries(), mutes)
    return tuple(
        IncidentView(**row)
        for row in table.filter(pl.col("state") == "open").drop("state").iter_rows(named=True)
    )
