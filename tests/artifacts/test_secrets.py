"""Secret-looking env keys and --vars values never reach the history."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from monitor.artifacts.load import load
from monitor.artifacts.model import RunArtifact
from monitor.artifacts.secrets import is_secret_name, redact_vars
from monitor.history.ingest import ingest
from monitor.history.store import History
from tests.artifacts.samples import run_result, run_results, sources, write_json


@pytest.mark.parametrize(
    "name",
    [
        "DBT_ENV_SECRET_GIT_TOKEN",
        "DB_PASSWORD",
        "password",
        "API_TOKEN",
        "MY_SECRET",
        "AWS_ACCESS_KEY_ID",
        "KEY",
        "snowflake.private_key",
        "GCP_CREDENTIALS",
        "STRIPE_APIKEY",
    ],
)
def test_secret_looking_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name", ["MONKEY", "KEYNOTE", "JOB", "PR", "DBT_CLOUD_RUN_ID", "TOKENIZER", "TARGET"]
)
def test_ordinary_names(name: str) -> None:
    assert not is_secret_name(name)


ENV = {
    "JOB": "nightly",
    "MONKEY": "business",
    "DBT_ENV_SECRET_GIT_TOKEN": "ghp_abc",
    "DB_PASSWORD": "hunter2",
    "AWS_ACCESS_KEY_ID": "AKIA123",
}


def test_env_keeps_ordinary_keys_and_says_how_many_were_dropped(tmp_path: Path) -> None:
    doc = run_results([run_result("model.p.m")])
    doc["metadata"]["env"] = ENV
    path = write_json(tmp_path / "run_results.json", doc)
    artifact = load(path)
    assert isinstance(artifact, RunArtifact)
    assert artifact.invocation["env"].to_list()[0] == [
        {"key": "JOB", "value": "nightly"},
        {"key": "MONKEY", "value": "business"},
    ]
    assert artifact.warnings == (
        f"{path}: 3 secret-looking metadata.env keys not stored"
        " (AWS_ACCESS_KEY_ID, DBT_ENV_SECRET_GIT_TOKEN, DB_PASSWORD)",
    )


def test_sources_json_env_is_cleaned_too(tmp_path: Path) -> None:
    doc = sources(3)
    doc["metadata"]["env"] = ENV
    artifact = load(write_json(tmp_path / "sources.json", doc))
    assert isinstance(artifact, RunArtifact)
    keys = [item["key"] for item in artifact.invocation["env"].to_list()[0]]
    assert keys == ["JOB", "MONKEY"]
    assert any("3 secret-looking" in line for line in artifact.warnings)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (
            """dbt build --vars '{"db_password": "hunter2", "day": "2021-02-01"}'""",
            """dbt build --vars '{"db_password": "***", "day": "2021-02-01"}'""",
        ),
        (
            "dbt run --vars '{api_token: abc123, start: 2021-01-01}' -s orders",
            "dbt run --vars '{api_token: ***, start: 2021-01-01}' -s orders",
        ),
        (
            """dbt run --vars="{\\"secret\\": \\"s3cr3t\\", \\"n\\": 3}" --target prod""",
            """dbt run --vars="{\\"secret\\": \\"***\\", \\"n\\": 3}" --target prod""",
        ),
        (
            "dbt run --vars 'password: hunter2'",
            "dbt run --vars 'password: ***'",
        ),
        ("dbt run --vars '{monkey: 1, key: x}'", "dbt run --vars '{monkey: 1, key: ***}'"),
        ("dbt build --select tag:token", "dbt build --select tag:token"),
    ],
)
def test_vars_values_of_secret_keys_are_redacted(command: str, expected: str) -> None:
    assert redact_vars(command) == expected


def test_the_stored_history_holds_no_secret(tmp_path: Path) -> None:
    doc = run_results(
        [run_result("model.p.m")],
        invocation_command="""dbt build --vars '{"db_password": "hunter2"}'""",
    )
    doc["metadata"]["env"] = ENV
    write_json(tmp_path / "in" / "run_results.json", doc)
    history = History(tmp_path / "h")
    report = ingest([tmp_path / "in"], history)
    assert report.errors == [] and report.count("added") == 1
    stored = "".join(
        str(pl.read_parquet(path).to_dicts()) for path in (tmp_path / "h").rglob("*.parquet")
    )
    for secret in ("hunter2", "ghp_abc", "AKIA123"):
        assert secret not in stored
    assert "nightly" in stored and "db_password" in stored
