"""prepare: every run carries its invocation's facts, in invocation order."""

from __future__ import annotations

import datetime as dt
import gc
import weakref

import polars as pl

from monitor.analysis.frames import as_of, versions
from tests.analysis.builder import T0, HistoryBuilder


def _out_of_order() -> tuple[HistoryBuilder, list[str]]:
    """Three builds whose runs are stored newest first, and a run of no known invocation."""
    builder = HistoryBuilder()
    late = builder.invocation(2, target="dev")
    early = builder.invocation(0)
    middle = builder.invocation(1, command="run")
    for invocation_id in (late, early, middle):
        for name in ("b", "a", "c"):  # dbt's own order, not alphabetical
            builder.run(invocation_id, f"model.shop.{name}")
    builder.run("inv-unknown", "model.shop.a")
    builder.check(middle, "source.shop.raw.orders", "pass", 60.0)
    builder.check(early, "source.shop.raw.orders", "warn", 7200.0)
    return builder, [early, middle, late]


def test_runs_come_in_invocation_order_with_each_invocations_rows_in_their_own_order() -> None:
    builder, ordered = _out_of_order()

    runs = builder.frames().node_runs

    assert runs["invocation_id"].to_list() == [i for i in ordered for _ in range(3)]
    assert runs["unique_id"].to_list() == [f"model.shop.{n}" for _ in ordered for n in "bac"]


def test_a_run_of_an_invocation_not_in_the_history_is_left_out() -> None:
    builder, _ = _out_of_order()

    runs = builder.frames().node_runs

    assert "inv-unknown" not in runs["invocation_id"].to_list()
    assert runs.height == 9


def test_each_run_carries_its_own_invocations_facts() -> None:
    builder, (early, middle, late) = _out_of_order()

    runs = builder.frames().node_runs
    facts = {
        row["invocation_id"]: (row["started_at"], row["command"], row["env_key"])
        for row in runs.iter_rows(named=True)
    }

    assert facts[early] == (T0, "build", "prod")
    assert facts[middle][1:] == ("run", "prod")
    assert facts[late][2] == "dev"
    assert facts[late][0] > facts[middle][0] > facts[early][0]
    assert runs["executes"].all()
    assert not runs["full_refresh"].any()


def test_freshness_checks_come_in_invocation_order_with_their_facts() -> None:
    builder, (early, middle, _late) = _out_of_order()

    freshness = builder.frames().freshness

    assert freshness["invocation_id"].to_list() == [early, middle]
    assert freshness["status"].to_list() == ["warn", "pass"]
    assert freshness["command"].to_list() == ["build", "run"]


def _versions(checksum: str) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": ["model.shop.a", "model.shop.a"],
            "checksum": ["old", checksum],
            "first_seen_at": [T0, T0 + dt.timedelta(days=1)],
        }
    )


def test_as_of_answers_the_version_in_effect_then_or_the_first_one() -> None:
    versions = _versions("new")

    assert as_of(versions, T0 + dt.timedelta(hours=1))["checksum"].to_list() == ["old"]
    assert as_of(versions, T0 + dt.timedelta(days=2))["checksum"].to_list() == ["new"]
    assert as_of(versions, T0 - dt.timedelta(days=1))["checksum"].to_list() == ["old"]


def test_an_as_of_answer_is_kept_no_longer_than_its_frame() -> None:
    when = T0 + dt.timedelta(days=2)
    versions = _versions("first")
    answer = weakref.ref(as_of(versions, when))
    assert as_of(versions, when) is answer()  # asked again: the kept answer

    del versions
    gc.collect()

    assert answer() is None  # the frame is gone, and its answer with it
    # frames made later (ids are reused) get answers of their own
    for checksum in ("second", "third", "fourth"):
        assert as_of(_versions(checksum), when)["checksum"].to_list() == [checksum]


def _sightings() -> pl.DataFrame:
    """Node versions as :func:`versions` keeps them: a has two, b one, c three."""
    day = dt.timedelta(days=1)
    rows = [
        ("model.shop.c", "c1", T0),
        ("model.shop.a", "a1", T0),
        ("model.shop.b", "b1", T0 + day),
        ("model.shop.c", "c2", T0 + day),
        ("model.shop.a", "a2", T0 + 2 * day),
        ("model.shop.c", "c3", T0 + 3 * day),
    ]
    frame = pl.LazyFrame(
        rows,
        schema={
            "unique_id": pl.String,
            "checksum": pl.String,
            "first_seen_at": pl.Datetime("us", "UTC"),
        },
        orient="row",
    ).with_columns(pl.col("checksum").alias("version"))
    return versions(frame).collect()


def _answer(frame: pl.DataFrame, at: dt.datetime) -> list[tuple[str, str]]:
    return [(row[0], row[1]) for row in as_of(frame, at).select("unique_id", "checksum").rows()]


def test_as_of_the_newest_sighting_or_later_gives_each_nodes_newest_version() -> None:
    frame = _sightings()
    # the same frame without the newest-version marks answers the long way
    plain = frame.drop("is_latest")

    for at in (T0 + dt.timedelta(days=3), T0 + dt.timedelta(days=30)):
        assert _answer(frame, at) == _answer(plain, at)
        assert sorted(_answer(frame, at)) == [
            ("model.shop.a", "a2"),
            ("model.shop.b", "b1"),
            ("model.shop.c", "c3"),
        ]


def test_as_of_a_frame_missing_a_nodes_newest_version_still_answers_its_version_then() -> None:
    kept = _sightings().filter(pl.col("checksum") != "c3")  # c's newest sighting left out
    at = T0 + dt.timedelta(days=30)

    assert dict(_answer(kept, at)) == {
        "model.shop.a": "a2",
        "model.shop.b": "b1",
        "model.shop.c": "c2",
    }


def test_as_of_an_earlier_time_gives_the_versions_in_effect_then() -> None:
    at = T0 + dt.timedelta(days=1, hours=1)

    assert dict(_answer(_sightings(), at)) == {
        "model.shop.a": "a1",
        "model.shop.b": "b1",
        "model.shop.c": "c2",
    }
