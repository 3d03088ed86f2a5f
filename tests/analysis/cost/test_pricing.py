"""Pricing on real BigQuery builds (the corpus) and on small hand-built runs."""

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from monitor.analysis.config import config_from_dict
from monitor.analysis.cost.pricing import priced_runs
from monitor.analysis.frames import prepare
from monitor.cli import cli
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import read_tables
from tests.analysis.builder import T0, HistoryBuilder
from tests.artifacts.samples import CORPUS

BIGQUERY_BUILDS = [
    # run_results and the manifest of the same invocation (dbt 1.9, BigQuery)
    ("run_results/v6/jaffle_shop/run_results.json", "manifest/v12/jaffle_shop/manifest_1.9.json"),
    # dbt 1.7, BigQuery
    ("run_results/v5/jaffle_shop/run_results.json", "manifest/v11/jaffle_shop/manifest.json"),
]


@pytest.fixture(scope="module")
def bigquery_history(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[dict]]:
    root = tmp_path_factory.mktemp("bigquery")
    results = []
    for i, (run_results, manifest) in enumerate(BIGQUERY_BUILDS):
        folder = root / "runs" / f"{i:02d}"
        folder.mkdir(parents=True)
        shutil.copy(CORPUS / run_results, folder / "run_results.json")
        shutil.copy(CORPUS / manifest, folder / "manifest.json")
        results += json.loads((folder / "run_results.json").read_text())["results"]
    history = str(root / "history")
    out = CliRunner().invoke(cli, ["ingest", str(root / "runs"), "--history", history])
    assert out.exit_code == 0, out.output
    return history, results


def priced(history: str, cost: dict) -> pl.DataFrame:
    tables = read_tables(History(history))
    frames = prepare(tables)
    config = config_from_dict({"cost": cost}).cost
    return priced_runs(frames.node_runs, frames.invocations, frames.nodes, config)


def test_bytes_billed_prices_what_bigquery_billed(bigquery_history: tuple[str, list]) -> None:
    history, results = bigquery_history
    rows = priced(history, {"currency": "USD", "bigquery": {"price_per_tib": 6.25}})
    billed = sum((r.get("adapter_response") or {}).get("bytes_billed", 0) for r in results)
    assert billed > 0
    assert rows["cost"].sum() == pytest.approx(billed / 2**40 * 6.25)
    assert set(rows["method"]) == {"bytes_billed"}
    assert set(rows["unit"]) == {"USD"}
    assert not rows["estimate"].any()


def test_slot_ms_prices_slot_hours_as_an_estimate(bigquery_history: tuple[str, list]) -> None:
    history, results = bigquery_history
    cost = {"currency": "EUR", "bigquery": {"method": "slot_ms", "price_per_slot_hour": 0.06}}
    rows = priced(history, cost)
    slot_ms = sum((r.get("adapter_response") or {}).get("slot_ms", 0) for r in results)
    assert rows["cost"].sum() == pytest.approx(slot_ms / 3.6e6 * 0.06)
    assert rows["estimate"].all() and set(rows["unit"]) == {"EUR"}


def test_unpriced_adapter_is_compute_seconds_without_currency(
    bigquery_history: tuple[str, list],
) -> None:
    history, _ = bigquery_history
    rows = priced(history, {})
    assert set(rows["method"]) == {"compute_seconds"} and set(rows["unit"]) == {"compute_seconds"}
    # the time-sliced shares of one invocation add up to its busy time, less than the sum
    one = rows.filter(pl.col("invocation_id") == rows["invocation_id"][0])
    assert one["seconds"].sum() == pytest.approx(one["cost"].sum())
    assert one["seconds"].sum() > 0


def overlapping_run(adapter: str) -> HistoryBuilder:
    b = HistoryBuilder()
    inv = b.invocation(0)
    b.invocations[-1]["adapter_type"] = adapter
    for node, start, end in (
        ("model.p.a", 0, 3600),
        ("model.p.b", 0, 3600),
        ("model.p.c", 3600, 5400),
    ):
        b.run(
            inv,
            node,
            execute_started_at=T0 + dt.timedelta(seconds=start),
            execute_completed_at=T0 + dt.timedelta(seconds=end),
        )
    return b


def test_snowflake_credits_by_size_times_price_per_credit() -> None:
    frames = overlapping_run("snowflake").frames()
    cost = {"currency": "USD", "snowflake": {"price_per_credit": 3.0, "default_size": "Medium"}}
    config = config_from_dict({"cost": cost}).cost
    rows = priced_runs(frames.node_runs, frames.invocations, frames.nodes, config)
    got = dict(rows.select("unique_id", "cost").iter_rows())
    # Medium = 4 credits/h = 12 USD/h; a and b share the first hour, c has half an hour alone
    assert got == {
        "model.p.a": pytest.approx(6.0),
        "model.p.b": pytest.approx(6.0),
        "model.p.c": pytest.approx(6.0),
    }
    assert rows["cost"].sum() == pytest.approx(1.5 * 12.0)  # union of busy time x rate


def test_rate_per_hour_for_any_adapter() -> None:
    frames = overlapping_run("postgres").frames()
    config = config_from_dict(
        {"cost": {"currency": "USD", "rate_per_hour": {"postgres": 1.5}}}
    ).cost
    rows = priced_runs(frames.node_runs, frames.invocations, frames.nodes, config)
    assert rows["cost"].sum() == pytest.approx(1.5 * 1.5)
    assert set(rows["method"]) == {"warehouse_time"}


@pytest.mark.parametrize(
    ("cost", "message"),
    [
        ({"bigquery": {"price_per_tib": 6.25}}, "cost.currency is needed"),
        ({"currency": "USD", "bigquery": {"method": "bytes"}}, "bytes_billed or slot_ms"),
        ({"currency": "USD", "bigquery": {"method": "slot_ms"}}, "needs price_per_slot_hour"),
        (
            {"currency": "USD", "snowflake": {"price_per_credit": 3, "default_size": "Huge"}},
            "unknown size 'Huge'",
        ),
        (
            {"currency": "USD", "snowflake": {"price_per_credit": 3, "warehouses": {"W": "Tiny"}}},
            "cost.snowflake.warehouses.W",
        ),
        ({"currency": "USD", "snowflake": {}}, "needs price_per_credit"),
        (
            {"currency": "USD", "rate_per_hour": {"postgres": "cheap"}},
            "cost.rate_per_hour.postgres",
        ),
        ({"curency": "USD"}, "unknown key cost.curency"),
    ],
)
def test_bad_cost_configuration_names_the_key(cost: dict, message: str) -> None:
    with pytest.raises(MonitorError, match=message.replace("(", r"\(")):
        config_from_dict({"cost": cost}, source="dbt-monitor.toml")


def test_config_file_cost_table(tmp_path: Path) -> None:
    (tmp_path / "dbt-monitor.toml").write_text(
        '[cost]\ncurrency = "USD"\nsnowflake = { price_per_credit = 3.0, default_size = "X-Small",'
        ' warehouses = { TRANSFORMING = "Medium" } }\nrate_per_hour = { postgres = 1.5 }\n'
    )
    from monitor.analysis.config import load_config

    config = load_config(start=tmp_path).cost
    rate = config.for_adapter("snowflake").rate
    assert rate is not None
    assert (rate.per_hour(None), rate.per_hour("TRANSFORMING")) == (3.0, 12.0)
    assert config.for_adapter("duckdb").method == "compute_seconds"
