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
from monitor.analysis.frames import invocation_facts, prepare, resolve_invocation
from monitor.analysis.funnel import FunnelColumns
from monitor.analysis.queries.windows import parse_moment
from monitor.cli import cli
from monitor.cli.options import history_option, user_errors, write_text
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.marts import MartRows, stored_mart, warehouse_mart
from monitor.history.store import History
from monitor.history.tables import Tables, latest_compiled_code, read_tables
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


def parse_span(text: str, newest: dt.datetime | None = None) -> dt.timedelta:
    """``30d``, ``12h``, ``2w`` back from the newest invocation, or a date (time) in UTC.

    A date becomes the span from its start to ``newest``, as the query
    commands read ``--since 2021-02-08``.
    """
    match = _SPAN.match(text)
    if match and float(match.group(1)) > 0:
        return dt.timedelta(seconds=float(match.group(1)) * _UNITS[match.group(2).lower()])
    if match or newest is None:
        raise MonitorError(
            f"--since {text!r}: expected a number of hours, days or weeks, e.g. 30d, 12h, 2w"
        )
    start = parse_moment(text, newest, option="--since", end=False)
    if start >= newest:
        raise MonitorError(
            f"--since {text}: after the newest invocation in the report "
            f"({newest:%Y-%m-%d %H:%M} UTC); choose an earlier start"
        )
    return newest - start


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
    help="How far back the window reaches from the newest invocation (h, d or w), "
    "or its first day (2021-02-08, UTC).",
)
@click.option(
    "--until",
    metavar="WHEN",
    default=None,
    help="The report as it stood then: later runs are left out "
    "(2021-02-12 includes that day; 2d, 12h count back from the newest invocation).",
)
@click.option(
    "--invocation",
    metavar="ID",
    default=None,
    help="The report as it stood right after this invocation (an id or a unique prefix).",
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
    until: str | None,
    invocation: str | None,
    warehouse: Path | None,
    funnel: str,
    funnel_columns: str,
    snapshots: tuple[str, ...],
    open_browser: bool,
    include_sql: bool,
    history_path: str,
) -> None:
    """Write the HTML trend report: one self-contained file, no network needed.

    Sections: a verdict banner (each job's newest run), what needs
    attention and what changed, open incidents, run health (runs by job,
    with a drill-down per run), the lineage graph, model performance, the
    last build's timeline and critical path, tests, source freshness,
    exposures, when data was ready, cost, the product funnel and snapshot
    changes.

    \b
    Examples:
      dbt-monitor report -o report.html --since 30d --snapshot orders_snapshot
      dbt-monitor report --warehouse dev.duckdb --funnel fct_product_funnel --open
      dbt-monitor report --invocation 3f68cdf3 -o past-night.html
      dbt-monitor report --until 2021-02-12 --since 2021-02-01
      dbt-monitor report -o s3://team-reports/dbt/     # dated report + index.html
    """
    if until is not None and invocation is not None:
        raise MonitorError("--until and --invocation both say where the report ends; give one")
    started = time.perf_counter()
    history = History(history_path)
    options = ReportOptions(
        span=dt.timedelta(0),
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
    html = make_report(
        history,
        options,
        warehouse,
        required=named,
        span=span,
        until=until,
        invocation=invocation,
    )
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
    span: str | None = None,
    until: str | None = None,
    invocation: str | None = None,
) -> str:
    """The report's HTML: reads the window and the lookback the detectors need.

    The latest run is judged against ``lookback_days`` of history, the window's
    earlier runs against the month before each of them. A mart in
    ``required`` (name: the option that named it) must exist. ``span`` (the
    ``--since`` text) replaces ``options.span``; ``until`` or ``invocation``
    cut the history there: the report as it stood then.
    """
    config = load_config()
    tables = read_tables(history)
    newest = tables.invocations.select(pl.col("started_at").max()).collect(engine=ENGINE).item()
    cutoff = None
    if newest is not None and (until is not None or invocation is not None):
        cutoff = _cutoff(tables, newest, until, invocation)
        tables = _cut(tables, cutoff)
        newest = tables.invocations.select(pl.col("started_at").max()).collect(engine=ENGINE).item()
        options = replace(options, as_of=cutoff)
    if span is not None:
        options = replace(options, span=parse_span(span, newest))
    since = None
    if newest is not None:
        reach = max(dt.timedelta(days=config.lookback_days), options.span + BASELINE_MARGIN)
        since = (newest - reach).date()
    read = read_tables(history, since=since)
    frames = prepare(_cut(read, cutoff) if cutoff is not None else read)
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


def _cutoff(
    tables: Tables, newest: dt.datetime, until: str | None, invocation: str | None
) -> dt.datetime:
    """When the report ends: an invocation's start, or the ``--until`` moment."""
    if invocation is not None:
        facts = invocation_facts(tables.invocations)
        chosen = resolve_invocation(facts, invocation)
        started = facts.filter(pl.col("invocation_id") == chosen)["started_at"][0]
        assert isinstance(started, dt.datetime)
        return started
    assert until is not None
    end = parse_moment(until, newest, option="--until", end=True)
    first = tables.invocations.select(pl.col("started_at").min()).collect(engine=ENGINE).item()
    if first is None or end < first:
        raise MonitorError(
            f"--until {until}: no invocation in the history started by then "
            f"(the first started {first:%Y-%m-%d %H:%M} UTC)"
        )
    return end


def _cut(tables: Tables, at: dt.datetime) -> Tables:
    """The history as it stood at ``at``: later invocations and node versions left out."""
    invocations = tables.invocations.filter(pl.col("started_at") <= at)
    return Tables(
        invocations=invocations,
        node_runs=tables.node_runs,
        freshness=tables.freshness,
        nodes=tables.nodes.filter(pl.col("first_seen_at") <= at),
        exposures=tables.exposures.filter(pl.col("first_seen_at") <= at),
    )


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
