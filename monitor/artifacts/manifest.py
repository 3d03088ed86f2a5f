"""Decode manifest.json (v1–v12, dbt Fusion's v20) into NODES and EXPOSURES frames, leanly.

A manifest is mostly SQL, macros, docs and column specs that the history does
not keep. msgspec decodes only the fields below, skipping everything else
without building Python objects for it: a 14 MB manifest takes a few tens of
milliseconds instead of over a second through dbt-artifacts-parser's pydantic
models. ``tests/artifacts/test_manifest_differential.py`` checks that this
lean decode agrees with dbt-artifacts-parser on every manifest in the corpus.

Nodes come from ``nodes`` (models, seeds, snapshots, tests, analyses,
operations), ``sources``, ``unit_tests`` and ``functions``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
import polars as pl

from monitor import schema
from monitor.artifacts import coerce, fusion
from monitor.artifacts.detect import describe
from monitor.artifacts.manifest_fields import (
    DependsOn,
    Group,
    Node,
    Owner,
    checksum,
    depends_on,
    freshness,
    meta_json,
    owner,
    project_name,
    raw_code,
    strings,
    test_column,
    test_name,
    test_node,
)
from monitor.artifacts.model import Header, ManifestArtifact
from monitor.artifacts.read import decode_typed


class _Exposure(msgspec.Struct, gc=False):
    unique_id: str
    name: Any = None
    type: Any = None
    label: Any = None
    owner: Owner | None = None
    url: Any = None
    maturity: Any = None
    description: Any = None
    depends_on: DependsOn | None = None


class _Metadata(msgspec.Struct, gc=False):
    project_name: Any = None
    project_id: Any = None
    adapter_type: Any = None
    adapter_version: Any = None


class _Manifest(msgspec.Struct, gc=False):
    metadata: _Metadata
    nodes: dict[str, Node] | None = None
    sources: dict[str, Node] | None = None
    unit_tests: dict[str, Node] | None = None
    functions: dict[str, Node] | None = None
    exposures: dict[str, _Exposure] | None = None
    groups: dict[str, Group] | None = None


def decode_manifest(header: Header, raw: bytes) -> ManifestArtifact:
    """Decode the manifest.json whose bytes are ``raw`` (header already read)."""
    doc = decode_typed(header.path, describe(header), raw, _Manifest)
    groups = {group.name: owner_of(group.owner) for group in (doc.groups or {}).values()}
    nodes = [
        node
        for section in (doc.nodes, doc.sources, doc.unit_tests, doc.functions)
        for node in (section or {}).values()
    ]
    packages = {node.package_name for node in nodes if isinstance(node.package_name, str)}
    project_id = coerce.text(doc.metadata.project_id)
    return ManifestArtifact(
        header=header,
        project_name=coerce.text(doc.metadata.project_name) or project_name(project_id, packages),
        project_id=project_id,
        adapter_type=coerce.text(doc.metadata.adapter_type),
        adapter_version=coerce.text(doc.metadata.adapter_version),
        nodes=_nodes_frame(nodes, groups),
        exposures=_exposures_frame(list((doc.exposures or {}).values())),
        warnings=(fusion.manifest_warning(header, raw),) if fusion.is_fusion(header) else (),
    )


def owner_of(who: Owner | Any) -> str | None:
    """A group's or exposure's ``owner``: its name, else its email(s)."""
    if not isinstance(who, Owner):
        return None
    return coerce.text(who.name) or (", ".join(strings(who.email)) or None)


def version_hash(values: tuple[Any, ...]) -> str:
    """A stable 16-hex-digit hash of a row's attributes: one value per node version."""
    return hashlib.blake2b(msgspec.json.encode(values), digest_size=8).hexdigest()


NODE_ATTRIBUTES = (
    "unique_id",
    "checksum",
    "name",
    "resource_type",
    "package_name",
    "path",
    "materialized",
    "tags",
    "owner",
    "meta",
    "description",
    "depends_on",
    "test_node",
    "test_column",
    "test_name",
    "severity",
    "source_name",
    "loaded_at_field",
    "warn_after",
    "error_after",
)
"""The NODES columns read from the manifest, in the order they are hashed.

``raw_code`` is read too but not hashed: ``checksum`` already changes with
it, and hashing it would give every stored node a new version."""

EXPOSURE_ATTRIBUTES = (
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
"""The EXPOSURES columns read from the manifest, in the order they are hashed."""


def _nodes_frame(nodes: list[Node], groups: dict[Any, str | None]) -> pl.DataFrame:
    # ~6,000 nodes in a large project: the common shapes (a str, None, an empty
    # list) take inline fast paths before the general coercion.
    text = coerce.text
    rows = []
    for node in nodes:
        config = node.config
        kind = node.resource_type
        resource_type = (kind if type(kind) is str else text(kind)) or node.unique_id.split(".", 1)[
            0
        ]
        depends = depends_on(node.depends_on)
        warn_after, error_after = freshness(node)
        name, package, path, description = (
            node.name,
            node.package_name,
            node.original_file_path,
            node.description,
        )
        materialized = config.materialized if config else None
        severity = config.severity if config else None
        tags = node.tags
        tags = strings(tags) if tags else []
        if not tags and config is not None and config.tags:
            tags = strings(config.tags)
        loaded_at = node.loaded_at_field
        if type(loaded_at) is not str or not loaded_at:
            loaded_at = text(loaded_at) if loaded_at is not None else None
            if not loaded_at and config is not None and config.loaded_at_field is not None:
                loaded_at = text(config.loaded_at_field)
        is_test = resource_type == "test"
        attrs = (
            node.unique_id,
            checksum(node.checksum),
            name if type(name) is str else text(name),
            resource_type,
            package if type(package) is str else text(package),
            path if type(path) is str else text(path),
            materialized if type(materialized) is str else text(materialized),
            tags,
            owner(node, groups),
            meta_json(node),
            description if type(description) is str else text(description),
            depends,
            test_node(node, resource_type, depends),
            test_column(node, resource_type) if is_test else None,
            test_name(node, resource_type) if is_test else None,
            coerce.lower(severity) if severity is not None else None,
            text(node.source_name) if node.source_name is not None else None,
            loaded_at,
            warn_after,
            error_after,
        )
        rows.append((*attrs, version_hash(attrs), raw_code(node)))
    return _frame((*NODE_ATTRIBUTES, "version", "raw_code"), rows, schema.NODES)


def _exposures_frame(exposures: list[_Exposure]) -> pl.DataFrame:
    rows = []
    for exposure in exposures:
        attrs = (
            exposure.unique_id,
            coerce.text(exposure.name),
            coerce.text(exposure.type),
            coerce.text(exposure.label),
            owner_of(exposure.owner),
            coerce.text(exposure.url),
            coerce.text(exposure.maturity),
            coerce.text(exposure.description),
            strings(exposure.depends_on.nodes if exposure.depends_on else None),
        )
        rows.append((*attrs, version_hash(attrs)))
    return _frame((*EXPOSURE_ATTRIBUTES, "version"), rows, schema.EXPOSURES)


_STRING_LIST = pl.List(pl.String)


def _frame(names: tuple[str, ...], rows: list[tuple[Any, ...]], table: pl.Schema) -> pl.DataFrame:
    """A ``table`` frame from row tuples of ``names``, built column by column.

    Columns of ``table`` not in ``names`` (``first_seen_*``, filled at
    ingest) are null. Building by column is much faster than by row.
    """
    values = dict(zip(names, zip(*rows, strict=True), strict=True)) if rows else {}
    return pl.DataFrame(
        [
            _string_lists(name, values.get(name, ()))
            if dtype == _STRING_LIST
            else pl.Series(name, values.get(name, [None] * len(rows)), dtype=dtype)
            for name, dtype in table.items()
        ]
    )


def _string_lists(name: str, values: tuple[list[str], ...]) -> pl.Series:
    """A ``list[str]`` column, built in one JSON decode.

    Polars builds nested columns from Python lists one row at a time (~5 µs a
    row); decoding the whole column as one JSON array is ~30 times faster.
    """
    whole = msgspec.json.encode(values).decode()
    column = pl.Series(name, [whole]).str.json_decode(pl.List(_STRING_LIST)).explode()
    return column if values else column.clear()
