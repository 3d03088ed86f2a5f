"""The command line: parse options, call one core function, map the outcome to an exit code.

Each command lives in its own module and registers itself on :data:`cli`.
"""

from __future__ import annotations

from typing import Any

import click

from monitor import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="dbt-monitor")
def cli() -> None:
    """Watch dbt projects through the artifacts dbt writes on every run.

    Ingest target/ after every dbt invocation, then check, query or report
    on the run history.
    """


def main(args: Any = None) -> None:
    """Entry point of the ``dbt-monitor`` console script."""
    cli(args=args, prog_name="dbt-monitor")


# Register the commands (imported for their side effect on `cli`).
from monitor.cli import check as _check  # noqa: E402
from monitor.cli import compact as _compact  # noqa: E402
from monitor.cli import ingest as _ingest  # noqa: E402
from monitor.cli import queries as _queries  # noqa: E402
from monitor.cli import report as _report  # noqa: E402

__all__ = ["_check", "_compact", "_ingest", "_queries", "_report", "cli", "main"]
