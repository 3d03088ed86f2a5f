"""`dbt-monitor exec`: a real child process standing in for dbt, real artifacts, real exit codes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.history.store import History

REPO = Path(__file__).resolve().parents[2]
FAKE_DBT = Path(__file__).with_name("fake_dbt.py")
GOOD = REPO / "fixtures" / "runs" / "2021-02-01" / "02-build"
FAILED = REPO / "fixtures" / "runs" / "2021-02-03" / "02-build"  # one test fails
FAKE_OUT = "Running with dbt=1.11.16 (a stand-in)\nFound 18 models, 45 data tests\n"


def monitor(cwd: Path, *args: str, **popen: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CI": "", "DBT_MONITOR_HISTORY": "history"}
    env.pop("DBT_TARGET_PATH", None)
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def fake_dbt(run: Path, code: int, *extra: str) -> list[str]:
    return [sys.executable, str(FAKE_DBT), str(run), str(code), *extra]


def invocations(cwd: Path) -> list[str]:
    history = History(cwd / "history")
    if history.is_empty():
        return []
    return sorted(History(cwd / "history").scan("invocations").collect()["invocation_id"])


@pytest.mark.parametrize(("run", "code"), [(GOOD, 0), (FAILED, 1), (FAILED, 2), (GOOD, 3)])
def test_exit_code_is_the_commands_and_its_artifacts_are_ingested(
    tmp_path: Path, run: Path, code: int
) -> None:
    done = monitor(tmp_path, "exec", "--", *fake_dbt(run, code))
    assert done.returncode == code, done.stderr
    assert done.stdout == FAKE_OUT + "Done.\n"  # dbt's output, unchanged
    assert done.stderr.startswith("a line on stderr\n")
    assert len(invocations(tmp_path)) == 1
    assert "dbt-monitor: added build" in done.stderr


def test_a_command_that_wrote_nothing_leaves_the_last_runs_artifacts_alone(
    tmp_path: Path,
) -> None:
    first = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 0))
    assert first.returncode == 0, first.stderr
    second = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 2, "--mode", "none"))
    assert second.returncode == 2
    assert second.stdout == FAKE_OUT + "Done.\n"
    assert "run_results.json: not rewritten by this command (still invocation" in second.stderr
    assert "the command wrote no artifacts in" in second.stderr
    assert len(invocations(tmp_path)) == 1  # never the first run's files twice


def test_artifacts_generated_before_the_command_started_are_not_ingested(tmp_path: Path) -> None:
    done = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 0, "--mode", "old"))
    assert done.returncode == 0
    assert "run_results.json: generated 2021-02-01T02:00:" in done.stderr
    assert "before this command started" in done.stderr
    assert invocations(tmp_path) == []


def test_each_run_is_ingested_once(tmp_path: Path) -> None:
    for code in (0, 1, 0):
        assert monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, code)).returncode == code
    assert len(set(invocations(tmp_path))) == len(invocations(tmp_path)) == 3


def test_killed_by_a_signal_it_ingests_then_dies_of_the_same_signal(tmp_path: Path) -> None:
    done = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 0, "--mode", "killed"))
    assert done.returncode == -signal.SIGKILL
    assert len(invocations(tmp_path)) == 1


def test_sigterm_is_passed_on_and_the_cancelled_run_still_lands(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO), "CI": ""}
    command = fake_dbt(GOOD, 0, "--mode", "wait")
    wrapper = subprocess.Popen(
        [sys.executable, "-m", "monitor", "exec", "--history", "history", "--", *command],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    ready = tmp_path / "target" / ".ready"
    for _ in range(600):  # wait (up to a minute) for the stand-in to be running
        if ready.exists():
            break
        time.sleep(0.1)
    assert ready.exists()
    wrapper.send_signal(signal.SIGTERM)
    _, err = wrapper.communicate(timeout=120)
    assert wrapper.returncode == -signal.SIGTERM, err
    assert "dbt-monitor: added build" in err
    assert len(invocations(tmp_path)) == 1


def test_fail_on_decides_only_when_the_command_succeeded(tmp_path: Path) -> None:
    passed = monitor(tmp_path, "exec", "--fail-on", "error", "--", *fake_dbt(FAILED, 0))
    assert passed.returncode == 1, passed.stderr  # dbt said 0, the check found the failed test
    assert "dbt-monitor: added build" in passed.stderr
    failed = monitor(tmp_path, "exec", "--fail-on", "never", "--", *fake_dbt(FAILED, 2))
    assert failed.returncode == 2  # dbt's own code wins
    clean = monitor(tmp_path, "exec", "--fail-on", "never", "--", *fake_dbt(GOOD, 0))
    assert clean.returncode == 0


def test_target_path_follows_the_commands_project_dir(tmp_path: Path) -> None:
    project = tmp_path / "project"
    done = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 0, "--project-dir", str(project)))
    assert done.returncode == 0, done.stderr
    assert (project / "target" / "run_results.json").is_file()
    assert len(invocations(tmp_path)) == 1


def test_explicit_target_path(tmp_path: Path) -> None:
    args = ("exec", "--target-path", "out", "--")
    done = monitor(tmp_path, *args, *fake_dbt(GOOD, 0, "--target-path", "out"))
    assert done.returncode == 0, done.stderr
    assert len(invocations(tmp_path)) == 1


def test_a_missing_command_exits_127_like_a_shell(tmp_path: Path) -> None:
    done = monitor(tmp_path, "exec", "--", "dbt-that-does-not-exist", "build")
    assert (done.returncode, done.stdout) == (127, "")
    assert done.stderr == "error: dbt-that-does-not-exist: command not found\n"


def test_a_bad_label_stops_before_the_command_runs(tmp_path: Path) -> None:
    done = monitor(tmp_path, "exec", "--label", "oops", "--", *fake_dbt(GOOD, 0))
    assert done.returncode == 2
    assert done.stderr == "error: --label 'oops': expected KEY=VALUE, e.g. --label env=prod\n"
    assert not (tmp_path / "target").exists()


def test_an_unreadable_artifact_is_named_and_dbt_s_failure_code_kept(tmp_path: Path) -> None:
    target = tmp_path / "target"
    done = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 0))
    assert done.returncode == 0
    (target / "run_results.json").write_text('{"metadata": {"dbt_schema_version": ')
    again = monitor(tmp_path, "exec", "--", *fake_dbt(GOOD, 1, "--mode", "none"))
    assert again.returncode == 1
    assert "dbt-monitor: failed " in again.stderr
    assert str(target / "run_results.json") in again.stderr
