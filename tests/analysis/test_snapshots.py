import datetime as dt

import polars as pl
import pytest

from monitor.analysis.snapshots import (
    ColumnChange,
    infer_key,
    snapshot_changes,
    with_recorded_at,
)
from monitor.errors import MonitorError

D1 = dt.datetime(2021, 2, 16, 2, 0, tzinfo=dt.UTC)
D2 = dt.datetime(2021, 2, 17, 2, 0, tzinfo=dt.UTC)


def table() -> pl.DataFrame:
    rows = [
        # order_id, status, tracking_id, valid_from, valid_to
        ("o1", "preparing", None, D1, D2),
        ("o1", "shipped", "TRK1", D2, None),
        ("o2", "preparing", None, D1, D2),
        ("o2", "shipped", "TRK2", D2, None),
        ("o3", "delivered", "TRK3", D1, None),
        ("o4", "preparing", None, D2, None),
    ]
    return pl.DataFrame(
        rows,
        schema={
            "order_id": pl.String,
            "status": pl.String,
            "tracking_id": pl.String,
            "dbt_valid_from": pl.Datetime("us", "UTC"),
            "dbt_valid_to": pl.Datetime("us", "UTC"),
        },
        orient="row",
    ).with_columns(
        pl.concat_str("order_id", pl.lit("-"), pl.col("dbt_valid_from").cast(pl.String)).alias(
            "dbt_scd_id"
        )
    )


def test_key_is_inferred() -> None:
    assert infer_key(table()) == "order_id"


def test_changes_per_run_newest_first_with_old_and_new_values() -> None:
    result = snapshot_changes(table())
    assert result.key == "order_id"
    assert (result.versions, result.keys) == (6, 4)
    latest, first = result.runs
    assert latest.recorded_at == D2
    assert [k.key for k in latest.changed] == ["o1", "o2"]
    assert latest.changed[0].changes == [
        ColumnChange("status", "preparing", "shipped"),
        ColumnChange("tracking_id", None, "TRK1"),
    ]
    assert latest.inserted == 1  # o4
    assert (first.recorded_at, first.inserted, first.changed) == (D1, 3, [])


def test_window_keeps_only_recent_runs() -> None:
    result = snapshot_changes(table(), since=D2)
    assert [run.recorded_at for run in result.runs] == [D2]


def test_recorded_at_credits_the_run_that_stored_the_version() -> None:
    recorded = table().with_columns(
        pl.col("dbt_valid_from").dt.offset_by("30m").alias("recorded_at")
    )
    [latest, _] = snapshot_changes(recorded).runs
    assert latest.recorded_at == D2 + dt.timedelta(minutes=30)


def test_removed_keys_are_counted() -> None:
    t = table().with_columns(
        pl.when(pl.col("order_id") == "o3")
        .then(pl.lit(D2))
        .otherwise(pl.col("dbt_valid_to"))
        .alias("dbt_valid_to")
    )
    latest = snapshot_changes(t, key="order_id").runs[0]
    assert latest.removed == 1


def test_not_a_snapshot_table() -> None:
    with pytest.raises(MonitorError, match="dbt snapshot table"):
        snapshot_changes(pl.DataFrame({"a": [1]}))
    with pytest.raises(MonitorError, match="no key column"):
        snapshot_changes(table(), key="nope")


def test_first_export_holding_a_version_recorded_it_and_loader_columns_are_ignored() -> None:
    naive = table().with_columns(
        pl.col("dbt_valid_from").dt.replace_time_zone(None),
        pl.col("dbt_valid_to").dt.replace_time_zone(None),
        pl.col("dbt_valid_from").dt.replace_time_zone(None).alias("_loaded_at"),
    )
    night1 = naive.filter(pl.col("dbt_valid_from") < D2.replace(tzinfo=None)).with_columns(
        pl.lit(None, pl.Datetime("us")).alias("dbt_valid_to")
    )
    later = D2 + dt.timedelta(hours=1)
    exports = pl.concat(
        [
            night1.with_columns(pl.lit(D1).alias("started_at")),
            naive.with_columns(pl.lit(later).alias("started_at")),
        ]
    )
    latest = with_recorded_at(naive, exports)
    run = snapshot_changes(latest).runs[0]
    assert run.recorded_at == later
    assert [c.column for c in run.changed[0].changes] == ["status", "tracking_id"]
