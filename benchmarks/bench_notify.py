"""Notify benchmark: judging runs and reading the incident log as it grows.

Usage::

    python benchmarks/bench_notify.py HISTORY [--transitions 1000 5000]

HISTORY is a history folder (e.g. ``dbt-monitor ingest fixtures/runs``), copied
first and left untouched. Prints the time of ``notify`` (no destination) for
every run that executed something, oldest first, inside one warm process;
then the time to read an incident log of N transitions and N deliveries (one
file each, as notify writes them) from a local folder.
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import click
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.analysis.config import Config  # noqa: E402
from monitor.analysis.frames import invocation_facts  # noqa: E402
from monitor.history.incidents import IncidentLog  # noqa: E402
from monitor.history.storage import LocalStorage  # noqa: E402
from monitor.history.store import History  # noqa: E402
from monitor.notify.run import notify  # noqa: E402


@click.command()
@click.argument("history", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--transitions", "sizes", multiple=True, type=int, default=(1000, 5000))
def main(history: Path, sizes: tuple[int, ...]) -> None:
    """Print the numbers."""
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "history"
        shutil.copytree(history, copy)
        for folder in ("incidents", "deliveries", "mutes"):
            shutil.rmtree(copy / folder, ignore_errors=True)
        store = History(copy)
        runs = invocation_facts(store.scan("invocations")).filter(pl.col("executes"))
        times = []
        for run in runs["invocation_id"]:
            start = time.perf_counter()
            notify(store, Config(), run, environ={})
            times.append(time.perf_counter() - start)
        click.echo(
            f"notify over {len(times)} runs: median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s, total {sum(times):.1f} s"
        )
        for size in sizes:
            log = IncidentLog(LocalStorage(Path(tmp) / f"log{size}"))
            when = dt.datetime(2021, 1, 1, tzinfo=dt.UTC)
            for n in range(size):
                row = {"transition_id": f"t{n}", "incident_id": f"i{n}", "kind": "test_failure",
                       "unique_id": f"test.x.t{n}", "scope": "nightly build",
                       "transition": "opened", "severity": "error", "invocation_id": f"r{n}",
                       "run_started_at": when + dt.timedelta(hours=n), "recorded_at": when,
                       "muted": False, "destinations": ["slack"], "alert": "{}"}  # fmt: skip
                log.record_transition(row)
                log.claim(f"t{n}", "slack", 1)
            start = time.perf_counter()
            log.transitions()
            log.deliveries()
            seconds = time.perf_counter() - start
            click.echo(f"read {size} transitions + {size} claims: {seconds:.2f} s")


if __name__ == "__main__":
    main()
