"""The history in object storage, for real: an S3-compatible server (moto) on 127.0.0.1,
spoken to over HTTP by ingest, check, queries, report, compact and concurrent writers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from click.testing import CliRunner

from monitor import schema
from monitor.cli import cli
from monitor.history.store import History

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"
BUCKET = "dbt-history"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A moto S3 server on a free loopback port, and the environment that points at it."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
    }
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        boto3.client("s3", endpoint_url=env["AWS_ENDPOINT_URL"]).create_bucket(Bucket=BUCKET)
        yield env
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"CI": "", "GITHUB_STEP_SUMMARY": ""})
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def history(s3: dict[str, str]) -> str:
    url = f"s3://{BUCKET}/greenery"
    code, out, err = invoke("ingest", str(RUNS), "--history", url)
    assert code == 0, err
    assert out.splitlines()[-1].startswith(f"51 added, 0 already present, 0 failed, into {url}")
    return url


def test_ingest_lands_in_the_bucket_with_the_local_layout(history: str) -> None:
    keys = [
        item["Key"]
        for page in boto3.client("s3").get_paginator("list_objects_v2").paginate(Bucket=BUCKET)
        for item in page.get("Contents", [])
    ]
    assert (
        "greenery/invocations/date=2021-02-12/7308425f-c58c-40c3-97c4-9a13f8930755.run-manifest.parquet"
        in keys
    )
    assert any(k.startswith("greenery/marts/fct_product_funnel/date=2021-02-17/") for k in keys)
    again = invoke("ingest", str(RUNS / "2021-02-17"), "--history", history)
    assert again[0] == 0
    assert again[1].splitlines()[-1].startswith("0 added, 3 already present")


def test_check_over_s3(history: str) -> None:
    code, out, _ = invoke("check", "--history", history, "--invocation", "7308425f")
    assert code == 1
    assert "model_error            int_user_funnel_steps failed" in out


def test_queries_over_s3(history: str) -> None:
    code, out, _ = invoke("slowest", "--history", history, "--format", "csv", "--limit", "2")
    assert code == 0
    assert [line.split(",")[0] for line in out.splitlines()[1:]] == [
        "int_session_events",
        "int_product_page_views",
    ]
    code, out, _ = invoke(
        "sql", "--history", history, "select count(*) as n from node_runs", "--format", "csv"
    )
    assert (code, out) == (0, "n\n2089\n")


def test_report_over_s3(history: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    code, _, err = invoke("report", "--history", history, "-o", str(report))
    assert code == 0, err
    assert "1,871" in report.read_text(encoding="utf-8") or "1871" in report.read_text(
        encoding="utf-8"
    )


def test_two_writers_at_once_both_land(s3: dict[str, str]) -> None:
    url = f"s3://{BUCKET}/concurrent"
    nights = sorted(RUNS.iterdir())
    env = {**os.environ, **s3, "CI": ""}
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "monitor", "ingest", *map(str, half), "--history", url],
            cwd=REPO,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for half in (nights[::2], nights[1::2])
    ]
    for writer in writers:
        assert writer.wait(timeout=180) == 0
    history = History(url)
    assert history.scan("invocations").collect().height == 51
    assert history.scan("node_runs").collect().height == 2089


def test_compaction_over_s3_keeps_the_rows(history: str) -> None:
    store = History(history)
    before = {t: sorted(store.scan(t).collect().hash_rows(seed=1).to_list()) for t in schema.TABLES}
    code, out, err = invoke("compact", "--history", history, "--grace", "0")
    assert code == 0, err
    assert out.startswith("merged ")
    after = History(history)
    assert {
        t: sorted(after.scan(t).collect().hash_rows(seed=1).to_list()) for t in schema.TABLES
    } == before
    assert invoke("check", "--history", history, "--invocation", "7308425f")[0] == 1


def test_unreachable_store_is_one_line_and_exit_2(
    s3: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{_free_port()}")
    code, _, err = invoke("check", "--history", f"s3://{BUCKET}/greenery")
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: s3://{BUCKET}/greenery: cannot list")


def test_unknown_scheme_is_a_usage_error() -> None:
    code, _, err = invoke("check", "--history", "ftp://host/path")
    assert code == 2
    assert err.startswith("error: ftp://host/path: unsupported history URL")


def test_four_writers_at_once_store_what_one_does(s3: dict[str, str], history: str) -> None:
    url = f"s3://{BUCKET}/four"
    env = {**os.environ, **s3, "CI": ""}
    writers = [
        subprocess.Popen(
            [sys.executable, "-m", "monitor", "ingest", str(RUNS), "--history", url],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
        )
        for _ in range(4)
    ]
    added = 0
    for writer in writers:
        out, _ = writer.communicate(timeout=300)
        assert writer.returncode == 0
        added += int(out.decode().splitlines()[-1].split()[0])
    assert added == 51  # a writer that lost a commit race says "present"
    four, one = History(url), History(history)
    for table in ("nodes", "exposures"):
        keys = ["unique_id", "first_seen_at", "version"]
        assert four.scan(table).collect().sort(keys).equals(one.scan(table).collect().sort(keys))
    assert four.scan("invocations").collect().height == 51
    assert four.scan("node_runs").collect().height == 2089


def test_a_crafted_id_stays_inside_the_prefix(s3: dict[str, str], tmp_path: Path) -> None:
    from tests.history.test_names import crafted_run

    run = crafted_run(tmp_path / "in", "../../escaped/pwn")
    code, out, err = invoke("ingest", str(run), "--history", f"s3://{BUCKET}/crafted")
    assert code == 0, err
    assert out.splitlines()[-1].startswith("1 added")
    keys = [
        item["Key"]
        for item in boto3.client("s3").list_objects_v2(Bucket=BUCKET).get("Contents", [])
    ]
    assert not [key for key in keys if "escaped" in key or key.startswith("..")]
    assert History(f"s3://{BUCKET}/crafted").scan("invocations").collect()[
        "invocation_id"
    ].to_list() == ["../../escaped/pwn"]


def test_credentials_in_the_endpoint_never_reach_a_message(
    s3: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://admin:hunter2@127.0.0.1:{_free_port()}")
    for args in (
        ["check"],
        ["ingest", str(RUNS / "2021-02-01")],
    ):
        code, out, err = invoke(*args, "--history", f"s3://{BUCKET}/greenery")
        assert code == 2, (args, out, err)
        assert "hunter2" not in out + err
        assert "Traceback" not in err
