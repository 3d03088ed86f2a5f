"""A reader that closes stdout early (``| head``) changes no exit code and prints no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def closed_stdout(*args: str) -> tuple[int, str]:
    """Run ``python -m monitor ARGS`` with a stdout pipe whose reader is already gone."""
    read, write = os.pipe()
    os.close(read)  # every write now fails with EPIPE, deterministically
    try:
        done = subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            stdout=write,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(REPO), "CI": "", "GITHUB_STEP_SUMMARY": ""},
            check=False,
        )
    finally:
        os.close(write)
    return done.returncode, done.stderr.decode()


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["check", "--fail-on", "never"], 0),
        (["check", "--fail-on", "warn"], 1),
        (["runs", "--limit", "0", "--no-findings"], 0),
        (["sql", "SELECT * FROM node_runs", "--format", "csv"], 0),
    ],
)
def test_closed_stdout_keeps_the_exit_code_and_stderr_quiet(
    fixture_history: str, args: list[str], code: int
) -> None:
    assert closed_stdout(*args, "--history", fixture_history) == (code, "")


def test_ingest_into_a_closed_pipe_still_ingests_everything(tmp_path: Path) -> None:
    history = str(tmp_path / "h")
    assert closed_stdout("ingest", str(REPO / "fixtures" / "runs"), "--history", history) == (0, "")
    # a second ingest finds every invocation already present
    again = subprocess.run(
        [
            sys.executable,
            "-m",
            "monitor",
            "ingest",
            str(REPO / "fixtures" / "runs"),
            "--history",
            history,
        ],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "CI": ""},
        check=False,
        text=True,
    )
    assert again.returncode == 0
    assert again.stdout.splitlines()[-1].startswith("0 added, 51 already present, 0 failed")


def test_a_process_that_skips_teardown_still_delivers_all_its_output(
    fixture_history: str, tmp_path: Path
) -> None:
    """The console script ends with os._exit: everything written must be flushed first."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "CI": "", "GITHUB_STEP_SUMMARY": ""}
    query = "SELECT * FROM node_runs ORDER BY invocation_id, unique_id"
    args = [sys.executable, "-m", "monitor", "sql", query, "--format", "csv"]
    piped = subprocess.run(
        [*args, "--history", fixture_history], capture_output=True, env=env, check=False
    )
    in_file = tmp_path / "runs.csv"
    with in_file.open("wb") as file:  # block-buffered: what is not flushed before os._exit is lost
        done = subprocess.run(
            [*args, "--history", fixture_history], stdout=file, env=env, check=False
        )
    assert (piped.returncode, done.returncode) == (0, 0)
    rows = piped.stdout.decode().splitlines()
    assert len(rows) > 1000  # header and every node run of the recorded nights
    assert in_file.read_bytes() == piped.stdout
    failing = subprocess.run(
        [*args[:3], "check", "--fail-on", "warn", "--history", fixture_history],
        capture_output=True,
        env=env,
        check=False,
    )
    assert failing.returncode == 1
    assert failing.stdout.decode().rstrip().splitlines()[-1]  # its summary line arrived


def python_script(script: str) -> subprocess.CompletedProcess[bytes]:
    """``script`` run by a Python process of its own, which must succeed."""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode()
    return done


def test_the_process_still_waits_for_its_threads_and_atexit_handlers(tmp_path: Path) -> None:
    """os._exit skips module teardown, not what Python's shutdown owes threads and atexit."""
    marks = tmp_path / "marks"
    script = f"""
import atexit, threading, time
from pathlib import Path
marks = Path({str(marks)!r})
def late():
    time.sleep(0.3)
    with marks.open("a") as out:
        out.write("thread\\n")
def at_exit():
    with marks.open("a") as out:
        out.write("atexit\\n")
threading.Thread(target=late).start()
atexit.register(at_exit)
from monitor.cli import main
main(["--version"])
"""
    done = python_script(script)
    assert done.stdout.decode().startswith("dbt-monitor")
    assert marks.read_text().splitlines() == ["thread", "atexit"]


def test_only_a_process_of_its_own_freezes_what_a_command_imports() -> None:
    """A host calling ``cli`` keeps its objects collectable; ``main`` owns its process."""
    script = """
import atexit, gc, sys
from monitor.cli import cli, main
try:
    cli(["runs", "--help"], prog_name="dbt-monitor")
except SystemExit:
    pass
print("embedded", gc.get_freeze_count(), file=sys.stderr)
atexit.register(lambda: print("own", gc.get_freeze_count() > 0, file=sys.stderr))
main(["check", "--help"])
"""
    done = python_script(script)
    assert done.stderr.decode().split("\n")[:2] == ["embedded 0", "own True"]
