"""What the query commands share: their options, the window they read, how rows are printed.

Row limits are honest: csv and json are complete unless ``--limit`` is
given, and a table that leaves rows out says how many it shows of how many.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable
from pathlib import Path

import click
import polars as pl

from monitor.analysis.config import Config, load_config
from monitor.analysis.queries.node_runs import newest_start
from monitor.analysis.queries.select import latest_versions, select
from monitor.analysis.queries.windows import Window, parse_window
from monitor.cli.options import P, R
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import Tables, read_tables
from monitor.render.table import FORMATS, cut_note, render

DEFAULT_SINCE = "30d"

FIRST_REACH_DAYS = 30
"""Without --since, ``runs`` and ``model`` first look this far back for the newest rows."""

PAGED_FORMATS = ("table", "markdown")
"""Formats for people: a default --limit applies. csv and json are complete unless told."""


def format_option(func: Callable[P, R]) -> Callable[P, R]:
    """``--format table|csv|json|markdown``."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(FORMATS),
        default="table",
        show_default=True,
        help="table fits the terminal; csv and json are complete (unless --limit), for pipes.",
    )(func)


def window_options(since: str | None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--since`` and ``--until``, counted back from the newest invocation."""

    def decorate(func: Callable[P, R]) -> Callable[P, R]:
        func = click.option(
            "--until",
            metavar="WHEN",
            default=None,
            help="End of the window: 2d (before the newest invocation's day), 12h, 2021-02-10.",
        )(func)
        return click.option(
            "--since",
            metavar="WHEN",
            default=since,
            show_default=since is not None,
            help="Start of the window: 7d (the newest invocation's day and 6 before), 24h, "
            "2w or a date (UTC).",
        )(func)

    return decorate


def limit_option(default: int) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """``--limit N``: 0 for all; unset, ``default`` rows in a table and all in csv and json."""
    return click.option(
        "--limit",
        type=click.IntRange(min=0),
        default=None,
        metavar="N",
        help=f"Show at most N rows (0: all). Default: {default} in a table or markdown, "
        "all in csv and json.",
    )


def row_limit(limit: int | None, default: int, output_format: str) -> int:
    """The rows to show (0: all): ``--limit`` when given, else the format's default."""
    if limit is not None:
        return limit
    return default if output_format in PAGED_FORMATS else 0


def select_option(func: Callable[P, R]) -> Callable[P, R]:
    """The ``--select`` option, in dbt's syntax."""
    return click.option(
        "--select",
        "-s",
        "selectors",
        multiple=True,
        metavar="SELECTOR",
        help="Only these nodes, as dbt selects: fct_orders, stg_*, tag:nightly, "
        "path:models/marts, resource_type:test, fct_orders+.",
    )(func)


def config_option(func: Callable[P, R]) -> Callable[P, R]:
    """The detectors' configuration, for commands that show findings."""
    return click.option(
        "--config",
        "config_path",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        default=None,
        help="dbt-monitor.toml or pyproject.toml [tool.dbt-monitor]; default: nearest.",
    )(func)


def full_message_option(func: Callable[P, R]) -> Callable[P, R]:
    """``--full-message``: dbt's whole message instead of the line that names the error."""
    return click.option(
        "--full-message",
        is_flag=True,
        help="Show dbt's whole message, not just the line naming the error (as check shows it).",
    )(func)


def open_window(
    history: History, since: str | None, until: str | None, *, lookback_days: int = 0
) -> tuple[Tables, Window]:
    """The window the options describe and the tables it needs, pruned by date.

    ``lookback_days`` reaches further back, for detectors judging the window's
    first invocations against the history before them.
    """
    window = parse_window(since, until, newest_invocation(history))
    return read_tables(history, since=reach(window, lookback_days)), window


def newest_invocation(history: History) -> dt.datetime:
    """When the newest invocation started, reading only the newest date partition."""
    newest_day = history.newest_day()
    if newest_day is None:
        read_tables(history)  # raises the "run `dbt-monitor ingest` first" error
    newest = newest_start(history.scan("invocations", since=newest_day))
    if newest is None:
        raise MonitorError(f"{history.root}: no invocations yet; run `dbt-monitor ingest` first")
    return newest


def reach(window: Window, lookback_days: int) -> dt.date | None:
    """The first date partition a query over ``window`` reads."""
    first = window.first_day
    return None if first is None else first - dt.timedelta(days=lookback_days)


def selected_nodes(tables: Tables, selectors: tuple[str, ...]) -> set[str] | None:
    """The unique_ids ``--select`` picks (None: no selection)."""
    if not selectors:
        return None
    return select(latest_versions(tables.nodes.collect(engine=ENGINE)), selectors)


def echo_frame(
    frame: pl.DataFrame, output_format: str, *, limit: int = 0, total: int | None = None
) -> None:
    """Print the first ``limit`` rows of ``frame`` (0: all) in ``output_format``.

    Tables are fitted to the terminal. When rows are left out, a table or
    markdown says how many it shows of ``total`` (default: the frame's rows).
    """
    shown = frame.head(limit) if limit else frame
    total = frame.height if total is None else total
    text = render(shown, output_format, width=terminal_width())
    if shown.height < total and output_format in PAGED_FORMATS:
        text += cut_note(shown.height, total, output_format)
    click.echo(text, nl=False)


def terminal_width() -> int:
    """Columns of the terminal (80 when there is none)."""
    return shutil.get_terminal_size((80, 24)).columns


def command_config(path: Path | None) -> Config:
    """The detectors' configuration: ``--config`` or the nearest file."""
    return load_config(explicit=path)
