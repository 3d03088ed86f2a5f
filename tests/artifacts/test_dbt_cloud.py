"""dbt Cloud runs over real HTTP: a stand-in API on 127.0.0.1 serving the recorded runs."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.artifacts import dbt_cloud
from monitor.errors import MonitorError
from tests.artifacts.dbt_cloud_server import ACCOUNT, NIGHTLY, RUNNING, TOKEN, Api, serve


@pytest.fixture
def api() -> Iterator[tuple[str, Api]]:
    yield from serve()


def client(host: str, sleeps: list[float] | None = None, token: str = TOKEN) -> dbt_cloud.Client:
    env = {"DBT_CLOUD_API_TOKEN": token, "DBT_CLOUD_HOST": host}
    return dbt_cloud.Client(env, sleep=(sleeps if sleeps is not None else []).append)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("dbt-cloud://7/runs/1000", dbt_cloud.Source("dbt-cloud://7/runs/1000", 7, run=1000)),
        ("dbt-cloud://7/jobs/42", dbt_cloud.Source("dbt-cloud://7/jobs/42", 7, job=42, last=30)),
        (
            "dbt-cloud://7/jobs/42?last=3",
            dbt_cloud.Source("dbt-cloud://7/jobs/42?last=3", 7, job=42, last=3),
        ),
    ],
)
def test_parse(text: str, expected: dbt_cloud.Source) -> None:
    assert dbt_cloud.parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "dbt-cloud://acme/runs/1",
        "dbt-cloud://7/runs/abc",
        "dbt-cloud://7/models/1",
        "dbt-cloud://7/runs/1?last=3",
        "dbt-cloud://7/jobs/42?limit=3",
        "dbt-cloud://7/jobs",
    ],
)
def test_parse_refuses_other_forms_with_the_two_it_reads(text: str) -> None:
    with pytest.raises(MonitorError) as err:
        dbt_cloud.parse(text)
    assert str(err.value) == (
        f"{text}: expected dbt-cloud://ACCOUNT_ID/runs/RUN_ID or"
        " dbt-cloud://ACCOUNT_ID/jobs/JOB_ID?last=30"
    )


def test_parse_refuses_a_bad_last() -> None:
    with pytest.raises(MonitorError, match=r"last= must be a positive number of runs, not '0'"):
        dbt_cloud.parse("dbt-cloud://7/jobs/42?last=0")


def test_a_run_s_steps_with_artifacts_are_downloaded(api: tuple[str, Api], tmp_path: Path) -> None:
    host, server = api
    source = dbt_cloud.parse(f"dbt-cloud://{ACCOUNT}/runs/1000")
    fetched = dbt_cloud.download(client(host), source, tmp_path, lambda run: set())
    assert [(s.index, sorted(p.name for p in s.folder.iterdir())) for s in fetched.steps] == [
        (4, ["manifest.json", "sources.json"]),
        (5, ["manifest.json", "run_results.json"]),
        (6, ["catalog.json", "manifest.json", "run_results.json"]),
    ]
    assert fetched.steps[1].labels == {
        "DBT_CLOUD_RUN_ID": "1000",
        "DBT_CLOUD_RUN_STEP": "5",
        "DBT_CLOUD_JOB_ID": str(NIGHTLY),
        "DBT_CLOUD_JOB_NAME": "Nightly",
        "DBT_CLOUD_PROJECT_ID": "3",
        "DBT_CLOUD_ENVIRONMENT_ID": "5",
        "DBT_CLOUD_RUN_REASON": "Scheduled",
        "DBT_CLOUD_GIT_SHA": f"{1000:040x}",
        "DBT_CLOUD_GIT_BRANCH": "main",
    }
    # steps 1-3 wrote nothing: two 404s each (run_results, sources), never a manifest request
    no_artifacts = [p for p in server.artifact_requests() if "step=1" in p or "step=2" in p]
    assert len(no_artifacts) == 4


def test_a_job_s_runs_come_page_by_page_and_unfinished_ones_wait(
    api: tuple[str, Api], tmp_path: Path
) -> None:
    host, server = api
    source = dbt_cloud.parse(f"dbt-cloud://{ACCOUNT}/jobs/{NIGHTLY}?last=30")
    fetched = dbt_cloud.download(client(host), source, tmp_path, lambda run: set())
    lists = [p for p in server.seen if p.startswith(f"/api/v2/accounts/{ACCOUNT}/runs/?")]
    assert len(lists) == 4  # 17 runs, 5 a page
    assert len({step.run for step in fetched.steps}) == 16
    assert f"run {RUNNING}: not finished yet (status 3); skipped" in fetched.skipped


def test_last_counts_the_newest_runs(api: tuple[str, Api], tmp_path: Path) -> None:
    host, _ = api
    source = dbt_cloud.parse(f"dbt-cloud://{ACCOUNT}/jobs/{NIGHTLY}?last=3")
    fetched = dbt_cloud.download(client(host), source, tmp_path, lambda run: set())
    assert sorted({step.run for step in fetched.steps}) == [1016, 1018]  # 1017: a PR run


def test_steps_already_present_are_not_downloaded(api: tuple[str, Api], tmp_path: Path) -> None:
    host, server = api
    source = dbt_cloud.parse(f"dbt-cloud://{ACCOUNT}/runs/1000")
    fetched = dbt_cloud.download(client(host), source, tmp_path, lambda run: {4})
    assert [step.index for step in fetched.steps] == [5, 6]
    assert not [path for path in server.artifact_requests() if "step=4" in path]
    assert "run 1000: already in the history (steps 1-4)" in fetched.skipped


def test_429_waits_as_told_and_tries_again(api: tuple[str, Api], tmp_path: Path) -> None:
    host, server = api
    path = f"/api/v2/accounts/{ACCOUNT}/runs/1000/artifacts/run_results.json"
    server.throttle.add(path)
    sleeps: list[float] = []
    body = client(host, sleeps).get(f"{ACCOUNT}/runs/1000/artifacts/run_results.json", {"step": 5})
    assert body is not None and body.startswith(b'{"metadata"')
    assert sleeps == [0.0]  # the server's Retry-After
    assert [p.split("?")[0] for p in server.seen] == [path, path]


def test_backoff_without_retry_after_doubles() -> None:
    assert [dbt_cloud._backoff(None, attempt) for attempt in range(4)] == [1.0, 2.0, 4.0, 8.0]
    assert dbt_cloud._backoff("7", 0) == 7.0


@pytest.mark.parametrize(
    ("token", "account", "says"),
    [
        ("wrong", ACCOUNT, "dbt Cloud did not accept the token (HTTP 401)"),
        (TOKEN, 8, "dbt Cloud refused access with this token (HTTP 403)"),
    ],
)
def test_401_and_403_say_what_to_check(
    api: tuple[str, Api], token: str, account: int, says: str
) -> None:
    host, _ = api
    with pytest.raises(MonitorError) as err:
        client(host, token=token).json(f"{account}/runs/1000/")
    assert str(err.value).startswith(f"{says} for {host}/api/v2/accounts/{account}/runs/1000/:")
    assert "check DBT_CLOUD_API_TOKEN" in str(err.value)
    assert "\n" not in str(err.value)


def test_an_unknown_run_is_a_clear_404(api: tuple[str, Api]) -> None:
    host, _ = api
    with pytest.raises(MonitorError, match=r"runs/5/: not found \(HTTP 404\); check the ids"):
        client(host).json(f"{ACCOUNT}/runs/5/")


def test_no_token_says_which_variable() -> None:
    with pytest.raises(MonitorError, match="set DBT_CLOUD_API_TOKEN"):
        dbt_cloud.Client({"DBT_CLOUD_HOST": "http://127.0.0.1:9"})


def test_an_unreachable_host_is_retried_then_named() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    sleeps: list[float] = []
    with pytest.raises(MonitorError, match=rf"cannot reach http://127.0.0.1:{port}/api/v2/"):
        client(f"http://127.0.0.1:{port}", sleeps).json("7/runs/1/")
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_host_without_scheme_is_https() -> None:
    env = {"DBT_CLOUD_API_TOKEN": "t", "DBT_CLOUD_HOST": "emea.dbt.com/"}
    assert dbt_cloud.Client(env).base == "https://emea.dbt.com"
    assert dbt_cloud.Client({"DBT_CLOUD_API_TOKEN": "t"}).base == "https://cloud.getdbt.com"
