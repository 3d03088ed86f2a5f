"""Priced node runs: each row says its cost, its unit, its method and whether it is an estimate.

* ``bytes_billed`` (BigQuery on demand): bytes billed / 2^40 x price per TiB;
  what BigQuery billed, so not an estimate.
* ``slot_ms`` (BigQuery editions): slot-ms / 3.6e6 x price per slot-hour; an
  estimate (editions bill reserved and autoscaled capacity, not slot use).
* ``warehouse_time`` (Snowflake, Databricks SQL, any adapter with a
  ``rate_per_hour``): the node's time-sliced share of its warehouse's busy
  time x the warehouse's hourly price; an estimate (no minimums, no idle
  time before suspension).
* ``compute_seconds`` (anything unpriced): the same share, in seconds, no
  currency; an estimate.

The warehouse a node ran on is the manifest's ``warehouse`` column when the
history has one (``snowflake_warehouse`` config), else the default.
"""

from __future__ import annotations

import polars as pl

from monitor.analysis.cost.attribution import attribute
from monitor.analysis.cost.settings import AdapterCost, CostConfig

TIB = float(2**40)

PRICED = pl.Schema(
    {
        "invocation_id": pl.String(),
        "started_at": pl.Datetime("us", "UTC"),
        "unique_id": pl.String(),
        "resource_type": pl.String(),
        "adapter_type": pl.String(),
        "warehouse": pl.String(),
        "method": pl.String(),
        "unit": pl.String(),
        "estimate": pl.Boolean(),
        "seconds": pl.Float64(),
        "cost": pl.Float64(),
    }
)


def priced_runs(
    node_runs: pl.DataFrame, invocations: pl.DataFrame, nodes: pl.DataFrame, config: CostConfig
) -> pl.DataFrame:
    """Every node run of an executing invocation, priced (:data:`PRICED` columns).

    ``node_runs`` is the history's table (or ``Frames.node_runs``),
    ``invocations`` :func:`~monitor.analysis.frames.invocation_facts`' frame,
    ``nodes`` the node versions (for the warehouse, when recorded).
    """
    facts = invocations.filter(pl.col("executes")).select(
        "invocation_id", pl.col("started_at").alias("_inv_start"), "adapter_type"
    )
    runs = node_runs.select(
        "invocation_id",
        "unique_id",
        "resource_type",
        pl.col("execute_started_at").alias("start"),
        pl.col("execute_completed_at").alias("end"),
        "bytes_billed",
        "slot_ms",
    ).join(facts, on="invocation_id", how="inner")
    runs = runs.join(_warehouses(nodes), on="unique_id", how="left")
    parts = [
        _priced(group, config.for_adapter(adapter), config)
        for (adapter,), group in runs.group_by("adapter_type", maintain_order=True)
    ]
    if not parts:
        return pl.DataFrame(schema=PRICED)
    return pl.concat(parts).rename({"_inv_start": "started_at"}).select(PRICED.names())


def _warehouses(nodes: pl.DataFrame) -> pl.DataFrame:
    if "warehouse" not in nodes.columns or nodes.is_empty():
        return pl.DataFrame(schema={"unique_id": pl.String, "warehouse": pl.String})
    return (
        nodes.sort("first_seen_at")
        .unique("unique_id", keep="last")
        .select("unique_id", "warehouse")
    )


def _priced(runs: pl.DataFrame, pricing: AdapterCost, config: CostConfig) -> pl.DataFrame:
    shared = attribute(runs)
    method = pricing.method
    if method == "bytes_billed":
        cost = pl.col("bytes_billed").fill_null(0).cast(pl.Float64) / TIB * pricing.price
    elif method == "slot_ms":
        cost = pl.col("slot_ms").fill_null(0).cast(pl.Float64) / 3.6e6 * pricing.price
    elif method == "warehouse_time" and pricing.rate is not None:
        rate = pricing.rate
        hourly = pl.col("warehouse").replace_strict(
            rate.by_warehouse, default=rate.default, return_dtype=pl.Float64
        )
        cost = pl.col("seconds") / 3600.0 * hourly
    else:
        cost = pl.col("seconds")
    return shared.with_columns(
        pl.lit(method).alias("method"),
        pl.lit(config.unit(method)).alias("unit"),
        pl.lit(method != "bytes_billed").alias("estimate"),
        cost.alias("cost"),
    )
