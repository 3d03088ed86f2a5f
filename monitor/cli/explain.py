"""``dbt-monitor explain NODE``: when a node's runtime or rows changed, and why."""

from __future__ import annotations

import click

from monitor.analysis.explain.load import LOOKBACK_DAYS, explain
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.history.store import History
from monitor.render.explain import render_explanation


@cli.command("explain")
@click.argument("name")
@click.option(
    "--since",
    metavar="WHEN",
    default=None,
    help=(
        "Only change points from then on: 7d, 24h, 2w or a date (UTC); runs from"
        f" {LOOKBACK_DAYS} days before it are read for the baselines. Default: all, the"
        " whole history read."
    ),
)
@click.option("--until", metavar="WHEN", default=None, help="Only change points until then.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for terminals, markdown for PR comments, json for tools.",
)
@click.option("--diff", is_flag=True, help="Show the code diff at code changes.")
@history_option
@user_errors
def explain_command(
    name: str,
    since: str | None,
    until: str | None,
    output_format: str,
    diff: bool,
    history_path: str,
) -> None:
    """Why NODE got slower or faster, or wrote more or fewer rows.

    Finds the runs where the node's runtime (and, separately, its
    rows_affected, where the adapter reports row counts) stepped up or down
    and stayed, or spiked for one run. For each: the medians before and
    after, the first run after the change, and the likely causes, most
    likely first (code, upstream_code, data, upstream_data, contention,
    threads, environment, full_refresh, unknown) with their evidence. NAME
    is resolved as `model NAME` does.

    \b
    Example:
      dbt-monitor explain fct_orders --since 30d --diff
    """
    found = explain(History(history_path), name, since, until)
    click.echo(render_explanation(found, output_format, diff=diff), nl=False)
