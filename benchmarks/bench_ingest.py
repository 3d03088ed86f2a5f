"""Ingest benchmark: one large invocation, whole process, against dbt-artifacts-parser.

Usage::

    python benchmarks/bench_ingest.py [--work benchmarks/out] [--history-invocations 1000]

1. Generates a synthetic project (3,000 models, 3,000 tests) with
   ``benchmarks/generate.py`` unless it is already there.
2. Times ``python -m monitor ingest`` of its manifest + run_results into a
   fresh history, as a whole process (start-up included): wall time, CPU
   time (user + system: what other work on a shared machine does not
   inflate) and peak RSS, best of 5 runs, with dbt-monitor's modules compiled
   (as an installed package has them; also timed without that cache, as a
   source checkout with ``PYTHONDONTWRITEBYTECODE`` runs); then, side by side,
   a process that only calls dbt-artifacts-parser's ``parse_manifest`` +
   ``parse_run_results``.
3. With ``--history-invocations N``: ingests N nightly invocations (in
   batches of 50, generated without compiled code to spare the disk) and
   prints the history's bytes per ``node_runs`` row.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import click

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.generate import generate  # noqa: E402

RUNS = 5
"""Runs per measurement; the best is kept (the machine may be shared)."""

BASELINE = """
import sys
from pathlib import Path
from dbt_artifacts_parser.parser import parse_manifest, parse_run_results
import json
folder = Path(sys.argv[1])
parse_manifest(json.loads((folder / "manifest.json").read_bytes()))
parse_run_results(json.loads((folder / "run_results.json").read_bytes()))
"""


def timed(args: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MB) of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(
        args, cwd=REPO, stdout=subprocess.DEVNULL, env={**os.environ, "CI": "", **(env or {})}
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"{' '.join(args)} failed with status {status}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def best_of(
    n: int, make_args: Callable[[], list[str]], env: dict[str, str] | None = None
) -> tuple[float, float, float]:
    """The best wall and CPU times of ``n`` runs (each its own best), and the largest RSS."""
    runs = [timed(make_args(), env) for _ in range(n)]
    return min(r[0] for r in runs), min(r[1] for r in runs), max(r[2] for r in runs)


def bytecode(cached: bool) -> None:
    """dbt-monitor's own bytecode cache: compiled, as an installed wheel has it, or none."""
    for folder in (REPO / "monitor").rglob("__pycache__"):
        shutil.rmtree(folder)
    if cached:
        compile_all = [sys.executable, "-m", "compileall", "-q", str(REPO / "monitor")]
        subprocess.run(compile_all, check=True)


def load_average() -> str:
    """The 1-minute load average: other work on the machine inflates wall times."""
    return f"{os.getloadavg()[0]:.1f}" if hasattr(os, "getloadavg") else "?"


def one_invocation(work: Path) -> Path:
    folder = work / "large"
    if not (folder / "0000" / "manifest.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        generate(folder, models=3000, tests=3000, invocations=1)
    pair = work / "large-build"
    if not pair.exists():
        pair.mkdir(parents=True)
        for name in ("manifest.json", "run_results.json"):
            shutil.copy(folder / "0000" / name, pair / name)
    return pair


def bench_single(work: Path) -> None:
    pair = one_invocation(work)
    sizes = {p.name: p.stat().st_size / 1e6 for p in pair.iterdir()}
    print(
        f"input: manifest.json {sizes['manifest.json']:.1f} MB, "
        f"run_results.json {sizes['run_results.json']:.1f} MB"
    )

    def ingest_args() -> list[str]:
        history = tempfile.mkdtemp(prefix="bench-history-")
        return [sys.executable, "-m", "monitor", "ingest", str(pair), "--history", history]

    print(f"load average before: {load_average()} on {os.cpu_count()} cores")
    bytecode(cached=False)  # every start compiles dbt-monitor's modules (a source checkout)
    cold = best_of(RUNS, ingest_args, {"PYTHONDONTWRITEBYTECODE": "1"})
    bytecode(cached=True)  # what `pip install` leaves: the modules compiled once
    ours = best_of(RUNS, ingest_args)
    theirs = best_of(RUNS, lambda: [sys.executable, "-c", BASELINE, str(pair)])
    print(
        f"dbt-monitor ingest (whole process): {ours[0]:.2f} s wall, {ours[1]:.2f} s CPU,"
        f" {ours[2]:.0f} MB peak RSS; {cold[0]:.2f} s wall without its bytecode cache"
    )
    print(
        f"parse_manifest + parse_run_results: {theirs[0]:.2f} s wall, {theirs[1]:.2f} s CPU,"
        f" {theirs[2]:.0f} MB peak RSS"
    )
    print(
        f"speed-up: {theirs[0] / ours[0]:.1f}x by wall time, {theirs[1] / ours[1]:.1f}x by CPU time"
    )


def bench_history(work: Path, invocations: int) -> None:
    history = work / f"history-{invocations}"
    shutil.rmtree(history, ignore_errors=True)
    runs = work / f"runs-{invocations}"
    if not runs.exists():
        generate(runs, models=3000, tests=3000, invocations=invocations, compiled_code=False)
    folders = sorted(runs.iterdir())
    started = time.perf_counter()
    for first in range(0, len(folders), 50):
        batch = [str(f) for f in folders[first : first + 50]]
        subprocess.run(
            [sys.executable, "-m", "monitor", "ingest", *batch, "--history", str(history)],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "CI": ""},
        )
        print(f"  ingested {first + len(batch)}/{len(folders)} folders", file=sys.stderr)
    elapsed = time.perf_counter() - started
    import polars as pl

    rows = (
        pl.scan_parquet(str(history / "node_runs" / "**" / "*.parquet"))
        .select(pl.len())
        .collect()
        .item()
    )
    size = sum(p.stat().st_size for p in (history / "node_runs").rglob("*.parquet"))
    total = sum(p.stat().st_size for p in history.rglob("*") if p.is_file())
    print(
        f"history of {invocations} nightly invocations: {rows:,} node_runs rows, "
        f"{size / rows:.1f} bytes per node_runs row, {total / 1e6:.0f} MB in all "
        f"(ingested in {elapsed:.0f} s)"
    )


@click.command()
@click.option("--work", type=click.Path(path_type=Path), default=REPO / "benchmarks" / "out")
@click.option("--history-invocations", type=int, default=0, help="Also build a history this long.")
def main(work: Path, history_invocations: int) -> None:
    """Print the ingest benchmark's figures."""
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    bench_single(work)
    if history_invocations:
        bench_history(work, history_invocations)


if __name__ == "__main__":
    main()
