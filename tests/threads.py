"""Multi-threaded recorded builds (fixtures/runs-threads), ingested once per session.

Imported by the conftest of each test folder that replays them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.analysis.frames import Frames, prepare
from monitor.cli import cli
from monitor.history.store import History
from monitor.history.tables import read_tables

THREADS_RUNS = Path(__file__).resolve().parents[1] / "fixtures" / "runs-threads"


@pytest.fixture(scope="session")
def threads_history(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``dbt-monitor ingest fixtures/runs-threads`` into a fresh history."""
    path = tmp_path_factory.mktemp("threads") / "history"
    result = CliRunner().invoke(
        cli, ["ingest", str(THREADS_RUNS), "--history", str(path)], env={"CI": ""}
    )
    assert result.exit_code == 0, result.output
    return str(path)


@pytest.fixture(scope="session")
def threads_frames(threads_history: str) -> Frames:
    return prepare(read_tables(History(threads_history)))
