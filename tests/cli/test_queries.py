"""The query commands over the recorded Greenery history (fixtures/README.md's scenario)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from click.testing import CliRunner

from monitor.cli import cli

SLOW_MODEL = "model.greenery.int_product_page_views"
CREEPING_MODEL = "model.greenery.int_session_events"
BROKEN_MODEL = "model.greenery.int_user_funnel_steps"
FLAKY_TEST = (
    "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
)
WARN_TEST = "test.greenery.accepted_values_stg_promos_status__active__inactive.857c27c89e"
EVENTS = "source.greenery.greenery.events"
PRODUCTS = "source.greenery.greenery.products"
EXPOSURE = "exposure.greenery.product_funnel_dashboard"
BROKEN_NIGHT = "7308425f"  # the 2021-02-12 build


def invoke(*args: str, width: int = 200) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": str(width), "CI": ""})
    return result.exit_code, result.stdout, result.stderr


def rows(history: str, *args: str) -> list[dict[str, Any]]:
    code, out, err = invoke(*args, "--history", history, "--format", "json")
    assert (code, err) == (0, "")
    found = json.loads(out)
    assert isinstance(found, list)
    return found


# -- slowest -----------------------------------------------------------------


def test_the_slowed_down_model_tops_slowest_over_its_slow_days(fixture_history: str) -> None:
    top = rows(fixture_history, "slowest", "--since", "2021-02-05", "--until", "2021-02-06")
    assert top[0]["unique_id"] == SLOW_MODEL
    assert top[0]["runs"] == 2
    assert top[0]["median_s"] > 10  # 12.5 s on both nights, ≈ 1.3 s otherwise
    assert {row["type"] for row in top} <= {"model", "seed", "snapshot"}


def test_over_the_whole_history_the_creeping_model_is_slowest(fixture_history: str) -> None:
    top = rows(fixture_history, "slowest", "--limit", "2")
    assert [row["unique_id"] for row in top] == [CREEPING_MODEL, SLOW_MODEL]
    trend = top[0]["trend"]
    assert len(trend) == 16  # every nightly build: the gap night has none
    assert trend == sorted(trend)  # rising night after night
    by_max = rows(fixture_history, "slowest", "--by", "max", "--limit", "1")
    assert by_max[0]["unique_id"] == SLOW_MODEL


def test_slowest_as_a_table_fits_the_terminal(fixture_history: str) -> None:
    code, out, _ = invoke(
        "slowest", "--since", "2021-02-05", "--until", "2021-02-06", "--limit", "1",
        "--history", fixture_history, width=70,
    )  # fmt: skip
    assert code == 0
    header, rule, first, note, cut = out.splitlines()
    assert header.split() == ["name", "type", "runs", "median_s", "latest_s", "max_s", "total_s"]
    assert first.startswith("int_product_page_vie…  model     2     12.5")
    assert all(len(line) <= 70 for line in (header, rule, first))
    assert note == "(2 more columns, --format csv shows all: trend, unique_id)"
    assert cut.endswith(" shown; --limit 0 for all") and cut.startswith("1 of ")


def test_select_narrows_to_nodes(fixture_history: str) -> None:
    marts = rows(fixture_history, "slowest", "--select", "path:models/marts", "--limit", "0")
    assert marts and all(row["unique_id"].startswith("model.greenery.") for row in marts)
    assert SLOW_MODEL not in {row["unique_id"] for row in marts}
    core = rows(fixture_history, "slowest", "--select", "tag:core", "--limit", "0")
    assert sorted(row["name"] for row in core) == ["dim_products", "dim_users", "fct_orders"]
    upstream = rows(fixture_history, "slowest", "-s", "+int_product_page_views", "--limit", "0")
    assert sorted(row["name"] for row in upstream) == ["int_product_page_views", "stg_events"]


def test_select_matching_nothing_exits_2(fixture_history: str) -> None:
    code, out, err = invoke("slowest", "--select", "tag:nope", "--history", fixture_history)
    assert (code, out) == (2, "")
    assert err == (
        "error: --select 'tag:nope' matches no node in the history "
        "(try a name, tag:…, path:…, resource_type:…)\n"
    )


# -- failures, flaky, freshness ----------------------------------------------


def test_failures_with_their_streaks(fixture_history: str) -> None:
    found = rows(fixture_history, "failures")
    assert [(r["unique_id"], r["status"], r["streak"], r["fails"]) for r in found] == [
        (FLAKY_TEST, "pass", 0, 3),
        (WARN_TEST, "pass", 0, 1),
        (BROKEN_MODEL, "success", 0, 1),
    ]
    assert found[0]["last_failed"].startswith("2021-02-14T02:00")
    assert found[0]["failures"] == 45
    # the line that names the error, as `check` says it; --full-message gives all of it
    assert found[2]["message"] == (
        "Invalid Input Error: events feed: session_id is not a valid uuid"
    )
    full = rows(fixture_history, "failures", "--full-message")
    assert full[2]["message"].startswith("Runtime Error in model int_user_funnel_steps (")
    assert full[2]["message"].endswith(
        "\n  Invalid Input Error: events feed: session_id is not a valid uuid"
    )


def test_failing_now_within_a_window(fixture_history: str) -> None:
    found = rows(fixture_history, "failures", "--since", "2021-02-12", "--until", "2021-02-12")
    assert [(r["unique_id"], r["status"], r["streak"]) for r in found] == [
        (BROKEN_MODEL, "error", 1)
    ]
    assert found[0]["since"].startswith("2021-02-12T02:00")


def test_the_flaky_test_tops_flaky(fixture_history: str) -> None:
    code, out, _ = invoke("flaky", "--history", fixture_history, "--format", "csv")
    assert code == 0
    (row,) = csv.DictReader(io.StringIO(out))
    assert row["unique_id"] == FLAKY_TEST
    assert row["history"] == "✓✓✗✓✓✓✗✓✓✓✓✓✗✓✓✓"  # fails on 02-03, 02-07 and 02-14
    assert (row["flips"], row["pass_to_fail"], row["fails"], row["runs"]) == ("6", "3", "3", "16")
    assert row["flip_rate"] == "0.4"


def test_one_failure_between_passes_is_not_flaky(fixture_history: str) -> None:
    assert rows(fixture_history, "flaky", "--until", "2021-02-06") == []
    assert len(rows(fixture_history, "flaky", "--until", "2021-02-06", "--min-flips", "1")) == 1


def test_the_stale_sources_show_their_late_days(fixture_history: str) -> None:
    found = {row["unique_id"]: row for row in rows(fixture_history, "freshness")}
    assert list(found)[:2] == [EVENTS, PRODUCTS]  # most often in error first, then in warning
    assert found[EVENTS]["error_days"] == ["2021-02-08", "2021-02-09"]
    assert found[EVENTS]["warn_days"] == []
    assert (found[EVENTS]["warn_after_h"], found[EVENTS]["error_after_h"]) == (12.0, 24.0)
    assert found[PRODUCTS]["warn_days"] == ["2021-02-04", "2021-02-05", "2021-02-06"]
    assert found[PRODUCTS]["error_after_h"] == 96.0
    assert {row["checks"] for row in found.values()} == {16}
    assert "source.greenery.greenery.addresses" not in found  # no freshness criteria


def test_freshness_on_a_late_day(fixture_history: str) -> None:
    found = rows(fixture_history, "freshness", "--until", "2021-02-09", "--limit", "1")
    assert found[0]["unique_id"] == EVENTS
    assert found[0]["status"] == "error"
    assert found[0]["age_h"] > 48


# -- runs ----------------------------------------------------------------------


def test_runs_newest_first_with_finding_counts(fixture_history: str) -> None:
    night = rows(
        fixture_history, "runs", "--since", "2021-02-12", "--until", "2021-02-12", "--findings"
    )
    assert [(r["command"], r["target"]) for r in night] == [
        ("docs generate", "prod"),
        ("build", "prod"),
        ("source freshness", None),
    ]
    docs, build, fresh = night
    assert build["invocation_id"].startswith(BROKEN_NIGHT)
    # as `check --invocation 7308425f` counts them: 2 errors, 2 warnings
    assert (build["found_error"], build["found_warn"], build["found_info"]) == (2, 2, 0)
    assert (build["results"], build["fail"], build["skip"]) == (65, 1, 11)
    assert docs["found_error"] is None  # docs generate is never judged
    assert (fresh["found_error"], fresh["found_warn"], fresh["found_info"]) == (0, 0, 1)


def test_runs_limit_and_no_findings(fixture_history: str) -> None:
    everything = rows(fixture_history, "runs", "--limit", "0")
    assert len(everything) == 51
    assert everything[0]["started_at"] > everything[-1]["started_at"]
    assert "found_error" not in everything[0]  # judging is asked for with --findings
    assert len(rows(fixture_history, "runs")) == 51  # json is complete unless --limit
    assert len(rows(fixture_history, "runs", "--limit", "20")) == 20
    code, out, _ = invoke("runs", "--no-findings", "--history", fixture_history)
    assert code == 0
    assert out.splitlines()[-1] == "20 of 51 shown; --limit 0 for all"
    assert len(out.splitlines()) == 2 + 20 + 1


# -- model -------------------------------------------------------------------


def test_model_page(fixture_history: str) -> None:
    code, out, err = invoke("model", "int_product_page_views", "--history", fixture_history)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:4] == [
        "int_product_page_views (model.greenery.int_product_page_views)",
        "model · models/intermediate/int_product_page_views.py · table",
        "parents: stg_events",
        "children: dim_products, not_null_int_product_page_views_product_id, "
        "unique_int_product_page_views_product_id",
    ]
    assert lines[4].startswith("baseline: 1.")
    assert "(median of the last 14 successful runs, MAD " in lines[4]
    assert lines[5].startswith("durations: ▁▁▁▁██▁▁▁▁▁▁▁▁▁▁ ")
    assert lines[6] == "runs (16):"
    start = lines.index("findings (2, over the runs shown):") + 3
    findings = lines[start : lines.index("", start)]
    assert [line.split()[:4] for line in findings] == [
        ["2021-02-05", "02:00", "error", "slow_model"],
        ["2021-02-06", "02:00", "error", "slow_model"],
    ]


def test_model_json_has_runs_baseline_findings_and_lineage(fixture_history: str) -> None:
    code, out, _ = invoke(
        "model", "model.greenery.int_user_funnel_steps", "--history", fixture_history,
        "--format", "json",
    )  # fmt: skip
    assert code == 0
    page = json.loads(out)
    assert page["unique_id"] == BROKEN_MODEL
    assert page["parents"] == ["model.greenery.stg_events"]
    assert "model.greenery.fct_product_funnel" in page["children"]
    assert [run["status"] for run in page["runs"]].count("error") == 1
    assert [(f["kind"], f["unique_id"]) for f in page["findings"]] == [
        ("exposure_at_risk", EXPOSURE),
        ("model_error", BROKEN_MODEL),
    ]
    model_error = page["findings"][1]
    assert model_error["evidence"]["skipped"] == 11  # as `check` counts them
    assert page["baseline"]["runs"] == 14


def test_model_of_a_source_and_a_test(fixture_history: str) -> None:
    page = json.loads(
        invoke("model", "greenery.events", "--history", fixture_history, "--format", "json")[1]
    )
    assert page["unique_id"] == EVENTS
    assert [run["status"] for run in page["runs"]].count("error") == 2
    assert sorted({f["kind"] for f in page["findings"]}) == ["exposure_at_risk", "source_stale"]
    code, out, _ = invoke(
        "model", "relationships_dim_users_address_id__address_id__ref_stg_addresses_",
        "--history", fixture_history, "--format", "csv", "--limit", "0",
    )  # fmt: skip
    assert code == 0
    statuses = [row["status"] for row in csv.DictReader(io.StringIO(out))]
    assert statuses.count("fail") == 3


def test_model_limit_shows_the_newest_runs(fixture_history: str) -> None:
    code, out, _ = invoke(
        "model", "int_product_page_views", "--limit", "3", "--history", fixture_history
    )
    assert code == 0
    lines = out.splitlines()
    assert "runs (newest 3; --limit 0 shows all):" in lines
    assert "findings (0, over the runs shown):" in lines
    code, out, _ = invoke(
        "model", "int_product_page_views", "--since", "2021-02-04", "--limit", "3",
        "--history", fixture_history,
    )  # fmt: skip
    assert "runs since 2021-02-04 00:00 (newest 3 of 13; --limit 0 shows all):" in out.splitlines()


def test_unknown_model_suggests_the_closest_names(fixture_history: str) -> None:
    code, out, err = invoke("model", "fct_order", "--history", fixture_history)
    assert (code, out) == (2, "")
    assert err == (
        "error: no node 'fct_order' in the history; closest: fct_orders, stg_orders, orders\n"
    )


# -- sql -----------------------------------------------------------------------


def test_sql_joins_node_runs_to_nodes_and_findings(fixture_history: str) -> None:
    query = """
        SELECT n.name, f.kind, f.severity, count(*) AS times
        FROM findings f
        JOIN node_runs r ON r.invocation_id = f.invocation_id AND r.unique_id = f.unique_id
        JOIN nodes n ON n.unique_id = r.unique_id AND n.is_latest
        WHERE f.kind IN ('slow_model', 'model_error')
        GROUP BY n.name, f.kind, f.severity
        ORDER BY n.name
    """
    code, out, err = invoke("sql", query, "--history", fixture_history, "--format", "csv")
    assert (code, err) == (0, "")
    assert out == (
        "name,kind,severity,times\n"
        "int_product_page_views,slow_model,error,2\n"
        "int_user_funnel_steps,model_error,error,1\n"
    )


def test_sql_over_a_window(fixture_history: str) -> None:
    code, out, _ = invoke(
        "sql", "SELECT count(*) AS n FROM invocations", "--since", "2021-02-17",
        "--history", fixture_history, "--format", "csv",
    )  # fmt: skip
    assert (code, out) == (0, "n\n3\n")


def test_sql_sees_the_date_partition_as_duckdb_and_spark_do(fixture_history: str) -> None:
    code, out, _ = invoke(
        "sql",
        "SELECT invocation_id, date FROM invocations ORDER BY started_at",
        "--history", fixture_history, "--format", "json",
    )  # fmt: skip
    assert code == 0
    folders = {
        pl.read_parquet(path)["invocation_id"][0]: path.parent.name.removeprefix("date=")
        for path in Path(fixture_history).glob("invocations/date=*/*.parquet")
    }
    found = json.loads(out)
    assert len(found) == 51
    assert all(folders[row["invocation_id"]] == row["date"] for row in found)
    code, out, _ = invoke(
        "sql",
        "SELECT date, count(*), sum(execution_time) > 0 FROM node_runs "
        "WHERE date = '2021-02-12' GROUP BY date",
        "--history", fixture_history, "--format", "csv",
    )  # fmt: skip
    assert (code, out) == (0, "date,count(*),sum(execution_time) > 0\n2021-02-12,129,true\n")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELEC 1", "error: SQL: sql parser error: Expected: an SQL statement, found: SELEC"),
        ("SELECT nope FROM nodes", 'error: SQL: unable to find column "nope"'),
        ("SELECT * FROM nowhere", "error: SQL: relation 'nowhere' was not found"),
    ],
)
def test_sql_errors_are_one_line_and_exit_2(fixture_history: str, query: str, message: str) -> None:
    code, out, err = invoke("sql", query, "--history", fixture_history)
    assert (code, out) == (2, "")
    assert err.startswith(message)
    assert err.count("\n") == 1


# -- narrow terminals and cut tables ----------------------------------------------


def test_at_60_columns_the_key_columns_survive(fixture_history: str) -> None:
    code, out, _ = invoke("runs", "--no-findings", "--history", fixture_history, width=60)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["started_at", "command", "ok", "warn", "fail", "skip"]
    assert all(len(line) <= 60 for line in lines)
    assert lines[-1] == "20 of 51 shown; --limit 0 for all"
    assert "invocation_id, labels)" in out  # the note naming the columns left out is whole
    code, out, _ = invoke("failures", "--history", fixture_history, width=60)
    lines = out.splitlines()
    assert lines[0].split() == ["name", "status", "streak", "message"]
    assert "Got 45 results" in lines[2]
    assert "last_failed, type, failures, unique_id)" in out


def test_failures_limit_says_what_it_hides(fixture_history: str) -> None:
    code, out, _ = invoke("failures", "--limit", "1", "--history", fixture_history)
    assert code == 0
    assert out.splitlines()[-1] == "1 of 3 shown; --limit 0 for all"
    assert len(rows(fixture_history, "failures", "--limit", "1")) == 1  # asked for: no note
    code, out, _ = invoke("failures", "--history", fixture_history)
    assert "shown; --limit 0 for all" not in out  # nothing cut, nothing said


# -- every command -------------------------------------------------------------

COMMANDS = [
    ["runs"],
    ["slowest"],
    ["failures"],
    ["flaky"],
    ["freshness"],
    ["model", "fct_orders"],
    ["sql", "SELECT 1"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_an_empty_history_says_to_ingest_first(tmp_path: Path, command: list[str]) -> None:
    code, out, err = invoke(*command, "--history", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    assert err == (
        f"error: {tmp_path / 'none'}: no run history here yet; "
        "run `dbt-monitor ingest target/` first\n"
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_csv_and_json_are_complete_and_quiet(fixture_history: str, command: list[str]) -> None:
    code, out, err = invoke(*command, "--history", fixture_history, "--format", "csv")
    assert (code, err) == (0, "")
    assert "…" not in out and "\x1b" not in out
    code, out, err = invoke(*command, "--history", fixture_history, "--format", "json")
    assert (code, err) == (0, "")
    json.loads(out)


@pytest.mark.parametrize("command", COMMANDS[:5], ids=lambda c: c[0])
def test_markdown_tables(fixture_history: str, command: list[str]) -> None:
    code, out, _ = invoke(*command, "--history", fixture_history, "--format", "markdown")
    assert code == 0
    assert out.startswith("| ")
    assert out.splitlines()[1].startswith("|---")


def test_a_bad_window_exits_2(fixture_history: str) -> None:
    code, out, err = invoke("slowest", "--since", "last week", "--history", fixture_history)
    assert (code, out) == (2, "")
    assert err == "error: --since 'last week': expected 7d, 24h, 2w, or a date such as 2021-02-08\n"
