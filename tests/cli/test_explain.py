"""``dbt-monitor explain`` on the recorded DuckDB history: exact output and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli

UNKNOWN = (
    "nothing recorded explains it (no code, parent, thread or environment change, "
    "no crowd of slower nodes); missing: the invocations' thread counts; "
    "row counts are not reported by the duckdb adapter"
)


def explain(history: str, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["explain", *args, "--history", history])
    return result.exit_code, result.stdout, result.stderr


def test_duckdb_node_says_rows_are_not_reported(fixture_history: str) -> None:
    code, out, _ = explain(fixture_history, "int_product_page_views")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == (
        "int_product_page_views (model.greenery.int_product_page_views) · model · table · "
        "duckdb · 16 successful runs · 1 change point"
    )
    assert (
        lines[1]
        == "rows: row counts are not reported by the duckdb adapter; only the runtime is followed"
    )
    assert lines[3].startswith(
        "2021-02-05 02:00  runtime spike: 1.51 s → 12.5 s (8.3×)  invocation "
    )
    assert lines[4] == f"  1. unknown (low): {UNKNOWN}"


def test_json_shape(fixture_history: str) -> None:
    code, out, _ = explain(
        fixture_history, "model.greenery.int_product_page_views", "--format", "json"
    )
    assert code == 0
    found = json.loads(out)
    assert found["unique_id"] == "model.greenery.int_product_page_views"
    assert found["rows_reported"] is False
    [point] = found["change_points"]
    assert sorted(point) == [
        "after",
        "before",
        "causes",
        "environment",
        "git_sha",
        "invocation_id",
        "metric",
        "ratio",
        "shape",
        "started_at",
    ]
    assert (point["metric"], point["shape"], point["started_at"][:10]) == (
        "execution_time",
        "spike",
        "2021-02-05",
    )
    assert [c["kind"] for c in point["causes"]] == ["unknown"]


def test_since_after_the_change_shows_none(fixture_history: str) -> None:
    code, out, _ = explain(fixture_history, "int_product_page_views", "--since", "2021-02-07")
    assert code == 0
    assert (
        out.splitlines()[-1] == "no change in runtime or rows from 2021-02-07 00:00 to the last run"
    )


def test_markdown(fixture_history: str) -> None:
    code, out, _ = explain(fixture_history, "int_product_page_views", "--format", "markdown")
    assert code == 0
    assert out.startswith("### int_product_page_views")
    assert "**2021-02-05 02:00  runtime spike" in out


def test_unknown_node_is_a_one_line_error(fixture_history: str) -> None:
    code, out, err = explain(fixture_history, "fct_order")
    assert code == 2
    assert out == ""
    assert err.startswith("error: no node 'fct_order' in the history; closest: fct_orders")
    assert len(err.splitlines()) == 1


def test_empty_history_is_a_user_error(tmp_path: Path) -> None:
    code, _, err = explain(str(tmp_path / "none"), "fct_orders")
    assert code == 2
    assert "no run history here yet" in err


def test_since_reads_35_days_before_the_window_and_finds_the_same_changes(
    fixture_history: str,
) -> None:
    # the recorded nights span 17 days: a window from the newest night reads
    # from 35 days before it, so every run; from a date 40 days later, none
    _, whole, _ = explain(fixture_history, "int_product_page_views", "--format", "json")
    code, out, _ = explain(
        fixture_history, "int_product_page_views", "--since", "2021-02-05", "--format", "json"
    )
    assert code == 0
    windowed = json.loads(out)
    assert windowed["runs_since"] == "2021-01-01"
    assert windowed["runs"] == json.loads(whole)["runs"]
    in_window = [p for p in json.loads(whole)["change_points"] if p["started_at"] >= "2021-02-05"]
    assert in_window  # the 2021-02-05 spike
    assert windowed["change_points"] == in_window
    _, text, _ = explain(fixture_history, "int_product_page_views", "--since", "2021-02-05")
    assert " successful runs since 2021-01-01 · " in text.splitlines()[0]
    _, later, _ = explain(
        fixture_history, "int_product_page_views", "--since", "2021-03-31", "--format", "json"
    )
    assert json.loads(later)["runs"] == 0
