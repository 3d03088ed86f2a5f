"""``dbt-monitor lineage NODE``: what feeds a node and what it feeds, with their health."""

from __future__ import annotations

from pathlib import Path

import click

from monitor.analysis.check import check
from monitor.analysis.config import load_config
from monitor.analysis.frames import prepare
from monitor.analysis.health import latest_run
from monitor.analysis.lineage_graph import latest_statuses, lineage_graph
from monitor.analysis.lineage_tree import Lineage, lineage, resolve
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.history.store import History
from monitor.history.tables import read_tables
from monitor.render.lineage import render_lineage


@cli.command("lineage")
@click.argument("name")
@click.option(
    "--upstream",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    metavar="N",
    help="Hops of parents to show (0: none).",
)
@click.option(
    "--downstream",
    type=click.IntRange(min=0),
    default=2,
    show_default=True,
    metavar="N",
    help="Hops of children to show, exposures included (0: none).",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text: two trees; json: every node once with unique_id, depth, status, findings.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="dbt-monitor.toml or pyproject.toml [tool.dbt-monitor]; default: nearest.",
)
@history_option
@user_errors
def lineage_command(
    name: str,
    upstream: int,
    downstream: int,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """A node's upstream and downstream, each with its latest status and findings.

    NAME is a model, seed, snapshot, source, exposure or test (a test shows
    the node it tests): fct_orders, model.greenery.fct_orders, raw.orders.
    Status and findings are those of the latest run, as `check` judges it.

    \b
    Examples:
      dbt-monitor lineage fct_orders
      dbt-monitor lineage product_funnel_dashboard --upstream 10 --downstream 0
      dbt-monitor lineage stg_events --format json
    """
    found = load_lineage(History(history_path), name, upstream, downstream, config_path)
    click.echo(render_lineage(found, output_format), nl=False)


def load_lineage(
    history: History, name: str, upstream: int, downstream: int, config_path: Path | None
) -> Lineage:
    """Read the history, judge the latest run, and cut ``name``'s trees out of the graph."""
    config = load_config(explicit=config_path)
    frames = prepare(read_tables(history))
    at = frames.invocations["started_at"][-1] if frames.invocations.height else None
    graph = lineage_graph(frames, at)
    unique_id = resolve(graph, name)
    run = latest_run(frames)
    statuses = dict(latest_statuses(frames, run).select("unique_id", "status").iter_rows())
    findings = [f for invocation in run for f in check(frames, invocation, config).findings]
    return lineage(graph, unique_id, upstream, downstream, statuses, findings)
