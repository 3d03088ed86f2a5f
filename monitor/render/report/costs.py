"""The report's Cost section and exposure readiness charts (issue 14's sections).

Both are left out of the page entirely when there is nothing to show: no
node run that can be priced or timed, no exposure whose data a run built.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from monitor.analysis.cost.pricing import priced_runs
from monitor.analysis.cost.summary import cost_summary, cost_totals, daily_by_node
from monitor.analysis.frames import as_of
from monitor.analysis.lineage import Dag
from monitor.analysis.schedule.readiness import Target, readiness
from monitor.analysis.schedule.sla import slas
from monitor.analysis.words import name_of
from monitor.render.report.inputs import Inputs

TOP_NODES = 8
"""Nodes drawn on their own in the stacked cost chart; the rest are "(other)"."""
TOP_ROWS = 15

METHODS = {
    "bytes_billed": "BigQuery bytes billed × the configured price per TiB: what BigQuery billed.",
    "slot_ms": "BigQuery slot-milliseconds × the configured price per slot-hour (an estimate).",
    "warehouse_time": (
        "Each second a warehouse was busy is split among the nodes running in it, × the "
        "configured hourly rate of that warehouse (an estimate)."
    ),
    "compute_seconds": (
        "No price is configured for this adapter: each second a warehouse was busy is split "
        "among the nodes running in it, in seconds (an estimate, no currency)."
    ),
}


@dataclass(frozen=True)
class CostRow:
    """One node of the top-N table."""

    name: str
    unique_id: str
    cost: float
    share: float | None
    previous_cost: float | None
    runs: int


@dataclass(frozen=True)
class CostView:
    """The Cost section: total, method in words, chart, top nodes."""

    total: float
    unit: str
    method: str
    method_words: str
    invocations: int
    chart: str
    rows: list[CostRow]


@dataclass(frozen=True)
class ReadinessView:
    """One readiness chart: when each exposure's data was ready, run by run."""

    chart: str
    exposures: int
    never_ready: int
    deadlines: list[str]


def build_cost(inputs: Inputs) -> CostView | None:
    """The window's cost; None when nothing can be priced or timed."""
    frames, since = inputs.frames, inputs.since
    runs = (
        frames.node_runs
        if since is None
        else frames.node_runs.filter(pl.col("started_at") >= since)
    )
    priced = priced_runs(runs, frames.invocations, frames.nodes, inputs.config.cost)
    priced = priced.filter(pl.col("cost") > 0)
    if priced.is_empty():
        return None
    totals = cost_totals(priced)
    unit, method, total, invocations, _ = totals.row(0)
    main = priced.filter((pl.col("unit") == unit) & (pl.col("method") == method))
    half = _halves(main)
    rows = cost_summary(half[1], half[0], frames.nodes, "node", TOP_ROWS)
    daily = daily_by_node(main, TOP_NODES)
    days = sorted(set(daily["day"].to_list()))
    series = [
        {
            "name": name,
            "data": [_value(daily, day, name) for day in days],
        }
        for name in sorted(set(daily["node"].to_list()), key=lambda n: (n == "(other)", n))
    ]
    chart = inputs.charts.add(
        "cost", "stacked", days=[d.isoformat() for d in days], series=series, unit=unit
    )
    return CostView(
        total=float(total),
        unit=str(unit),
        method=str(method),
        method_words=METHODS[str(method)],
        invocations=int(invocations),
        chart=chart,
        rows=[
            CostRow(
                name=name_of(r["key"]),
                unique_id=r["key"],
                cost=r["cost"],
                share=r["share"],
                previous_cost=r["previous_cost"],
                runs=r["runs"],
            )
            for r in rows.iter_rows(named=True)
        ],
    )


def _halves(priced: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The window's first and second half: the table's trend compares them."""
    start, end = priced["started_at"].min(), priced["started_at"].max()
    assert isinstance(start, dt.datetime) and isinstance(end, dt.datetime)
    middle = start + (end - start) / 2
    return priced.filter(pl.col("started_at") < middle), priced.filter(
        pl.col("started_at") >= middle
    )


def _value(daily: pl.DataFrame, day: dt.date, name: str) -> float:
    found = daily.filter((pl.col("day") == day) & (pl.col("node") == name))["cost"]
    return float(found[0]) if found.len() else 0.0


def build_readiness(inputs: Inputs) -> ReadinessView | None:
    """The readiness chart of every exposure; None when no run built one's data."""
    frames, at = inputs.frames, inputs.latest_at
    if at is None or frames.exposures.is_empty():
        return None
    exposures = as_of(frames.exposures, at)
    targets = [
        Target(uid, name, kind or "exposure")
        for uid, name, kind in exposures.select("unique_id", "name", "type").iter_rows()
    ]
    runs = frames.node_runs
    if inputs.since is not None:
        runs = runs.filter(pl.col("started_at") >= inputs.since)
    ready = readiness(runs, Dag.at(frames, at), targets)
    if ready.is_empty():
        return None
    deadlines = {sla.target.unique_id: sla.deadline for sla in slas(frames, inputs.config, at)}
    series = []
    for target in targets:
        rows = ready.filter(pl.col("target") == target.unique_id)
        if rows.is_empty():
            continue
        deadline = deadlines.get(target.unique_id)
        series.append(
            {
                "name": target.name,
                "points": [
                    [
                        _ms(started),
                        _ms(ready_at) if ready_at is not None else None,
                        _ms(deadline.due(started)) if deadline else None,
                    ]
                    for started, ready_at in rows.select("started_at", "ready_at").iter_rows()
                ],
            }
        )
    chart = inputs.charts.add("readiness", "readiness", series=series)
    return ReadinessView(
        chart=chart,
        exposures=len(series),
        never_ready=int((~ready["ready"]).sum()),
        deadlines=[
            f"{name_of(uid)} by {d.describe()}"
            for uid, d in deadlines.items()
            if uid.startswith("exposure.")
        ],
    )


def _ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)
