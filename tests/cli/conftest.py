"""The recorded Greenery history (fixtures/runs), ingested once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"


@pytest.fixture(scope="session")
def fixture_history(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A history folder holding every recorded invocation (``dbt-monitor ingest fixtures/runs``)."""
    if not RUNS.is_dir():
        pytest.skip("fixtures/runs is not recorded (make fixtures)")
    path = tmp_path_factory.mktemp("greenery") / "history"
    result = CliRunner().invoke(cli, ["ingest", str(RUNS), "--history", str(path)], env={"CI": ""})
    assert result.exit_code == 0, result.output
    return str(path)


from tests.threads import threads_history  # noqa: E402 (shared with tests/analysis/schedule)

__all__ = ["fixture_history", "threads_history"]
