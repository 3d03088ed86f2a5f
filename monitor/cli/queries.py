"""The query commands: runs, slowest, failures, flaky, freshness, model and sql.

Each parses its options, reads only the date partitions its window needs,
calls one query and prints the frame in the chosen format.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import Config, load_config
from monitor.analysis.explain.load import explain
from monitor.analysis.frames import prepare, versions
from monitor.analysis.queries.failures import failures
from monitor.analysis.queries.findings_table import (
    Progress,
    findings_table,
    judged_invocations,
)
from monitor.analysis.queries.flaky import flaky
from monitor.analysis.queries.invocations import recent_invocations, with_finding_counts
from monitor.analysis.queries.node_history import NodeHistory, node_history
from monitor.analysis.queries.node_lookup import known_nodes, resolve_node
from monitor.analysis.queries.node_runs import freshness_in, newest_start, node_runs_in
from monitor.analysis.queries.select import latest_versions, select
from monitor.analysis.queries.slowest import RANKINGS, slowest
from monitor.analysis.queries.sources import freshness_summary
from monitor.analysis.queries.sql import run_sql
from monitor.analysis.queries.windows import Window, parse_window
from monitor.cli import cli
from monitor.cli.options import P, R, history_option, progress_bar, user_errors
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import Tables, read_tables
from monitor.render.explain import change_points_section
from monitor.render.node import render_node
from monitor.render.table import FORMATS, render

DEFAULT_SINCE = "30d"

FIRST_REACH_DAYS = 30
"""Without --since, ``runs`` and ``model`` first look this far back for the newest rows."""


def format_option(func: Callable[P, R]) -> Callable[P, R]:
    """``--format table|csv|json|markdown``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table fits the terminal; csv and json are complete, for pipes.",
    )(func)


def window_options(since: str | None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--since`` and ``--until``, counted back from the newest invocation."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        func = click.option(
            "--until",
            metavar="WHEN",
            default=None,
            help="End of the window: 2d (before the newest invocation's day), 12h, 2021-02-10.",
        )(func)
        return click.option(
            "--since",
            metavar="WHEN",
            default=since,
            show_default=since is not None,
            help="Start of the window: 7d (the newest invocation's day and 6 before), 24h, "
            "2w or a date (UTC).",
        )(func)

    return decorate


def limit_option(default: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--limit N`` (0 for no limit)."""
    return click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=default,
        show_default=True,
        help="Show at most this many rows (0: all).",
    )


def select_option(func: Callable[P, R]) -> Callable[P, R]:
    """The ``--select`` option, in dbt's syntax."""
    return click.option(
        "--select",
        "-s",
        "selectors",
        multiple=True,
        metavar="SELECTOR",
        help="Only these nodes, as dbt selects: fct_orders, stg_*, tag:nightly, "
        "path:models/marts, resource_type:test, fct_orders+.",
    )(func)


def config_option(func: Callable[P, R]) -> Callable[P, R]:
    """The detectors' configuration, for commands that show findings."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="dbt-monitor.toml or pyproject.toml [tool.dbt-monitor]; default: nearest.",
    )(func)


# -- helpers -----------------------------------------------------------------


def open_window(
    history: History, since: str | None, until: str | None, *, lookback_days: int = 0
) -> tuple[Tables, Window]:
    """The window the options describe and the tables it needs, pruned by date.

    ``lookback_days`` reaches further back, for detectors judging the window's
    first invocations against the history before them.
    """
    window = parse_window(since, until, newest_invocation(history))
    return read_tables(history, since=reach(window, lookback_days)), window


def newest_invocation(history: History) -> dt.datetime:
    """When the newest invocation started, reading only the newest date partition."""
    newest_day = history.newest_day()
    if newest_day is None:
        read_tables(history)  # raises the "run `dbt-monitor ingest` first" error
    newest = newest_start(history.scan("invocations", since=newest_day))
    if newest is None:
        raise MonitorError(f"{history.root}: no invocations yet; run `dbt-monitor ingest` first")
    return newest


def reach(window: Window, lookback_days: int) -> dt.date | None:
    """The first date partition a query over ``window`` reads."""
    first = window.first_day
    return None if first is None else first - dt.timedelta(days=lookback_days)


def selected_nodes(tables: Tables, selectors: tuple[str, ...]) -> set[str] | None:
    """The unique_ids ``--select`` picks (None: no selection)."""
    if not selectors:
        return None
    return select(latest_versions(tables.nodes.collect()), selectors)


def echo_frame(frame: pl.DataFrame, output_format: str) -> None:
    """Print ``frame`` in ``output_format``, fitted to the terminal for tables."""
    click.echo(render(frame, output_format, width=terminal_width()), nl=False)


def terminal_width() -> int:
    """Columns of the terminal (80 when there is none)."""
    return shutil.get_terminal_size((80, 24)).columns


def _config(path: Path | None) -> Config:
    return load_config(explicit=path)


# -- commands ----------------------------------------------------------------


@cli.command("runs")
@window_options(since=None)
@limit_option(20)
@click.option(
    "--findings/--no-findings",
    default=True,
    show_default=True,
    help="Count each invocation's findings (judging takes a moment on long histories).",
)
@format_option
@config_option
@history_option
@user_errors
def runs_command(
    since: str | None,
    until: str | None,
    limit: int,
    findings: bool,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """Recent invocations: counts per status and findings.

    Newest first: when, command, target, labels, duration, results per
    status, and how many error, warn and info findings each one has.

    \b
    Example:
      dbt-monitor runs --since 7d --limit 10
    """
    history = History(history_path)
    recent = load_recent_invocations(history, since, until, limit)
    if findings and recent.height:
        config = _config(config_path)
        oldest = recent["started_at"].min()
        assert isinstance(oldest, dt.datetime)
        first = (oldest - dt.timedelta(days=config.lookback_days)).date()
        frames = prepare(read_tables(history, since=first))
        wanted = recent["invocation_id"].to_list()
        with progress_bar("Judging invocations") as progress:
            found = findings_table(frames, config, wanted, progress=progress)
        recent = with_finding_counts(recent, found, judged_invocations(frames, wanted))
    else:
        recent = recent.drop(pl.selectors.starts_with("found_"))
    echo_frame(recent, output_format)


def load_recent_invocations(
    history: History, since: str | None, until: str | None, limit: int
) -> pl.DataFrame:
    """The newest ``limit`` invocations of the window, reading only the partitions needed.

    Without --since, the last :data:`FIRST_REACH_DAYS` days are read first.
    """
    newest = newest_invocation(history)
    window = parse_window(since, until, newest)
    if window.start is None and limit:
        recent = replace(window, start=newest - dt.timedelta(days=FIRST_REACH_DAYS))
        invocations = history.scan("invocations", since=recent.first_day)
        found = recent_invocations(invocations.filter(recent.contains()), limit=limit)
        if found.height >= limit:
            return found
    invocations = history.scan("invocations", since=window.first_day)
    return recent_invocations(invocations.filter(window.contains()), limit=limit)


@cli.command("slowest")
@click.option(
    "--by",
    type=click.Choice(RANKINGS),
    default="median",
    show_default=True,
    help="Rank by the median, latest, total or longest execution time.",
)
@window_options(since=DEFAULT_SINCE)
@limit_option(20)
@select_option
@format_option
@history_option
@user_errors
def slowest_command(
    by: str,
    since: str | None,
    until: str | None,
    limit: int,
    selectors: tuple[str, ...],
    output_format: str,
    history_path: str,
) -> None:
    """Models, seeds and snapshots by execution time.

    Ranked over a window, with their trend.

    Only successful, non-full-refresh runs count. Times are in seconds; trend
    is a sparkline of the node's runs, oldest first.

    \b
    Example:
      dbt-monitor slowest --since 7d --by latest --select path:models/marts
    """
    tables, window = open_window(History(history_path), since, until)
    runs = node_runs_in(tables, window, selected_nodes(tables, selectors))
    echo_frame(slowest(runs, by=by, limit=limit), output_format)


@cli.command("failures")
@window_options(since=DEFAULT_SINCE)
@limit_option(50)
@select_option
@format_option
@history_option
@user_errors
def failures_command(
    since: str | None,
    until: str | None,
    limit: int,
    selectors: tuple[str, ...],
    output_format: str,
    history_path: str,
) -> None:
    """Tests and models that did not pass in a window.

    Failing ones first: those that failed, errored or warned.

    streak counts the runs in a row that did not pass, up to the node's last
    run in the window; since is when that streak began.

    \b
    Example:
      dbt-monitor failures --since 14d --select resource_type:test
    """
    tables, window = open_window(History(history_path), since, until)
    runs = node_runs_in(tables, window, selected_nodes(tables, selectors))
    echo_frame(failures(runs, limit=limit), output_format)


@cli.command("flaky")
@click.option(
    "--min-flips",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="Only tests that went from pass to fail at least this often.",
)
@window_options(since=DEFAULT_SINCE)
@limit_option(20)
@select_option
@format_option
@history_option
@user_errors
def flaky_command(
    min_flips: int,
    since: str | None,
    until: str | None,
    limit: int,
    selectors: tuple[str, ...],
    output_format: str,
    history_path: str,
) -> None:
    """Tests by flip rate between pass and fail.

    flips counts changes either way, pass_to_fail the failures that followed a
    pass; history shows each run, oldest first (✓ pass, ✗ fail or error).

    \b
    Example:
      dbt-monitor flaky --since 14d
    """
    tables, window = open_window(History(history_path), since, until)
    runs = node_runs_in(tables, window, selected_nodes(tables, selectors))
    echo_frame(flaky(runs, min_flips=min_flips, limit=limit), output_format)


@cli.command("freshness")
@window_options(since=DEFAULT_SINCE)
@limit_option(50)
@select_option
@format_option
@history_option
@user_errors
def freshness_command(
    since: str | None,
    until: str | None,
    limit: int,
    selectors: tuple[str, ...],
    output_format: str,
    history_path: str,
) -> None:
    """Sources: freshness status, age, thresholds, late days.

    Latest status first, then how often each source was late. Ages and
    thresholds are in hours; error_days and warn_days are the days a check
    came out error or warn.

    \b
    Example:
      dbt-monitor freshness --since 14d --select source:raw
    """
    tables, window = open_window(History(history_path), since, until)
    checks = freshness_in(tables, window, selected_nodes(tables, selectors))
    echo_frame(freshness_summary(checks, limit=limit), output_format)


@cli.command("model")
@click.argument("name")
@window_options(since=None)
@limit_option(20)
@format_option
@config_option
@history_option
@user_errors
def model_command(
    name: str,
    since: str | None,
    until: str | None,
    limit: int,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """One node's runs, baseline, findings, parents, children.

    Every run with its status and time, and a sparkline of its durations.
    NAME is a model, seed, snapshot, test or source: fct_orders,
    model.greenery.fct_orders, raw.orders. The table shows the newest --limit
    runs; csv gives the runs, json everything.

    \b
    Example:
      dbt-monitor model fct_orders --since 30d
    """
    config = _config(config_path)
    with progress_bar("Judging runs") as progress:
        found = load_node_history(
            History(history_path), name, since, until, limit, config, progress=progress
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
            tables, unique_id, recent, config, limit=limit, min_runs=limit, progress=progress
        )
        if found is not None:  # the newest runs, out of an uncounted whole
            return replace(found, window=window, total_runs=None)
    tables, unique_id = _resolve(
        read_tables(history, since=reach(window, config.lookback_days)), name
    )
    everything = node_history(tables, unique_id, window, config, limit=limit, progress=progress)
    assert everything is not None  # no min_runs
    return everything


def _resolve(tables: Tables, name: str) -> tuple[Tables, str]:
    """The node ``name`` names, and ``tables`` with its nodes read (once)."""
    nodes = tables.nodes.collect()
    tables = replace(tables, nodes=nodes.lazy())
    try:
        return tables, resolve_node(known_nodes(nodes), name)
    except MonitorError:
        seen = pl.concat(
            [
                tables.node_runs.select("unique_id").unique(),
                tables.freshness.select("unique_id").unique(),
            ]
        ).collect()
        return tables, resolve_node(known_nodes(nodes, seen["unique_id"].to_list()), name)


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
        config = _config(config_path)
        judged, _ = open_window(history, since, until, lookback_days=config.lookback_days)
        wanted = in_window.collect()["invocation_id"].to_list()
        with progress_bar("Judging invocations") as progress:
            return findings_table(prepare(judged), config, wanted, progress=progress)

    echo_frame(run_sql(query, frames, findings), output_format)
