"""Small helpers the alert tests share: a config file, the CLI, the recorded runs in order."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from monitor.analysis.frames import invocation_facts
from monitor.cli import cli
from monitor.history.store import History
from monitor.notify.alert import Alert


def write_config(folder: Path, text: str) -> Path:
    path = folder / "dbt-monitor.toml"
    path.write_text(text, encoding="utf-8")
    return path


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, list(args), env={"CI": "", "GITHUB_STEP_SUMMARY": "", **(env or {})}
    )
    return result.exit_code, result.stdout, result.stderr


def executing_runs(history: str) -> list[str]:
    """Every invocation that executed something, oldest first."""
    facts = invocation_facts(History(history).scan("invocations"))
    return facts.filter(pl.col("executes"))["invocation_id"].to_list()


WEBHOOK = """
[alerts.destinations.hook]
type = "webhook"
url_env = "HOOK_URL"
"""


def job_run_of(history: str, day: str, job: str) -> str:
    """The invocation id of ``job`` (e.g. "nightly build") on ``day`` (YYYY-MM-DD)."""
    facts = invocation_facts(History(history).scan("invocations"))
    run = facts.filter(
        (pl.col("job") == job) & (pl.col("started_at").dt.date().cast(pl.String) == day)
    )
    return str(run["invocation_id"][0])


def build_of(history: str, day: str) -> str:
    """The nightly build's invocation id on ``day`` (YYYY-MM-DD)."""
    return job_run_of(history, day, "nightly build")


def make_alert(**changes: object) -> Alert:
    """An alert as notify builds it, with fields overridden."""
    base = Alert(
        transition="opened",
        kind="test_failure",
        severity="error",
        unique_id="test.shop.not_null_orders_id.1a2b",
        name="not_null_orders_id",
        resource_type="test",
        scope="nightly build",
        environment="prod",
        invocation_id="0123456789abcdef",
        run_started_at="2021-02-03T02:00:00+00:00",
        since="2021-02-03T02:00:00+00:00",
        incident_id="inc0001",
        transition_id="tr0001",
        message="Got 3 results, configured to fail if != 0",
        owners=("data-team",),
        report_url="https://reports.example.com/dbt/",
    )
    return replace(base, **changes)  # type: ignore[arg-type]
