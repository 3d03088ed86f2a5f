"""Query benchmark: how long the query commands take on a large history.

Usage::

    python benchmarks/bench_queries.py HISTORY [--node NAME] [--repeat 5]

HISTORY is a history folder, e.g. one built by ``bench_ingest.py
--history-invocations 1000`` or by ingesting ``generate.py --invocations 1000
--no-compiled-code``. For each command it prints the best and the median of
``--repeat`` runs, twice: the work inside one warm process (what the command
itself costs) and a whole ``python -m monitor`` process (start-up included).
``--node`` defaults to the slowest model of the last 30 days.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

import click
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.cli import cli  # noqa: E402


def in_process(args: list[str], repeat: int) -> list[float]:
    runner = CliRunner()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = runner.invoke(cli, args, catch_exceptions=False)
        times.append(time.perf_counter() - start)
        if result.exit_code != 0:
            raise click.ClickException(
                f"{' '.join(args)}: exit {result.exit_code}\n{result.output}"
            )
    return times


def whole_process(args: list[str], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "monitor", *args], cwd=REPO, check=True, capture_output=True
        )
        times.append(time.perf_counter() - start)
    return times


def slowest_model(history: Path) -> str:
    result = CliRunner().invoke(
        cli,
        ["slowest", "--since", "30d", "--limit", "1", "--format", "csv", "--history", str(history)],
    )
    return result.output.splitlines()[1].split(",")[0]


@click.command()
@click.argument("history", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--node", default=None, help="The node for `model NAME` (default: the slowest).")
@click.option("--repeat", default=5, show_default=True, type=click.IntRange(min=1))
def main(history: Path, node: str | None, repeat: int) -> None:
    """Time slowest, model and the other queries on HISTORY."""
    node = node or slowest_model(history)
    where = ["--history", str(history), "--format", "csv"]
    commands = [
        ["slowest", "--since", "30d"],
        ["model", node],
        ["failures", "--since", "30d"],
        ["flaky", "--since", "30d"],
        ["freshness", "--since", "30d"],
        ["runs", "--limit", "20"],
    ]
    click.echo(f"history: {history} (model NAME: {node}), best / median of {repeat}")
    click.echo(f"{'command':<26} {'in process':>18} {'whole process':>18}")
    for command in commands:
        args = [*command, *where]
        warm = in_process(args, repeat)
        cold = whole_process(args, repeat)
        click.echo(
            f"{' '.join(command):<26} "
            f"{min(warm):>7.2f} / {statistics.median(warm):>5.2f} s "
            f"{min(cold):>7.2f} / {statistics.median(cold):>5.2f} s"
        )


if __name__ == "__main__":
    main()
