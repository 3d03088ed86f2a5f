"""A Dagster code location for the Greenery dbt project, watched by dbt-monitor.

The production job of the course project, as a Dagster schedule at 02:00
UTC: ``dbt source freshness``, ``dbt build``, ``dbt docs generate``. After
each command dbt-monitor ingests what it wrote into the run history
(labelled with the Dagster run id, the job name and the partition, if any);
then the ``dbt_monitor`` asset checks judge the run (``dbt_monitor_runtime``,
``dbt_monitor_volume`` on models, seeds and snapshots,
``dbt_monitor_freshness`` on sources) and the HTML report is rewritten.

Run it (from the repository root, with ``pip install -e '.[dagster]'``)::

    dagster dev -f examples/dagster_greenery/definitions.py

Settings, from the environment: ``GREENERY_PROJECT_DIR`` (default:
``fixtures/greenery``; its ``profiles.yml`` is used), ``DBT_MONITOR_HISTORY``
(default: ``.dbt-monitor`` in the project) and ``DBT_MONITOR_REPORT``
(default: ``dbt-monitor-report.html`` in the project).
"""

import json
import os
import shutil
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetExecutionContext,
    AssetSelection,
    AssetSpec,
    Definitions,
    ScheduleDefinition,
    define_asset_job,
    definitions,
    multi_asset_check,
)
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from monitor.integrations.dagster import (
    check_results,
    check_specs,
    ingest_invocation,
    write_report,
)

REPOSITORY = Path(__file__).resolve().parents[2]
JOB = "greenery_nightly"
SCHEDULE = "0 2 * * *"
"""The course project's production schedule: every night at 02:00 UTC."""


def build_definitions(
    project_dir: Path,
    history: Path,
    report: Path,
    dbt_vars: Mapping[str, Any] | None = None,
) -> Definitions:
    """The code location: the dbt assets, dbt-monitor's checks, the job and its schedule.

    ``dbt_vars`` are passed to every dbt command (the tests move the
    project's clock with them; a production project needs none).
    """
    dbt = DbtCliResource(
        project_dir=str(project_dir), profiles_dir=str(project_dir), dbt_executable=_dbt()
    )
    manifest_path = project_dir / "target" / "manifest.json"
    if not manifest_path.exists():
        dbt.cli(["parse", "--quiet"], target_path=Path("target")).wait()
    manifest = json.loads(manifest_path.read_text())
    translator = DagsterDbtTranslator()
    extra = ["--vars", json.dumps(dict(dbt_vars))] if dbt_vars else []

    @dbt_assets(manifest=manifest, dagster_dbt_translator=translator)
    def greenery(context: AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
        labels = {
            "run_id": context.run.run_id,
            "job_name": context.run.job_name,
            "partition_key": context.partition_key if context.has_partition_key else None,
        }
        freshness = dbt.cli(["source", "freshness", *extra], raise_on_error=False)
        freshness.wait()
        ingest_invocation(freshness, history, **labels)
        build = dbt.cli(["build", *extra], context=context, raise_on_error=False)
        yield from build.stream()
        ingest_invocation(build, history, **labels)
        docs = dbt.cli(["docs", "generate", *extra], raise_on_error=False)
        docs.wait()
        ingest_invocation(docs, history, **labels)
        write_report(history, report)
        context.log.info(f"dbt-monitor: history in {history}, report in {report}")

    @multi_asset_check(specs=check_specs(manifest, translator), name="dbt_monitor")
    def dbt_monitor(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
        yield from check_results(history, context.run.run_id, manifest, translator)

    sources = [
        AssetSpec(translator.get_asset_spec(manifest, unique_id, None).key)
        for unique_id in sorted(manifest.get("sources", {}))
    ]
    job = define_asset_job(JOB, selection=AssetSelection.all() | AssetSelection.all_asset_checks())
    return Definitions(
        assets=[greenery, *sources],
        asset_checks=[dbt_monitor],
        jobs=[job],
        schedules=[ScheduleDefinition(job=job, cron_schedule=SCHEDULE, execution_timezone="UTC")],
        resources={"dbt": dbt},
    )


def _dbt() -> str:
    """The dbt on PATH, else the one beside this Python (a venv not activated)."""
    beside = Path(sys.executable).parent / "dbt"
    return shutil.which("dbt") or (str(beside) if beside.exists() else "dbt")


def _setting(name: str, default: Path) -> Path:
    return Path(os.environ[name]) if os.environ.get(name) else default


@definitions
def defs() -> Definitions:
    """What ``dagster dev -f`` loads (lazily: importing this module runs nothing)."""
    project = _setting("GREENERY_PROJECT_DIR", REPOSITORY / "fixtures" / "greenery")
    return build_definitions(
        project,
        _setting("DBT_MONITOR_HISTORY", project / ".dbt-monitor"),
        _setting("DBT_MONITOR_REPORT", project / "dbt-monitor-report.html"),
    )
