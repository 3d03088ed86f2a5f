"""`dbt-monitor lineage NODE`: the trees and the JSON, on the recorded Greenery history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.cli.conftest import RUNS, fixture_history
from tests.render.manifest import upstream

__all__ = ["fixture_history"]


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"CI": "", "DBT_MONITOR_HISTORY": ""})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="session")
def failure_night(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The history up to the night int_user_funnel_steps failed (2021-02-12)."""
    if not RUNS.is_dir():
        pytest.skip("fixtures/runs is not recorded (make fixtures)")
    path = tmp_path_factory.mktemp("greenery-12") / "history"
    nights = sorted(str(p) for p in RUNS.iterdir() if p.name <= "2021-02-12")
    code, _, err = invoke("ingest", *nights, "--history", str(path))
    assert code == 0, err
    return str(path)


def test_text_tree_on_the_failure_night(failure_night: str) -> None:
    code, out, err = invoke("lineage", "fct_product_funnel", "--history", failure_night)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "fct_product_funnel (model) skipped"
    assert lines[1] == "upstream:"
    assert lines[2].startswith("└<- int_user_funnel_steps (model) ERROR · error: ")
    assert lines[3] == "   └<- stg_events (model) pass"
    assert lines[4] == "downstream:"
    assert lines[5].startswith("└-> product_funnel_dashboard (exposure) skipped · error: ")
    assert "is at risk: upstream int_user_funnel_steps" in lines[5]


def test_json_lists_unique_id_depth_status_findings(failure_night: str) -> None:
    code, out, _ = invoke(
        "lineage", "int_user_funnel_steps", "--format", "json",
        "--upstream", "5", "--downstream", "5", "--history", failure_night,
    )  # fmt: skip
    assert code == 0
    document = json.loads(out)
    assert document["node"] == "model.greenery.int_user_funnel_steps"
    by_id = {n["unique_id"]: n for n in document["nodes"]}
    assert set(by_id) == {
        "model.greenery.int_user_funnel_steps",
        "model.greenery.stg_events",
        "source.greenery.greenery.events",
        "model.greenery.fct_product_funnel",
        "exposure.greenery.product_funnel_dashboard",
    }
    assert [(n["unique_id"].split(".")[-1], n["depth"]) for n in document["nodes"]] == [
        ("int_user_funnel_steps", 0),
        ("stg_events", -1),
        ("fct_product_funnel", 1),
        ("events", -2),
        ("product_funnel_dashboard", 2),
    ]
    me = by_id["model.greenery.int_user_funnel_steps"]
    assert me["status"] == "error"
    assert [f["kind"] for f in me["findings"]] == ["model_error"]
    assert by_id["model.greenery.fct_product_funnel"]["status"] == "skipped"
    assert by_id["exposure.greenery.product_funnel_dashboard"]["findings"][0]["kind"] == (
        "exposure_at_risk"
    )
    assert by_id["source.greenery.greenery.events"]["status"] == "pass"


def test_an_exposure_lists_exactly_its_upstream(fixture_history: str) -> None:
    code, out, _ = invoke(
        "lineage", "product_funnel_dashboard", "--format", "json",
        "--upstream", "20", "--downstream", "0", "--history", fixture_history,
    )  # fmt: skip
    assert code == 0
    listed = {n["unique_id"] for n in json.loads(out)["nodes"] if n["depth"] < 0}
    assert listed == upstream("exposure.greenery.product_funnel_dashboard")


def test_a_test_shows_the_node_it_tests(fixture_history: str) -> None:
    code, out, _ = invoke(
        "lineage", "test.greenery.not_null_stg_events_event_id.715b3f7012",
        "--upstream", "0", "--downstream", "0", "--history", fixture_history,
    )  # fmt: skip
    assert (code, out) == (
        0,
        "stg_events (model) pass\nupstream: nothing within reach\n"
        "downstream: nothing within reach\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "error: no node 'nope' in the history"),
        (["fct_orders", "--upstream", "-1"], "Error: Invalid value for '--upstream'"),
    ],
)
def test_bad_names_and_options_exit_2(fixture_history: str, args: list[str], message: str) -> None:
    code, out, err = invoke("lineage", *args, "--history", fixture_history)
    assert (code, out) == (2, "")
    assert message in err


def test_an_empty_history_is_a_user_error(tmp_path: Path) -> None:
    code, _, err = invoke("lineage", "x", "--history", str(tmp_path / "none"))
    assert code == 2
    assert err.startswith("error: ") and err.count("\n") == 1
