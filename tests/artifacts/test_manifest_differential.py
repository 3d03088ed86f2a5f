"""The lean manifest decode against dbt-artifacts-parser, on every corpus manifest.

dbt-artifacts-parser validates every field of every manifest version with
pydantic; our msgspec decode reads only the fields the history keeps. For
each corpus manifest (and each recorded fixture, and an enriched copy of a
v12 manifest with exposures, groups and freshness criteria) the columns read
through dbt-artifacts-parser's models must equal ours.
"""

from enum import Enum
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from dbt_artifacts_parser.parser import parse_manifest
from polars.testing import assert_frame_equal

from monitor import schema
from monitor.artifacts import coerce
from monitor.artifacts.load import load
from monitor.artifacts.model import ManifestArtifact
from tests.artifacts.samples import (
    CORPUS,
    corpus_files,
    enriched_manifest,
    load_json,
    recorded_files,
    write_json,
)

NODE_COLUMNS = (
    "unique_id",
    "checksum",
    "name",
    "resource_type",
    "package_name",
    "path",
    "materialized",
    "tags",
    "description",
    "depends_on",
    "test_column",
    "test_name",
    "severity",
    "source_name",
    "loaded_at_field",
    "warn_after",
    "error_after",
)
EXPOSURE_COLUMNS = (
    "unique_id",
    "name",
    "type",
    "label",
    "owner",
    "url",
    "maturity",
    "description",
    "depends_on",
)


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return list(value or [])


def _seconds(threshold: Any) -> float | None:
    if threshold is None:
        return None
    return coerce.duration(threshold.count, _value(threshold.period))


def _freshness(node: Any) -> tuple[float | None, float | None]:
    config = getattr(node, "config", None)
    for candidate in (getattr(node, "freshness", None), getattr(config, "freshness", None)):
        if candidate is None or not hasattr(candidate, "warn_after"):
            continue
        warn, error = _seconds(candidate.warn_after), _seconds(candidate.error_after)
        if warn is not None or error is not None:
            return warn, error
    return None, None


def _checksum(node: Any) -> str | None:
    checksum = getattr(node, "checksum", None)
    if checksum is not None and not isinstance(checksum, str):
        checksum = None if checksum.name == "none" else checksum.checksum
    return checksum or None


def _node_row(node: Any) -> dict[str, Any]:
    resource_type = _value(node.resource_type)
    config = getattr(node, "config", None)
    test_metadata = getattr(node, "test_metadata", None)
    kwargs = (test_metadata.kwargs or {}) if test_metadata else {}
    is_test = resource_type == "test"
    depends = getattr(node, "depends_on", None)
    severity = _value(getattr(config, "severity", None))
    warn_after, error_after = _freshness(node)
    return {
        "unique_id": node.unique_id,
        "checksum": _checksum(node),
        "name": node.name,
        "resource_type": resource_type,
        "package_name": node.package_name,
        "path": node.original_file_path,
        "materialized": _value(getattr(config, "materialized", None)),
        "tags": _strings(getattr(node, "tags", None)) or _strings(getattr(config, "tags", None)),
        "description": getattr(node, "description", None),
        "depends_on": list(getattr(depends, "nodes", None) or []),
        "test_column": (getattr(node, "column_name", None) or kwargs.get("column_name"))
        if is_test
        else None,
        "test_name": ((test_metadata.name if test_metadata else None) or "singular")
        if is_test
        else None,
        "severity": severity.lower() if isinstance(severity, str) else None,
        "source_name": getattr(node, "source_name", None),
        "loaded_at_field": getattr(node, "loaded_at_field", None)
        or getattr(config, "loaded_at_field", None),
        "warn_after": warn_after,
        "error_after": error_after,
    }


def _exposure_row(exposure: Any) -> dict[str, Any]:
    owner = exposure.owner
    depends = getattr(exposure, "depends_on", None)
    return {
        "unique_id": exposure.unique_id,
        "name": exposure.name,
        "type": _value(exposure.type),
        "label": getattr(exposure, "label", None),
        "owner": getattr(owner, "name", None) or (", ".join(_strings(owner.email)) or None),
        "url": getattr(exposure, "url", None),
        "maturity": _value(getattr(exposure, "maturity", None)),
        "description": getattr(exposure, "description", None),
        "depends_on": list(getattr(depends, "nodes", None) or []),
    }


def _frame(rows: list[dict[str, Any]], columns: tuple[str, ...], table: pl.Schema) -> pl.DataFrame:
    frame = pl.DataFrame(rows, schema={name: table[name] for name in columns})
    return frame.sort("unique_id")


def _compare(doc: dict[str, Any], ours: ManifestArtifact) -> None:
    parsed = parse_manifest(doc)
    sections = [
        parsed.nodes,
        parsed.sources,
        getattr(parsed, "unit_tests", None) or {},
        getattr(parsed, "functions", None) or {},
    ]
    nodes = [node for section in sections for node in section.values()]
    theirs = _frame([_node_row(node) for node in nodes], NODE_COLUMNS, schema.NODES)
    assert_frame_equal(ours.nodes.select(NODE_COLUMNS).sort("unique_id"), theirs)
    attached = {
        node.unique_id: node.attached_node for node in nodes if getattr(node, "attached_node", None)
    }
    test_nodes = dict(ours.nodes.select("unique_id", "test_node").iter_rows())
    assert {uid: test_nodes[uid] for uid in attached} == attached
    exposures = list((parsed.exposures or {}).values())
    theirs = _frame([_exposure_row(e) for e in exposures], EXPOSURE_COLUMNS, schema.EXPOSURES)
    assert_frame_equal(ours.exposures.select(EXPOSURE_COLUMNS).sort("unique_id"), theirs)
    assert ours.adapter_type == _value(parsed.metadata.adapter_type)
    assert ours.project_id == parsed.metadata.project_id


def _load(path: Path) -> ManifestArtifact:
    artifact = load(path)
    assert isinstance(artifact, ManifestArtifact)
    return artifact


@pytest.mark.parametrize("path", corpus_files("manifest") + recorded_files("manifest"))
def test_agrees_with_dbt_artifacts_parser(path: Path) -> None:
    _compare(load_json(path), _load(path))


def test_enriched_manifest_agrees_with_dbt_artifacts_parser(tmp_path: Path) -> None:
    source = CORPUS / "manifest" / "v12" / "jaffle_shop" / "manifest_1.12.json"
    if not source.exists():
        pytest.skip(f"{source} is absent")
    doc = enriched_manifest(load_json(source))
    ours = _load(write_json(tmp_path / "manifest.json", doc))
    assert ours.exposures.height == 1
    assert ours.nodes["warn_after"].drop_nulls().to_list() == [12 * 3600.0, 90 * 60.0]
    _compare(doc, ours)
