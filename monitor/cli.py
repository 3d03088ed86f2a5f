"""The command line: parse options, call one core function, map the outcome to an exit code."""

from __future__ import annotations

import click

from monitor import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dbt-monitor")
def cli() -> None:
    """Watch dbt projects through the artifacts dbt writes on every run."""


def main() -> None:
    """Entry point of the ``dbt-monitor`` console script."""
    cli(prog_name="dbt-monitor")
