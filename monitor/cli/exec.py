"""``dbt-monitor exec -- dbt build …``: run dbt, then ingest what it wrote, whatever happened."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import click
import polars as pl

from monitor.analysis.check import check
from monitor.analysis.load import load_frames
from monitor.cli import cli
from monitor.cli.check import emit_check, load_check_config
from monitor.cli.options import check_options, history_option
from monitor.errors import EXIT_OK, EXIT_USAGE, MonitorError
from monitor.history.ingest import IngestReport, ingest
from monitor.history.labels import parse_labels
from monitor.history.store import History
from monitor.integrations import wrap


@cli.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.argument("command", nargs=-1, required=True, type=click.UNPROCESSED)
@history_option
@click.option(
    "--target-path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the command writes its artifacts (default: as dbt decides: the command's"
    " --target-path / --project-dir, DBT_TARGET_PATH, else target/).",
)
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="KEY=VALUE",
    help="Attach metadata to the invocation (git sha, job, PR number). Repeatable.",
)
@click.option(
    "--check",
    "then_check",
    is_flag=True,
    help="Then check the invocation just ingested (implied by --fail-on).",
)
@check_options
def exec_command(
    command: tuple[str, ...],
    history_path: str,
    target_path: Path | None,
    labels: tuple[str, ...],
    then_check: bool,
    fail_on: str | None,
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> None:
    """Run a dbt command, then ingest its artifacts even when it failed.

    The command's output is streamed unchanged. Afterwards, the artifacts it
    wrote in its target path are ingested; files left there by an earlier run
    (same invocation_id, or generated before the command started) are named
    and skipped, never ingested again.

    Exit code: the command's own, always, when it failed (a command killed by
    a signal kills dbt-monitor with the same signal once ingested). When it
    exited 0: 1 if --fail-on (or --check) found problems, 2 if dbt-monitor
    itself could not ingest or check, else 0. So this is the one command
    whose exit codes 1 and 2 may be dbt's.

    \b
    Example (cron, Airflow BashOperator, a CI step):
      dbt-monitor exec --label job=nightly --fail-on error -- dbt build --target prod
    """
    user_labels = _parse(labels)
    cwd = Path.cwd()
    target = cwd / target_path if target_path else wrap.target_path(command, os.environ, cwd)
    before = wrap.snapshot(target)
    try:
        finished = wrap.run(command)
    except wrap.CommandFailed as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(err.exit_code)
    own = EXIT_OK
    try:
        wants_check = then_check or fail_on is not None
        report = _ingest_fresh(target, before, finished, history_path, user_labels)
        if wants_check and report is not None and report.invocations:
            own = _check(report, history_path, fail_on, output_format, output, config_path)
        if report is not None and report.errors:
            own = EXIT_USAGE
    except MonitorError as err:
        click.echo(f"error: {err}", err=True)
        own = EXIT_USAGE
    _exit(finished, own)


def _parse(labels: tuple[str, ...]) -> dict[str, str]:
    try:
        return parse_labels(labels)
    except MonitorError as err:  # before the command runs: nothing has happened yet
        click.echo(f"error: {err}", err=True)
        sys.exit(EXIT_USAGE)


def _ingest_fresh(
    target: Path,
    before: dict[Path, wrap.Seen],
    finished: wrap.Finished,
    history_path: str,
    labels: dict[str, str],
) -> IngestReport | None:
    """Ingest the artifacts the command wrote; say which were stale and why."""
    fresh = wrap.fresh_artifacts(target, before, finished.started_at)
    for line in fresh.stale:
        click.echo(f"dbt-monitor: {line}", err=True)
    if not fresh.files:
        click.echo(
            f"dbt-monitor: the command wrote no artifacts in {target}"
            f" (exit {finished.exit_code}); nothing to ingest",
            err=True,
        )
        return None
    history = History(history_path)
    report = ingest(fresh.files, history, user_labels=labels, environ=os.environ)
    for warning in report.warnings:
        click.echo(f"dbt-monitor: warning: {warning}", err=True)
    for item in report.invocations:
        click.echo(
            f"dbt-monitor: {item.outcome} {item.command} {item.invocation_id[:8]}"
            f" ({item.results} results) into {history.root}",
            err=True,
        )
    for error in report.errors:
        click.echo(f"dbt-monitor: failed {error}", err=True)
    return report


def _check(
    report: IngestReport,
    history_path: str,
    fail_on: str | None,
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> int:
    config = load_check_config(config_path, fail_on)
    wanted = [item.invocation_id for item in report.invocations]
    frames, ids = load_frames(History(history_path), config.lookback_days, wanted)
    executing = frames.invocations.filter(pl.col("invocation_id").is_in(ids) & pl.col("executes"))
    results = [check(frames, inv_id, config) for inv_id in executing["invocation_id"]]
    return emit_check(results, output_format, output) if results else EXIT_OK


def _exit(finished: wrap.Finished, own: int) -> None:
    """The command's exit code when it failed (its signal when killed), else ours."""
    if finished.signal is not None:
        sys.stdout.flush()
        sys.stderr.flush()
        if finished.signal not in (signal.SIGKILL, signal.SIGSTOP):
            signal.signal(finished.signal, signal.SIG_DFL)
        os.kill(os.getpid(), finished.signal)
    sys.exit(finished.exit_code or own)
