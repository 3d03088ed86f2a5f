"""``dbt-monitor runs``: recent invocations, their counts per status and their findings."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import click
import polars as pl

from monitor.analysis.frames import prepare
from monitor.analysis.queries.findings_table import findings_table, judged_invocations
from monitor.analysis.queries.invocations import recent_invocations, with_finding_counts
from monitor.analysis.queries.windows import Window, parse_window
from monitor.cli import cli
from monitor.cli.options import history_option, progress_bar, user_errors
from monitor.cli.query_options import (
    FIRST_REACH_DAYS,
    command_config,
    config_option,
    echo_frame,
    format_option,
    limit_option,
    newest_invocation,
    row_limit,
    window_options,
)
from monitor.engine import ENGINE
from monitor.history.store import History
from monitor.history.tables import read_tables


@cli.command("runs")
@window_options(since=None)
@limit_option(20)
@click.option(
    "--findings/--no-findings",
    default=False,
    show_default=True,
    help="Also count each invocation's error, warn and info findings: judges every row "
    "shown as check would (seconds on a long history).",
)
@format_option
@config_option
@history_option
@user_errors
def runs_command(
    since: str | None,
    until: str | None,
    limit: int | None,
    findings: bool,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """Recent invocations: counts per status and findings.

    Newest first: when, command, results per status (ok: success and pass;
    fail: fail, error and runtime error), duration, target, id and labels;
    with --findings, how many error, warn and info findings each one has. A
    table shows the newest 20; csv and json all of the window unless --limit
    is given.

    \b
    Example:
      dbt-monitor runs --since 7d --limit 10
    """
    history = History(history_path)
    rows = row_limit(limit, 20, output_format)
    recent, window = load_recent_invocations(history, since, until, rows)
    if findings and recent.height:
        config = command_config(config_path)
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
    total = recent.height
    if rows and recent.height == rows:  # cut: count what the window holds
        total = count_invocations(history, window)
    echo_frame(recent, output_format, total=total)


def load_recent_invocations(
    history: History, since: str | None, until: str | None, limit: int
) -> tuple[pl.DataFrame, Window]:
    """The newest ``limit`` invocations of the window (0: all), and the window.

    Only the partitions needed are read: without --since, the last
    :data:`FIRST_REACH_DAYS` days first.
    """
    newest = newest_invocation(history)
    window = parse_window(since, until, newest)
    if window.start is None and limit:
        recent = replace(window, start=newest - dt.timedelta(days=FIRST_REACH_DAYS))
        invocations = history.scan("invocations", since=recent.first_day)
        found = recent_invocations(invocations.filter(recent.contains()), limit=limit)
        if found.height >= limit:
            return found, window
    invocations = history.scan("invocations", since=window.first_day)
    return recent_invocations(invocations.filter(window.contains()), limit=limit), window


def count_invocations(history: History, window: Window) -> int:
    """How many invocations the window holds.

    The whole history's count comes from the commit markers, without opening
    a data file.
    """
    if window.start is None and window.end is None:
        return len(history.committed_ids())
    invocations = history.scan("invocations", since=window.first_day).filter(window.contains())
    count = invocations.select(pl.col("invocation_id").n_unique()).collect(engine=ENGINE).item()
    return int(count or 0)
