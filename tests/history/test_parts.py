"""Late artifacts complete an invocation: each part (run, manifest, catalog) is stored once."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from monitor.cli import cli
from monitor.history.ingest import ingest
from monitor.history.store import History

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
BUILD = RUNS / "2021-02-01" / "02-build"
DOCS = RUNS / "2021-02-01" / "03-docs-generate"
BUILD_ID = "f0691090"


def alone(tmp_path: Path, source: Path, *names: str) -> Path:
    """Copies of some files of a run folder, in a folder of their own."""
    folder = tmp_path / "-".join(names)
    folder.mkdir()
    for name in names:
        shutil.copy(source / name, folder / name)
    return folder


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"CI": ""})
    return result.exit_code, result.output


def test_manifest_first_then_run_results(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    first = ingest([alone(tmp_path, BUILD, "manifest.json.gz")], history)
    assert [i.outcome for i in first.invocations] == ["added"]
    second = ingest([alone(tmp_path, BUILD, "run_results.json.gz")], history)
    assert [i.outcome for i in second.invocations] == ["added"]
    assert history.scan("node_runs").collect().height == 65
    (row,) = history.scan("invocations").collect().iter_rows(named=True)
    assert (row["command"], row["n_results"], row["project_name"]) == ("build", 65, "greenery")
    assert history.scan("nodes").collect().height > 0
    again = ingest([BUILD], history)
    assert [i.outcome for i in again.invocations] == ["present"]


def test_run_results_first_then_manifest(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    ingest([alone(tmp_path, BUILD, "run_results.json.gz")], history)
    assert history.scan("nodes").collect().is_empty()
    late = ingest([alone(tmp_path, BUILD, "manifest.json.gz")], history)
    assert [i.outcome for i in late.invocations] == ["added"]
    assert history.scan("nodes").collect().height > 0
    (row,) = history.scan("invocations").collect().iter_rows(named=True)
    assert (row["command"], row["project_name"], row["adapter_type"]) == (
        "build",
        "greenery",
        "duckdb",
    )
    code, out = invoke("model", "fct_orders", "--history", str(history.root))
    assert code == 0, out
    assert out.startswith("fct_orders (model.greenery.fct_orders)")
    assert [i.outcome for i in ingest([BUILD], history).invocations] == ["present"]


def test_the_same_part_again_is_present_and_writes_nothing(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    manifest = alone(tmp_path, BUILD, "manifest.json.gz")
    ingest([manifest], history)
    files = sorted(p for p in history.storage.list("") if p.endswith(".parquet"))
    assert [i.outcome for i in ingest([manifest], history).invocations] == ["present"]
    assert sorted(p for p in history.storage.list("") if p.endswith(".parquet")) == files


def test_a_catalog_that_arrives_later_is_added(tmp_path: Path) -> None:
    history = History(tmp_path / "h")
    ingest([alone(tmp_path, DOCS, "run_results.json.gz", "manifest.json.gz")], history)
    assert history.scan("catalog").collect().is_empty()
    report = ingest([DOCS], history)
    assert [i.outcome for i in report.invocations] == ["added"]
    catalog = history.scan("catalog").collect()
    assert catalog.height > 0
    assert catalog["invocation_id"].n_unique() == 1
    assert history.scan("invocations").collect().height == 1


def test_order_does_not_matter_for_every_table(tmp_path: Path) -> None:
    together = History(tmp_path / "together")
    ingest([BUILD], together)
    apart = History(tmp_path / "apart")
    ingest([alone(tmp_path, BUILD, "run_results.json.gz")], apart)
    ingest([alone(tmp_path, BUILD, "manifest.json.gz")], apart)
    for table in ("node_runs", "nodes", "exposures", "invocations"):
        a = apart.scan(table).drop("ingested_at", strict=False).collect()
        b = together.scan(table).drop("ingested_at", strict=False).collect()
        assert a.sort(pl.all()).equals(b.sort(pl.all())), table


def test_cli_says_added_for_the_late_part(tmp_path: Path) -> None:
    history = str(tmp_path / "h")
    invoke("ingest", str(alone(tmp_path, BUILD, "run_results.json.gz")), "--history", history)
    code, out = invoke(
        "ingest", str(alone(tmp_path, BUILD, "manifest.json.gz")), "--history", history
    )
    assert code == 0
    assert out.splitlines()[0].startswith("added ")
    assert BUILD_ID in out.splitlines()[0]
