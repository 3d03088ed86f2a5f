"""Order and concurrency never change the history: node and exposure versions come out
the same whatever order the runs arrive in, and however many processes ingest at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from monitor.history.ingest import ingest
from monitor.history.store import History

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"
NIGHTS = sorted(RUNS.iterdir())
PR_BUILD = RUNS / "2021-02-11" / "04-pr-build"
KEYS = ["unique_id", "first_seen_at", "version"]


@pytest.fixture(scope="module")
def in_order(tmp_path_factory: pytest.TempPathFactory) -> History:
    history = History(tmp_path_factory.mktemp("order") / "in-order")
    assert ingest([RUNS], history).errors == []
    return history


def runs_of(folders: list[Path]) -> list[Path]:
    return [run for folder in folders for run in sorted(folder.iterdir())]


def assert_same_versions(history: History, expected: History) -> None:
    for table in ("nodes", "exposures"):
        ours = history.scan(table).collect().sort(KEYS)
        theirs = expected.scan(table).collect().sort(KEYS)
        assert_frame_equal(ours, theirs)


def test_newest_days_first_then_everything(in_order: History, tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    assert ingest(NIGHTS[-5:], history).errors == []
    assert ingest([RUNS], history).errors == []
    assert_same_versions(history, in_order)


def test_runs_in_reverse_order(in_order: History, tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    for run in reversed(runs_of(NIGHTS)):
        assert ingest([run], history).errors == []
    assert_same_versions(history, in_order)


def test_a_late_pull_request_build_between_nights_of_main(
    in_order: History, tmp_path: Path
) -> None:
    # main's nightly builds first; the PR's edit of dim_products arrives last,
    # between two of them: main's version must be current again the night after
    history = History(tmp_path / "h")
    assert ingest([run for run in runs_of(NIGHTS) if run != PR_BUILD], history).errors == []
    assert ingest([PR_BUILD], history).errors == []
    assert_same_versions(history, in_order)


def test_four_concurrent_ingests_store_what_one_does(in_order: History, tmp_path: Path) -> None:
    url = tmp_path / "h"
    env = {**os.environ, "CI": "", "PYTHONPATH": str(REPO)}
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "monitor", "ingest", str(RUNS), "--history", str(url)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    outputs = []
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        outputs.append(out.decode())
    history = History(url)
    assert_same_versions(history, in_order)
    invocations = history.scan("invocations").collect()
    assert invocations.height == 51
    assert history.scan("node_runs").collect().height == 2089
    # a process that lost the race to commit an invocation says "present", not "added"
    added = [
        match.group(1)
        for out in outputs
        for match in re.finditer(r"^added .*? results  (\S+)", out, re.MULTILINE)
    ]
    assert sorted(added) == sorted(invocations["invocation_id"].str.slice(0, 8)), outputs


def test_unchanged_nodes_are_not_stored_again_when_late(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    ingest(NIGHTS[8:], history)
    ingest(NIGHTS[:8], history)
    stg_orders = history.scan("nodes").filter(pl.col("unique_id") == "model.greenery.stg_orders")
    assert stg_orders.collect().height == 1
