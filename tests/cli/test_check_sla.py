"""SLA deadlines on the recorded Greenery nights (no re-recording: the deadline is config)."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
DASHBOARD = "exposure.greenery.product_funnel_dashboard"
FUNNEL = "model.greenery.fct_product_funnel"
BUILDS = sorted(RUNS.glob("*/02-build"))


def run_results(folder: Path) -> dict:
    return json.loads(gzip.decompress((folder / "run_results.json.gz").read_bytes()))


def sla_findings(history: str, config: Path, folder: Path) -> list[dict]:
    invocation = run_results(folder)["metadata"]["invocation_id"]
    result = CliRunner().invoke(
        cli,
        [
            *("check", "--history", history, "--invocation", invocation),
            *("--config", str(config), "--format", "json"),
        ],
        env={"CI": "", "GITHUB_STEP_SUMMARY": ""},
    )
    assert result.exit_code in (0, 1), result.output
    return [f for f in json.loads(result.stdout) if f["kind"].startswith("sla_")]


def funnel_finished(folder: Path) -> dt.datetime | None:
    """When fct_product_funnel (the dashboard's last upstream model) finished, from the file."""
    for result in run_results(folder)["results"]:
        if result["unique_id"] == FUNNEL and result["status"] == "success":
            end = next(t["completed_at"] for t in result["timing"] if t["name"] == "execute")
            return dt.datetime.fromisoformat(end.replace("Z", "+00:00"))
    return None


@pytest.mark.parametrize(("zone", "ready_by"), [("UTC", "02:05"), ("Europe/Amsterdam", "03:05")])
def test_sla_missed_fires_only_on_the_night_the_dashboard_was_never_ready(
    fixture_history: str, tmp_path: Path, zone: str, ready_by: str
) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text(
        f'[sla]\nproduct_funnel_dashboard = {{ ready_by = "{ready_by}", timezone = "{zone}" }}\n'
    )
    fired = {}
    for folder in BUILDS:
        found = sla_findings(fixture_history, config, folder)
        if found:
            fired[folder.parent.name] = found
    assert set(fired) == {"2021-02-12"}
    [finding] = fired["2021-02-12"]
    assert (finding["kind"], finding["severity"], finding["unique_id"]) == (
        "sla_missed",
        "error",
        DASHBOARD,
    )
    assert "never ready" in finding["message"]
    assert "int_user_funnel_steps" in finding["message"]
    assert finding["evidence"]["blocked_by"] == "model.greenery.int_user_funnel_steps"


def test_sla_missed_fires_on_the_nights_the_data_was_late(
    fixture_history: str, tmp_path: Path
) -> None:
    finished = {f.parent.name: funnel_finished(f) for f in BUILDS}
    times = sorted(t.time() for t in finished.values() if t is not None)
    deadline = times[len(times) // 2]  # half the nights are late
    config = tmp_path / "dbt-monitor.toml"
    config.write_text(f'[sla]\nproduct_funnel_dashboard = {{ ready_by = "{deadline:%H:%M:%S}" }}\n')
    due = deadline.replace(microsecond=0)
    expected = {day for day, end in finished.items() if end is None or end.time() > due}
    fired = {}
    for folder in BUILDS:
        found = [
            f for f in sla_findings(fixture_history, config, folder) if f["kind"] == "sla_missed"
        ]
        if found:
            fired[folder.parent.name] = found[0]
    assert set(fired) == expected
    assert 3 <= len(expected) < len(BUILDS)
    late = next(f for day, f in fired.items() if day != "2021-02-12")
    assert late["evidence"]["late_seconds"] > 0
    assert "critical path" in late["message"] and "fct_product_funnel" in late["message"]


def test_a_model_sla_from_the_config_by_name(fixture_history: str, tmp_path: Path) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text('[sla]\nint_user_funnel_steps = { ready_by = "02:00:09" }\n')
    found = sla_findings(fixture_history, config, RUNS / "2021-02-01" / "02-build")
    assert [(f["kind"], f["unique_id"]) for f in found] == [
        ("sla_missed", "model.greenery.int_user_funnel_steps")
    ]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[sla]\nx = { ready_by = "6:30pm" }\n', 'sla.x.ready_by must be "HH:MM"'),
        ('[sla]\nx = { ready_by = "06:30", timezone = "Mars/Base" }\n', "unknown time zone"),
        ('[sla]\nx = { ready_by = "06:30", tz = "UTC" }\n', "unknown key sla.x.tz"),
    ],
)
def test_bad_sla_configuration_is_one_line_exit_2(
    fixture_history: str, tmp_path: Path, body: str, message: str
) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text(body)
    result = CliRunner().invoke(
        cli, ["check", "--history", fixture_history, "--config", str(config)]
    )
    assert result.exit_code == 2
    assert message in result.output and result.output.count("\n") == 1
