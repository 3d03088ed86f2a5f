"""``dbt-monitor forecast``: when the next run of a job finishes, and its exposures are ready."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import load_config
from monitor.analysis.schedule.forecast import SAMPLES, forecast
from monitor.analysis.schedule.load import frames_since
from monitor.analysis.schedule.runs import newest_job, node_invocations
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.cli.query_options import config_option
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.render.schedule import forecast_json, forecast_text

READ_DAYS = 60
"""Days of history read first; the whole history only when the job has too few runs in them."""


@cli.command("forecast")
@click.option(
    "--job",
    metavar="NAME",
    default=None,
    help="The job (nightly, or with its command: 'nightly build'); default: the newest run's.",
)
@click.option(
    "--samples",
    type=click.IntRange(min=10),
    default=SAMPLES,
    show_default=True,
    help="Monte Carlo samples.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for terminals, json for scripts.",
)
@config_option
@history_option
@user_errors
def forecast_command(
    job: str | None, samples: int, output_format: str, config_path: Path | None, history_path: str
) -> None:
    """P50 and P90 finish time of a job's next run, and when each exposure is ready.

    A Monte Carlo over each node's recent durations through the scheduler
    replay (the way dbt hands out ready nodes to its threads), seeded from
    the newest invocation id: the same history gives the same answer. Needs
    at least 5 runs of the job.

    \b
    Example:
      dbt-monitor forecast --job nightly --format json
    """
    config = load_config(explicit=config_path)
    history = History(history_path)
    frames = frames_since(history, READ_DAYS)
    wanted = _job(frames.invocations, job)
    if (frames.invocations["job"] == wanted).sum() < 5:
        frames = frames_since(history, None)
    result = forecast(frames, wanted, config, samples)
    click.echo(
        forecast_json(result) if output_format == "json" else forecast_text(result), nl=False
    )


def _job(invocations: pl.DataFrame, job: str | None) -> str:
    if job is None:
        return newest_job(invocations)
    runs = node_invocations(invocations)
    if job in runs["job"]:
        return job
    named = runs.filter(pl.col("job_name") == job)["job"]
    if named.len():
        return str(named[-1])
    known = ", ".join(sorted(set(runs["job"].to_list()))) or "none"
    raise MonitorError(f"no runs of job {job!r} in the history (jobs: {known})")
