"""``dbt-monitor whatif``: a build replayed with faster nodes, skipped nodes or other threads."""

from __future__ import annotations

import re

import click
import polars as pl

from monitor.analysis.queries.node_lookup import known_nodes, resolve_node
from monitor.analysis.schedule.load import job_builds, one_build
from monitor.analysis.schedule.whatif import Scenario, WhatIf, typical_build, what_if
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.render.schedule import whatif_json, whatif_text

_FASTER = re.compile(r"^(?P<node>[^=]+)=(?P<percent>\d+(\.\d+)?)%?$")


@cli.command("whatif")
@click.option(
    "--invocation", metavar="ID", default=None, help="The build to replay (default: the newest)."
)
@click.option(
    "--since",
    metavar="WHEN",
    default=None,
    help="Use each node's median time over the job's builds since WHEN (14d, 2w, a date).",
)
@click.option("--threads", type=click.IntRange(min=1), default=None, help="Replay with N threads.")
@click.option(
    "--faster",
    multiple=True,
    metavar="NODE=P%",
    help="Take P % off NODE's time (fct_orders=50% halves it). Repeatable.",
)
@click.option("--skip", multiple=True, metavar="NODE", help="Leave NODE out. Repeatable.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="table for terminals, json for scripts.",
)
@history_option
@user_errors
def whatif_command(
    invocation: str | None,
    since: str | None,
    threads: int | None,
    faster: tuple[str, ...],
    skip: tuple[str, ...],
    output_format: str,
    history_path: str,
) -> None:
    """Predict a build's wall time with faster nodes, skipped nodes or other threads.

    The build is replayed the way dbt schedules it, on its DAG with each
    node's time; the baseline is the same replay without changes. With no
    change given, lists the ten nodes whose 50 % speed-up would shorten the
    build most (its leverage), which are not simply the ten slowest.

    \b
    Examples:
      dbt-monitor whatif
      dbt-monitor whatif --threads 8 --faster fct_orders=50% --skip big_export
      dbt-monitor whatif --since 14d --format json
    """
    if invocation and since:
        raise MonitorError("give --invocation or --since, not both")
    history = History(history_path)
    if since:
        frames, ids = job_builds(history, since)
        build, runs_used = typical_build(frames, ids)
    else:
        frames, invocation_id = one_build(history, invocation)
        build, runs_used = typical_build(frames, [invocation_id])
    known = known_nodes(frames.nodes, build.graph.ids)
    scenario = Scenario(
        threads=threads,
        faster=dict(_faster(known, item) for item in faster),
        skip=frozenset(resolve_node(known, name) for name in skip),
    )
    result: WhatIf = what_if(build, scenario, runs_used)
    if output_format == "json":
        click.echo(whatif_json(result), nl=False)
    else:
        words = [f"--threads {threads}"] if threads else []
        words += [f"--faster {item}" for item in faster] + [f"--skip {item}" for item in skip]
        click.echo(whatif_text(result, words), nl=False)


def _faster(known: pl.DataFrame, item: str) -> tuple[str, float]:
    match = _FASTER.match(item.strip())
    if not match:
        raise MonitorError(f"--faster {item!r}: expected NODE=PERCENT, e.g. fct_orders=50%")
    percent = float(match.group("percent"))
    if not 0 < percent <= 100:
        raise MonitorError(f"--faster {item!r}: the percentage must be above 0 and at most 100")

    return resolve_node(known, match.group("node").strip()), percent / 100
