"""``dbt-monitor check``: judge one invocation against the history before it."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from monitor.analysis.config import Config, load_config
from monitor.analysis.frames import NothingExecuted
from monitor.cli import cli
from monitor.cli.options import check_options, history_option, user_errors, write_text
from monitor.errors import EXIT_FINDINGS, EXIT_OK
from monitor.history.store import History

if TYPE_CHECKING:
    from monitor.analysis.check import CheckResult

# The detectors and renderers are imported where they run: `ingest` shares
# these options, and an ingest without --check should not pay for them.


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
    usage, bad configuration or an empty history. A history whose
    invocations executed nothing yet (docs generate, compile, 0 results) has
    nothing to judge: check says so and exits 0.

    \b
    Example (a CI step after dbt build):
      dbt-monitor ingest target/ && dbt-monitor check --format markdown
    """
    from monitor.analysis.check import check
    from monitor.analysis.load import load_frames

    config = load_check_config(config_path, fail_on)
    try:
        frames, [invocation_id] = load_frames(
            History(history_path), config.lookback_days, [invocation]
        )
    except NothingExecuted as nothing:
        reason = f"{nothing}: docs generate, compile and runs without results are not judged"
        sys.exit(emit_nothing(reason, output_format, output))
    result = check(frames, invocation_id, config)
    sys.exit(emit_check([result], output_format, output))


def emit_nothing(reason: str, output_format: str, output: Path | None) -> int:
    """Say there is nothing to judge, in every place a result would go; exit 0."""
    from monitor.render import findings as render_findings

    rendered = render_findings.nothing_to_judge(reason, output_format)
    if output is not None:
        write_text(output, rendered)
        click.echo(render_findings.nothing_to_judge(reason, "text"), nl=False)
        click.echo(f"wrote {output}")
    else:
        click.echo(rendered, nl=False)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write(render_findings.nothing_to_judge(reason, "markdown"))
    return EXIT_OK


def load_check_config(path: Path | None, fail_on: str | None) -> Config:
    """The configuration file's settings, with ``--fail-on`` on top."""
    config = load_config(explicit=path)
    return config if fail_on is None else dataclasses.replace(config, fail_on=fail_on)


def emit_check(results: list[CheckResult], output_format: str, output: Path | None) -> int:
    """Print or write the results; append markdown to $GITHUB_STEP_SUMMARY; the exit code."""
    from monitor.render import findings as render_findings

    color = output is None  # click.echo drops colour off a terminal, --no-color and NO_COLOR
    if output_format == "json":
        rendered = render_findings.as_json(results)
    elif output_format == "junit":
        rendered = render_findings.as_junit(results)
    elif output_format == "markdown":
        rendered = "".join(render_findings.as_markdown(r) for r in results)
    else:
        rendered = "".join(render_findings.as_text(r, color=color) for r in results)
    if output is not None:
        write_text(output, rendered)
        click.echo("".join(render_findings.as_text(r) for r in results), nl=False)
        click.echo(f"wrote {output}")
    else:
        click.echo(rendered, nl=False)
    summary_path = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary_path:
        with Path(summary_path).open("a", encoding="utf-8") as summary:
            summary.write("".join(render_findings.as_markdown(r) for r in results))
    return EXIT_FINDINGS if any(r.failed for r in results) else EXIT_OK
