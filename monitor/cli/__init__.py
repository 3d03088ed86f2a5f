"""The command line: parse options, call one core function, map the outcome to an exit code.

Each command lives in its own module and registers itself on :data:`cli`.
"""

from __future__ import annotations

import importlib
from typing import Any

import click

from monitor import __version__

COMMANDS = {
    "ingest": "ingest",
    "check": "check",
    "report": "report",
    "compact": "compact",
    "runs": "queries",
    "slowest": "queries",
    "failures": "queries",
    "flaky": "queries",
    "freshness": "queries",
    "model": "queries",
    "sql": "queries",
    "verify": "verify",
}
"""Each command and the module that defines it, imported only when needed."""


class LazyGroup(click.Group):
    """Import a command's module only when that command runs (start-up stays short)."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every command, whether loaded yet or not."""
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """Load the command's module (it registers itself), then return the command."""
        module = COMMANDS.get(cmd_name)
        if module is not None and cmd_name not in self.commands:
            importlib.import_module(f"monitor.cli.{module}")
        return super().get_command(ctx, cmd_name)


@click.group(
    cls=LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="dbt-monitor")
def cli() -> None:
    """Watch dbt projects through the artifacts dbt writes on every run.

    Ingest target/ after every dbt invocation, then check, query or report
    on the run history.
    """


def main(args: Any = None) -> None:
    """Entry point of the ``dbt-monitor`` console script."""
    cli(args=args, prog_name="dbt-monitor")
