"""``dbt-monitor verify``: check every file of the history; ``--repair`` moves damage aside."""

from __future__ import annotations

import sys

import click

from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.errors import EXIT_FINDINGS, EXIT_OK, MonitorError
from monitor.history.store import History
from monitor.history.verify import verify


@cli.command("verify")
@history_option
@click.option(
    "--repair",
    is_flag=True,
    help="Move damaged invocations aside (never deleted) so re-ingesting restores them.",
)
@user_errors
def verify_command(history_path: str, repair: bool) -> None:
    """Check every data file and commit marker against its checksum and schema.

    Lists what is damaged or missing, with the invocation it belongs to.
    Exit 1 when something is damaged and left in place, 0 otherwise.

    \b
    Example:
      dbt-monitor verify --history s3://bucket/dbt-history --repair
    """
    history = History(history_path)
    if history.is_empty() and not history.storage.list("invocations"):
        raise MonitorError(f"{history.root}: no run history here yet; nothing to verify")
    report = verify(history, repair=repair)
    for damage in report.damaged:
        of = f" (invocation {damage.invocation})" if damage.invocation else ""
        click.echo(f"damaged  {damage.path}{of}: {damage.problem}")
    click.echo(f"checked {report.checked} files in {history.root}: {len(report.damaged)} damaged")
    if report.moved:
        click.echo(
            f"moved {len(report.moved)} files of {len(report.invocations)} invocations to"
            f" {history.root}/{report.aside}; ingest their artifacts again to restore them"
        )
    sys.exit(EXIT_FINDINGS if report.damaged and not repair else EXIT_OK)
