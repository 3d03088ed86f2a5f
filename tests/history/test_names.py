"""An invocation id is data, never a path or a pattern: crafted ids through real artifacts."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.history import names
from monitor.history.ingest import ingest
from monitor.history.store import History

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
BUILD = RUNS / "2021-02-01" / "02-build"
RESULTS = 65

CRAFTED = [
    "../../../../escaped/pwn",
    "x/" + "../" * 14 + "tmp/pwn",
    ".hidden",
    "..",
    "inv[1]",
    "*",
    "compacted-0123",
    "x-0123",
    "a b: c",
]


def crafted_run(folder: Path, invocation_id: str, *, mart: str | None = None) -> Path:
    """The fixture build's run_results.json with another invocation_id, in a folder of its own."""
    folder.mkdir(parents=True)
    with gzip.open(BUILD / "run_results.json.gz", "rt", encoding="utf-8") as handle:
        doc = json.load(handle)
    doc["metadata"]["invocation_id"] = invocation_id
    (folder / "run_results.json").write_text(json.dumps(doc), encoding="utf-8")
    if mart is not None:
        shutil.copy(BUILD / "fct_product_funnel.parquet", folder / mart)
    return folder


def every_file(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def test_plain_ids_name_their_files_and_others_are_hashed() -> None:
    uuid = "7308425f-c58c-40c3-97c4-9a13f8930755"
    assert names.file_name(uuid) == uuid
    for crafted in CRAFTED:
        name = names.file_name(crafted)
        assert name.startswith("x-") and len(name) == 42, crafted
        assert names.file_name(crafted) == name  # the same id, the same file
    assert len({names.file_name(c) for c in CRAFTED}) == len(CRAFTED)


def test_crafted_ids_stay_inside_the_history_and_are_read_back(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    for number, crafted in enumerate(CRAFTED):
        crafted_run(inputs / str(number), crafted)
    before = every_file(tmp_path)
    history = History(tmp_path / "hist[1]")  # a glob character in the folder, too
    report = ingest([inputs], history)
    assert report.errors == []
    assert report.count("added") == len(CRAFTED)
    written = every_file(tmp_path) - before
    assert written and all(path.is_relative_to(tmp_path / "hist[1]") for path in written)
    assert sorted(history.scan("invocations").collect()["invocation_id"]) == sorted(CRAFTED)
    runs = history.scan("node_runs").collect()
    assert runs.height == RESULTS * len(CRAFTED)  # `*` is not a pattern: nothing counted twice
    assert runs.group_by("invocation_id").len()["len"].to_list() == [RESULTS] * len(CRAFTED)
    again = ingest([inputs], history)
    assert again.count("present") == len(CRAFTED)


def test_a_history_folder_named_like_a_glob_reads_back(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["ingest", str(RUNS / "2021-02-01"), "--history", str(tmp_path / "hist[1]")]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].startswith("3 added")
    runs = CliRunner().invoke(
        cli, ["runs", "--history", str(tmp_path / "hist[1]"), "--format", "json"]
    )
    assert runs.exit_code == 0, runs.output
    assert len(json.loads(runs.stdout)) == 3


@pytest.mark.parametrize(
    ("crafted", "problem"),
    [
        ("\x1b[31mred", "holds control characters"),
        ("a\x00b", "holds control characters"),
        ("a" * 300, "is 300 characters long"),
        ("   ", "is empty"),
    ],
)
def test_ids_dbt_could_never_write_are_refused(tmp_path: Path, crafted: str, problem: str) -> None:
    bad = crafted_run(tmp_path / "bad", crafted)
    history = tmp_path / "h"
    result = CliRunner().invoke(cli, ["ingest", str(bad), str(BUILD), "--history", str(history)])
    assert result.exit_code == 2
    (line,) = [line for line in result.stderr.splitlines() if line.startswith("failed")]
    assert line.startswith(f"failed   {bad / 'run_results.json'}: metadata.invocation_id")
    assert problem in line
    assert "\x1b" not in line and "\x00" not in line
    assert result.stdout.splitlines()[-1].startswith("1 added")  # the good file still lands
    later = CliRunner().invoke(cli, ["runs", "--history", str(history), "--format", "csv"])
    assert later.exit_code == 0, later.output


def test_a_mart_export_named_like_a_path_is_not_stored(tmp_path: Path) -> None:
    run = crafted_run(tmp_path / "in", "inv-with-mart", mart="...parquet")
    shutil.copy(BUILD / "fct_product_funnel.parquet", run / "fct_product_funnel.parquet")
    history = History(tmp_path / "h")
    before = every_file(tmp_path)
    report = ingest([run], history)
    assert any("'..' cannot name a mart" in warning for warning in report.warnings)
    written = every_file(tmp_path) - before
    assert all(path.is_relative_to(tmp_path / "h") for path in written)
    marts = {path.relative_to(tmp_path / "h").parts[:2] for path in written if "marts" in str(path)}
    assert marts == {("marts", "fct_product_funnel")}
    funnel = history.scan_mart("fct_product_funnel")
    assert funnel is not None
    assert funnel.select(pl.col("invocation_id").unique()).collect().item() == "inv-with-mart"
