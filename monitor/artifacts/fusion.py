"""dbt Fusion's artifacts: read leniently, and say once per file what is missing.

dbt Fusion (dbt 2.0 beta) writes ``manifest/v20``: "the same metadata as v12
but incomplete" (dbt's docs); no JSON schema is published for it. dbt-monitor
reads it with the v12 field list (:mod:`monitor.artifacts.manifest`): fields
it does not know are ignored and fields Fusion leaves out are null, with one
warning per file naming both. Fusion's ``run_results.json`` still says
``run-results/v6`` (a ``v20`` is planned and read the same way) but carries an
empty ``adapter_response`` (no row counts, no query ids) and no ``message``,
``compiled_code`` or ``relation_name``; ``failures`` only on tests.

No public Fusion manifest could be vendored (none was found with a licence
that allows it); the tests build files in the shape described above.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import msgspec

from monitor.artifacts.model import Header

FUSION_SCHEMA = 20
"""The schema version dbt Fusion writes (manifest now, run-results later)."""

KNOWN_NODE_FIELDS = frozenset(
    [
        "access",
        "alias",
        "attached_node",
        "build_path",
        "checksum",
        "column_name",
        "columns",
        "compiled",
        "compiled_code",
        "compiled_path",
        "config",
        "constraints",
        "contract",
        "created_at",
        "database",
        "depends_on",
        "deprecation_date",
        "description",
        "doc_blocks",
        "docs",
        "event_time",
        "expect",
        "external",
        "extra_ctes",
        "extra_ctes_injected",
        "file_key_name",
        "fqn",
        "freshness",
        "functions",
        "given",
        "group",
        "identifier",
        "index",
        "language",
        "latest_version",
        "loaded_at_field",
        "loaded_at_query",
        "loader",
        "meta",
        "metrics",
        "model",
        "name",
        "original_file_path",
        "overrides",
        "package_name",
        "patch_path",
        "path",
        "primary_key",
        "quoting",
        "raw_code",
        "raw_sql",
        "refs",
        "relation_name",
        "resource_type",
        "returns",
        "arguments",
        "root_path",
        "schema",
        "source_description",
        "source_meta",
        "source_name",
        "sources",
        "tags",
        "test_metadata",
        "time_spine",
        "unique_id",
        "unrendered_config",
        "unrendered_database",
        "unrendered_schema",
        "version",
        "versions",
    ]
)
"""Every field a dbt Core v12 manifest node, source, unit test or function has."""

NEEDED_NODE_FIELDS = ("name", "resource_type", "checksum", "depends_on", "raw_code", "config")
"""Fields every entry of ``nodes`` has in dbt Core (seeds: no raw_code) that
dbt-monitor uses: their absence changes what it can say."""

_SAMPLE = 5


def is_fusion(header: Header) -> bool:
    """Whether dbt Fusion wrote the file (schema v20, or a dbt 2.x version)."""
    return header.schema_version == FUSION_SCHEMA or (header.dbt_version or "").startswith("2.")


class _Sections(msgspec.Struct, gc=False):
    nodes: dict[str, dict[str, msgspec.Raw]] | None = None
    sources: dict[str, dict[str, msgspec.Raw]] | None = None
    unit_tests: dict[str, dict[str, msgspec.Raw]] | None = None
    functions: dict[str, dict[str, msgspec.Raw]] | None = None


def manifest_warning(header: Header, raw: bytes) -> str:
    """One line: Fusion manifest read leniently; unknown fields ignored, needed ones missing."""
    try:
        sections = msgspec.json.decode(raw, type=_Sections)
    except (msgspec.DecodeError, msgspec.ValidationError):
        sections = _Sections()
    unknown: Counter[str] = Counter()
    missing: Counter[str] = Counter()
    total = 0
    for section in (sections.nodes, sections.sources, sections.unit_tests, sections.functions):
        for node in (section or {}).values():
            unknown.update(key for key in node if key not in KNOWN_NODE_FIELDS)
    for node in (sections.nodes or {}).values():
        total += 1
        seed = _resource(node) == "seed"
        for name in NEEDED_NODE_FIELDS:
            if not (seed and name == "raw_code") and bytes(node.get(name) or b"null") == b"null":
                missing[name] += 1
    by = f" written by dbt {header.dbt_version}" if header.dbt_version else ""
    parts = [
        f"{header.path}: dbt Fusion manifest v{header.schema_version}{by}, read leniently"
        " with the v12 fields"
    ]
    if unknown:
        names = ", ".join(sorted(unknown)[:_SAMPLE]) + (", …" if len(unknown) > _SAMPLE else "")
        parts.append(f"{len(unknown)} unknown node field(s) ignored ({names})")
    if missing:
        absent = ", ".join(f"{name} in {count} of {total}" for name, count in missing.items())
        parts.append(f"left out by Fusion: {absent}")
    return "; ".join(parts)


def _resource(node: dict[str, msgspec.Raw]) -> str | None:
    value = node.get("resource_type")
    if value is None:
        return None
    try:
        decoded = msgspec.json.decode(bytes(value))
    except msgspec.DecodeError:
        return None
    return decoded.lower() if isinstance(decoded, str) else None


def run_results_warning(header: Header, results: list[Any]) -> str | None:
    """One line naming what a Fusion run_results file left out, or None when nothing."""
    absent = []
    lacking = {
        "message": sum(1 for result in results if result.message is None),
        "adapter_response": sum(1 for result in results if not result.adapter_response),
        "compiled_code": sum(1 for result in results if result.compiled_code is None),
    }
    for name, count in lacking.items():
        if count:
            absent.append(f"{name} in {count} of {len(results)}")
    if not absent:
        return None
    by = f" {header.dbt_version}" if header.dbt_version else ""
    return (
        f"{header.path}: written by dbt Fusion{by}; it leaves out {', '.join(absent)}"
        " (row counts and query ids are unknown for those results); ingested what is there"
    )
