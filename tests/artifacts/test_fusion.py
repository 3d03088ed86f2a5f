"""dbt Fusion's manifest v20 and run_results, read leniently with one warning each.

No public dbt Fusion manifest.json or run_results.json with a licence that
allows vendoring was found, so these files are built in the shape Fusion
writes, as described by dbt's docs and dbt-fusion's issue tracker: manifest
``v20`` is v12's layout "but incomplete", with fields of its own (e.g.
``static_analysis`` on every analysable node); its run_results say
``run-results/v6`` (a ``v20`` is planned), capitalise statuses, carry an empty
``adapter_response`` and no ``message``, ``compiled``, ``compiled_code``,
``relation_name`` or ``batch_results``, and ``failures`` only on tests.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from polars.testing import assert_frame_equal

from monitor.artifacts.discover import discover
from monitor.artifacts.load import load
from monitor.artifacts.model import ManifestArtifact, RunArtifact
from monitor.errors import MonitorError
from tests.artifacts.samples import CORPUS, SCHEMA, load_json, write_json

CORE_MANIFEST = CORPUS / "manifest/v12/jaffle_shop/manifest_1.10.json"
CORE_RUN = CORPUS / "run_results/v6/jaffle_shop/run_results_1.11.json"
FUSION_VERSION = "2.0.0-beta.48"


def fusion_manifest() -> dict[str, Any]:
    doc = copy.deepcopy(load_json(CORE_MANIFEST))
    doc["metadata"]["dbt_schema_version"] = SCHEMA.format(slug="manifest", version=20)
    doc["metadata"]["dbt_version"] = FUSION_VERSION
    for node in doc["nodes"].values():
        node["static_analysis"] = "on"
        node.pop("compiled_code", None)
    first = next(uid for uid in doc["nodes"] if uid.startswith("model."))
    del doc["nodes"][first]["checksum"]
    return doc


def fusion_run_results(version: int = 6) -> dict[str, Any]:
    doc = copy.deepcopy(load_json(CORE_RUN))
    doc["metadata"]["dbt_schema_version"] = SCHEMA.format(slug="run-results", version=version)
    doc["metadata"]["dbt_version"] = FUSION_VERSION
    for result in doc["results"]:
        for key in ("message", "compiled", "compiled_code", "relation_name", "batch_results"):
            result.pop(key, None)
        if not result["unique_id"].startswith("test."):
            result.pop("failures", None)
        result["adapter_response"] = {}
        result["status"] = str(result["status"]).capitalize()
    return doc


def test_manifest_v20_reads_like_v12_with_one_warning(tmp_path: Path) -> None:
    core = load(CORE_MANIFEST)
    fusion = load(write_json(tmp_path / "manifest.json", fusion_manifest()))
    assert isinstance(core, ManifestArtifact) and isinstance(fusion, ManifestArtifact)
    assert fusion.header.schema_version == 20

    def no_checksum(artifact: ManifestArtifact) -> set[str]:
        return set(artifact.nodes.filter(artifact.nodes["checksum"].is_null())["unique_id"])

    (missing,) = no_checksum(fusion) - no_checksum(core)
    assert missing.startswith("model.")
    same = ["unique_id", "name", "resource_type", "depends_on", "raw_code", "materialized"]
    assert_frame_equal(fusion.nodes.select(same), core.nodes.select(same))
    assert_frame_equal(fusion.exposures, core.exposures)
    assert (fusion.project_name, fusion.adapter_type) == (core.project_name, core.adapter_type)
    (warning,) = fusion.warnings
    assert warning == (
        f"{tmp_path / 'manifest.json'}: dbt Fusion manifest v20 written by dbt {FUSION_VERSION},"
        " read leniently with the v12 fields; 1 unknown node field(s) ignored (static_analysis);"
        f" left out by Fusion: checksum in 1 of {len(fusion_manifest()['nodes'])}"
    )
    assert core.warnings == ()


@pytest.mark.parametrize("version", [6, 20])
def test_fusion_run_results_say_what_they_leave_out(tmp_path: Path, version: int) -> None:
    path = write_json(tmp_path / "run_results.json", fusion_run_results(version))
    artifact = load(path)
    assert isinstance(artifact, RunArtifact)
    results = artifact.results
    n = results.height
    assert n == len(load_json(CORE_RUN)["results"])
    assert set(results["status"]) <= {"success", "pass", "fail", "warn", "error", "skipped"}
    for column in ("message", "rows_affected", "adapter_code", "query_id", "compiled_code_hash"):
        assert results[column].null_count() == n, column
    assert results["execution_time"].null_count() == 0
    assert artifact.code is not None and artifact.code.height == 0
    assert artifact.warnings == (
        f"{path}: written by dbt Fusion {FUSION_VERSION}; it leaves out message in {n} of {n},"
        f" adapter_response in {n} of {n}, compiled_code in {n} of {n} (row counts and query"
        " ids are unknown for those results); ingested what is there",
    )


def test_a_fusion_target_folder_ingests_with_one_warning_per_file(tmp_path: Path) -> None:
    target = tmp_path / "target"
    run = fusion_run_results()
    manifest = fusion_manifest()
    manifest["metadata"]["invocation_id"] = run["metadata"]["invocation_id"]
    write_json(target / "manifest.json", manifest)
    write_json(target / "run_results.json", run)
    found = discover([target])
    (bundle,) = found.bundles
    assert found.errors == []
    assert bundle.manifest is not None and bundle.manifest.header.schema_version == 20
    assert len(found.warnings) == 2
    assert {line.split(":")[0] for line in found.warnings} == {
        str(target / "manifest.json"),
        str(target / "run_results.json"),
    }


@pytest.mark.parametrize(("slug", "version"), [("manifest", 21), ("run-results", 19)])
def test_other_versions_past_core_are_still_refused(
    tmp_path: Path, slug: str, version: int
) -> None:
    doc = fusion_manifest() if slug == "manifest" else fusion_run_results()
    doc["metadata"]["dbt_schema_version"] = SCHEMA.format(slug=slug, version=version)
    path = write_json(tmp_path / f"{slug.replace('-', '_')}.json", doc)
    with pytest.raises(MonitorError, match=rf"or v20 \(dbt Fusion\), found v{version} "):
        load(path)
