"""`dbt-monitor check` and `ingest --check` through the CLI: formats, exit codes, CI summary."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from monitor.cli import cli

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"
BROKEN_NIGHT = "7308425f"  # 2021-02-12 build: model_error + exposure_at_risk


def invoke(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        cli, list(args), env={"CI": "", "GITHUB_STEP_SUMMARY": "", **(env or {})}
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("check") / "history"
    code, _, _ = invoke("ingest", str(RUNS), "--history", str(path))
    assert code == 0
    return str(path)


def test_text_lists_findings_most_severe_first_and_exits_1(history: str) -> None:
    code, out, _ = invoke("check", "--history", history, "--invocation", BROKEN_NIGHT)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        "dbt-monitor check: build on prod at 2021-02-12 02:00 UTC (invocation 7308425f):"
        " 2 errors, 2 warnings"
    )
    assert [line.split()[1] for line in lines[1:-1]] == ["error", "error", "warn", "warn"]
    assert lines[-1] == "check FAILED (fail on: error)"


def test_fail_on_never_exits_0_and_warn_fails_on_warnings(history: str) -> None:
    assert (
        invoke("check", "--history", history, "--invocation", BROKEN_NIGHT, "--fail-on", "never")[0]
        == 0
    )
    code, _, _ = invoke("check", "--history", history, "--fail-on", "warn")  # latest: 2 warnings
    assert code == 1
    assert invoke("check", "--history", history)[0] == 0  # latest has no error


def test_json_is_an_array_of_finding_objects(history: str) -> None:
    _, out, _ = invoke(
        "check", "--history", history, "--invocation", BROKEN_NIGHT, "--format", "json"
    )
    findings = json.loads(out)
    assert {tuple(sorted(f)) for f in findings} == {
        ("evidence", "invocation_id", "kind", "message", "severity", "unique_id")
    }
    error = next(f for f in findings if f["kind"] == "model_error")
    assert error["evidence"]["skipped"] == 11


def test_junit_has_a_failed_case_per_finding_reaching_fail_on(history: str, tmp_path: Path) -> None:
    out_file = tmp_path / "check.xml"
    code, out, _ = invoke(
        "check",
        "--history",
        history,
        "--invocation",
        BROKEN_NIGHT,
        "--format",
        "junit",
        "-o",
        str(out_file),
    )
    assert code == 1
    assert out.splitlines()[-1] == f"wrote {out_file}"
    suite = ET.parse(out_file).getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures")) == ("4", "2")
    failed = [case.get("classname") for case in suite if case.find("failure") is not None]
    assert sorted(failed) == ["dbt-monitor.exposure_at_risk", "dbt-monitor.model_error"]
    warned = [case for case in suite if case.get("classname") == "dbt-monitor.flaky_test"]
    out_text = warned[0].findtext("system-out")
    assert out_text is not None and out_text.startswith("warn: ")


def test_junit_warnings_pass_unless_fail_on_warn(history: str, tmp_path: Path) -> None:
    out_file = tmp_path / "check.xml"
    args = ["check", "--history", history, "--format", "junit", "-o", str(out_file)]
    assert invoke(*args)[0] == 0  # latest: 2 warnings, no error
    suite = ET.parse(out_file).getroot().find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "0"
    assert all(case.find("failure") is None for case in suite)
    assert invoke(*args, "--fail-on", "warn")[0] == 1
    suite = ET.parse(out_file).getroot().find("testsuite")
    assert suite is not None
    failed = sorted(case.get("classname") for case in suite if case.find("failure") is not None)
    assert failed == ["dbt-monitor.creeping_model", "dbt-monitor.flaky_test"]


def test_markdown_goes_to_stdout_and_to_the_github_step_summary(
    history: str, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    code, out, _ = invoke(
        "check",
        "--history",
        history,
        "--invocation",
        BROKEN_NIGHT,
        "--format",
        "markdown",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )
    assert code == 1
    assert out.startswith("### ❌ dbt-monitor: 2 errors, 2 warnings\n")
    assert "| ✖ error | model_error | model.greenery.int_user_funnel_steps |" in out
    assert summary.read_text() == "earlier step\n" + out


def test_ingest_check_judges_exactly_the_new_invocations(tmp_path: Path) -> None:
    history = tmp_path / "h"
    nights = sorted(RUNS.iterdir())
    for night in nights[:10]:  # the history before 2021-02-12
        assert invoke("ingest", str(night), "--history", str(history))[0] == 0
    code, out, _ = invoke("ingest", str(RUNS / "2021-02-12"), "--history", str(history), "--check")
    assert code == 1
    headlines = [line for line in out.splitlines() if line.startswith("dbt-monitor check:")]
    assert [h.split()[2] for h in headlines] == [
        "source",
        "build",
    ]  # docs generate executes nothing
    assert "model_error" in out


def test_empty_history_is_exit_2_with_one_line(tmp_path: Path) -> None:
    code, out, err = invoke("check", "--history", str(tmp_path / "none"))
    assert (code, out) == (2, "")
    hint = "no run history here yet; run `dbt-monitor ingest target/` first"
    assert err == f"error: {tmp_path / 'none'}: {hint}\n"


def test_unknown_invocation_is_exit_2(history: str) -> None:
    code, _, err = invoke("check", "--history", history, "--invocation", "zzz")
    assert code == 2
    assert "no invocation 'zzz'" in err


def test_bad_config_names_the_key_and_exits_2(history: str, tmp_path: Path) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text("slow_ratoi = 3\n")
    code, _, err = invoke("check", "--history", history, "--config", str(config))
    assert code == 2
    assert err == f"error: {config}: unknown key 'slow_ratoi'\n"


def test_config_file_changes_severity(history: str, tmp_path: Path) -> None:
    config = tmp_path / "dbt-monitor.toml"
    config.write_text('[severity]\nmodel_error = "warn"\nexposure_at_risk = "off"\n')
    code, out, _ = invoke(
        "check", "--history", history, "--invocation", BROKEN_NIGHT, "--config", str(config)
    )
    assert code == 0
    assert "exposure_at_risk" not in out


def test_check_output_file_is_all_or_nothing(history: str, tmp_path: Path) -> None:
    target = tmp_path / "missing-dir" / "out.json"
    code, _, err = invoke("check", "--history", history, "--format", "json", "-o", str(target))
    assert code == 2
    assert err.startswith(f"error: {target}: cannot write")
    assert not target.exists()


def test_a_history_that_executed_nothing_has_nothing_to_judge(tmp_path: Path) -> None:
    history = str(tmp_path / "docs-only")
    assert (
        invoke("ingest", str(RUNS / "2021-02-01" / "03-docs-generate"), "--history", history)[0]
        == 0
    )
    code, out, err = invoke("check", "--history", history)
    assert (code, err) == (0, "")
    assert out == (
        "dbt-monitor check: nothing to judge: no invocation in the history executed anything"
        " yet: docs generate, compile and runs without results are not judged\n"
    )
    summary = tmp_path / "summary.md"
    code, out, _ = invoke(
        "check", "--history", history, "--format", "json",
        env={"GITHUB_STEP_SUMMARY": str(summary)},
    )  # fmt: skip
    assert (code, out) == (0, "[]\n")
    assert summary.read_text().startswith("### ✅ dbt-monitor: nothing to judge\n")
    junit = tmp_path / "check.xml"
    assert invoke("check", "--history", history, "--format", "junit", "-o", str(junit))[0] == 0
    assert ET.parse(junit).getroot().find("testsuite").get("tests") == "0"  # type: ignore[union-attr]


def colour_run(history: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = CliRunner().invoke(
        cli,
        ["check", "--history", history, "--invocation", BROKEN_NIGHT, *args],
        env={"CI": "", "GITHUB_STEP_SUMMARY": "", **(env or {})},
        color=True,  # as on a terminal
    )
    return result.stdout


def test_colour_on_a_terminal_unless_no_color_or_NO_COLOR(history: str) -> None:
    assert "\x1b[31m" in colour_run(history)
    assert "\x1b[" not in colour_run(history, "--no-color")
    assert "\x1b[" not in colour_run(history, env={"NO_COLOR": "1"})
    assert "\x1b[31m" in colour_run(history, env={"NO_COLOR": ""})  # empty: not set


def test_every_command_takes_no_color() -> None:
    from monitor.cli import COMMANDS

    for command in COMMANDS:
        result = CliRunner().invoke(cli, [command, "--help"])
        assert "--no-color" in result.stdout, command
