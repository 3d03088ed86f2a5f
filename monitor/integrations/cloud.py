"""Ingest dbt Cloud runs: download each step's artifacts, then the usual ingest, per step.

A step already in the history (its ``DBT_CLOUD_RUN_ID`` and
``DBT_CLOUD_RUN_STEP`` labels) is not downloaded again. The downloads live in
a temporary folder for the length of the ingest only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path

from monitor.artifacts import dbt_cloud
from monitor.engine import ENGINE
from monitor.history.ingest import IngestReport, ingest
from monitor.history.store import History


def ingest_dbt_cloud(
    address: str,
    history: History,
    *,
    user_labels: Mapping[str, str],
    environ: Mapping[str, str],
    now: dt.datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[IngestReport, dbt_cloud.Fetched]:
    """Fetch what ``address`` names and add its new steps to ``history``."""
    source = dbt_cloud.parse(address)
    client = dbt_cloud.Client(environ, sleep=sleep)
    present = steps_in(history)
    report = IngestReport()
    with tempfile.TemporaryDirectory(prefix="dbt-monitor-cloud-") as tmp:
        fetched = dbt_cloud.download(client, source, Path(tmp), lambda run: present.get(run, set()))
        for step in fetched.steps:
            done = ingest(
                [step.folder],
                history,
                user_labels={**step.labels, **user_labels},
                environ=environ,
                now=now,
            )
            where = Path(f"dbt-cloud:{source.account}/runs/{step.run}/steps/{step.index}")
            report.invocations += [
                dataclasses.replace(item, source=where / item.source.name)
                for item in done.invocations
            ]
            shown = f"dbt-cloud://{source.account}/runs/{step.run}/steps/{step.index}/"
            report.errors += [e.replace(f"{step.folder}/", shown) for e in done.errors]
            report.warnings += [w.replace(f"{step.folder}/", shown) for w in done.warnings]
    return report, fetched


def steps_in(history: History) -> dict[int, set[int]]:
    """The steps of each dbt Cloud run the history holds, by run id."""
    found: dict[int, set[int]] = defaultdict(set)
    if history.is_empty():
        return found
    labels = history.scan("invocations").select("labels").collect(engine=ENGINE)
    for row in labels["labels"].to_list():
        values = {item["key"]: item["value"] for item in row or []}
        run, step = values.get(dbt_cloud.RUN_LABEL), values.get(dbt_cloud.STEP_LABEL)
        if run and step and run.isdigit() and step.isdigit():
            found[int(run)].add(int(step))
    return found
