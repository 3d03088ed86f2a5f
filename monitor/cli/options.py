"""What every command shares: the history option, error handling, progress, output."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

import click

from monitor.analysis.finding import FAIL_ON
from monitor.errors import EXIT_USAGE, MonitorError, redact

P = ParamSpec("P")
R = TypeVar("R")

DEFAULT_HISTORY = ".dbt-monitor"


def history_option(func: Callable[P, R]) -> Callable[P, R]:
    """The ``--history`` option every command takes."""
    return click.option(
        "--history",
        "history_path",
        envvar="DBT_MONITOR_HISTORY",
        default=DEFAULT_HISTORY,
        show_default=True,
        show_envvar=True,
        metavar="DIR",
        help="Where the run history lives.",
    )(func)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a MonitorError into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except MonitorError as err:
            click.echo(f"error: {redact(str(err))}", err=True)
            sys.exit(EXIT_USAGE)

    return wrapper


@contextmanager
def progress_bar(label: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on stderr when it is a terminal; nothing in a pipe or a CI log."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def update(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield update


def write_text(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise MonitorError(f"{path}: cannot write: {err.strerror}") from err
    finally:
        tmp.unlink(missing_ok=True)


def check_options(func: Callable[P, R]) -> Callable[P, R]:
    """The options ``check`` and ``ingest --check`` share."""
    for option in reversed(
        [
            click.option(
                "--fail-on",
                type=click.Choice(FAIL_ON),
                default=None,
                help="Exit 1 when a finding reaches this level (default: error, or the config's).",
            ),
            click.option(
                "--format",
                "output_format",
                type=click.Choice(["text", "markdown", "json", "junit"]),
                default="text",
                show_default=True,
                help="text for terminals, markdown for PR comments, json, junit XML for CI.",
            ),
            click.option(
                "--output",
                "-o",
                type=click.Path(dir_okay=False, path_type=Path),
                default=None,
                help="Write the result to FILE instead of stdout (a text summary still prints).",
            ),
            click.option(
                "--config",
                "config_path",
                type=click.Path(exists=True, dir_okay=False, path_type=Path),
                default=None,
                help="dbt-monitor.toml or pyproject.toml [tool.dbt-monitor]; default: nearest.",
            ),
        ]
    ):
        func = option(func)
    return func
