import datetime as dt

import polars as pl
import pytest

from monitor.analysis.cost.attribution import attribute, busy_seconds

T0 = dt.datetime(2021, 2, 1, 2, 0, tzinfo=dt.UTC)


def intervals(*rows: tuple[str, str | None, float, float]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            (node, "inv", wh, T0 + dt.timedelta(seconds=a), T0 + dt.timedelta(seconds=b))
            for node, wh, a, b in rows
        ],
        schema={
            "unique_id": pl.String,
            "invocation_id": pl.String,
            "warehouse": pl.String,
            "start": pl.Datetime("us", "UTC"),
            "end": pl.Datetime("us", "UTC"),
        },
        orient="row",
    )


def shares(frame: pl.DataFrame) -> dict[str, float]:
    return dict(attribute(frame).select("unique_id", "seconds").iter_rows())


def test_two_nodes_overlapping_for_10_s_on_one_warehouse_cost_10_s_together() -> None:
    got = shares(intervals(("a", None, 0, 10), ("b", None, 0, 10)))
    assert got == {"a": pytest.approx(5.0), "b": pytest.approx(5.0)}
    assert sum(got.values()) == pytest.approx(10.0)


def test_nodes_on_different_warehouses_are_billed_separately() -> None:
    got = shares(intervals(("a", "TRANSFORMING", 0, 10), ("b", "REPORTING", 0, 10)))
    assert got == {"a": pytest.approx(10.0), "b": pytest.approx(10.0)}


def test_partial_overlap_splits_only_the_shared_seconds() -> None:
    # a alone 0-4, a and b 4-10 (6 s shared), b alone 10-12
    got = shares(intervals(("a", None, 0, 10), ("b", None, 4, 12)))
    assert got == {"a": pytest.approx(4 + 3), "b": pytest.approx(3 + 2)}


def test_a_runs_total_equals_the_union_of_its_busy_intervals() -> None:
    frame = intervals(
        ("a", None, 0, 10),
        ("b", None, 2, 3),
        ("c", None, 2.5, 7),
        ("d", None, 20, 21),  # idle 10-20 is not billed
        ("e", None, 20, 20),  # zero-length
        ("f", "OTHER", 0, 100),
    )
    busy = dict(busy_seconds(frame).select("warehouse", "seconds").iter_rows())
    assert busy == {None: pytest.approx(11.0), "OTHER": pytest.approx(100.0)}
    got = shares(frame)
    assert got["e"] == 0.0
    assert sum(v for k, v in got.items() if k != "f") == pytest.approx(11.0)


def test_rows_without_timings_get_nothing() -> None:
    frame = intervals(("a", None, 0, 4)).vstack(
        pl.DataFrame(
            {"unique_id": ["skipped"], "invocation_id": ["inv"], "warehouse": [None]},
            schema={"unique_id": pl.String, "invocation_id": pl.String, "warehouse": pl.String},
        ).with_columns(
            pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("start"),
            pl.lit(None, dtype=pl.Datetime("us", "UTC")).alias("end"),
        )
    )
    assert shares(frame) == {"a": pytest.approx(4.0), "skipped": 0.0}


def test_invocations_are_separate_warehouse_sessions() -> None:
    one = intervals(("a", None, 0, 10))
    two = intervals(("b", None, 0, 10)).with_columns(pl.lit("inv2").alias("invocation_id"))
    got = shares(pl.concat([one, two]))
    assert got == {"a": pytest.approx(10.0), "b": pytest.approx(10.0)}
