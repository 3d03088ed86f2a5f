"""Node versions over the recorded fixtures: a pull request's edit, then main again."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from monitor.analysis.frames import as_of, prepare
from monitor.history.ingest import ingest
from monitor.history.storage import LocalStorage
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


class ListingStorage(LocalStorage):
    """The history's own folder, remembering every prefix listed (and from which day)."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.listed: list[tuple[str, str | None]] = []

    def list(self, prefix: str, *, since: str | None = None) -> list[str]:
        self.listed.append((prefix, since))
        return super().list(prefix, since=since)


def test_a_recent_read_has_every_node_version_without_listing_every_day(history: History) -> None:
    since = dt.date(2021, 2, 14)
    recent = History(history.root)
    storage = ListingStorage(Path(history.root))
    recent.storage = storage
    nodes = read_tables(recent, since=since).nodes.collect()
    everything = read_tables(History(history.root)).nodes.collect()
    order = ["unique_id", "first_seen_at", "version"]
    assert_frame_equal(nodes.sort(order), everything.sort(order))
    assert nodes["first_seen_at"].min() < dt.datetime(2021, 2, 2, tzinfo=dt.UTC)
    # the commit markers are listed from `since` on, or one day at a time where
    # node or exposure files are: never the whole table, partition by partition
    markers = [(prefix, after) for prefix, after in storage.listed if "invocations" in prefix]
    assert markers
    assert all(after is not None or "/date=" in prefix for prefix, after in markers)
