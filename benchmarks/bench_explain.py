"""Explain benchmark: ``explain NODE`` and ``check`` (with causes) on a large synthetic history.

Usage::

    python benchmarks/bench_explain.py HISTORY [--node NAME] [--repeat 3]

HISTORY is a history of ``benchmarks/generate.py`` nights, e.g. the one
``python benchmarks/bench_scale.py --work /tmp/ex-bench --invocations 1000``
leaves in ``/tmp/ex-bench/history`` (1,000 nights of a 6,040-result build:
about 6 million ``node_runs`` rows). Without ``--node`` the node is the model
with the most change points among the 40 slowest of the newest build (so its
causes are read). Prints, for each command, the best wall time of
``--repeat`` whole processes and the highest peak RSS, and the number of
change points and findings with causes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import click
import polars as pl

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from monitor.history.store import History  # noqa: E402
from monitor.history.tables import read_tables  # noqa: E402


def timed(args: list[str]) -> tuple[float, str, int]:
    """Wall seconds, stdout and peak RSS (MB) of ``python -m monitor ARGS``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "monitor", *args],
            cwd=REPO,
            stdout=out,
            stderr=err,
            env={**os.environ, "CI": ""},
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode not in (0, 1):
            tail = err.read()[-2000:].decode(errors="replace")
            raise click.ClickException(f"{' '.join(args[:2])}: exit {process.returncode}\n{tail}")
        return wall, out.read().decode(), usage.ru_maxrss // 1024


def candidates(history: Path, count: int = 40) -> list[str]:
    """The slowest models of the newest build."""
    tables = read_tables(History(history))
    newest = (
        tables.invocations.filter(pl.col("command") == "build")
        .sort("started_at")
        .select(pl.col("invocation_id").last())
        .collect()
        .item()
    )
    runs = (
        tables.node_runs.filter(
            (pl.col("invocation_id") == newest) & (pl.col("resource_type") == "model")
        )
        .sort("execution_time", descending=True)
        .head(count)
        .collect()
    )
    return runs["unique_id"].to_list()


@click.command()
@click.argument("history", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--node", default=None, help="The node to explain (default: picked, see above).")
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(min=1))
def main(history: Path, node: str | None, repeat: int) -> None:
    """Time explain NODE and check on HISTORY."""
    where = ["--history", str(history)]
    if node is None:
        best = -1
        for unique_id in candidates(history):
            _, out, _ = timed(["explain", unique_id, "--format", "json", *where])
            points = len(json.loads(out)["change_points"])
            if points > best:
                node, best = unique_id, points
    assert node is not None
    click.echo(f"machine: {os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; node {node}")
    for name, args in (
        ("explain NODE", ["explain", node, "--format", "json", *where]),
        ("explain --since 30d", ["explain", node, "--since", "30d", "--format", "json", *where]),
        ("check (latest)", ["check", "--format", "json", "--fail-on", "never", *where]),
    ):
        runs = [timed(args) for _ in range(repeat)]
        wall = min(r[0] for r in runs)
        rss = max(r[2] for r in runs)
        found = json.loads(runs[0][1])
        if name.startswith("explain"):
            points = found["change_points"]
            kinds = Counter(p["causes"][0]["kind"] for p in points)
            detail = f"{len(points)} change points, first causes: " + ", ".join(
                f"{kind} {count}" for kind, count in kinds.most_common()
            )
        else:
            # one invocation: a list of findings; several: {"results": [{"findings": …}]}
            results = found["results"] if isinstance(found, dict) else [{"findings": found}]
            findings = [f for r in results for f in r["findings"]]
            caused = [f for f in findings if "cause" in f.get("evidence", {})]
            detail = f"{len(findings)} findings, {len(caused)} with causes"
        click.echo(f"{name:<20} best of {repeat}: {wall:.2f} s, {rss} MB peak RSS  ({detail})")


if __name__ == "__main__":
    main()
