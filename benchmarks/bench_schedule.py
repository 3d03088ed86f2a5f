"""Cost and time benchmark: ``cost``, ``whatif`` and ``forecast`` on a large history.

Usage::

    python benchmarks/bench_schedule.py [--work /tmp/bench-schedule] [--invocations 500]
                                        [--batch 100] [--reuse] [--repeat 3]

Builds WORK/history from ``--invocations`` nights (500 nights: 1,000 dbt
invocations, 3 million ``node_runs`` rows) of the 3,000-model,
3,000-test synthetic project (``benchmarks/generate.py`` through
``bench_scale.ingest_all``: a ``dbt source freshness`` and a 6,040-node,
4-thread ``dbt build`` a night), then times, best of ``--repeat``, inside one
warm process (the command's own work, wall and CPU seconds: on a shared
machine the CPU time is the steadier figure) and as a whole
``python -m monitor`` process (start-up included):

* ``cost --since 30d`` (the window and the one before it priced, time-sliced);
* ``whatif`` (the newest build replayed, plus the leverage ranking);
* ``whatif --threads 8 --faster <slowest model>=50%``;
* ``forecast`` (1,000 Monte Carlo samples through the replay of the
  6,040-node build graph; the issue asks for a 3,000-node DAG).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import click
from click.testing import CliRunner

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.bench_scale import ingest_all  # noqa: E402
from monitor.cli import cli  # noqa: E402


def in_process(args: list[str], repeat: int) -> tuple[float, float]:
    best, cpu = float("inf"), float("inf")
    for _ in range(repeat):
        start, used = time.perf_counter(), time.process_time()
        result = CliRunner().invoke(cli, args, catch_exceptions=False)
        best = min(best, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - used)
        if result.exit_code != 0:
            raise click.ClickException(
                f"{' '.join(args)}: exit {result.exit_code}\n{result.output}"
            )
    return best, cpu


def whole_process(args: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "monitor", *args], cwd=REPO, check=True, capture_output=True
        )
        best = min(best, time.perf_counter() - start)
    return best


def slowest_model(history: Path) -> str:
    out = (
        CliRunner()
        .invoke(
            cli, ["whatif", "--history", str(history), "--format", "json"], catch_exceptions=False
        )
        .output
    )
    doc = json.loads(out)
    return str(doc["leverage"][0]["unique_id"]) if doc["leverage"] else doc["critical_path"][-1]


@click.command()
@click.option("--work", type=click.Path(path_type=Path), default=Path("/tmp/bench-schedule"))
@click.option("--invocations", type=int, default=500, show_default=True, help="Nights.")
@click.option("--batch", type=int, default=100, show_default=True)
@click.option("--reuse", is_flag=True, help="Keep an existing WORK/history (resume its ingest).")
@click.option("--repeat", type=int, default=3, show_default=True)
def main(work: Path, invocations: int, batch: int, reuse: bool, repeat: int) -> None:
    """Time cost, whatif and forecast on a synthetic history."""
    history = work / "history"
    work.mkdir(parents=True, exist_ok=True)
    ingest_all(work, history, invocations, batch, reuse)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    click.echo(f"history: {invocations} nights ({2 * invocations} invocations), {history}")
    click.echo(f"machine: {os.cpu_count()} cores, load {load}")
    node = slowest_model(history)
    base = ["--history", str(history)]
    commands = [
        ("cost --since 30d", ["cost", "--since", "30d", *base]),
        ("cost --since 30d --group-by tag", ["cost", "--since", "30d", "--group-by", "tag", *base]),
        ("whatif (leverage)", ["whatif", *base]),
        (
            "whatif --threads 8 --faster",
            ["whatif", "--threads", "8", "--faster", f"{node}=50%", *base],
        ),
        ("forecast (1000 samples)", ["forecast", *base]),
    ]
    click.echo(f"{'command':<34} {'in-process':>11} {'(cpu)':>9} {'process':>9}")
    for label, args in commands:
        warm, cpu = in_process(args, repeat)
        cold = whole_process(args, repeat)
        click.echo(f"{label:<34} {warm:>9.2f} s {cpu:>7.2f} s {cold:>7.2f} s")


if __name__ == "__main__":
    main()
