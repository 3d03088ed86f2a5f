"""``dbt-monitor sql QUERY``: any SQL over the history tables."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from monitor.analysis.frames import prepare
from monitor.analysis.queries.findings_table import findings_table
from monitor.analysis.queries.sql import run_sql, sql_tables
from monitor.cli import cli
from monitor.cli.options import history_option, progress_bar, user_errors
from monitor.cli.query_options import (
    command_config,
    config_option,
    echo_frame,
    format_option,
    open_window,
    window_options,
)
from monitor.engine import ENGINE
from monitor.history.store import History


@cli.command("sql")
@click.argument("query")
@window_options(since=None)
@format_option
@config_option
@history_option
@user_errors
def sql_command(
    query: str,
    since: str | None,
    until: str | None,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """Run any SQL over the history tables through Polars' SQL engine.

    Tables: invocations, node_runs, freshness, nodes and exposures (one row
    per version; is_latest marks the current one), findings (computed when
    the query names it). invocations, node_runs and freshness end in the
    date partition column (the invocation's UTC day), as DuckDB and Spark
    see it. --since and --until keep only the invocations of that window.
    Unaliased expressions are named as written: count(*), sum(x).

    \b
    Example:
      dbt-monitor sql "SELECT n.name, avg(r.execution_time) AS s
        FROM node_runs r JOIN nodes n ON n.unique_id = r.unique_id
        WHERE n.is_latest GROUP BY n.name ORDER BY s DESC LIMIT 5"
    """
    history = History(history_path)
    tables, window = open_window(history, since, until)
    frames = sql_tables(tables, window)
    in_window = frames["invocations"].select("invocation_id")

    def findings() -> pl.DataFrame:
        config = command_config(config_path)
        judged, _ = open_window(history, since, until, lookback_days=config.lookback_days)
        wanted = in_window.collect(engine=ENGINE)["invocation_id"].to_list()
        with progress_bar("Judging invocations") as progress:
            return findings_table(prepare(judged), config, wanted, progress=progress)

    echo_frame(run_sql(query, frames, findings), output_format)
