"""Compaction and retention on real files: same rows before and after, readers unharmed."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner

from monitor import schema
from monitor.cli import cli
from monitor.history.compact import compact
from monitor.history.ingest import ingest
from monitor.history.store import History

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"


def content(history: History, table: str) -> list[int]:
    """A content hash of a table: the sorted hashes of its rows."""
    frame = history.scan(table).collect()
    return sorted(frame.hash_rows(seed=1).to_list())


@pytest.fixture
def fixture_history(tmp_path: Path) -> History:
    history = History(tmp_path / "h")
    assert ingest([RUNS], history).errors == []
    return history


def files_in(history: History) -> list[str]:
    return [p for table in schema.TABLES for p in history.storage.list(table)]


def test_compaction_keeps_every_row_and_merges_the_files(fixture_history: History) -> None:
    before = {table: content(fixture_history, table) for table in schema.TABLES}
    count_before = len(files_in(fixture_history))
    report = compact(fixture_history, grace=0)
    assert report.written > 0
    assert {table: content(fixture_history, table) for table in schema.TABLES} == before
    assert len(files_in(fixture_history)) == count_before - report.merged + report.written
    # nothing left to merge; the rows still the same
    assert compact(fixture_history, grace=0).written == 0
    assert {table: content(fixture_history, table) for table in schema.TABLES} == before


def test_ingest_after_compaction_knows_what_is_there(fixture_history: History) -> None:
    compact(fixture_history, grace=0)
    again = ingest([RUNS], fixture_history)
    assert again.count("added") == 0
    assert again.count("present") == 51


def test_a_late_invocation_lands_in_a_compacted_day(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    nights = sorted(RUNS.iterdir())
    late = nights[3] / "02-build"
    for night in nights:
        for run in sorted(night.iterdir()):
            if run != late:
                ingest([run], history)
    compact(history, grace=0)
    rows = history.scan("node_runs").collect().height
    assert ingest([late], history).count("added") == 1
    assert history.scan("node_runs").collect().height == rows + 65
    compact(history, grace=0)
    assert history.scan("node_runs").collect().height == rows + 65
    assert history.scan("invocations").collect()["invocation_id"].is_unique().all()


def test_readers_during_compaction_never_see_a_row_twice_or_miss_one(
    fixture_history: History,
) -> None:
    expected = {table: fixture_history.scan(table).collect().height for table in schema.TABLES}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "monitor",
            "compact",
            "--history",
            str(fixture_history.root),
            "--grace",
            "3",
        ],
        cwd=REPO,
        env={**os.environ, "CI": ""},
        stdout=subprocess.PIPE,
    )
    reads = 0
    while process.poll() is None or reads < 3:
        for table, rows in expected.items():
            assert History(fixture_history.root).scan(table).collect().height == rows, table
        reads += 1
    assert process.returncode == 0
    assert reads > 10  # the loop really ran while compaction did
    assert any(
        p.name.startswith("compacted-") for p in Path(fixture_history.root).rglob("*.parquet")
    )


def test_other_engines_read_the_compacted_layout(fixture_history: History) -> None:
    compact(fixture_history, grace=0)
    root = fixture_history.root
    for table in ("invocations", "node_runs", "freshness"):
        ours = fixture_history.scan(table).collect().height
        files = f"{root}/{table}/*/*.parquet"
        theirs = duckdb.sql(
            f"select count(*) from read_parquet('{files}', hive_partitioning = true)"
        ).fetchall()
        assert theirs == [(ours,)]


def test_retention_drops_old_days_but_keeps_current_node_versions(
    fixture_history: History,
) -> None:
    nodes_before = set(fixture_history.scan("nodes").collect()["unique_id"])
    compact(fixture_history, keep_days=7, grace=0)
    started = fixture_history.scan("invocations").collect()["started_at"]
    assert started.min() >= dt.datetime(2021, 2, 10, tzinfo=dt.UTC)
    assert set(fixture_history.scan("nodes").collect()["unique_id"]) == nodes_before
    runs = fixture_history.scan("node_runs").collect()
    assert set(runs["invocation_id"]) <= set(
        fixture_history.scan("invocations").collect()["invocation_id"]
    )
    assert not any("2021-02-0" in p for p in fixture_history.storage.list("marts"))


def test_a_since_window_opens_only_its_partitions(fixture_history: History) -> None:
    compact(fixture_history, grace=0)
    opened: list[str] = []
    source = fixture_history.storage.source

    def counting(path: str) -> str:
        opened.append(path)
        return source(path)

    fixture_history.storage.source = counting  # type: ignore[method-assign]
    frame = fixture_history.scan("node_runs", since=dt.date(2021, 2, 15)).collect()
    assert opened and all(p.split("/")[1] >= "date=2021-02-15" for p in opened)
    recent = fixture_history.scan("invocations", since=dt.date(2021, 2, 15)).collect()
    builds = recent.filter(pl.col("artifact") == "run_results")["invocation_id"]
    assert set(frame["invocation_id"]) == set(builds)


def test_compact_cli(fixture_history: History) -> None:
    result = CliRunner().invoke(
        cli, ["compact", "--history", str(fixture_history.root), "--grace", "0"]
    )
    assert result.exit_code == 0
    assert result.stdout.startswith("merged ")
    bad = CliRunner().invoke(
        cli, ["compact", "--history", str(fixture_history.root), "--keep", "soon"]
    )
    assert bad.exit_code == 2
    assert "--keep 'soon': expected a number of days or weeks" in bad.stderr


def test_hash_of_frames_is_sensitive() -> None:
    a = pl.DataFrame({"x": [1, 2]})
    assert sorted(a.hash_rows(seed=1).to_list()) != sorted(
        pl.DataFrame({"x": [1, 3]}).hash_rows(seed=1).to_list()
    )


def everything(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_dry_run_says_what_would_happen_and_changes_nothing(fixture_history: History) -> None:
    root = Path(fixture_history.root)
    before = everything(root)
    folders = sorted(p for p in root.rglob("*") if p.is_dir())
    result = CliRunner().invoke(
        cli, ["compact", "--history", str(root), "--keep", "5d", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("would merge ")
    assert ", would drop 11 days past --keep, would delete " in result.stdout
    assert result.stdout.rstrip().endswith("(dry run: nothing changed)")
    assert result.stderr == ""  # no grace period to wait for
    assert everything(root) == before
    assert sorted(p for p in root.rglob("*") if p.is_dir()) == folders
    # and it said what the real run does
    real = CliRunner().invoke(
        cli, ["compact", "--history", str(root), "--keep", "5d", "--grace", "0"]
    )
    said = result.stdout.split(" in ")[0].replace("would merge", "merged")
    said = said.replace("would drop", "dropped").replace("would delete", "deleted")
    assert real.stdout.startswith(said)


def test_keep_keeps_the_days_since_selects(fixture_history: History) -> None:
    root = str(fixture_history.root)
    since = CliRunner().invoke(
        cli, ["runs", "--since", "5d", "--format", "json", "--history", root]
    )
    expected = {row["invocation_id"] for row in json.loads(since.stdout)}
    result = CliRunner().invoke(cli, ["compact", "--keep", "5d", "--grace", "0", "--history", root])
    assert result.exit_code == 0, result.output
    kept = set(History(root).scan("invocations").collect()["invocation_id"])
    assert kept == expected
    days = {p.name for p in (Path(root) / "node_runs").iterdir()}
    assert days == {f"date=2021-02-{day}" for day in range(13, 18)}


def test_emptied_partition_folders_are_removed(fixture_history: History) -> None:
    root = Path(fixture_history.root)
    compact(fixture_history, keep_days=3, grace=0)
    empty = [p for p in root.rglob("date=*") if p.is_dir() and not any(p.iterdir())]
    assert empty == []
    assert {p.name for p in (root / "invocations").iterdir()} == {
        "date=2021-02-15",
        "date=2021-02-16",
        "date=2021-02-17",
    }


def test_compact_says_when_it_waits(fixture_history: History) -> None:
    result = CliRunner().invoke(
        cli, ["compact", "--history", str(fixture_history.root), "--grace", "0.1"]
    )
    assert result.exit_code == 0
    assert result.stderr == (
        "waiting 0.1 s (--grace) before deleting replaced files, for readers that listed them"
        " first\n"
    )
