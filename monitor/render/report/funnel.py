"""Section 8, product funnel: the latest steps with drop-off, and their counts over time."""

from __future__ import annotations

import polars as pl

from monitor.analysis.funnel import funnel, funnel_over_time
from monitor.render.report.context import FunnelView, StepView
from monitor.render.report.formats import percent, step_label
from monitor.render.report.inputs import Inputs
from monitor.render.report.runs import epoch_ms


def build_funnel(inputs: Inputs) -> FunnelView:
    """The funnel mart's latest export, or a hint on how to point the report at it."""
    name = inputs.options.funnel
    mart = inputs.marts(name)
    if mart is None or mart.latest.is_empty():
        return FunnelView(name, None, [], None, None, None, _hint(inputs, name))
    columns = inputs.options.funnel_columns
    result = funnel(mart.latest, columns, f"{name} ({mart.origin})")
    largest = None
    if result.largest_drop is not None and result.largest_drop.drop_off is not None:
        before = result.before(result.largest_drop)
        assert before is not None
        largest = (
            f"The largest drop-off is {step_label(before.step)} → "
            f"{step_label(result.largest_drop.step)}: {percent(result.largest_drop.drop_off)} "
            f"of the users who reached {step_label(before.step)} went no further."
        )
    chart = None
    as_of = None
    if mart.exports is not None:
        over = funnel_over_time(mart.exports, columns, name)
        as_of = over["started_at"].max() if over.height else None
        steps = over.select("step", "order").unique().sort("order")["step"].to_list()
        times = over["started_at"].unique().sort().to_list()
        if len(times) > 1:
            series = []
            for step in steps:
                by_time = dict(
                    over.filter(pl.col("step") == step).select("started_at", "users").iter_rows()
                )
                series.append({"name": step_label(step), "data": [by_time.get(t) for t in times]})
            chart = inputs.charts.add(
                "funnel", "funnel", t=[epoch_ms(t) for t in times], series=series
            )
    return FunnelView(
        mart=name,
        origin=mart.origin,
        steps=[
            StepView(
                step=s.step,
                users=s.users,
                conversion=s.conversion,
                drop_off=s.drop_off,
                of_first=s.of_first if s.of_first is not None else 0.0,
                largest=s is result.largest_drop,
            )
            for s in result.steps
        ],
        largest=largest,
        as_of=as_of,  # type: ignore[arg-type]
        chart=chart,
        hint=None,
    )


def _hint(inputs: Inputs, name: str) -> str:
    return (
        f"No funnel mart {name!r} in {inputs.options.source_hint}. Export it beside the run's "
        f"artifacts as {name}.parquet before `dbt-monitor ingest`, or read it live with "
        "--warehouse PATH.duckdb; --funnel names another mart and --funnel-columns "
        "its step, order and users columns."
    )
