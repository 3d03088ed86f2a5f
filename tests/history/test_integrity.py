"""A damaged history is reported, never a traceback and never a wrong number."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from monitor import schema
from monitor.cli import cli
from monitor.history.compact import compact
from monitor.history.ingest import ingest
from monitor.history.store import History

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
BUILD_ID = "7308425f-c58c-40c3-97c4-9a13f8930755"  # the build of 2021-02-12
DAY = "date=2021-02-12"
ALL_RUNS = 2089
BUILD_RUNS = 65


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("pristine") / "h"
    assert ingest([RUNS], History(root)).errors == []
    return root


@pytest.fixture
def root(pristine: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(pristine, tmp_path / "h"))


def build_file(root: Path, table: str) -> Path:
    (path,) = (root / table / DAY).glob(f"{BUILD_ID}.*.parquet")
    return path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), env={"CI": "", "GITHUB_STEP_SUMMARY": ""})
    return result.exit_code, result.stdout, result.stderr


def count(root: Path, table: str = "node_runs") -> int:
    warnings: list[str] = []
    rows = History(root, warn=warnings.append).scan(table).select(pl.len()).collect().item()
    return int(rows)


def test_a_truncated_file_is_left_out_with_one_warning_in_every_command(root: Path) -> None:
    damaged = build_file(root, "node_runs")
    damaged.write_bytes(damaged.read_bytes()[:200])
    commands = [
        ["runs", "--findings"],
        ["check", "--invocation", "latest"],
        ["slowest"],
        ["failures"],
        ["sql", "select count(*) as n from node_runs", "--format", "csv"],
        ["report", "-o", str(root.parent / "report.html")],
    ]
    for command in commands:
        code, out, err = invoke(*command, "--history", str(root))
        assert code in (0, 1), (command, out, err)
        (line,) = [line for line in err.splitlines() if line.startswith("warning:")]
        assert f"node_runs/{DAY}/{damaged.name} (invocation {BUILD_ID})" in line, command
        assert "this answer is partial" in line
        assert "Traceback" not in err
    code, out, _ = invoke("sql", "select count(*) as n from node_runs", "--format", "csv",
                          "--history", str(root))  # fmt: skip
    assert out == f"n\n{ALL_RUNS - BUILD_RUNS}\n"


def test_a_bit_flip_is_caught_by_the_checksum(root: Path) -> None:
    damaged = build_file(root, "node_runs")
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0x01
    damaged.write_bytes(bytes(data))
    warnings: list[str] = []
    history = History(root, warn=warnings.append)
    assert history.scan("node_runs").collect().height == ALL_RUNS - BUILD_RUNS
    (warning,) = warnings
    assert "checksum does not match" in warning
    assert history.partial


@pytest.mark.parametrize("damage", ["empty", "truncated"])
def test_a_damaged_commit_marker_leaves_its_invocation_out(root: Path, damage: str) -> None:
    marker = build_file(root, "invocations")
    marker.write_bytes(b"" if damage == "empty" else marker.read_bytes()[:100])
    warnings: list[str] = []
    history = History(root, warn=warnings.append)
    invocations = history.scan("invocations").collect()
    assert invocations.height == 50
    assert BUILD_ID not in invocations["invocation_id"].to_list()
    assert history.scan("node_runs").collect().height == ALL_RUNS - BUILD_RUNS
    assert len(warnings) == 1
    assert marker.name in warnings[0]


def test_a_parquet_file_of_another_schema_is_not_an_invocation(root: Path) -> None:
    stray = root / "invocations" / DAY / "stray.run.parquet"
    pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}).write_parquet(stray)
    junk = root / "node_runs" / DAY / "junk.parquet"
    junk.write_bytes(b"PAR1 not really PAR1")
    warnings: list[str] = []
    history = History(root, warn=warnings.append)
    assert history.scan("invocations").collect().height == 51
    assert history.scan("node_runs").collect().height == ALL_RUNS
    (warning,) = warnings
    assert "stray.run.parquet" in warning and "not a commit marker" in warning


def legacy_history(root: Path, runs: pl.DataFrame) -> None:
    """A history as an older dbt-monitor wrote it: files named after the invocation,
    no checksums, and fewer columns than today's schema."""
    started = dt.datetime(2021, 2, 3, 2, tzinfo=dt.UTC)
    invocation = pl.DataFrame(
        {"invocation_id": ["old"], "artifact": ["run_results"], "command": ["build"],
         "started_at": [started], "n_results": [1]},
        schema={"invocation_id": pl.String, "artifact": pl.String, "command": pl.String,
                "started_at": schema.TS, "n_results": pl.Int32},
    )  # fmt: skip
    for table, frame in (("invocations", invocation), ("node_runs", runs)):
        folder = root / table / "date=2021-02-03"
        folder.mkdir(parents=True)
        frame.write_parquet(folder / "old.parquet")


def test_a_wrong_type_is_damage(tmp_path: Path) -> None:
    legacy_history(
        tmp_path,
        pl.DataFrame(
            {"invocation_id": ["old"], "unique_id": ["model.p.m"], "status": ["success"],
             "execution_time": ["slow"]}
        ),
    )  # fmt: skip
    warnings: list[str] = []
    history = History(tmp_path, warn=warnings.append)
    assert history.scan("node_runs").collect().is_empty()
    (warning,) = warnings
    assert "node_runs/date=2021-02-03/old.parquet (invocation old)" in warning
    assert "column execution_time is String, expected Float64" in warning


def test_files_of_an_older_version_read_new_columns_as_null(tmp_path: Path) -> None:
    legacy_history(
        tmp_path,
        pl.DataFrame(
            {"invocation_id": ["old"], "unique_id": ["model.p.m"], "status": ["success"],
             "execution_time": [1.5], "a_column_from_elsewhere": [1]}
        ),
    )  # fmt: skip
    warnings: list[str] = []
    history = History(tmp_path, warn=warnings.append)
    runs = history.scan("node_runs").collect()
    assert runs.schema == schema.NODE_RUNS
    assert runs.select("unique_id", "execution_time", "rows_affected").row(0) == (
        "model.p.m",
        1.5,
        None,
    )
    assert history.scan("invocations").collect()["command"].to_list() == ["build"]
    assert warnings == []


def test_a_bad_compaction_record_is_a_warning(root: Path) -> None:
    (root / "_compactions").mkdir()
    (root / "_compactions" / "broken.json").write_text("{not json", encoding="utf-8")
    (root / "_compactions" / "other.json").write_text('{"entries": 3}', encoding="utf-8")
    warnings: list[str] = []
    history = History(root, warn=warnings.append)
    assert history.scan("node_runs").collect().height == ALL_RUNS
    assert len(warnings) == 2
    code, _, err = invoke("runs", "--history", str(root))
    assert code == 0
    assert "Traceback" not in err


def test_verify_lists_damage_and_repair_moves_it_aside(root: Path) -> None:
    damaged = build_file(root, "node_runs")
    damaged.write_bytes(damaged.read_bytes()[:-10])
    code, out, _ = invoke("verify", "--history", str(root))
    assert code == 1
    assert out.splitlines()[0] == (
        f"damaged  node_runs/{DAY}/{damaged.name} (invocation {BUILD_ID}):"
        f" {damaged.stat().st_size} bytes where {damaged.stat().st_size + 10} were written"
        " (truncated or replaced)"
    )
    code, out, _ = invoke("verify", "--repair", "--history", str(root))
    assert code == 0
    # invocations, node_runs, nodes, exposures and the compiled_code it carries
    assert "moved 5 files of 1 invocations to" in out.splitlines()[-1]
    aside = list((root / "_damaged").rglob("*.parquet"))
    assert len(aside) == 5  # its marker and four data files: nothing deleted
    assert invoke("verify", "--history", str(root))[0] == 0
    assert count(root) == ALL_RUNS - BUILD_RUNS
    code, out, _ = invoke("ingest", str(RUNS), "--history", str(root))
    assert code == 0
    assert out.splitlines()[-1].startswith("1 added, 50 already present")
    assert count(root) == ALL_RUNS
    files = [p for p in root.rglob("*.parquet") if p.relative_to(root).parts[0] != "_damaged"]
    assert invoke("verify", "--history", str(root))[:2] == (
        0,
        f"checked {len(files)} files in {root}: 0 damaged\n",
    )


def test_a_damaged_compacted_file_takes_its_day_aside(root: Path) -> None:
    compact(History(root), grace=0)
    (compacted,) = (root / "node_runs" / DAY).glob("compacted-*.parquet")
    compacted.write_bytes(compacted.read_bytes()[:300])
    warnings: list[str] = []
    assert History(root, warn=warnings.append).scan("node_runs").collect().height < ALL_RUNS
    assert "compacted-" in warnings[0]
    code, out, _ = invoke("verify", "--repair", "--history", str(root))
    assert code == 0, out
    assert invoke("verify", "--history", str(root))[0] == 0
    code, out, _ = invoke("ingest", str(RUNS), "--history", str(root))
    assert code == 0
    assert out.splitlines()[-1].startswith("3 added, 48 already present")
    assert count(root) == ALL_RUNS
    assert json.loads(json.dumps(History(root).damaged)) == {}


def test_a_check_uses_nothing_of_a_file_that_parses_but_fails_its_checksum(
    root: Path, tmp_path: Path
) -> None:
    """A check reads while it verifies the checksums: what it read of a replaced file is dropped."""
    latest = "4c37928b-3933-40a5-bfc5-998a94d950ea"  # the last build of the fixture runs
    (replaced,) = root.glob(f"node_runs/date=*/{latest}.*.parquet")
    without = Path(shutil.copytree(root, tmp_path / "without"))
    (without / replaced.relative_to(root)).unlink()
    runs = pl.read_parquet(replaced)  # a valid file with other numbers: 50 times slower
    runs.with_columns(pl.col("execution_time") * 50).write_parquet(replaced)

    code, out, err = invoke("check", "--format", "json", "--history", str(root))
    _, expected, _ = invoke("check", "--format", "json", "--history", str(without))

    assert code in (0, 1), err
    (line,) = [line for line in err.splitlines() if line.startswith("warning:")]
    assert replaced.name in line and "replaced" in line and "left out" in line
    findings = json.loads(out)
    assert findings == json.loads(expected)
    assert not [f for f in findings if f["kind"] == "slow_model"]
