"""Cost grouped by node, tag, owner, package, day or invocation, with the previous window's."""

from __future__ import annotations

import polars as pl

from monitor.analysis.queries.node_runs import short_name

GROUPS = ("node", "tag", "owner", "package", "day", "invocation")

SUMMARY = pl.Schema(
    {
        "key": pl.String(),
        "cost": pl.Float64(),
        "unit": pl.String(),
        "runs": pl.UInt32(),
        "share": pl.Float64(),
        "previous_cost": pl.Float64(),
        "method": pl.String(),
        "estimate": pl.Boolean(),
    }
)


def keyed(priced: pl.DataFrame, nodes: pl.DataFrame, group_by: str) -> pl.DataFrame:
    """``priced`` with a ``key`` column for ``group_by`` (a run counts in each of its tags)."""
    if group_by == "node":
        return priced.with_columns(pl.col("unique_id").alias("key"))
    if group_by == "invocation":
        return priced.with_columns(pl.col("invocation_id").alias("key"))
    if group_by == "day":
        return priced.with_columns(pl.col("started_at").dt.date().cast(pl.String).alias("key"))
    latest = (
        nodes.sort("first_seen_at")
        .unique("unique_id", keep="last")
        .select("unique_id", "tags", "owner", "package_name")
    )
    joined = priced.join(latest, on="unique_id", how="left")
    if group_by == "tag":
        return (
            joined.with_columns(
                pl.when(pl.col("tags").list.len() > 0)
                .then(pl.col("tags"))
                .otherwise(pl.lit(["(untagged)"]))
                .alias("key")
            )
            .explode("key")
            .drop("tags", "owner", "package_name")
        )
    if group_by == "owner":
        key = pl.col("owner").fill_null("(no owner)")
    else:
        key = pl.coalesce("package_name", pl.col("unique_id").str.split(".").list.get(1))
    return joined.with_columns(key.alias("key")).drop("tags", "owner", "package_name")


def cost_summary(
    current: pl.DataFrame,
    previous: pl.DataFrame,
    nodes: pl.DataFrame,
    group_by: str,
    limit: int = 0,
) -> pl.DataFrame:
    """Rows of :data:`SUMMARY`, costliest first: this window's cost and the previous one's."""
    by = ["key", "unit", "method"]
    now = (
        keyed(current, nodes, group_by)
        .group_by(by)
        .agg(pl.col("cost").sum(), pl.col("estimate").any(), pl.len().cast(pl.UInt32).alias("runs"))
    )
    before = (
        keyed(previous, nodes, group_by)
        .group_by(by)
        .agg(pl.col("cost").sum().alias("previous_cost"))
    )
    rows = (
        now.join(before, on=by, how="left")
        .with_columns(
            (pl.col("cost") / pl.col("cost").sum().over("unit")).fill_nan(None).alias("share")
        )
        .sort(["cost", "key"], descending=[True, False])
        .select(SUMMARY.names())
        .cast(SUMMARY)
    )
    return rows.head(limit) if limit else rows


def cost_totals(priced: pl.DataFrame) -> pl.DataFrame:
    """unit, method, cost, invocations, estimate: the whole window per unit and method."""
    return (
        priced.group_by("unit", "method")
        .agg(
            pl.col("cost").sum(),
            pl.col("invocation_id").n_unique().alias("invocations"),
            pl.col("estimate").any(),
        )
        .sort("cost", descending=True)
    )


def daily_by_node(priced: pl.DataFrame, top: int) -> pl.DataFrame:
    """day, node, cost: the ``top`` costliest nodes per day, the rest as ``(other)``."""
    totals = priced.group_by("unique_id").agg(pl.col("cost").sum()).sort("cost", descending=True)
    leaders = totals.head(top)["unique_id"].to_list()
    return (
        priced.with_columns(
            pl.col("started_at").dt.date().alias("day"),
            pl.when(pl.col("unique_id").is_in(leaders))
            .then(short_name())
            .otherwise(pl.lit("(other)"))
            .alias("node"),
        )
        .group_by("day", "node")
        .agg(pl.col("cost").sum())
        .sort("day", "node")
    )
