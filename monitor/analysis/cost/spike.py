"""``cost_spike``: a node cost at least ``spike_ratio`` x its baseline median in this run.

The baseline is the node's cost in its previous runs of the same
environment (the ``slow_baseline_runs`` most recent, at least
``slow_min_runs``); the cost must also exceed ``cost.spike_floor``. Only
priced runs (a currency configured for the adapter) are judged: in compute
seconds a cost spike is a slow run, which ``slow_model`` already reports.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.cost.pricing import priced_runs
from monitor.analysis.finding import Finding
from monitor.analysis.frames import Frames
from monitor.analysis.words import name_of


def cost_spikes(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """``cost_spike`` findings (warn) for the nodes of ``invocation_id``."""
    info = frames.invocation(invocation_id)
    pricing = config.cost.for_adapter(_text(info.get("adapter_type")))
    if pricing.method == "compute_seconds" or not config.cost.currency:
        return []
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    same_env = frames.invocations.filter(
        (pl.col("env_key") == info["env_key"]) & (pl.col("started_at") <= started_at)
    )
    runs = frames.node_runs.join(same_env.select("invocation_id"), on="invocation_id", how="semi")
    priced = priced_runs(runs, same_env, frames.nodes, config.cost).filter(
        pl.col("resource_type").is_in(("model", "seed", "snapshot", "test"))
    )
    now = priced.filter(pl.col("invocation_id") == invocation_id)
    before = (
        priced.filter(pl.col("invocation_id") != invocation_id)
        .sort("started_at")
        .group_by("unique_id")
        .agg(
            pl.col("cost").tail(config.slow_baseline_runs).median().alias("baseline"),
            pl.len().alias("runs"),
        )
        .filter(pl.col("runs") >= config.slow_min_runs)
    )
    ratio, floor = config.cost.spike_ratio, config.cost.spike_floor
    spikes = now.join(before, on="unique_id", how="inner").filter(
        (pl.col("cost") >= ratio * pl.col("baseline"))
        & (pl.col("cost") > floor)
        & (pl.col("baseline") > 0)
    )
    findings = []
    for row in spikes.sort("cost", descending=True).iter_rows(named=True):
        factor = row["cost"] / row["baseline"]
        message = (
            f"{name_of(row['unique_id'])} cost {row['cost']:.2f} {row['unit']} in this run, "
            f"{factor:.1f}x its median of {row['baseline']:.2f} ({row['method']}"
            f"{', estimate' if row['estimate'] else ''})"
        )
        findings.append(
            Finding(
                "cost_spike",
                "warn",
                row["unique_id"],
                invocation_id,
                message,
                {
                    "cost": round(row["cost"], 6),
                    "baseline": round(row["baseline"], 6),
                    "ratio": round(factor, 2),
                    "unit": row["unit"],
                    "method": row["method"],
                    "estimate": row["estimate"],
                },
            )
        )
    return findings


def _text(value: object) -> str | None:
    return None if value is None else str(value)
