"""Small helpers the alert tests share: a config file, the CLI, the recorded runs in order."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from click.testing import CliRunner

from monitor.analysis.frames import invocation_facts
from monitor.cli import cli
from monitor.history.store import History


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


def build_of(history: str, day: str) -> str:
    """The nightly build's invocation id on ``day`` (YYYY-MM-DD)."""
    facts = invocation_facts(History(history).scan("invocations"))
    build = facts.filter(
        (pl.col("job") == "nightly build") & (pl.col("started_at").dt.date().cast(pl.String) == day)
    )
    return str(build["invocation_id"][0])
