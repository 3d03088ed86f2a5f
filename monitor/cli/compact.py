"""``dbt-monitor compact``: fewer, larger files; optionally drop old history."""

from __future__ import annotations

import re
import time

import click

from monitor.cli import cli
from monitor.cli.options import history_option, progress_bar, user_errors
from monitor.errors import MonitorError
from monitor.history.compact import DEFAULT_GRACE, compact
from monitor.history.store import History

_KEEP = re.compile(r"^(\d+)([dw])$")


def parse_keep(text: str) -> int:
    """``400d`` or ``57w`` as a number of days."""
    match = _KEEP.match(text.strip())
    if not match or int(match.group(1)) == 0:
        raise MonitorError(f"--keep {text!r}: expected a number of days or weeks, e.g. 400d or 57w")
    return int(match.group(1)) * (7 if match.group(2) == "w" else 1)


@cli.command("compact")
@history_option
@click.option(
    "--keep",
    metavar="400d",
    default=None,
    help="Also drop older history: keep the days --since would select (5d: the newest"
    " invocation's day and the 4 before it; 2w).",
)
@click.option(
    "--grace",
    type=click.FloatRange(min=0),
    default=DEFAULT_GRACE,
    show_default=True,
    help="Seconds replaced files stay readable for readers that listed them first.",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Say what would be merged and dropped, and change nothing.",
)
@user_errors
def compact_command(history_path: str, keep: str | None, grace: float, dry_run: bool) -> None:
    """Merge each day's small per-invocation files into one file per table.

    Every table holds exactly the same rows before and after, and a reader
    running meanwhile never sees a row twice or misses one. Run one
    compaction at a time (e.g. a nightly job after the report).

    \b
    Example:
      dbt-monitor compact --history s3://bucket/dbt-history --keep 400d
    """
    started = time.perf_counter()
    history = History(history_path)
    if history.is_empty():
        raise MonitorError(f"{history.root}: no run history here yet; nothing to compact")
    keep_days = parse_keep(keep) if keep else None

    def waiting(seconds: float) -> None:
        click.echo(
            f"waiting {seconds:g} s (--grace) before deleting replaced files,"
            " for readers that listed them first",
            err=True,
        )

    with progress_bar("Compacting") as progress:
        report = compact(
            history,
            keep_days=keep_days,
            grace=grace,
            progress=progress,
            waiting=waiting,
            dry_run=dry_run,
        )
    would = "would merge" if dry_run else "merged"
    dropped = ""
    if keep_days:
        dropped = (
            f", {'would drop' if dry_run else 'dropped'} {report.dropped_days} days past --keep"
        )
    deleted = "would delete" if dry_run else "deleted"
    skipped = f", left {report.skipped} damaged files (see `verify`)" if report.skipped else ""
    folders = f", removed {report.folders} empty folders" if report.folders else ""
    click.echo(
        f"{would} {report.merged} files into {report.written}{dropped}, {deleted}"
        f" {report.deleted} replaced files{skipped}{folders}, in {history.root} in"
        f" {time.perf_counter() - started:.1f} s"
        + (" (dry run: nothing changed)" if dry_run else "")
    )
