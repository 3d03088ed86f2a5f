"""``dbt-monitor cost``: what the project's runs cost, per node, tag, owner, package, day or run."""

from __future__ import annotations

from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import load_config
from monitor.analysis.cost.load import load_costs
from monitor.analysis.cost.summary import GROUPS, cost_summary, cost_totals
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors
from monitor.cli.query_options import config_option, echo_frame, format_option, limit_option
from monitor.history.store import History

METHOD_WORDS = {
    "bytes_billed": "bytes billed x price per TiB (as billed)",
    "slot_ms": "slot-ms x price per slot-hour (estimate)",
    "warehouse_time": "time-sliced share of warehouse busy time x hourly rate (estimate)",
    "compute_seconds": "time-sliced share of warehouse busy seconds, no price set (estimate)",
}


@cli.command("cost")
@click.option(
    "--since",
    metavar="WHEN",
    default="30d",
    show_default=True,
    help="Start of the window: 30d, 2w, 24h or a date; the trend compares the window before.",
)
@click.option("--until", metavar="WHEN", default=None, help="End of the window (default: now).")
@click.option(
    "--group-by",
    type=click.Choice(GROUPS),
    default="node",
    show_default=True,
    help="What each row adds up.",
)
@limit_option(20)
@format_option
@config_option
@history_option
@user_errors
def cost_command(
    since: str,
    until: str | None,
    group_by: str,
    limit: int,
    output_format: str,
    config_path: Path | None,
    history_path: str,
) -> None:
    """What the runs cost: totals and the top nodes, with each one's trend.

    Prices come from the [cost] table of the configuration (BigQuery bytes
    billed or slot-ms, Snowflake credits, Databricks DBUs, a rate per
    warehouse-hour for any adapter); without one, compute seconds. A
    warehouse busy with several nodes at once bills once: each second is
    split among the nodes running in it. previous_cost is the window before.

    \b
    Example:
      dbt-monitor cost --since 30d --group-by tag --format json
    """
    config = load_config(explicit=config_path)
    costs = load_costs(History(history_path), since, until, config.cost)
    rows = cost_summary(costs.current_runs, costs.previous_runs, costs.nodes, group_by, limit)
    echo_frame(rows, output_format)
    if output_format in ("table", "markdown"):
        click.echo(_totals(costs.current_runs, costs.previous_runs, costs.window.describe()))


def _totals(current: pl.DataFrame, previous: pl.DataFrame, window: str) -> str:
    if current.is_empty():
        return f"no node run with timings in the window {window}"
    before = {
        (unit, method): cost
        for unit, method, cost in cost_totals(previous).select("unit", "method", "cost").iter_rows()
    }
    lines = []
    for unit, method, cost, invocations, _ in cost_totals(current).iter_rows():
        earlier = before.get((unit, method))
        trend = f", previous window {earlier:.2f}" if earlier is not None else ""
        lines.append(
            f"total {cost:.2f} {unit} over {invocations} invocations, {window}{trend}; "
            f"method {method}: {METHOD_WORDS[method]}"
        )
    return "\n".join(lines)
