"""The manifest fields the history keeps, and how each column is read from them.

Field names and shapes follow dbt's manifest schemas v1–v12; everything is
optional because older versions lack newer fields (``attached_node`` since
v9, ``unit_tests`` since v12) and dbt Fusion omits some.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import msgspec

from monitor.artifacts import coerce
from monitor.artifacts.sources import Threshold


class Owner(msgspec.Struct, gc=False):
    """An exposure's or group's ``owner``."""

    email: Any = None
    name: Any = None


class DependsOn(msgspec.Struct, gc=False):
    """``depends_on``: only the nodes (macros are not kept)."""

    nodes: Any = None


class Freshness(msgspec.Struct, gc=False):
    """A source's ``freshness`` (or ``config.freshness``)."""

    warn_after: Threshold | None = None
    error_after: Threshold | None = None


class Config(msgspec.Struct, gc=False):
    """The ``config`` fields kept."""

    materialized: Any = None
    severity: Any = None
    meta: dict[str, Any] | None = None
    tags: Any = None
    group: Any = None
    freshness: Freshness | None = None
    loaded_at_field: Any = None


class Checksum(msgspec.Struct, gc=False):
    """``checksum``: ``{name, checksum}`` (a unit test's is a plain string)."""

    name: Any = None
    checksum: Any = None


class TestMetadata(msgspec.Struct, gc=False):
    """A generic test's ``test_metadata``."""

    name: Any = None
    kwargs: dict[str, Any] | None = None


class Node(msgspec.Struct, gc=False):
    """One entry of ``nodes``, ``sources``, ``unit_tests`` or ``functions``."""

    unique_id: str
    name: Any = None
    resource_type: Any = None
    package_name: Any = None
    original_file_path: Any = None
    checksum: Checksum | str | None = None
    config: Config | None = None
    tags: Any = None
    meta: dict[str, Any] | None = None
    description: Any = None
    depends_on: DependsOn | None = None
    group: Any = None
    attached_node: Any = None
    column_name: Any = None
    test_metadata: TestMetadata | None = None
    source_name: Any = None
    loaded_at_field: Any = None
    freshness: Freshness | None = None
    raw_code: Any = None
    raw_sql: Any = None  # manifest v1–v6 (dbt < 1.3)


class Group(msgspec.Struct, gc=False):
    """An entry of ``groups`` (manifest v9+)."""

    name: Any = None
    owner: Owner | None = None


_REF = re.compile(r"""\bref\(\s*['"]([^'"]+)['"](?:\s*,\s*['"]([^'"]+)['"])?""")
_SOURCE = re.compile(r"""\bsource\(\s*['"]([^'"]+)['"]\s*,\s*['"]([^'"]+)['"]""")


def strings(value: object) -> list[str]:
    """The strings in a list (or a lone string as a one-item list)."""
    if type(value) is list and not value:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    return []


def checksum(value: Checksum | str | None) -> str | None:
    """The node file's checksum; ``None`` where dbt records none (``{"name": "none"}``)."""
    if isinstance(value, Checksum):
        if value.name == "none":
            return None
        value = value.checksum
    return value if isinstance(value, str) and value else None


def raw_code(node: Node) -> str | None:
    """The node's code as written (``raw_code``, ``raw_sql`` before dbt 1.3); None if empty."""
    for value in (node.raw_code, node.raw_sql):
        if isinstance(value, str) and value.strip():
            return value
    return None


def depends_on(value: DependsOn | None) -> list[str]:
    """``depends_on.nodes``."""
    return strings(value.nodes) if value is not None else []


def meta_json(node: Node) -> str:
    """``config.meta`` overlaid with ``meta``, as JSON text with sorted keys."""
    config_meta = node.config.meta if node.config else None
    if not config_meta and not node.meta:
        return "{}"  # most nodes
    merged = dict(config_meta or {})
    merged.update(node.meta or {})
    return msgspec.json.encode(merged, order="sorted").decode()


def _simple_owner(value: object) -> str | None:
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        return _simple_owner(value.get("name")) or _simple_owner(value.get("email"))
    return ", ".join(strings(value)) or None


def owner(node: Node, groups: dict[Any, str | None]) -> str | None:
    """``meta.owner``, else ``config.meta.owner``, else the owner of the node's group."""
    config = node.config
    if not (node.meta or node.group or (config and (config.meta or config.group))):
        return None  # most nodes: nothing to look up
    for meta in (node.meta, config.meta if config else None):
        found = _simple_owner((meta or {}).get("owner"))
        if found:
            return found
    group = node.group or (node.config.group if node.config else None)
    return groups.get(group) if isinstance(group, str) else None


def test_node(node: Node, resource_type: str, depends: list[str]) -> str | None:
    """The node a test tests.

    ``attached_node`` (dbt ≥ 1.5); else the ``ref()`` / ``source()`` named by a
    generic test's ``model`` argument, found in ``depends_on``; else the first
    node the test depends on. A unit test's is the model it tests.
    """
    attached = node.attached_node
    if attached is not None and type(attached) is not str:
        attached = coerce.text(attached)
    if attached:
        return attached
    if resource_type not in ("test", "unit_test") or not depends:
        return None
    kwargs = node.test_metadata.kwargs if node.test_metadata else None
    model = (kwargs or {}).get("model")
    if isinstance(model, str):
        found = _find_in(model, depends)
        if found:
            return found
    return depends[0]


def _find_in(model: str, depends: list[str]) -> str | None:
    source = _SOURCE.search(model)
    if source:
        suffix = f".{source[1]}.{source[2]}"
        return next((d for d in depends if d.startswith("source.") and d.endswith(suffix)), None)
    ref = _REF.search(model)
    if ref:
        name = ref[2] or ref[1]
        return next(
            (d for d in depends if not d.startswith("source.") and d.split(".")[2:3] == [name]),
            None,
        )
    return None


def test_column(node: Node, resource_type: str) -> str | None:
    """The column a test tests (``column_name`` or the generic test's argument)."""
    if resource_type != "test":
        return None
    column = coerce.text(node.column_name)
    if column is None and node.test_metadata is not None:
        column = coerce.text((node.test_metadata.kwargs or {}).get("column_name"))
    return column


def test_name(node: Node, resource_type: str) -> str | None:
    """A generic test's name (``unique``, ``not_null``, ...), or ``"singular"``."""
    if resource_type != "test":
        return None
    name = coerce.text(node.test_metadata.name) if node.test_metadata else None
    return name or "singular"


def freshness(node: Node) -> tuple[float | None, float | None]:
    """A source's warn_after and error_after in seconds.

    The node's own ``freshness``, else ``config.freshness`` (dbt ≥ 1.10).
    """
    for candidate in (node.freshness, node.config.freshness if node.config else None):
        if candidate is None:
            continue
        warn = candidate.warn_after.seconds() if candidate.warn_after else None
        error = candidate.error_after.seconds() if candidate.error_after else None
        if warn is not None or error is not None:
            return warn, error
    return None, None


def project_name(project_id: str | None, packages: set[str]) -> str | None:
    """The root project's name, for manifests older than v10 that do not record it.

    dbt's ``project_id`` is the MD5 of the project name, so the package whose
    name hashes to it is the root project.
    """
    if project_id:
        for package in sorted(packages):
            if hashlib.md5(package.encode(), usedforsecurity=False).hexdigest() == project_id:
                return package
    return None
