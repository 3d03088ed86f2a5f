"""``notify``, ``mute``, ``unmute``, ``incidents``: alerts with an incident lifecycle."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import KINDS, Config, load_config
from monitor.analysis.queries.node_lookup import known_nodes, resolve_node
from monitor.analysis.words import counted
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.cli.report import parse_span
from monitor.engine import ENGINE
from monitor.errors import EXIT_DELIVERY, EXIT_OK, MonitorError
from monitor.history.incidents import IncidentLog, active_mutes
from monitor.history.store import History
from monitor.history.tables import read_tables
from monitor.notify.incidents import incident_table
from monitor.notify.run import Outcome, notify
from monitor.render.table import render


def config_option(func: click.decorators.FC) -> click.decorators.FC:
    """``--config``, as ``check`` has it."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="dbt-monitor.toml or pyproject.toml [tool.dbt-monitor]; default: nearest.",
    )(func)


@cli.command("notify")
@click.option(
    "--invocation",
    default="latest",
    show_default=True,
    metavar="ID|latest",
    help="The run to judge (an id or its first characters).",
)
@click.option("--dry-run", is_flag=True, help="Print the messages; send and record nothing.")
@click.option("--strict", is_flag=True, help="Exit 3 when a destination could not be reached.")
@click.option("--report-url", default=None, metavar="URL", help="Link every alert to this report.")
@history_option
@config_option
@user_errors
def notify_command(
    invocation: str,
    dry_run: bool,
    strict: bool,
    report_url: str | None,
    history_path: str,
    config_path: Path | None,
) -> None:
    """Judge a run as `check` does, follow its incidents and send what changed.

    Only transitions are sent (opened, escalated, resolved, reminder): a test
    failing five nights in a row is one alert. Messages that could not be
    delivered stay pending and go out with the next `notify`, never twice.
    Exit 0, or 3 with --strict when a destination could not be reached.

    \b
    Example (CI, after dbt build):
      dbt-monitor ingest target/ && dbt-monitor notify --report-url https://r.example.com/
    """
    config = load_config(explicit=config_path)
    outcome = notify(
        History(history_path),
        config,
        invocation,
        dry_run=dry_run,
        report_url=report_url,
        environ=os.environ,
    )
    sys.exit(emit_outcome(outcome, config, strict=strict, dry_run=dry_run))


def emit_outcome(outcome: Outcome, config: Config, *, strict: bool, dry_run: bool) -> int:
    """Print what notify did; the exit code (3 only with ``strict`` and a failure)."""
    for alert in outcome.alerts:
        muted = " (muted)" if alert.muted else ""
        click.echo(
            f"{alert.transition:<9} {alert.severity:<5} {alert.kind:<22} "
            f"{alert.unique_id or '-'}{muted}"
        )
    if dry_run:
        for name, preview in outcome.previews:
            click.echo(f"--- {name}")
            click.echo(_pretty(preview))
        click.echo(
            f"dry run: {counted(len(outcome.previews), 'message')}, nothing sent or recorded"
        )
        return EXIT_OK
    for line in outcome.failures:
        click.echo(f"warning: delivery failed: {line}", err=True)
    destinations = len({name for name, _ in outcome.sent})
    click.echo(
        f"{counted(len(outcome.alerts), 'transition')} in {outcome.scope} "
        f"(run {outcome.invocation_id[:8]}); sent {counted(len(outcome.sent), 'alert')} "
        f"to {counted(destinations, 'destination')}"
        + ("" if config.alerts.destinations else " (no alerts.destinations configured)")
    )
    return EXIT_DELIVERY if strict and outcome.failures else EXIT_OK


@cli.command("mute")
@click.argument("target")
@click.option(
    "--for", "span", default=None, metavar="SPAN", help="e.g. 7d, 12h (default: until unmuted)."
)
@click.option("--reason", required=True, help="Why (shown with the incident).")
@history_option
@user_errors
def mute_command(target: str, span: str | None, reason: str, history_path: str) -> None:
    """Stop sending alerts for a node or a finding kind; incidents are still tracked.

    TARGET is a node (as `model NAME` takes it) or a finding kind
    (test_failure, source_stale, ...). --for counts from now.

    \b
    Example:
      dbt-monitor mute stg_addresses --for 7d --reason "vendor fixing the extract"
    """
    history = History(history_path)
    resolved = resolve_target(history, target)
    until = dt.datetime.now(dt.UTC) + parse_span(span) if span else None
    IncidentLog(history.storage).add_mute(resolved, "mute", until, reason)
    when = f" until {until:%Y-%m-%d %H:%M} UTC" if until else ""
    click.echo(f"muted {resolved}{when}: {reason}")


@cli.command("unmute")
@click.argument("target")
@history_option
@user_errors
def unmute_command(target: str, history_path: str) -> None:
    """Send alerts for a muted node or finding kind again.

    \b
    Example:
      dbt-monitor unmute stg_addresses
    """
    history = History(history_path)
    resolved = resolve_target(history, target)
    log = IncidentLog(history.storage)
    if resolved not in active_mutes(log.mutes(), dt.datetime.now(dt.UTC)):
        raise MonitorError(f"{resolved} is not muted; `dbt-monitor incidents --all` lists mutes")
    log.add_mute(resolved, "unmute", None, "")
    click.echo(f"unmuted {resolved}")


def resolve_target(history: History, target: str) -> str:
    """A finding kind as is; anything else the node it names (as `model NAME` resolves it)."""
    if target in KINDS:
        return target
    nodes = read_tables(history).nodes.collect(engine=ENGINE)
    return resolve_node(known_nodes(nodes), target)


@cli.command("incidents")
@click.option("--all", "show_all", is_flag=True, help="Resolved incidents too.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "csv", "json", "markdown"]),
    default="table",
    show_default=True,
    help="table for terminals, csv, json, markdown.",
)
@history_option
@user_errors
def incidents_command(show_all: bool, output_format: str, history_path: str) -> None:
    """List the open incidents (with --all, resolved ones too).

    \b
    Example:
      dbt-monitor incidents --format markdown
    """
    history = History(history_path)
    log = IncidentLog(history.storage)
    now = dt.datetime.now(dt.UTC)
    table = incident_table(log.transitions(), log.deliveries(), active_mutes(log.mutes(), now))
    if not show_all:
        table = table.filter(pl.col("state") != "resolved")
    if table.is_empty():
        click.echo("no open incidents" if not show_all else "no incidents recorded yet")
        return
    click.echo(render(table, output_format), nl=False)


def _pretty(preview: str) -> str:
    """JSON payloads indented for reading; anything else as it is."""
    try:
        return json.dumps(json.loads(preview), indent=2, ensure_ascii=False)
    except ValueError:
        return preview
