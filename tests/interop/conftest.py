"""The recorded Greenery history (fixtures/runs), ingested once per test module."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A history folder holding every recorded invocation (``dbt-monitor ingest fixtures/runs``)."""
    if not RUNS.is_dir():
        pytest.skip("fixtures/runs is not recorded (make fixtures)")
    path = tmp_path_factory.mktemp("interop") / "history"
    result = CliRunner().invoke(cli, ["ingest", str(RUNS), "--history", str(path)], env={"CI": ""})
    assert result.exit_code == 0, result.output
    return path
