"""The command line: parse options, call one core function, map the outcome to an exit code."""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import click
import polars as pl

from monitor import __version__
from monitor.analysis.check import CheckResult, check
from monitor.analysis.config import FAIL_ON, Config, config_from_dict, load_config
from monitor.analysis.frames import Frames, prepare, resolve_invocation
from monitor.errors import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, MonitorError
from monitor.history.ingest import IngestReport, ingest
from monitor.history.labels import parse_labels
from monitor.history.store import History
from monitor.history.tables import read_tables
from monitor.render import findings as render_findings

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
            click.echo(f"error: {err}", err=True)
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


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dbt-monitor")
def cli() -> None:
    """Watch dbt projects through the artifacts dbt writes on every run.

    Ingest target/ after every dbt invocation, then ask the history.
    """


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


@cli.command("ingest")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@history_option
@click.option(
    "--label",
    "labels",
    multiple=True,
    metavar="KEY=VALUE",
    help="Attach metadata to the invocations (git sha, job, PR number). Repeatable.",
)
@click.option(
    "--check",
    "then_check",
    is_flag=True,
    help="Then check exactly the invocations just ingested (exit 1 on findings).",
)
@check_options
@user_errors
def ingest_command(
    paths: tuple[Path, ...],
    history_path: str,
    labels: tuple[str, ...],
    then_check: bool,
    fail_on: str | None,
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> None:
    """Add dbt artifacts to the run history.

    PATHS may be a dbt target/ folder, artifact files (also .json.gz) or a
    folder of many run folders. Invocations already in the history are
    skipped, so running it twice is safe.

    \b
    Example:
      dbt build; dbt-monitor ingest target/ --label job=nightly
    """
    started = time.perf_counter()
    history = History(history_path)
    with progress_bar("Reading artifacts") as progress:
        report = ingest(
            list(paths),
            history,
            user_labels=parse_labels(labels),
            environ=os.environ,
            progress=progress,
        )
    _print_ingest(report, history, time.perf_counter() - started)
    code = EXIT_OK
    if then_check and report.invocations:
        config = _config(config_path, fail_on)
        frames = _frames(history, config)
        wanted = {item.invocation_id for item in report.invocations}
        executing = frames.invocations.filter(
            pl.col("invocation_id").is_in(list(wanted)) & pl.col("executes")
        )["invocation_id"].to_list()
        results = [check(frames, invocation_id, config) for invocation_id in executing]
        code = _emit_check(results, output_format, output)
    if report.errors:
        code = EXIT_USAGE
    sys.exit(code)


@cli.command("check")
@click.option(
    "--invocation",
    default="latest",
    show_default=True,
    metavar="ID|latest",
    help="The invocation to judge (an id or its first characters).",
)
@history_option
@check_options
@user_errors
def check_command(
    invocation: str,
    history_path: str,
    fail_on: str | None,
    output_format: str,
    output: Path | None,
    config_path: Path | None,
) -> None:
    """Judge one invocation against the history before it.

    Exit 0 when no finding reaches --fail-on, 1 when one does, 2 for bad
    usage, bad configuration or an empty history.

    \b
    Example (a CI step after dbt build):
      dbt-monitor ingest target/ && dbt-monitor check --format markdown
    """
    config = _config(config_path, fail_on)
    frames = _frames(History(history_path), config)
    result = check(frames, resolve_invocation(frames, invocation), config)
    sys.exit(_emit_check([result], output_format, output))


def _config(path: Path | None, fail_on: str | None) -> Config:
    config = load_config(explicit=path)
    if fail_on is None:
        return config
    return config_from_dict({**_overrides(config), "fail_on": fail_on}, source="--fail-on")


def _overrides(config: Config) -> dict[str, Any]:
    defaults = Config()
    return {name: value for name, value in vars(config).items() if value != getattr(defaults, name)}


def _frames(history: History, config: Config) -> Frames:
    tables = read_tables(history)
    newest = tables.invocations.select(pl.col("started_at").max()).collect().item()
    since = (newest - dt.timedelta(days=config.lookback_days)).date() if newest else None
    return prepare(read_tables(history, since=since))


def _emit_check(results: list[CheckResult], output_format: str, output: Path | None) -> int:
    color = output is None and sys.stdout.isatty()
    if output_format == "json":
        rendered = render_findings.as_json(results)
    elif output_format == "junit":
        rendered = render_findings.as_junit(results)
    elif output_format == "markdown":
        rendered = "".join(render_findings.as_markdown(r) for r in results)
    else:
        rendered = "".join(render_findings.as_text(r, color=color) for r in results)
    if output is not None:
        _write_text(output, rendered)
        click.echo("".join(render_findings.as_text(r) for r in results), nl=False)
        click.echo(f"wrote {output}")
    else:
        click.echo(rendered, nl=False)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write("".join(render_findings.as_markdown(r) for r in results))
    return EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK


def _write_text(path: Path, text: str) -> None:
    """Write a whole file or nothing: a temporary file renamed into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise MonitorError(f"{path}: cannot write: {err.strerror}") from err
    finally:
        tmp.unlink(missing_ok=True)


def _print_ingest(report: IngestReport, history: History, seconds: float) -> None:
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    for item in report.invocations:
        when = item.started_at.strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{item.outcome:<8} {when}  {item.command:<16} {item.results:>5} results"
            f"  {item.invocation_id[:8]}  {item.source.parent}"
        )
    for error in report.errors:
        click.echo(f"failed   {error}", err=True)
    summary = (
        f"{report.count('added')} added, {report.count('present')} already present,"
        f" {len(report.errors)} failed, into {history.root} in {seconds:.1f} s"
    )
    click.echo(summary)


def main(args: Any = None) -> None:
    """Entry point of the ``dbt-monitor`` console script."""
    cli(args=args, prog_name="dbt-monitor")
