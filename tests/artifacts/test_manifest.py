import copy
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from monitor import schema
from monitor.artifacts.load import load
from monitor.artifacts.model import ManifestArtifact
from monitor.errors import MonitorError
from tests.artifacts.samples import (
    CORPUS,
    corpus_files,
    enriched_manifest,
    load_json,
    metadata,
    recorded_files,
    write_json,
)

V12 = CORPUS / "manifest" / "v12" / "jaffle_shop" / "manifest_1.12.json"
V1 = CORPUS / "manifest" / "v1" / "jaffle_shop" / "manifest.json"


def _load(path: Path) -> ManifestArtifact:
    artifact = load(path)
    assert isinstance(artifact, ManifestArtifact)
    return artifact


def _present(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent")
    return path


def _corpus(path: Path) -> dict[str, Any]:
    doc: dict[str, Any] = load_json(_present(path))
    return doc


def _node(artifact: ManifestArtifact, unique_id: str) -> dict[str, Any]:
    return artifact.nodes.filter(pl.col("unique_id") == unique_id).row(0, named=True)


@pytest.mark.parametrize("path", corpus_files("manifest") + recorded_files("manifest"))
def test_every_manifest_decodes(path: Path) -> None:
    doc = load_json(path)
    artifact = _load(path)
    assert artifact.nodes.schema == schema.NODES
    assert artifact.exposures.schema == schema.EXPOSURES
    expected = sum(
        len(doc.get(section) or {}) for section in ("nodes", "sources", "unit_tests", "functions")
    )
    assert artifact.nodes.height == expected
    assert artifact.nodes["unique_id"].is_unique().all()
    assert artifact.nodes["version"].str.contains(r"^[0-9a-f]{16}$").all()
    assert artifact.nodes["first_seen_invocation"].null_count() == artifact.nodes.height
    assert artifact.nodes["depends_on"].null_count() == 0
    assert artifact.nodes["tags"].null_count() == 0
    assert artifact.project_name == doc["metadata"].get("project_name", "jaffle_shop")
    assert artifact.project_id == doc["metadata"]["project_id"]
    assert artifact.adapter_type == doc["metadata"]["adapter_type"]
    assert artifact.warnings == ()


def test_project_name_of_old_manifests_comes_from_project_id() -> None:
    doc = _corpus(V1)
    assert "project_name" not in doc["metadata"]
    assert _load(V1).project_name == "jaffle_shop"


def test_versions_are_stable_and_track_the_kept_attributes(tmp_path: Path) -> None:
    doc = _corpus(V12)
    before = _load(write_json(tmp_path / "a" / "manifest.json", doc))
    changed = copy.deepcopy(doc)
    changed["nodes"]["model.jaffle_shop.orders"]["description"] = "Now with returns."
    changed["nodes"]["model.jaffle_shop.customers"]["raw_code"] = "select 2"  # not kept
    changed["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
    after = _load(write_json(tmp_path / "b" / "manifest.json", changed))
    versions = before.nodes.join(after.nodes, on="unique_id").filter(
        pl.col("version") != pl.col("version_right")
    )
    assert versions["unique_id"].to_list() == ["model.jaffle_shop.orders"]
    again = _load(write_json(tmp_path / "c" / "manifest.json.gz", doc))
    assert before.nodes["version"].to_list() == again.nodes["version"].to_list()


def test_enriched_columns(tmp_path: Path) -> None:
    artifact = _load(write_json(tmp_path / "manifest.json", enriched_manifest(_corpus(V12))))
    customers = _node(artifact, "model.jaffle_shop.customers")
    assert customers["owner"] == "data-team"  # meta wins over config.meta
    assert customers["meta"] == '{"owner":"data-team","pii":true,"tier":1}'
    assert customers["materialized"] == "table"
    assert customers["checksum"] and len(customers["checksum"]) == 64
    assert customers["path"] == "models/marts/customers.sql"
    orders = _node(artifact, "model.jaffle_shop.orders")
    assert orders["owner"] == "fin@example.com, cfo@example.com"  # the group's
    raw_orders = _node(artifact, "source.jaffle_shop.ecom.raw_orders")
    assert raw_orders["source_name"] == "ecom"
    assert raw_orders["checksum"] is None
    assert (raw_orders["warn_after"], raw_orders["error_after"]) == (43200.0, 86400.0)
    assert raw_orders["loaded_at_field"] == "ordered_at"
    raw_items = _node(artifact, "source.jaffle_shop.ecom.raw_items")
    assert (raw_items["warn_after"], raw_items["error_after"]) == (5400.0, None)
    assert raw_items["loaded_at_field"] == "_loaded_at"
    exposure = artifact.exposures.row(0, named=True)
    assert {k: v for k, v in exposure.items() if k not in ("version",)} == {
        "unique_id": "exposure.jaffle_shop.weekly_kpis",
        "first_seen_invocation": None,
        "first_seen_at": None,
        "name": "weekly_kpis",
        "type": "dashboard",
        "label": "Weekly KPIs",
        "owner": "Ana",
        "url": "https://bi.example.com/kpis",
        "maturity": "high",
        "description": "KPIs the board reads every Monday",
        "depends_on": ["model.jaffle_shop.orders", "model.jaffle_shop.customers"],
    }


def test_tests_and_unit_tests() -> None:
    artifact = _load(_present(V12))
    test = _node(artifact, "test.jaffle_shop.not_null_stg_supplies_supply_uuid.515c6eda6d")
    assert test["resource_type"] == "test"
    assert test["checksum"] is None  # dbt writes {"name": "none", "checksum": ""}
    assert (test["test_node"], test["test_column"], test["test_name"], test["severity"]) == (
        "model.jaffle_shop.stg_supplies",
        "supply_uuid",
        "not_null",
        "error",
    )
    unit = _node(
        artifact, "unit_test.jaffle_shop.orders.test_order_items_compute_to_bools_correctly"
    )
    assert unit["resource_type"] == "unit_test"
    assert unit["test_node"] == "model.jaffle_shop.orders"
    assert unit["test_name"] is None
    assert unit["checksum"] and len(unit["checksum"]) == 64  # a plain string for unit tests
    model = _node(artifact, "model.jaffle_shop.orders")
    assert (model["test_node"], model["test_column"], model["test_name"], model["severity"]) == (
        None,
    ) * 4


def test_test_node_without_attached_node_follows_the_model_argument() -> None:
    # dbt < 1.5 has no attached_node, and depends_on lists the `to` model first.
    artifact = _load(_present(V1))
    test = _node(
        artifact,
        "test.jaffle_shop.relationships_fct_orders_customer_id__customer_id__ref_dim_customers_",
    )
    assert test["depends_on"] == ["model.jaffle_shop.dim_customers", "model.jaffle_shop.fct_orders"]
    assert test["test_node"] == "model.jaffle_shop.fct_orders"


def test_test_node_inference_agrees_with_attached_node(tmp_path: Path) -> None:
    doc = _corpus(V12)
    attached = {
        uid: node["attached_node"]
        for uid, node in doc["nodes"].items()
        if node["resource_type"] == "test" and node.get("attached_node")
    }
    for uid in attached:
        del doc["nodes"][uid]["attached_node"]
    artifact = _load(write_json(tmp_path / "manifest.json", doc))
    inferred = dict(artifact.nodes.select("unique_id", "test_node").iter_rows())
    assert attached and {uid: inferred[uid] for uid in attached} == attached


def _minimal(nodes: dict[str, Any], **sections: Any) -> dict[str, Any]:
    return {"metadata": metadata("manifest", 12, project_name="shop"), "nodes": nodes, **sections}


def test_singular_tests_and_sources_in_tests(tmp_path: Path) -> None:
    nodes = {
        "test.shop.assert_totals": {
            "unique_id": "test.shop.assert_totals",
            "resource_type": "test",
            "name": "assert_totals",
            "config": {"severity": "warn", "tags": "finance"},
            "depends_on": {"nodes": ["model.shop.orders", "model.shop.payments"]},
        },
        "test.shop.source_not_null_raw_orders_id": {
            "unique_id": "test.shop.source_not_null_raw_orders_id",
            "resource_type": "test",
            "column_name": None,
            "test_metadata": {
                "name": "not_null",
                "kwargs": {
                    "column_name": "id",
                    "model": "{{ get_where_subquery(source('raw', 'orders')) }}",
                },
            },
            "depends_on": {"nodes": ["model.shop.x", "source.shop.raw.orders"]},
        },
    }
    artifact = _load(write_json(tmp_path / "manifest.json", _minimal(nodes, sources=None)))
    singular = _node(artifact, "test.shop.assert_totals")
    assert (singular["test_name"], singular["severity"], singular["tags"]) == (
        "singular",
        "warn",
        ["finance"],
    )
    assert singular["test_node"] == "model.shop.orders"
    generic = _node(artifact, "test.shop.source_not_null_raw_orders_id")
    assert (generic["test_node"], generic["test_column"]) == ("source.shop.raw.orders", "id")
    assert artifact.project_name == "shop"
    assert (artifact.project_id, artifact.adapter_type) == (None, None)


def test_empty_manifest(tmp_path: Path) -> None:
    artifact = _load(write_json(tmp_path / "manifest.json", _minimal({})))
    assert artifact.nodes.height == 0
    assert artifact.nodes.schema == schema.NODES
    assert artifact.exposures.schema == schema.EXPOSURES


def test_wrong_shape_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps(_minimal({"model.x": {"name": "x"}})))
    with pytest.raises(MonitorError) as caught:
        load(path)
    assert str(caught.value) == (
        f"{path}: not a valid manifest v12 file: Object missing required field `unique_id`"
        " - at `$.nodes[...]`"
    )
