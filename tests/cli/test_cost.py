import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli


def cost(history: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["cost", "--history", history, *args])
    return result.exit_code, result.output


def test_json_rows_carry_key_cost_unit_method_runs_previous_cost(fixture_history: str) -> None:
    code, out = cost(fixture_history, "--since", "7d", "--format", "json")
    assert code == 0, out
    rows = json.loads(out)
    assert {"key", "cost", "unit", "method", "runs", "previous_cost"} <= set(rows[0])
    assert rows[0]["key"] == "model.greenery.int_session_events"  # the costliest of the week
    assert {r["unit"] for r in rows} == {"compute_seconds"}  # DuckDB, no price configured
    assert {r["method"] for r in rows} == {"compute_seconds"}
    costs = [r["cost"] for r in rows]
    assert costs == sorted(costs, reverse=True)
    assert all(r["previous_cost"] is not None for r in rows[:3])  # the week before


def test_group_by_day_adds_up_to_the_total(fixture_history: str) -> None:
    _, by_node = cost(fixture_history, "--since", "30d", "--limit", "0", "--format", "json")
    _, by_day = cost(fixture_history, "--since", "30d", "--group-by", "day", "--format", "json")
    nodes, days = json.loads(by_node), json.loads(by_day)
    assert sum(r["cost"] for r in days) == pytest.approx(sum(r["cost"] for r in nodes))
    assert len(days) == 16  # 17 days, no run on 2021-02-10
    assert sum(r["share"] for r in days) == pytest.approx(1.0)


@pytest.mark.parametrize("group", ["tag", "owner", "package", "invocation"])
def test_every_grouping(fixture_history: str, group: str) -> None:
    code, out = cost(fixture_history, "--group-by", group, "--format", "csv")
    assert code == 0, out
    assert out.splitlines()[0].startswith("key,cost,unit,runs,share,previous_cost")


def test_table_ends_with_the_total_and_the_method(fixture_history: str) -> None:
    code, out = cost(fixture_history, "--since", "7d", "--limit", "3")
    assert code == 0, out
    last = out.splitlines()[-1]
    assert last.startswith("total ") and " compute_seconds over 9 invocations" in last
    assert "method compute_seconds" in last and "(estimate)" in last


def test_a_configured_rate_prices_the_runs(fixture_history: str, tmp_path: Path) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text('[cost]\ncurrency = "EUR"\nrate_per_hour = { duckdb = 36.0 }\n')
    _, seconds = cost(fixture_history, "--format", "json", "--limit", "0")
    code, out = cost(fixture_history, "--format", "json", "--limit", "0", "--config", str(config))
    assert code == 0, out
    priced = json.loads(out)
    assert {r["unit"] for r in priced} == {"EUR"} and {r["method"] for r in priced} == {
        "warehouse_time"
    }
    total_seconds = sum(r["cost"] for r in json.loads(seconds))
    assert sum(r["cost"] for r in priced) == pytest.approx(total_seconds / 100)  # 36 EUR/h


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since 'yesterday': expected"),
        (["--group-by", "colour"], "Invalid value for '--group-by'"),
    ],
)
def test_bad_input_exit_2(fixture_history: str, args: list[str], message: str) -> None:
    code, out = cost(fixture_history, *args)
    assert code == 2
    assert message in out


def test_bad_cost_config_is_one_line(fixture_history: str, tmp_path: Path) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text("[cost]\nsnowflake = { price_per_credit = 3 }\n")
    code, out = cost(fixture_history, "--config", str(config))
    assert code == 2
    assert out == f'error: {config}: cost.currency is needed with prices (e.g. currency = "USD")\n'
