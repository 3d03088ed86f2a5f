"""Remote inputs on the ``ingest`` command line: ``dbt-cloud://…`` next to paths.

Not a command: :class:`SourceParam` is the type of ``ingest``'s PATHS (a local
path must exist; a remote address is kept as text), and :func:`ingest_remote`
adds what the remote addresses hold to an ingest report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

import click

from monitor.errors import MonitorError
from monitor.history.ingest import IngestReport
from monitor.history.store import History

REMOTE_PREFIX = "dbt-cloud://"
"""How a remote address starts (:data:`monitor.artifacts.dbt_cloud.SCHEME`); the dbt Cloud
modules load only for one."""


class SourceParam(click.Path):
    """An existing path (as :class:`~pathlib.Path`), or a ``dbt-cloud://`` address (as str)."""

    def __init__(self) -> None:
        super().__init__(exists=True, path_type=Path)

    def convert(
        self,
        value: str | os.PathLike[str],
        param: click.Parameter | None,
        ctx: click.Context | None,
    ) -> str | bytes | os.PathLike[str]:
        """Check a remote address's form and keep it as text; check local paths as usual."""
        if isinstance(value, str) and value.startswith(REMOTE_PREFIX):
            from monitor.artifacts import dbt_cloud

            try:
                dbt_cloud.parse(value)
            except MonitorError as err:
                self.fail(str(err), param, ctx)
            return value
        return super().convert(value, param, ctx)


def local_paths(sources: Sequence[object]) -> list[Path]:
    """The local paths among ``sources``."""
    return [source for source in sources if isinstance(source, Path)]


def ingest_remote(
    sources: Sequence[object],
    history: History,
    report: IngestReport,
    user_labels: Mapping[str, str],
) -> None:
    """Ingest every remote address in ``sources`` into ``history``, adding to ``report``."""
    for source in sources:
        if not isinstance(source, str):
            continue
        from monitor.integrations.cloud import ingest_dbt_cloud

        done, fetched = ingest_dbt_cloud(
            source, history, user_labels=user_labels, environ=os.environ
        )
        report.invocations += done.invocations
        report.errors += done.errors
        report.warnings += done.warnings
        click.echo(
            f"{source}: {len(fetched.steps)} steps downloaded,"
            f" {len(fetched.skipped)} skipped, {fetched.requests} requests",
            err=True,
        )
        for line in fetched.skipped:
            click.echo(f"  {line}", err=True)
