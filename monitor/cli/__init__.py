"""The command line: parse options, call one core function, map the outcome to an exit code.

Each command lives in its own module and registers itself on :data:`cli`.
"""

from __future__ import annotations

import gc
import importlib
import os
import sys
from typing import Any, NoReturn

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
            _import_quietly(f"monitor.cli.{module}")
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


_OWN_PROCESS = False
"""Set by :func:`main`: the process runs one command and ends (not a host embedding the CLI)."""


def _import_quietly(name: str) -> None:
    """Import a command's module with the cyclic garbage collector paused.

    Polars and the command's modules create some 100,000 long-lived objects
    and no garbage; collecting while they load is wasted (~10 ms). In a
    process of its own (:func:`main`) they are then frozen (``gc.freeze``):
    the collections the command triggers no longer traverse them (a check on
    365 nights spent 25 ms in the collector, 5 ms with them frozen). A host
    process calling :data:`cli` keeps its own objects collectable.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        importlib.import_module(name)
    finally:
        if _OWN_PROCESS:
            gc.freeze()
        if was_enabled:
            gc.enable()


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
    """Entry point of the ``dbt-monitor`` console script (and ``python -m monitor``).

    The process ends as soon as the command has: output flushed and atexit
    handlers run, but no interpreter teardown, which with Polars loaded costs
    30-40 ms of every command (a tenth of an ingest, more of a query).
    """
    global _OWN_PROCESS  # the process is this command's alone
    _OWN_PROCESS = True
    try:
        cli(args=args, prog_name="dbt-monitor")
        code: object = 0
    except SystemExit as done:  # click's standalone mode always ends here
        code = done.code
    if not isinstance(code, int) or isinstance(code, bool):
        raise SystemExit(code)  # None or a message: Python's usual exit
    end_process(code)


def end_process(code: int) -> NoReturn:
    """Leave with ``code`` the way Python would, minus the teardown of every module.

    As interpreter shutdown does: wait for non-daemon threads (and let thread
    pools finish), run the atexit handlers, flush the standard streams.
    """
    import atexit
    import threading

    shutdown = getattr(threading, "_shutdown", None)  # what Py_Finalize calls first
    if callable(shutdown):
        shutdown()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left: what is left goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())
        except (OSError, ValueError):
            pass  # closed or unusable: nothing more can be said there
    os._exit(code)
