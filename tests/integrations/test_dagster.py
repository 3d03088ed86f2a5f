"""The Dagster code location of examples/dagster_greenery, run in process with real dbt.

Real dagster and dagster-dbt, real dbt-core + dbt-duckdb on a temp copy of
``fixtures/greenery`` and a real DuckDB file loaded by the fixtures' own
loader. Two nights: a clean one, then one whose ``events`` delivery never
arrived. The test needs the ``dagster`` extra, which the main test venv does
not have: ``make test`` runs it through ``tests/integrations/run_dagster.sh``
(its own ``.venv-dagster``), which fails if it skips.
"""

from __future__ import annotations

import datetime as dt
import gzip
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

pytest.importorskip(
    "dagster", reason="needs the dagster extra: bash tests/integrations/run_dagster.sh"
)
pytest.importorskip(
    "dagster_dbt", reason="needs the dagster extra: bash tests/integrations/run_dagster.sh"
)
pytest.importorskip(
    "dbt.adapters.duckdb", reason="needs dbt-duckdb: bash tests/integrations/run_dagster.sh"
)

from dagster import AssetCheckSeverity, AssetKey, DagsterInstance

from monitor.errors import MonitorError
from monitor.history.ingest import ingest
from monitor.history.store import History
from monitor.history.tables import read_tables
from monitor.integrations.dagster import check_results, ingest_invocation, write_report

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "fixtures"
EVENTS = AssetKey(["greenery", "events"])


def _module(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def nights(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Both nights' job runs, in one Dagster instance: {"clean": result, "missed": result}."""
    sys.path.insert(0, str(FIXTURES))
    generate_data = _module("generate_data", FIXTURES / "generate_data.py")
    example = _module("dagster_greenery", REPO / "examples" / "dagster_greenery" / "definitions.py")
    work = tmp_path_factory.mktemp("dagster")
    project = work / "greenery"
    shutil.copytree(
        FIXTURES / "greenery",
        project,
        ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*", "dbt_packages", ".user.yml"),
    )
    history, report = work / "history", work / "report.html"
    database = project / "greenery.duckdb"
    instance = DagsterInstance.ephemeral()
    Night = generate_data.Night
    plan = {
        "clean": [Night(dt.date(2021, 2, 1))],
        "missed": [
            Night(dt.date(2021, 2, 1)),
            Night(dt.date(2021, 2, 2), missed=frozenset({"events"})),
        ],
    }
    results = {}
    for name, loaded in plan.items():
        generate_data.load(database, generate_data.raw_tables(loaded))
        night = dt.datetime.combine(loaded[-1].day, dt.time(2, 0), dt.UTC)
        offset = (night - dt.datetime.now(dt.UTC)).total_seconds()
        defs = example.build_definitions(
            project, history, report, {"sim_clock_offset_seconds": round(offset, 6)}
        )
        job = defs.resolve_job_def(example.JOB)
        results[name] = job.execute_in_process(instance=instance, raise_on_error=False)
    return {"results": results, "history": history, "report": report, "project": project}


def _labels(row: list[dict[str, str]] | None) -> dict[str, str]:
    return {item["key"]: item["value"] for item in row or []}


def test_each_night_adds_its_three_invocations_labelled_with_the_dagster_run(
    nights: dict[str, Any],
) -> None:
    invocations = read_tables(History(nights["history"])).invocations.collect()
    for name, result in nights["results"].items():
        labelled = [_labels(row) for row in invocations["labels"].to_list()]
        mine = invocations.filter(
            pl.Series([labels.get("dagster_run_id") == result.run_id for labels in labelled])
        )
        commands = sorted(mine["command"].to_list())
        assert commands == ["build", "docs generate", "source freshness"], name
        assert {_labels(row)["job"] for row in mine["labels"].to_list()} == {"greenery_nightly"}


def test_the_report_is_written(nights: dict[str, Any]) -> None:
    html = nights["report"].read_text()
    assert html.lower().startswith("<!doctype html>")
    assert "product_funnel_dashboard" in html


def test_a_report_that_cannot_be_written_raises_a_user_error_not_an_exit(
    nights: dict[str, Any], tmp_path: Path
) -> None:
    # inside a Dagster step a SystemExit from the CLI's error handler would end the process
    target = tmp_path / "no-such-folder" / "report.html"
    with pytest.raises(MonitorError, match=r"no-such-folder/report\.html: cannot write"):
        write_report(nights["history"], target)
    assert not target.exists()


def _evaluations(result: Any) -> dict[tuple[AssetKey, str], Any]:
    """dbt-monitor's check evaluations (dagster-dbt adds the dbt tests' own)."""
    return {
        (e.asset_key, e.check_name): e
        for e in result.get_asset_check_evaluations()
        if e.check_name.startswith("dbt_monitor_")
    }


def test_every_dbt_asset_gets_its_checks(nights: dict[str, Any]) -> None:
    found = _evaluations(nights["results"]["clean"])
    names = {name for _, name in found}
    assert names == {"dbt_monitor_runtime", "dbt_monitor_volume", "dbt_monitor_freshness"}
    assert (AssetKey(["fct_orders"]), "dbt_monitor_runtime") in found
    assert (EVENTS, "dbt_monitor_freshness") in found


def test_a_clean_night_passes_every_check(nights: dict[str, Any]) -> None:
    found = _evaluations(nights["results"]["clean"])
    failed = [key for key, e in found.items() if not e.passed]
    assert failed == []


def test_a_missed_delivery_fails_the_freshness_check_of_that_source_only(
    nights: dict[str, Any],
) -> None:
    found = _evaluations(nights["results"]["missed"])
    failed = {key: e for key, e in found.items() if not e.passed}
    assert list(failed) == [(EVENTS, "dbt_monitor_freshness")]
    # an info finding (addresses has no freshness criteria) is told, not failed
    addresses = found[(AssetKey(["greenery", "addresses"]), "dbt_monitor_freshness")]
    assert addresses.passed
    assert addresses.metadata["findings"].value[0]["kind"] == "freshness_unmonitored"
    evaluation = failed[(EVENTS, "dbt_monitor_freshness")]
    assert evaluation.severity.value in ("ERROR", "WARN")
    findings = evaluation.metadata["findings"].value
    assert findings[0]["kind"] == "source_stale"
    assert findings[0]["severity"].upper() == evaluation.severity.value
    age = evaluation.metadata["age_seconds"].value
    assert age > evaluation.metadata["error_after_seconds"].value


def test_a_recorded_slow_night_fails_runtime_as_error_and_a_late_source_as_warn(
    tmp_path: Path,
) -> None:
    # the recorded nights (fixtures/runs): on 2021-02-05 int_product_page_views takes
    # 12.5 s (normal about 1.3 s: slow_model error) and products is 48.8 h old
    # (source_stale warn); only that night's invocations carry the Dagster run id
    runs, history = FIXTURES / "runs", tmp_path / "history"
    before = [runs / f"2021-02-0{day}" / "01-source-freshness" for day in range(1, 5)]
    before += [runs / f"2021-02-0{day}" / "02-build" for day in range(1, 5)]
    assert not ingest(before, History(history)).errors
    night = [runs / "2021-02-05" / "01-source-freshness", runs / "2021-02-05" / "02-build"]
    labels = {"dagster_run_id": "night-0205", "job": "greenery_nightly"}
    assert not ingest(night, History(history), user_labels=labels).errors
    manifest = json.loads(gzip.decompress((night[1] / "manifest.json.gz").read_bytes()))

    results = check_results(history, "night-0205", manifest)

    found = {(r.asset_key, r.check_name): r for r in results}
    failed = {key: r.severity for key, r in found.items() if not r.passed}
    assert failed == {
        (AssetKey(["int_product_page_views"]), "dbt_monitor_runtime"): AssetCheckSeverity.ERROR,
        (AssetKey(["greenery", "products"]), "dbt_monitor_freshness"): AssetCheckSeverity.WARN,
    }
    slow = found[(AssetKey(["int_product_page_views"]), "dbt_monitor_runtime")].metadata
    assert slow["findings"].value[0]["kind"] == "slow_model"
    assert slow["ratio"].value >= 4
    assert slow["execution_time"].value > slow["baseline_median"].value + 5
    # the other nights' runs are history, not judged: the same checks for another run pass
    assert all(r.passed for r in check_results(history, "another-run", manifest))


def test_a_dbt_that_wrote_nothing_and_an_empty_history_pass_saying_so(
    nights: dict[str, Any], tmp_path: Path
) -> None:
    class Died:
        target_path = tmp_path / "never-made"

    report = ingest_invocation(Died(), tmp_path / "history", run_id="r1", job_name="nightly")
    assert (report.invocations, report.errors) == ([], [])
    assert report.warnings == [
        f"{tmp_path / 'never-made'}: no artifacts written; nothing to ingest"
    ]
    manifest = json.loads((nights["project"] / "target" / "manifest.json").read_text())
    results = check_results(tmp_path / "history", "r1", manifest)
    assert results and all(r.passed for r in results)
    assert {r.metadata["note"].value for r in results} == {
        "not run by this Dagster run: nothing to judge"
    }


def test_dagster_s_own_cli_loads_the_code_location(tmp_path: Path) -> None:
    # what `dagster dev -f examples/dagster_greenery/definitions.py` loads
    project = tmp_path / "greenery"
    shutil.copytree(
        FIXTURES / "greenery",
        project,
        ignore=shutil.ignore_patterns("target", "logs", "*.duckdb*", "dbt_packages", ".user.yml"),
    )
    done = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-f",
            str(REPO / "examples" / "dagster_greenery" / "definitions.py"),
        ],
        env={**os.environ, "GREENERY_PROJECT_DIR": str(project), "DAGSTER_HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation successful" in done.stdout + done.stderr
