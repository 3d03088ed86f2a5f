import datetime as dt
from pathlib import Path

import duckdb
import polars as pl
import pytest

from monitor import schema
from monitor.errors import MonitorError
from monitor.history.marts import stored_mart, warehouse_mart
from monitor.history.store import History

T0 = dt.datetime(2021, 2, 16, 2, 0, tzinfo=dt.UTC)


def invocation(invocation_id: str, started_at: dt.datetime) -> pl.DataFrame:
    row = dict.fromkeys(schema.INVOCATIONS.names())
    row.update(invocation_id=invocation_id, started_at=started_at, command="build")
    return pl.DataFrame([row], schema=schema.INVOCATIONS, orient="row")


def test_stored_exports_newest_first_dated_by_invocation(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    for day, users in enumerate((100, 120)):
        export = tmp_path / f"f{day}.parquet"
        pl.DataFrame({"step": ["page_view"], "step_order": [1], "users": [users]}).write_parquet(
            export
        )
        started = T0 + dt.timedelta(days=day)
        history.write_invocation(
            started.date(),
            f"inv-{day}",
            {"invocations": invocation(f"inv-{day}", started)},
            {"fct_product_funnel": export},
        )
    invocations = history.scan("invocations").collect()
    mart = stored_mart(history, "fct_product_funnel", invocations)
    assert mart is not None
    assert mart.latest["users"].to_list() == [120]
    assert mart.exports is not None
    assert mart.exports["users"].to_list() == [100, 120]
    assert "2 exports" in mart.origin
    assert stored_mart(history, "orders_snapshot", invocations) is None


def test_warehouse_table_by_name_and_schema(tmp_path: Path) -> None:
    path = tmp_path / "w.duckdb"
    con = duckdb.connect(str(path))
    con.execute("create schema prod; create schema ci")
    con.execute(
        "create table prod.funnel as select 'page_view' as step, 1 as step_order, 7 as users"
    )
    con.execute("create table prod.orders as select 1 as id")
    con.execute("create table ci.orders as select 2 as id")
    con.close()
    mart = warehouse_mart(path, "funnel")
    assert mart is not None and mart.exports is None
    assert mart.latest.to_dicts() == [{"step": "page_view", "step_order": 1, "users": 7}]
    assert warehouse_mart(path, "missing") is None
    assert warehouse_mart(path, "ci.orders").latest["id"].to_list() == [2]  # type: ignore[union-attr]
    with pytest.raises(MonitorError, match="several schemas"):
        warehouse_mart(path, "orders")
    with pytest.raises(MonitorError, match="not a table name"):
        warehouse_mart(path, "x; drop table y")
    with pytest.raises(MonitorError, match="no such DuckDB file"):
        warehouse_mart(tmp_path / "nope.duckdb", "funnel")
