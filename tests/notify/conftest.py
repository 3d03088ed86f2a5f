"""Fixtures for the alert tests: the recorded Greenery history, copied per test; the server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from tests.notify.server import server  # noqa: F401  (a fixture)

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"


@pytest.fixture(scope="session")
def greenery(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every recorded invocation, ingested once (``dbt-monitor ingest fixtures/runs``)."""
    if not RUNS.is_dir():
        pytest.skip("fixtures/runs is not recorded (make fixtures)")
    path = tmp_path_factory.mktemp("greenery") / "history"
    result = CliRunner().invoke(cli, ["ingest", str(RUNS), "--history", str(path)], env={"CI": ""})
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture
def history(greenery: Path, tmp_path: Path) -> str:
    """A private copy of the Greenery history (notify writes its incidents into it)."""
    copy = tmp_path / "history"
    shutil.copytree(greenery, copy)
    return str(copy)
