"""The command line: parse options, call one core function, map the outcome to an exit code.

Each command lives in its own module and registers itself on :data:`cli`.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import Any

import click

from monitor import __version__
from monitor.cli.streams import ClosedPipeSafe

COMMANDS = {
    "ingest": "ingest",
    "check": "check",
    "report": "report",
    "lineage": "lineage",
    "compact": "compact",
    "exec": "exec",
    "runs": "runs",
    "slowest": "rankings",
    "failures": "rankings",
    "flaky": "rankings",
    "freshness": "rankings",
    "model": "model",
    "sql": "sql",
    "explain": "explain",
    "whatif": "whatif",
    "cost": "cost",
    "forecast": "forecast",
    "notify": "notify",
    "mute": "notify",
    "unmute": "notify",
    "incidents": "notify",
    "verify": "verify",
}
"""Each command and the module that defines it, imported only when needed."""


class LazyGroup(click.Group):
    """Import a command's module only when that command runs (start-up stays short)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, whether loaded yet or not."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Load the command's module (it registers itself), then return the command.

        Every command gets ``--no-color``.
        """
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"monitor.cli.{module}")
        command = super().get_command(ctx, cmd_name)
        if command is not None and not any(p.name == "no_color" for p in command.params):
            command.params.append(no_color_option())
        return command

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command; a reader that closes stdout early (``| head``) changes no exit code."""
        stdout = sys.stdout
        sys.stdout = ClosedPipeSafe(stdout)
        try:
            return super().main(*args, **kwargs)
        finally:
            sys.stdout = stdout


def _colour(ctx: click.Context, _param: click.Parameter, no_color: bool) -> None:
    """Turn colour off for this command and those below it: ``--no-color`` or ``NO_COLOR``."""
    if no_color or os.environ.get("NO_COLOR"):
        ctx.color = False


def no_color_option() -> click.Option:
    """``--no-color``; any non-empty ``NO_COLOR`` does the same (https://no-color.org)."""
    return click.Option(
        ["--no-color"],
        is_flag=True,
        expose_value=False,
        is_eager=True,
        callback=_colour,
        help="No colour in the output (also: NO_COLOR set to anything).",
    )


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="dbt-monitor")
@click.option(
    "--no-color",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_colour,
    help="No colour in the output (also: NO_COLOR set to anything).",
)
def cli() -> None:
    """Watch dbt projects through the artifacts dbt writes on every run.

    Ingest target/ after every dbt invocation, then check, query or report
    on the run history.
    """


def main(args: Any = None) -> None:
    """Entry point of the ``dbt-monitor`` console script."""
    cli(args=args, prog_name="dbt-monitor")
