"""The ranking commands: slowest, failures, flaky and freshness over a window.

Each parses its options, reads only the date partitions its window needs,
ranks every node and prints the top rows (all of them in csv and json).
"""

from __future__ import annotations

import click

from monitor.analysis.queries.failures import failures
from monitor.analysis.queries.flaky import flaky
from monitor.analysis.queries.node_runs import freshness_in, node_runs_in
from monitor.analysis.queries.slowest import RANKINGS, slowest
from monitor.analysis.queries.sources import freshness_summary
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.cli.query_options import (
    DEFAULT_SINCE,
    echo_frame,
    format_option,
    full_message_option,
    limit_option,
    open_window,
    row_limit,
    select_option,
    selected_nodes,
    window_options,
)
from monitor.history.store import History


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
    limit: int | None,
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
    echo_frame(slowest(runs, by=by), output_format, limit=row_limit(limit, 20, output_format))


@cli.command("failures")
@window_options(since=DEFAULT_SINCE)
@limit_option(50)
@select_option
@full_message_option
@format_option
@history_option
@user_errors
def failures_command(
    since: str | None,
    until: str | None,
    limit: int | None,
    selectors: tuple[str, ...],
    full_message: bool,
    output_format: str,
    history_path: str,
) -> None:
    """Tests and models that did not pass in a window.

    Failing ones first: those that failed, errored or warned.

    streak counts the runs in a row that did not pass, up to the node's last
    run in the window; since is when that streak began. message is the line
    of dbt's last failure message that names the error (--full-message: all).

    \b
    Example:
      dbt-monitor failures --since 14d --select resource_type:test
    """
    tables, window = open_window(History(history_path), since, until)
    runs = node_runs_in(tables, window, selected_nodes(tables, selectors))
    found = failures(runs, full_message=full_message)
    echo_frame(found, output_format, limit=row_limit(limit, 50, output_format))


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
    limit: int | None,
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
    found = flaky(runs, min_flips=min_flips)
    echo_frame(found, output_format, limit=row_limit(limit, 20, output_format))


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
    limit: int | None,
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
    found = freshness_summary(checks)
    echo_frame(found, output_format, limit=row_limit(limit, 50, output_format))
