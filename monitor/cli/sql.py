"""``dbt-monitor sql QUERY``: any SQL over the history tables."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from monitor.analysis.frames import prepare, versions
from monitor.analysis.queries.findings_table import findings_table
from monitor.analysis.queries.sql import run_sql
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
    the query names it). --since and --until keep only the invocations of
    that window.

    \b
    Example:
      dbt-monitor sql "SELECT n.name, avg(r.execution_time) AS s
        FROM node_runs r JOIN nodes n ON n.unique_id = r.unique_id
        WHERE n.is_latest GROUP BY n.name ORDER BY s DESC LIMIT 5"
    """
    history = History(history_path)
    tables, window = open_window(history, since, until)
    invocations = tables.invocations.filter(window.contains())
    in_window = invocations.select("invocation_id")
    frames = {
        "invocations": invocations,
        "node_runs": tables.node_runs.join(in_window, on="invocation_id", how="semi"),
        "freshness": tables.freshness.join(in_window, on="invocation_id", how="semi"),
        "nodes": versions(tables.nodes),
        "exposures": versions(tables.exposures),
    }

    def findings() -> pl.DataFrame:
        config = command_config(config_path)
        judged, _ = open_window(history, since, until, lookback_days=config.lookback_days)
        wanted = in_window.collect()["invocation_id"].to_list()
        with progress_bar("Judging invocations") as progress:
            return findings_table(prepare(judged), config, wanted, progress=progress)

    echo_frame(run_sql(query, frames, findings), output_format)
