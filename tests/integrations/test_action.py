"""The GitHub Action: action.yml's own step scripts, run by bash as a runner would run them.

Inputs are substituted into each step's ``env`` exactly as ``${{ inputs.x }}``
would be; the runner's files (GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
GITHUB_PATH) are real files. The install step (pip from PyPI) is not run:
``install: false`` and a ``dbt-monitor`` on PATH that runs this checkout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from monitor.history.store import History

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"
ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def substitute(text: str, inputs: dict[str, str]) -> str:
    def value(match: re.Match[str]) -> str:
        name = match[1]
        if name.startswith("inputs."):
            return inputs[name.removeprefix("inputs.")]
        assert name == "github.action_path", f"the test does not know {name}"
        return str(REPO)

    return EXPRESSION.sub(value, text)


def condition(text: str, inputs: dict[str, str]) -> bool:
    match = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", text.strip())
    assert match, f"the test does not know the condition {text!r}"
    return inputs[match[1]] == match[2]


def run_action(workspace: Path, **given: str) -> tuple[int, dict[str, str], str, str]:
    """Run the composite's steps in ``workspace``; exit code, outputs, summary, stdout."""
    inputs = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    inputs |= {"install": "false"} | {key.replace("_", "-"): v for key, v in given.items()}
    runner = workspace / "_runner"
    (runner / "bin").mkdir(parents=True, exist_ok=True)
    shim = runner / "bin" / "dbt-monitor"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m monitor "$@"\n')
    shim.chmod(0o755)
    files = {name: runner / name.lower() for name in ("GITHUB_OUTPUT", "GITHUB_STEP_SUMMARY")}
    for path in files.values():
        path.write_text("")
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "DBT_MONITOR"))},
        "PATH": f"{runner / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(REPO),
        "RUNNER_TEMP": str(runner),
        "CI": "",
        **{name: str(path) for name, path in files.items()},
    }
    out, code = "", 0
    for step in ACTION["runs"]["steps"]:
        if "if" in step and not condition(step["if"], inputs):
            continue
        step_env = {key: substitute(str(v), inputs) for key, v in step.get("env", {}).items()}
        assert step["shell"] == "bash"
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace,
            env=env | step_env,
            capture_output=True,
            text=True,
            check=False,
        )
        out += done.stdout
        code = done.returncode
        if code:
            break
    lines = files["GITHUB_OUTPUT"].read_text().splitlines()
    outputs = dict(line.split("=", 1) for line in lines if "=" in line)
    return code, outputs, files["GITHUB_STEP_SUMMARY"].read_text(), out


def target_of(workspace: Path, *runs: str) -> None:
    """Put recorded runs into the workspace's target/ folder (as dbt left them)."""
    for index, run in enumerate(runs):
        shutil.copytree(RUNS / run, workspace / "target" / f"{index:02d}")


def test_a_failed_test_fails_the_step_and_everything_is_still_written(tmp_path: Path) -> None:
    target_of(tmp_path, "2021-02-01/02-build", "2021-02-02/02-build", "2021-02-03/02-build")
    code, outputs, summary, out = run_action(
        tmp_path,
        labels="  job=nightly\n\n pr = 7\n",
        report="report.html",
    )
    assert code == 1, out
    assert outputs == {
        "exit-code": "1",
        "check": str(tmp_path / "_runner" / "dbt-monitor-check.md"),
        "report": "report.html",
    }
    assert summary.startswith("#")  # the check's markdown, in the job summary
    assert "relationships_" in summary  # the failing test of 2021-02-03
    assert (tmp_path / "_runner" / "dbt-monitor-check.md").read_text() == summary
    assert (tmp_path / "report.html").read_text().lower().startswith("<!doctype html>")
    frame = History(tmp_path / ".dbt-monitor").scan("invocations").collect()
    labels = [{i["key"]: i["value"] for i in row} for row in frame["labels"].to_list()]
    assert labels == [{"job": "nightly", "pr": " 7"}] * 3


def test_fail_on_never_passes_and_no_report_unless_asked(tmp_path: Path) -> None:
    target_of(tmp_path, "2021-02-03/02-build")
    code, outputs, summary, _ = run_action(tmp_path, fail_on="never", history="h")
    assert code == 0
    assert outputs["exit-code"] == "0"
    assert outputs["report"] == ""
    assert summary != ""
    assert not list(tmp_path.glob("*.html"))


def test_bad_input_is_exit_2(tmp_path: Path) -> None:
    code, outputs, _, _ = run_action(tmp_path, paths="no-such-folder")
    assert code == 2
    assert outputs["exit-code"] == "2"


@pytest.mark.parametrize("name", ["paths", "history", "fail-on", "labels", "report"])
def test_every_input_is_documented_and_used(name: str) -> None:
    assert ACTION["inputs"][name]["description"]
    used = "".join(str(step.get("env", {})) for step in ACTION["runs"]["steps"])
    assert f"inputs.{name} " in used.replace("}}", " }}")
