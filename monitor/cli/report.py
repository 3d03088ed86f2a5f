"""``dbt-monitor report``: the self-contained HTML trend report."""

from __future__ import annotations

import datetime as dt
import re
import time
import webbrowser
from dataclasses import replace
from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import load_config
from monitor.analysis.frames import prepare
from monitor.analysis.funnel import FunnelColumns
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors, write_text
from monitor.errors import MonitorError
from monitor.history.marts import MartRows, stored_mart, warehouse_mart
from monitor.history.store import History
from monitor.history.tables import latest_compiled_code, read_tables
from monitor.notify.incidents import open_incidents
from monitor.notify.publish import is_destination, publish
from monitor.render.report import (
    DEFAULT_FUNNEL,
    MartReader,
    ReportOptions,
    build_report,
    render_report,
)

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": 3600, "d": 86400, "w": 7 * 86400}


def parse_span(text: str) -> dt.timedelta:
    """``30d``, ``12h``, ``2w``: a window counted back from the newest invocation."""
    match = _SPAN.match(text)
    if not match or float(match.group(1)) <= 0:
        raise MonitorError(
            f"--since {text!r}: expected a number of hours, days or weeks, e.g. 30d, 12h, 2w"
        )
    return dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])


@cli.command("report")
@click.option(
    "-o",
    "--output",
    "output_text",
    metavar="PATH",
    default="report.html",
    show_default=True,
    help="Where to write the HTML file; a folder (ending in /) or s3://bucket/prefix/ "
    "publishes a dated report, latest.html and an index.html of past reports.",
)
@click.option(
    "--since",
    "span",
    metavar="SPAN",
    default="30d",
    show_default=True,
    help="How far back the window reaches from the newest invocation (h, d or w).",
)
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="PATH.duckdb",
    help="Read the funnel and snapshot tables live from this DuckDB file "
    "instead of the exports stored in the history.",
)
@click.option(
    "--funnel",
    default=DEFAULT_FUNNEL,
    show_default=True,
    metavar="TABLE",
    help="The funnel mart: one row per step.",
)
@click.option(
    "--funnel-columns",
    default="step,step_order,users",
    show_default=True,
    metavar="STEP,ORDER,USERS",
    help="The funnel mart's columns for the step name, its order and its user count.",
)
@click.option(
    "--snapshot",
    "snapshots",
    multiple=True,
    metavar="TABLE[:KEY]",
    help="A snapshot table whose changes to show (repeatable); KEY names its unique key.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the report in a browser.")
@click.option(
    "--include-sql",
    is_flag=True,
    help="Include compiled SQL in node details (left out by default: it can hold secrets).",
)
@history_option
@user_errors
def report_command(
    output_text: str,
    span: str,
    warehouse: Path | None,
    funnel: str,
    funnel_columns: str,
    snapshots: tuple[str, ...],
    open_browser: bool,
    include_sql: bool,
    history_path: str,
) -> None:
    """Write the HTML trend report: one self-contained file, no network needed.

    Sections: what needs attention, run health, model performance, the last
    build's timeline and critical path, tests, source freshness, exposures,
    the product funnel and snapshot changes.

    \b
    Examples:
      dbt-monitor report -o report.html --since 30d --snapshot orders_snapshot
      dbt-monitor report --warehouse dev.duckdb --funnel fct_product_funnel --open
      dbt-monitor report -o s3://team-reports/dbt/     # dated report + index.html
    """
    started = time.perf_counter()
    history = History(history_path)
    options = ReportOptions(
        span=parse_span(span),
        funnel=funnel,
        funnel_columns=FunnelColumns.parse(funnel_columns),
        snapshots=snapshots,
        include_sql=include_sql,
        source_hint=f"warehouse {warehouse}" if warehouse else f"{history.root}/marts",
        incidents=open_incidents(history),
    )
    named = {spec.split(":", 1)[0]: "--snapshot" for spec in snapshots}
    source = click.get_current_context().get_parameter_source("funnel")
    if source is not None and source.name != "DEFAULT":
        named[funnel] = "--funnel"
    html = make_report(history, options, warehouse, required=named)
    if is_destination(output_text):
        where = publish(html, output_text, dt.datetime.now(dt.UTC))
        click.echo(f"published {where} and its index.html in {time.perf_counter() - started:.1f} s")
        return
    output = Path(output_text)
    write_text(output, html)
    seconds = time.perf_counter() - started
    click.echo(f"wrote {output} ({len(html.encode('utf-8')) / 1e6:.1f} MB) in {seconds:.1f} s")
    if open_browser and not open_in_browser(output):
        click.echo(f"warning: found no browser to open {output} in; open it yourself", err=True)


def open_in_browser(path: Path) -> bool:
    """Open ``path`` in the user's browser; False when there is none to open it."""
    try:
        return webbrowser.open(path.resolve().as_uri())
    except webbrowser.Error:
        return False


BASELINE_MARGIN = dt.timedelta(days=30)
"""History read before the window, for the baselines of its first runs."""


def make_report(
    history: History,
    options: ReportOptions,
    warehouse: Path | None,
    *,
    required: dict[str, str] | None = None,
) -> str:
    """The report's HTML: reads the window and the lookback the detectors need.

    The latest run is judged against ``lookback_days`` of history, the window's
    earlier runs against the month before each of them. A mart in
    ``required`` (name: the option that named it) must exist.
    """
    config = load_config()
    tables = read_tables(history)
    newest = tables.invocations.select(pl.col("started_at").max()).collect().item()
    since = None
    if newest is not None:
        reach = max(dt.timedelta(days=config.lookback_days), options.span + BASELINE_MARGIN)
        since = (newest - reach).date()
    frames = prepare(read_tables(history, since=since))
    if options.include_sql:
        options = replace(options, compiled_code=latest_compiled_code(history, since=since))
    reader = mart_reader(history, frames.invocations, warehouse)
    report = build_report(
        frames, config, options, require_marts(reader, required or {}, options.source_hint)
    )
    return render_report(report)


def require_marts(reader: MartReader, required: dict[str, str], where: str) -> MartReader:
    """``reader``, read once per mart, after checking that every ``required`` mart exists."""
    read: dict[str, MartRows | None] = {}

    def once(name: str) -> MartRows | None:
        if name not in read:
            read[name] = reader(name)
        return read[name]

    for name, option in required.items():
        if once(name) is None:
            raise MonitorError(f"{option} {name}: no such table in {where}")
    return once


def mart_reader(history: History, invocations: pl.DataFrame, warehouse: Path | None) -> MartReader:
    """Marts from the warehouse when one is given, else from the history's exports."""
    if warehouse is not None:
        if not warehouse.is_file():
            raise MonitorError(f"--warehouse {warehouse}: no such file")

        def from_warehouse(name: str) -> MartRows | None:
            return warehouse_mart(warehouse, name)

        return from_warehouse

    def from_history(name: str) -> MartRows | None:
        return stored_mart(history, name, invocations)

    return from_history
