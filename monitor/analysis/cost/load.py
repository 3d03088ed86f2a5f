"""Read and price the node runs of a window and of the window before it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from monitor.analysis.cost.pricing import priced_runs
from monitor.analysis.cost.settings import CostConfig
from monitor.analysis.frames import invocation_facts, versions
from monitor.analysis.queries.windows import Window, parse_window
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import read_tables


@dataclass(frozen=True)
class Costs:
    """Priced runs of the window and of the one just before it (same length)."""

    window: Window
    previous: Window
    current_runs: pl.DataFrame
    previous_runs: pl.DataFrame
    nodes: pl.DataFrame


def load_costs(history: History, since: str, until: str | None, config: CostConfig) -> Costs:
    """Price the window ``--since``/``--until`` describes and the window before it."""
    newest_day = history.newest_day()
    if newest_day is None:
        read_tables(history)  # the "run `dbt-monitor ingest` first" error
        raise AssertionError("unreachable")
    newest_facts = invocation_facts(history.scan("invocations", since=newest_day))
    newest = newest_facts["started_at"].max()
    if not isinstance(newest, dt.datetime):
        raise MonitorError(f"{history.root}: no invocations yet; run `dbt-monitor ingest` first")
    window = parse_window(since, until, newest)
    assert window.start is not None
    end = window.end or newest
    previous = Window(
        window.start - (end - window.start), window.start - dt.timedelta(microseconds=1)
    )
    assert previous.first_day is not None
    tables = read_tables(history, since=previous.first_day)
    facts = invocation_facts(tables.invocations)
    wanted = facts.filter(previous.contains() | window.contains())
    runs = tables.node_runs.join(
        wanted.lazy().select("invocation_id"), on="invocation_id", how="semi"
    ).collect(engine=ENGINE)
    nodes = versions(tables.nodes).collect(engine=ENGINE)
    priced = priced_runs(runs, wanted, nodes, config)
    return Costs(
        window=window,
        previous=previous,
        current_runs=priced.filter(window.contains()),
        previous_runs=priced.filter(previous.contains()),
        nodes=nodes,
    )
