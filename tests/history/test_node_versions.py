"""Node versions over the recorded fixtures: a pull request's edit, then main again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from monitor.analysis.frames import as_of, prepare
from monitor.history.ingest import ingest
from monitor.history.store import History
from monitor.history.tables import read_tables

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"
DIM_PRODUCTS = "model.greenery.dim_products"
PR_RUN = dt.datetime(2021, 2, 11, 15, 30, tzinfo=dt.UTC)  # 04-pr-build edits dim_products


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    history = History(tmp_path_factory.mktemp("versions") / "h")
    assert ingest([RUNS], history).errors == []
    return history


def checksum_at(history: History, when: dt.datetime) -> str:
    frames = prepare(read_tables(history))
    row = as_of(frames.nodes, when).filter(pl.col("unique_id") == DIM_PRODUCTS)
    return str(row["checksum"][0])


def test_the_edit_is_in_effect_only_until_main_runs_again(history: History) -> None:
    before = checksum_at(history, PR_RUN - dt.timedelta(hours=1))
    during = checksum_at(history, PR_RUN + dt.timedelta(minutes=5))
    after = checksum_at(history, dt.datetime(2021, 2, 12, 3, 0, tzinfo=dt.UTC))
    assert during != before
    assert after == before  # the nightly run of main brought the old version back


def test_unchanged_nodes_are_stored_once(history: History) -> None:
    nodes = history.scan("nodes").collect()
    stg_orders = nodes.filter(pl.col("unique_id") == "model.greenery.stg_orders")
    assert stg_orders.height == 1
    sightings = nodes.filter(pl.col("unique_id") == DIM_PRODUCTS)
    assert sightings.height == 3  # first seen, the PR's edit, main again
