"""`dbt-monitor ingest dbt-cloud://…` through the CLI, against the stand-in API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.history.store import History
from tests.artifacts.dbt_cloud_server import ACCOUNT, NIGHTLY, TOKEN, Api, serve

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def api() -> Iterator[tuple[str, Api]]:
    yield from serve()


def invoke(host: str, *args: str, token: str = TOKEN) -> tuple[int, str, str]:
    env = {"CI": "", "DBT_CLOUD_HOST": host, "DBT_CLOUD_API_TOKEN": token}
    result = CliRunner().invoke(cli, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def labels_of(history: Path) -> list[dict[str, str]]:
    frame = History(history).scan("invocations").sort("started_at").collect()
    return [{i["key"]: i["value"] for i in row} for row in frame["labels"].to_list()]


def test_one_run_lands_as_its_three_invocations_with_labels(
    api: tuple[str, Api], tmp_path: Path
) -> None:
    host, _ = api
    history = tmp_path / "h"
    code, out, err = invoke(
        host, "ingest", f"dbt-cloud://{ACCOUNT}/runs/1000", "--history", str(history),
        "--label", "team=data",
    )  # fmt: skip
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["added"] * 3
    assert lines[0].endswith(f"dbt-cloud:{ACCOUNT}/runs/1000/steps/4")
    assert lines[3].startswith("3 added, 0 already present, 0 failed")
    assert err.startswith(f"dbt-cloud://{ACCOUNT}/runs/1000: 3 steps downloaded, 0 skipped")
    first = labels_of(history)[0]
    assert first["DBT_CLOUD_RUN_ID"] == "1000"
    assert first["DBT_CLOUD_RUN_STEP"] == "4"
    assert first["DBT_CLOUD_JOB_ID"] == str(NIGHTLY)
    assert first["DBT_CLOUD_RUN_REASON"] == "Scheduled"
    assert first["DBT_CLOUD_GIT_SHA"] == f"{1000:040x}"
    assert first["team"] == "data"


def test_a_job_twice_downloads_each_step_once(api: tuple[str, Api], tmp_path: Path) -> None:
    host, server = api
    address = f"dbt-cloud://{ACCOUNT}/jobs/{NIGHTLY}?last=30"
    code, out, _ = invoke(host, "ingest", address, "--history", str(tmp_path / "h"))
    assert code == 0
    assert out.splitlines()[-1].startswith("48 added, 0 already present, 0 failed")
    assert out.splitlines()[0].split()[:2] == ["added", "2021-02-01"]  # oldest run first
    downloads = len(server.artifact_requests())
    code, out, err = invoke(host, "ingest", address, "--history", str(tmp_path / "h"))
    assert code == 0
    assert out.splitlines()[-1].startswith("0 added, 0 already present, 0 failed")
    assert len(server.artifact_requests()) == downloads  # nothing downloaded again
    assert "0 steps downloaded, 17 skipped" in err
    assert "  run 1000: already in the history (steps 1-6)" in err.splitlines()


def test_local_paths_and_dbt_cloud_in_one_ingest(api: tuple[str, Api], tmp_path: Path) -> None:
    host, _ = api
    local = REPO / "fixtures" / "runs" / "2021-02-04" / "04-pr-build"
    code, out, _ = invoke(
        host, "ingest", str(local), f"dbt-cloud://{ACCOUNT}/runs/1000",
        "--history", str(tmp_path / "h"),
    )  # fmt: skip
    assert code == 0
    assert out.splitlines()[-1].startswith("4 added")


@pytest.mark.parametrize(
    ("address", "token", "message"),
    [
        (
            f"dbt-cloud://{ACCOUNT}/runs/1000",
            "wrong",
            "dbt Cloud did not accept the token (HTTP 401)",
        ),
        ("dbt-cloud://8/runs/1000", TOKEN, "dbt Cloud refused access with this token (HTTP 403)"),
        (f"dbt-cloud://{ACCOUNT}/runs/5", TOKEN, "dbt Cloud: "),
        (f"dbt-cloud://{ACCOUNT}/runs/1000", "", "dbt Cloud: set DBT_CLOUD_API_TOKEN"),
    ],
)
def test_refusals_are_one_line_and_exit_2(
    api: tuple[str, Api], tmp_path: Path, address: str, token: str, message: str
) -> None:
    host, _ = api
    code, _, err = invoke(host, "ingest", address, "--history", str(tmp_path / "h"), token=token)
    assert code == 2
    assert err.startswith(f"error: {message}")
    assert len(err.splitlines()) == 1
    assert History(tmp_path / "h").is_empty()


def test_a_malformed_address_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("http://127.0.0.1:9", "ingest", "dbt-cloud://7/run/1")
    assert code == 2
    assert "dbt-cloud://7/run/1: expected dbt-cloud://ACCOUNT_ID/runs/RUN_ID or" in err
