"""``dbt-monitor ingest``: add dbt artifacts to the run history."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
import polars as pl

from monitor.cli import cli
from monitor.cli.check import check_options, emit_check, load_check_config
from monitor.cli.options import history_option, progress_bar, user_errors
from monitor.errors import EXIT_OK, EXIT_USAGE
from monitor.history.ingest import IngestReport, ingest
from monitor.history.labels import parse_labels
from monitor.history.store import History


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
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
@check_options
@user_errors
def ingest_command(
    paths: tuple[Path, ...],
    history_path: str,
    labels: tuple[str, ...],
    then_check: bool,
    fail_on: str | None,
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> None:
    """Add dbt artifacts to the run history.

    PATHS may be a dbt target/ folder, artifact files (also .json.gz) or a
    folder of many run folders. Invocations already in the history are
    skipped, so running it twice is safe.

    \b
    Example:
      dbt build; dbt-monitor ingest target/ --label job=nightly
    """
    started = time.perf_counter()
    history = History(history_path)
    with progress_bar("Reading artifacts") as progress:
        report = ingest(
            list(paths),
            history,
            user_labels=parse_labels(labels),
            environ=os.environ,
            progress=progress,
        )
    _print_ingest(report, history, time.perf_counter() - started)
    code = EXIT_OK
    if then_check and report.invocations:
        from monitor.analysis.check import check  # only --check pays for the detectors
        from monitor.analysis.load import load_frames

        config = load_check_config(config_path, fail_on)
        wanted = [item.invocation_id for item in report.invocations]
        frames, ids = load_frames(history, config.lookback_days, wanted)
        executing = frames.invocations.filter(
            pl.col("invocation_id").is_in(ids) & pl.col("executes")
        )
        results = [check(frames, inv_id, config) for inv_id in executing["invocation_id"]]
        code = emit_check(results, output_format, output)
    if report.errors:
        code = EXIT_USAGE
    sys.exit(code)


def _print_ingest(report: IngestReport, history: History, seconds: float) -> None:
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for item in report.invocations:
        when = item.started_at.strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{item.outcome:<8} {when}  {item.command:<16} {item.results:>5} results"
            f"  {item.invocation_id[:8]}  {item.source.parent}"
        )
    for error in report.errors:
        click.echo(f"failed   {error}", err=True)
    summary = (
        f"{report.count('added')} added, {report.count('present')} already present,"
        f" {len(report.errors)} failed, into {history.root} in {seconds:.1f} s"
    )
    click.echo(summary)
