"""Faults get a sentence: one line naming the path and the problem, exit 2, nothing half-written."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from monitor.cli import cli
from monitor.errors import redact
from monitor.history.store import History
from tests.history.test_ingest import assert_consistent

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"


def _small_files_only() -> None:
    """A file-size limit: writes past 20 kB fail as on a full disk (EFBIG, not a signal)."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))


def test_a_write_the_system_refuses_is_one_line_and_nothing_half_written(tmp_path: Path) -> None:
    history = tmp_path / "h"
    run = subprocess.run(
        [sys.executable, "-m", "monitor", "ingest", str(RUNS), "--history", str(history)],
        cwd=REPO,
        env={**os.environ, "CI": ""},
        preexec_fn=_small_files_only,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    (line,) = run.stderr.splitlines()
    assert line.startswith(f"failed   {history}/")
    assert line.endswith(".parquet: cannot write to the history: File too large")
    committed = assert_consistent(History(history))
    assert 0 < committed < 51
    assert f"{committed} added, 0 already present, 1 failed" in run.stdout
    again = CliRunner().invoke(cli, ["ingest", str(RUNS), "--history", str(history)])
    assert again.exit_code == 0
    assert assert_consistent(History(history)) == 51


def test_a_history_that_cannot_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    history = tmp_path / "file" / "h"
    result = CliRunner().invoke(
        cli, ["ingest", str(RUNS / "2021-02-01"), "--history", str(history)]
    )
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"failed   {history}/")
    assert line.endswith(": cannot write to the history: Not a directory")


def test_compact_of_a_history_it_cannot_write_is_one_line(tmp_path: Path) -> None:
    history = tmp_path / "h"
    CliRunner().invoke(cli, ["ingest", str(RUNS / "2021-02-01"), "--history", str(history)])
    (history / "_compactions").write_text("a file where a folder belongs", encoding="utf-8")
    result = CliRunner().invoke(cli, ["compact", "--history", str(history), "--grace", "0"])
    assert result.exit_code == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"error: {history}/_compactions/")
    assert ".json: cannot write to the history: " in line
    assert History(history).scan("node_runs").collect().height == 65 + 64  # nothing lost


def test_credentials_in_urls_are_redacted() -> None:
    assert (
        redact("http://user:pass@127.0.0.1:9000/x failed") == "http://***@127.0.0.1:9000/x failed"
    )
    assert redact("s3://key:secret@bucket/prefix, https://tok@host") == (
        "s3://***@bucket/prefix, https://***@host"
    )
    assert redact("no url: a@b and mailto x@y") == "no url: a@b and mailto x@y"
