"""`dbt-monitor ingest` through the CLI: output lines, exit codes, bad input."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.history.store import History
from tests.artifacts.samples import CORPUS

REPO = Path(__file__).resolve().parents[2]
RUN_RESULTS = CORPUS / "run_results" / "v6" / "jaffle_shop" / "run_results_1.11.json"


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"CI": ""})
    return result.exit_code, result.stdout, result.stderr


def test_ingest_prints_a_line_per_invocation_and_a_total(tmp_path: Path) -> None:
    code, out, err = invoke("ingest", str(RUN_RESULTS), "--history", str(tmp_path / "h"))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].split()[:5] == ["added", "2026-03-12", "05:46", "docs", "generate"]
    assert "626fe22d" in lines[0]
    assert lines[1].startswith("1 added, 0 already present, 0 failed, into ")


def test_second_ingest_reports_already_present(tmp_path: Path) -> None:
    invoke("ingest", str(RUN_RESULTS), "--history", str(tmp_path / "h"))
    code, out, _ = invoke("ingest", str(RUN_RESULTS), "--history", str(tmp_path / "h"))
    assert code == 0
    assert out.splitlines()[0].startswith("present ")
    assert out.splitlines()[1].startswith("0 added, 1 already present, 0 failed")


def test_labels_are_stored(tmp_path: Path) -> None:
    history = tmp_path / "h"
    invoke("ingest", str(RUN_RESULTS), "--history", str(history), "--label", "job=nightly")
    labels = History(history).scan("invocations").collect()["labels"].to_list()
    assert labels == [[{"key": "job", "value": "nightly"}]]


def test_gzipped_artifacts_ingest(tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "run_results.json.gz").write_bytes(gzip.compress(RUN_RESULTS.read_bytes()))
    code, out, _ = invoke("ingest", str(target), "--history", str(tmp_path / "h"))
    assert code == 0
    assert out.splitlines()[-1].startswith("1 added")


BAD_INPUTS = {
    "empty": b"",
    "truncated": RUN_RESULTS.read_bytes()[:5000] if RUN_RESULTS.exists() else b"",
    "not-json": b"hello, this is not json\n",
    "garbage": bytes(range(256)) * 4,
    "not-an-artifact": b'{"name": "package.json", "version": "1.0.0"}',
    "unknown-version": b'{"metadata": {"dbt_schema_version": '
    b'"https://schemas.getdbt.com/dbt/run-results/v99.json"}, "results": []}',
    "missing-metadata": b'{"results": [], "elapsed_time": 1.0}',
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_file_is_one_line_exit_2_and_the_good_one_still_lands(
    tmp_path: Path, case: str
) -> None:
    bad = tmp_path / case / "run_results.json"
    bad.parent.mkdir()
    bad.write_bytes(BAD_INPUTS[case])
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(RUN_RESULTS, good / "run_results.json")
    history = tmp_path / "h"
    code, out, err = invoke("ingest", str(bad.parent), str(good), "--history", str(history))
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"failed   {bad}: ")
    assert "Traceback" not in err
    assert out.splitlines()[-1].startswith("1 added, 0 already present, 1 failed")
    assert History(history).scan("invocations").collect().height == 1


def test_folder_without_artifacts_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "target"
    (empty / "compiled").mkdir(parents=True)
    (empty / "graph_summary.json").write_text("{}")
    code, _, err = invoke("ingest", str(empty), "--history", str(tmp_path / "h"))
    assert code == 2
    assert str(empty) in err
    assert not (tmp_path / "h").exists()


def test_bad_label_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("ingest", str(RUN_RESULTS), "--label", "oops", "--history", str(tmp_path))
    assert code == 2
    assert err == "error: --label 'oops': expected KEY=VALUE, e.g. --label env=prod\n"


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    code, _, err = invoke("ingest", str(tmp_path / "nope"), "--history", str(tmp_path / "h"))
    assert code == 2
    assert "does not exist" in err


def test_ingest_lines_strip_terminal_controls_from_artifact_text(tmp_path: Path) -> None:
    import json

    build = Path(__file__).resolve().parents[2] / "fixtures/runs/2021-02-01/02-build"
    data = json.loads(gzip.decompress((build / "run_results.json.gz").read_bytes()))
    data["args"]["which"] = "build\x1b]8;;http://evil/\x07click\x1b]8;;\x07\u202e"
    target = tmp_path / "target"
    target.mkdir()
    (target / "run_results.json").write_text(json.dumps(data), encoding="utf-8")
    code, out, err = invoke("ingest", str(target), "--history", str(tmp_path / "h"))
    assert code == 0, err
    (line,) = [line for line in out.splitlines() if line.startswith("added")]
    assert "buildclick" in line
    assert not any(ch in line for ch in ("\x1b", "\x07", "\u202e"))
