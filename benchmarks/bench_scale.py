"""Scale benchmark: ~10 million node_runs rows, before and after ``compact``.

Usage::

    python benchmarks/bench_scale.py [--work /tmp/bench-scale] [--invocations 1700]
                                     [--batch 100] [--reuse]

The benchmark of issue 7: 1,700 nightly invocations of the 3,000-model,
3,000-test project of ``benchmarks/generate.py`` (no compiled code). Each
night is a ``dbt source freshness`` (sources.json) and a ``dbt build``
(run_results.json, 6,040 results) sharing the one hard-linked manifest: 3,400
dbt invocations and about 10.3 million ``node_runs`` rows in all.

1. Generates the nights ``--batch`` folders at a time (the same bytes as
   ``generate.py --invocations N --no-compiled-code``), ingests each batch
   with one ``python -m monitor ingest <folders…> --history WORK/history``
   process, then deletes the batch, so the disk holds one batch at a time.
   Ingest throughput is dbt invocations added per second of ingest-process
   wall time, over all batches; the peak RSS is that of the largest ingest
   process (``os.wait4``'s ``ru_maxrss``).
2. Reports the history's size: bytes on disk, bytes per ``node_runs`` row and
   the number of files.
3. Times ``slowest --since 30d``, ``check`` (latest invocation) and
   ``runs --limit 20`` as whole processes, best of 3, with the peak RSS of
   the three; then hard-links the history into WORK/history-compacted, runs
   ``dbt-monitor compact --grace 0`` on that copy (timed, with its peak
   RSS) and times the three queries again.

WORK/history stays as ingested (with ``--reuse`` the next run skips steps 1
and resumes an interrupted ingest); WORK/history-compacted is the compacted
copy. WORK/ingest.json keeps the per-batch ingest figures.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import click

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.generate import build_project, first_run, invocation, manifest_dict  # noqa: E402

QUERIES: list[tuple[str, list[str]]] = [
    ("slowest --since 30d", ["slowest", "--since", "30d"]),
    ("check", ["check"]),
    ("runs --limit 20", ["runs", "--limit", "20"]),
]
CHECK_FINDINGS = 1
"""``check`` exits 1 when a finding reaches --fail-on: that is a result, not a failure."""


@dataclass
class Run:
    """One whole process: wall seconds and peak RSS in MB."""

    wall: float
    rss_mb: float


def timed(args: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """Run ``python -m monitor ARGS`` and return its wall time and peak RSS."""
    command = [sys.executable, "-m", "monitor", *args]
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            command,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=errors,
            env={**os.environ, "CI": ""},
        )
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if code not in ok:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            raise click.ClickException(f"{' '.join(args[:3])}…: exit {code}\n{tail}")
    return Run(wall, usage.ru_maxrss / 1024)


def best_of(n: int, args: list[str], ok: tuple[int, ...] = (0,)) -> Run:
    """Best wall time of ``n`` runs, and the highest peak RSS among them."""
    runs = [timed(args, ok) for _ in range(n)]
    return Run(min(r.wall for r in runs), max(r.rss_mb for r in runs))


def code_version() -> str:
    """The commit the monitor package is at, and whether it has uncommitted edits."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
        return done.stdout.strip()

    dirty = git("status", "--porcelain", "--", "monitor")
    return git("rev-parse", "--short", "HEAD") + (
        " + uncommitted edits in monitor/" if dirty else ""
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# ------------------------------------------------------------ generate + ingest


class Nights:
    """Writes night folders on demand, byte for byte as ``generate()`` would."""

    def __init__(self, root: Path, invocations: int) -> None:
        self.root = root
        self.width = max(4, len(str(invocations - 1)))
        self.project = build_project(3000, 3000, 0)
        self.start = first_run(invocations)
        self.manifest = root / "manifest.json"
        if not self.manifest.exists():
            root.mkdir(parents=True, exist_ok=True)
            first = invocation(self.project, 0, 1.0, False, self.start)
            body = manifest_dict(self.project, first.build_id, first.build_started)
            tmp = self.manifest.with_suffix(".tmp")
            tmp.write_text(json.dumps(body), encoding="utf-8")
            tmp.replace(self.manifest)

    def write(self, indexes: range) -> list[Path]:
        folders = []
        for index in indexes:
            night = invocation(self.project, index, 1.0, False, self.start)
            folder = self.root / f"{index:0{self.width}d}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            os.link(self.manifest, folder / "manifest.json")
            (folder / "run_results.json").write_bytes(night.run_results)
            (folder / "sources.json").write_bytes(night.sources)
            folders.append(folder)
        return folders


def ingest_all(
    work: Path, history: Path, invocations: int, batch: int, reuse: bool
) -> dict[str, Any]:
    """Generate, ingest and delete ``batch`` nights at a time; return the figures."""
    state_file = work / "ingest.json"
    state: dict[str, Any] = {"invocations": invocations, "batch": batch, "batches": []}
    if reuse and state_file.exists():
        state = json.loads(state_file.read_text())
        if state["invocations"] != invocations or state["batch"] != batch:
            raise click.ClickException(
                f"{state_file} is for --invocations {state['invocations']} "
                f"--batch {state['batch']}; drop --reuse to start again"
            )
    else:
        shutil.rmtree(history, ignore_errors=True)
        shutil.rmtree(work / "runs", ignore_errors=True)
    done = sum(b["folders"] for b in state["batches"])
    if done >= invocations:
        return state
    started = time.perf_counter()
    nights = Nights(work / "runs", invocations)
    click.echo(f"project built in {time.perf_counter() - started:.1f} s", err=True)
    for first in range(done, invocations, batch):
        indexes = range(first, min(first + batch, invocations))
        t0 = time.perf_counter()
        folders = nights.write(indexes)
        generated = time.perf_counter() - t0
        run = timed(["ingest", *map(str, folders), "--history", str(history)])
        for folder in folders:
            shutil.rmtree(folder)
        state["batches"].append(
            {
                "first": first,
                "folders": len(folders),
                "invocations": 2 * len(folders),
                "generate_s": round(generated, 2),
                "ingest_s": round(run.wall, 2),
                "ingest_rss_mb": round(run.rss_mb, 1),
                "load": load(),
            }
        )
        tmp = state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        tmp.replace(state_file)
        click.echo(
            f"  nights {first:4d}-{indexes[-1]:4d}: generated in {generated:5.1f} s, "
            f"ingested in {run.wall:5.1f} s ({2 * len(folders) / run.wall:4.1f} invocations/s), "
            f"{run.rss_mb:4.0f} MB peak RSS, load {load()}",
            err=True,
        )
    nights.manifest.unlink(missing_ok=True)
    return state


# ------------------------------------------------------------ size


@dataclass
class Size:
    bytes: int
    disk_bytes: int
    files: int
    node_runs_rows: int
    node_runs_bytes: int
    node_runs_files: int
    per_table: dict[str, int]


def measure(history: Path) -> Size:
    import polars as pl

    from monitor.history.store import History

    total = disk = files = 0
    per_table: dict[str, int] = {}
    for path in history.rglob("*"):
        if path.is_file():
            stat = path.stat()
            total += stat.st_size
            disk += stat.st_blocks * 512
            files += 1
            table = path.relative_to(history).parts[0]
            per_table[table] = per_table.get(table, 0) + 1
    node_runs = list((history / "node_runs").rglob("*.parquet"))
    rows = History(history).scan("node_runs").select(pl.len()).collect().item()
    return Size(
        total,
        disk,
        files,
        rows,
        sum(p.stat().st_size for p in node_runs),
        len(node_runs),
        dict(sorted(per_table.items())),
    )


def size_line(label: str, size: Size) -> str:
    tables = ", ".join(f"{table} {count}" for table, count in size.per_table.items())
    return (
        f"{label}: {size.bytes / 1e6:,.0f} MB ({size.disk_bytes / 1e6:,.0f} MB on disk) in "
        f"{size.files:,} files [{tables}]; node_runs: {size.node_runs_rows:,} rows, "
        f"{size.node_runs_bytes / 1e6:,.0f} MB, {size.node_runs_bytes / size.node_runs_rows:.1f} "
        f"bytes per row, {size.node_runs_files:,} files"
    )


# ------------------------------------------------------------ CLI


@click.command()
@click.option(
    "--work",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("/tmp/bench-scale"),
    show_default=True,
)
@click.option("--invocations", default=1700, show_default=True, type=click.IntRange(min=2))
@click.option(
    "--batch",
    default=100,
    show_default=True,
    type=click.IntRange(min=1),
    help="Nights generated, ingested by one process, then deleted, at a time.",
)
@click.option("--repeat", default=3, show_default=True, type=click.IntRange(min=1))
@click.option("--reuse", is_flag=True, help="Keep WORK/history (resume its ingest if cut short).")
def main(work: Path, invocations: int, batch: int, repeat: int, reuse: bool) -> None:
    """Ingest 1,700 nights, then time the queries before and after compaction."""
    work.mkdir(parents=True, exist_ok=True)
    history = work / "history"
    compacted = work / "history-compacted"
    click.echo(
        f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, load {load()} (start)"
    )
    state = ingest_all(work, history, invocations, batch, reuse)
    batches = state["batches"]
    added = sum(b["invocations"] for b in batches)
    ingest_s = sum(b["ingest_s"] for b in batches)
    first, last = batches[0], batches[-1]
    click.echo(
        f"ingest: {sum(b['folders'] for b in batches):,} nights = {added:,} dbt invocations in "
        f"{len(batches)} processes of {batch} nights, {ingest_s:,.0f} s: "
        f"{added / ingest_s:.1f} invocations/s overall (first batch "
        f"{first['invocations'] / first['ingest_s']:.1f}/s, last "
        f"{last['invocations'] / last['ingest_s']:.1f}/s), peak RSS "
        f"{max(b['ingest_rss_mb'] for b in batches):.0f} MB; "
        f"generating took {sum(b['generate_s'] for b in batches):,.0f} s more"
    )
    before_size = measure(history)
    click.echo(size_line("history", before_size))

    where_before = ["--history", str(history)]
    where_after = ["--history", str(compacted)]
    ok = {"check": (0, CHECK_FINDINGS)}
    click.echo(
        f"timing queries on {history}, best of {repeat}, load {load()}, code {code_version()}"
    )
    before = {
        name: best_of(repeat, [*args, *where_before], ok.get(name, (0,))) for name, args in QUERIES
    }
    shutil.rmtree(compacted, ignore_errors=True)
    shutil.copytree(history, compacted, copy_function=os.link)  # compact writes new files only
    load_compact = load()
    compact_run = timed(["compact", "--grace", "0", *where_after])
    after_size = measure(compacted)
    if after_size.node_runs_rows != before_size.node_runs_rows:
        raise click.ClickException(
            f"compact changed the node_runs rows: {before_size.node_runs_rows:,} → "
            f"{after_size.node_runs_rows:,}"
        )
    click.echo(size_line("compacted", after_size))
    after = {
        name: best_of(repeat, [*args, *where_after], ok.get(name, (0,))) for name, args in QUERIES
    }

    click.echo("")
    click.echo(
        f"whole processes, best of {repeat} (peak RSS: highest of the {repeat}); "
        f"{before_size.node_runs_rows:,} node_runs rows"
    )
    click.echo(f"{'command':<22} {'before compact':>19} {'after compact':>19}")
    for name, _ in QUERIES:
        b, a = before[name], after[name]
        click.echo(
            f"{name:<22} {b.wall:>7.2f} s {b.rss_mb:>6.0f} MB {a.wall:>7.2f} s {a.rss_mb:>6.0f} MB"
        )
    click.echo(
        f"{'compact --grace 0':<22} {'':>19} {compact_run.wall:>7.2f} s "
        f"{compact_run.rss_mb:>6.0f} MB"
    )
    click.echo(f"load average at the end: {load()} (during compact: {load_compact})")
    (work / "results.json").write_text(
        json.dumps(
            {
                "before": {k: asdict(v) for k, v in before.items()},
                "after": {k: asdict(v) for k, v in after.items()},
                "compact": asdict(compact_run),
                "size_before": asdict(before_size),
                "size_after": asdict(after_size),
            },
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
