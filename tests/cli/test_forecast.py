import json

from click.testing import CliRunner

from monitor.cli import cli


def forecast(history: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["forecast", "--history", history, *args])
    return result.exit_code, result.output


def test_the_nightly_builds_next_run(fixture_history: str) -> None:
    code, out = forecast(fixture_history, "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["job"] == "nightly build"
    assert doc["runs_used"] == 14  # the last 14 of its 16 builds
    assert doc["next_start"].startswith("2021-02-18T02:00")  # daily, after 2021-02-17
    assert doc["next_start"] < doc["p50_finish"] <= doc["p90_finish"]
    [dashboard] = doc["exposures"]
    assert dashboard["name"] == "product_funnel_dashboard"
    assert doc["next_start"] < dashboard["p50_ready"] <= dashboard["p90_ready"] <= doc["p90_finish"]


def test_the_same_history_gives_the_same_answer(fixture_history: str) -> None:
    assert forecast(fixture_history, "--format", "json") == forecast(
        fixture_history, "--format", "json"
    )


def test_a_job_by_its_name_and_the_table(fixture_history: str) -> None:
    code, out = forecast(fixture_history, "--job", "nightly")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("forecast for job nightly build: next run at 2021-02-18 02:00")
    assert "from 14 runs (1000 Monte Carlo samples" in lines[1]
    assert lines[2].lstrip().startswith("finish  P50 2021-02-18")
    assert lines[3].lstrip().startswith("product_funnel_dashboard: data ready P50")


def test_refuses_below_five_runs_and_unknown_jobs(fixture_history: str) -> None:
    code, out = forecast(fixture_history, "--job", "pull-request")
    assert code == 2
    assert out == (
        "error: job 'pull-request build' has 3 runs in the history; a forecast needs at least 5\n"
    )
    code, out = forecast(fixture_history, "--job", "weekly")
    assert code == 2
    assert "no runs of job 'weekly'" in out and "nightly build" in out
