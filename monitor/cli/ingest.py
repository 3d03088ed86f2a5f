"""``dbt-monitor ingest``: add dbt artifacts to the run history."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
import polars as pl

from monitor.cli import cli
from monitor.cli.options import check_options, history_option, progress_bar, user_errors
from monitor.cli.remote import SourceParam, ingest_remote, local_paths
from monitor.errors import EXIT_OK, EXIT_USAGE
from monitor.history.ingest import IngestReport, ingest
from monitor.history.labels import parse_labels
from monitor.history.store import History
from monitor.render.safe_text import for_terminal


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=SourceParam())
@history_option
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="KEY=VALUE",
    help="Attach metadata to the invocations (git sha, job, PR number). Repeatable.",
)
@click.option(
    "--check",
    "then_check",
    is_flag=True,
    help="Then check exactly the invocations just ingested (exit 1 on findings).",
)
@click.option(
    "--notify",
    "then_notify",
    is_flag=True,
    help="Then send the incident transitions of the runs just ingested (see `notify`); "
    "a delivery failure never fails the ingest.",
)
@check_options
@user_errors
def ingest_command(
    paths: tuple[Path | str, ...],
    history_path: str,
    labels: tuple[str, ...],
    then_check: bool,
    then_notify: bool,
    fail_on: str | None,
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> None:
    """Add dbt artifacts to the run history.

    PATHS may be a dbt target/ folder, artifact files (also .json.gz), a
    folder of many run folders, or dbt Cloud runs: dbt-cloud://ACCOUNT/runs/RUN
    or dbt-cloud://ACCOUNT/jobs/JOB?last=30 (token in DBT_CLOUD_API_TOKEN,
    host in DBT_CLOUD_HOST). Invocations already in the history are
    skipped, so running it twice is safe.

    \b
    Example:
      dbt build; dbt-monitor ingest target/ --label job=nightly
    """
    started = time.perf_counter()
    history = History(history_path)
    with progress_bar("Reading artifacts") as progress:
        report = ingest(
            local_paths(paths),
            history,
            user_labels=parse_labels(labels),
            environ=os.environ,
            progress=progress,
        )
    ingest_remote(paths, history, report, parse_labels(labels))
    _print_ingest(report, history, time.perf_counter() - started)
    code = EXIT_OK
    if then_check and report.invocations:
        from monitor.analysis.check import check  # only --check pays for the detectors
        from monitor.analysis.load import load_frames
        from monitor.cli.check import emit_check, load_check_config

        config = load_check_config(config_path, fail_on)
        wanted = [item.invocation_id for item in report.invocations]
        frames, ids = load_frames(history, config.lookback_days, wanted)
        executing = frames.invocations.filter(
            pl.col("invocation_id").is_in(ids) & pl.col("executes")
        )
        results = [check(frames, inv_id, config) for inv_id in executing["invocation_id"]]
        code = emit_check(results, output_format, output)
    if then_notify and report.invocations:
        _notify(history, config_path, [item.invocation_id for item in report.invocations])
    if report.errors:
        code = EXIT_USAGE
    sys.exit(code)


def _print_ingest(report: IngestReport, history: History, seconds: float) -> None:
    for warning in report.warnings:
        click.echo(f"warning: {for_terminal(warning)}", err=True)
    for item in report.invocations:
        when = item.started_at.strftime("%Y-%m-%d %H:%M")
        line = (
            f"{item.outcome:<8} {when}  {item.command:<16} {item.results:>5} results"
            f"  {item.invocation_id[:8]}  {item.source.parent}"
        )
        click.echo(for_terminal(line))  # ids, commands and paths come from artifacts
    for error in report.errors:
        click.echo(f"failed   {for_terminal(error)}", err=True)
    summary = (
        f"{report.count('added')} added, {report.count('present')} already present,"
        f" {len(report.errors)} failed, into {history.root} in {seconds:.1f} s"
    )
    click.echo(summary)


def _notify(history: History, config_path: Path | None, ingested: list[str]) -> None:
    """``--notify``: each executing run just ingested, oldest first; failures only warn."""
    from monitor.analysis.load import load_frames
    from monitor.cli.check import load_check_config
    from monitor.cli.notify import emit_outcome
    from monitor.notify.run import notify

    config = load_check_config(config_path, None)
    frames, ids = load_frames(history, config.lookback_days, ingested)
    runs = frames.invocations.filter(pl.col("invocation_id").is_in(ids) & pl.col("executes"))
    for invocation_id in runs.sort("started_at")["invocation_id"]:
        outcome = notify(history, config, invocation_id, environ=os.environ)
        emit_outcome(outcome, config, strict=False, dry_run=False)
