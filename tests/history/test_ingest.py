"""Ingest safety with real processes and real files: idempotent, atomic, concurrent."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from benchmarks.generate import generate
from monitor.history.ingest import ingest
from monitor.history.store import History
from tests.artifacts.samples import CORPUS

REPO = Path(__file__).resolve().parents[2]
NIGHTS = 30


@pytest.fixture(scope="session")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30 nights of a 300-model project: a freshness and a build run each."""
    out = tmp_path_factory.mktemp("generated") / "runs"
    generate(out, models=300, tests=300, invocations=NIGHTS, compiled_code=False)
    return out


def _run_cli(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "monitor", *args],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "CI": ""},
    )


def _results_in(path: Path) -> int:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        return len(json.load(handle)["results"])


def assert_consistent(history: History) -> int:
    """Every committed invocation has exactly its rows; returns how many are committed."""
    invocations = history.scan("invocations").collect()
    runs = history.scan("node_runs").group_by("invocation_id").len("runs").collect()
    checks = history.scan("freshness").group_by("invocation_id").len("checks").collect()
    joined = invocations.join(runs, on="invocation_id", how="left").join(
        checks, on="invocation_id", how="left"
    )
    rows = pl.coalesce(pl.col("runs"), pl.col("checks"), pl.lit(0))
    broken = joined.filter(rows != pl.col("n_results"))
    assert broken.is_empty(), broken.select("invocation_id", "n_results", "runs", "checks")
    assert invocations["invocation_id"].is_unique().all()
    return invocations.height


def test_counts_match_what_the_files_hold(runs: Path, tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    report = ingest([runs], history)
    assert report.errors == []
    expected_runs = sum(_results_in(p) for p in runs.glob("*/run_results.json"))
    expected_checks = sum(_results_in(p) for p in runs.glob("*/sources.json"))
    assert history.scan("invocations").collect().height == 2 * NIGHTS
    assert history.scan("node_runs").collect().height == expected_runs
    assert history.scan("freshness").collect().height == expected_checks
    assert assert_consistent(history) == 2 * NIGHTS


def test_second_ingest_adds_nothing(runs: Path, tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    ingest([runs], history)
    files = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    again = ingest([runs], history)
    assert again.count("added") == 0
    assert again.count("present") == 2 * NIGHTS
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()) == files


def test_order_of_arrival_does_not_matter(runs: Path, tmp_path: Path) -> None:
    folders = sorted(runs.iterdir())
    late_first = History(tmp_path / "late")
    for folder in reversed(folders):
        ingest([folder], late_first)
    in_order = History(tmp_path / "ordered")
    ingest([runs], in_order)
    for table in ("invocations", "node_runs", "freshness"):
        a = late_first.scan(table).drop("ingested_at", strict=False).collect()
        b = in_order.scan(table).drop("ingested_at", strict=False).collect()
        key = ["invocation_id", "unique_id"] if "unique_id" in a.columns else ["invocation_id"]
        assert a.sort(key).equals(b.sort(key))
    # node versions: same rows, each first seen at the earliest invocation
    versions = ["unique_id", "version", "first_seen_invocation"]
    a = (
        late_first.scan("nodes")
        .sort("first_seen_at")
        .unique(["unique_id", "version"], keep="first")
    )
    b = in_order.scan("nodes").select(versions).collect().sort(versions)
    assert a.select(versions).collect().sort(versions).equals(b)


def _wait_for_files(folder: Path, count: int, process: subprocess.Popen[bytes]) -> None:
    """Wait until ``count`` data files exist: the ingest is then mid-way through writing."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if folder.is_dir() and sum(1 for _ in folder.rglob("*.parquet")) >= count:
            return
        time.sleep(0.005)


def test_killed_ingest_leaves_no_half_invocation(runs: Path, tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    seen = []
    for target in (1, 8, 25, 45):
        process = _run_cli("ingest", str(runs), "--history", str(history.root))
        _wait_for_files(history.root / "node_runs", target, process)
        process.send_signal(signal.SIGKILL)
        process.wait()
        seen.append(assert_consistent(history))
    # some kills landed mid-ingest, and each retry kept what the last one committed
    assert any(0 < n < 2 * NIGHTS for n in seen), seen
    assert seen == sorted(seen)
    finish = _run_cli("ingest", str(runs), "--history", str(history.root))
    finish.wait(timeout=120)
    assert finish.returncode == 0
    assert assert_consistent(history) == 2 * NIGHTS


def test_two_concurrent_ingests_both_land(runs: Path, tmp_path: Path) -> None:
    history = tmp_path / "h"
    folders = sorted(runs.iterdir())
    half = len(folders) // 2
    first = _run_cli("ingest", *map(str, folders[: half + 3]), "--history", str(history))
    second = _run_cli("ingest", *map(str, folders[half - 3 :]), "--history", str(history))
    for process in (first, second):
        process.wait(timeout=120)
        assert process.returncode == 0
    assert assert_consistent(History(history)) == 2 * NIGHTS


def test_every_corpus_run_ingests(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    report = ingest([CORPUS], history)
    assert report.errors == []
    files = [*CORPUS.rglob("run_results*.json")]
    invocations = history.scan("invocations").collect()
    runs = invocations.filter(pl.col("artifact") == "run_results")
    assert runs.height == len(files)
    assert history.scan("node_runs").collect().height == sum(_results_in(p) for p in files)
    # manifests no run file claims are invocations of their own: 17 manifests, 3 paired
    lone = invocations.filter(pl.col("artifact") == "manifest")
    assert lone.height == len([*CORPUS.rglob("manifest*.json")]) - 3
    assert set(lone["command"]) == {"manifest only"}
    assert lone["n_results"].sum() == 0
