"""``dbt-monitor model NAME``: one node's runs, baseline, findings, parents and children."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.explain.load import explain
from monitor.analysis.queries.findings_table import Progress
from monitor.analysis.queries.node_history import NodeHistory, node_history
from monitor.analysis.queries.node_lookup import known_nodes, resolve_node
from monitor.analysis.queries.windows import parse_window
from monitor.cli import cli
from monitor.cli.options import history_option, progress_bar, user_errors
from monitor.cli.query_options import (
    FIRST_REACH_DAYS,
    command_config,
    config_option,
    format_option,
    full_message_option,
    limit_option,
    newest_invocation,
    reach,
    row_limit,
    terminal_width,
    window_options,
)
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import Tables, read_tables
from monitor.render.explain import change_points_section
from monitor.render.node import render_node


@cli.command("model")
@click.argument("name")
@window_options(since=None)
@limit_option(20)
@full_message_option
@format_option
@config_option
@history_option
@user_errors
def model_command(
    name: str,
    since: str | None,
    until: str | None,
    limit: int | None,
    full_message: bool,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """One node's runs, baseline, findings, parents, children.

    Every run with its status and time, and a sparkline of its durations.
    NAME is a model, seed, snapshot, test or source: fct_orders,
    model.greenery.fct_orders, raw.orders. The table shows the newest --limit
    runs (20 unless told); csv gives the runs, json everything, all of them
    unless --limit is given. A run's message is the line of dbt's message
    that names the error (--full-message: all of it).

    \b
    Example:
      dbt-monitor model fct_orders --since 30d
    """
    config = command_config(config_path)
    with progress_bar("Judging runs") as progress:
        found = load_node_history(
            History(history_path),
            name,
            since,
            until,
            row_limit(limit, 20, output_format),
            config,
            progress=progress,
            full_message=full_message,
        )
    click.echo(render_node(found, output_format, width=terminal_width()), nl=False)
    if output_format in ("table", "markdown"):
        points = explain(History(history_path), found.unique_id, since, until)
        click.echo(change_points_section(points, markdown=output_format == "markdown"), nl=False)


def load_node_history(
    history: History,
    name: str,
    since: str | None,
    until: str | None,
    limit: int,
    config: Config,
    *,
    progress: Progress | None = None,
    full_message: bool = False,
) -> NodeHistory:
    """``name``'s history, reading no further back than its newest ``limit`` runs need.

    Without --since, the last :data:`FIRST_REACH_DAYS` days are read first (plus
    the detectors' lookback); only a node that ran fewer than ``limit`` times
    in them makes the whole history be read.
    """
    newest = newest_invocation(history)
    window = parse_window(since, until, newest)
    if window.start is None and limit:
        recent = replace(window, start=newest - dt.timedelta(days=FIRST_REACH_DAYS))
        tables, unique_id = _resolve(
            read_tables(history, since=reach(recent, config.lookback_days)), name
        )
        found = node_history(
            tables,
            unique_id,
            recent,
            config,
            limit=limit,
            min_runs=limit,
            progress=progress,
            full_message=full_message,
        )
        if found is not None:  # the newest runs, out of an uncounted whole
            return replace(found, window=window, total_runs=None)
    tables, unique_id = _resolve(
        read_tables(history, since=reach(window, config.lookback_days)), name
    )
    everything = node_history(
        tables,
        unique_id,
        window,
        config,
        limit=limit,
        progress=progress,
        full_message=full_message,
    )
    assert everything is not None  # no min_runs
    return everything


def _resolve(tables: Tables, name: str) -> tuple[Tables, str]:
    """The node ``name`` names, and ``tables`` with its nodes read (once)."""
    nodes = tables.nodes.collect(engine=ENGINE)
    tables = replace(tables, nodes=nodes.lazy())
    try:
        return tables, resolve_node(known_nodes(nodes), name)
    except MonitorError:
        seen = pl.concat(
            [
                tables.node_runs.select("unique_id").unique(),
                tables.freshness.select("unique_id").unique(),
            ]
        ).collect(engine=ENGINE)
        return tables, resolve_node(known_nodes(nodes, seen["unique_id"].to_list()), name)
