"""Read ``metadata.dbt_schema_version`` first: which artifact, which schema version.

Model: dbt-core ``core/dbt/artifacts/schemas/base.py``. The URL's host is not
checked (dbt Fusion and older dbt spell it slightly differently); the kind and
the version are, strictly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import msgspec

from monitor.artifacts.model import Header, Kind
from monitor.artifacts.read import describe_decode_error, fail, read_bytes, read_head

SUPPORTED: dict[Kind, range] = {
    "run_results": range(1, 7),
    "sources": range(1, 4),
    "manifest": range(1, 13),
    "catalog": range(1, 2),
}
"""The schema versions of dbt Core that dbt-monitor reads, per kind."""

FUSION: dict[Kind, int] = {"run_results": 20, "manifest": 20}
"""dbt Fusion's schema versions, read leniently (see :mod:`monitor.artifacts.fusion`)."""

SLUG: dict[Kind, str] = {
    "run_results": "run-results",
    "sources": "sources",
    "manifest": "manifest",
    "catalog": "catalog",
}
"""How dbt names each kind in its schema URLs (``.../run-results/v6.json``)."""

_KINDS: dict[str, Kind] = {slug: kind for kind, slug in SLUG.items()} | {
    "run_results": "run_results"
}
_SCHEMA_URL = re.compile(
    r"(?:^|/)(?P<slug>[a-z][a-z_-]*)/v(?P<version>\d+)(?:\.json|/index\.html|/)?$",
    re.IGNORECASE,
)

PEEK_BYTES = 64 * 1024
"""How much of a file :func:`peek_header` reads (metadata is a few hundred bytes)."""

_METADATA_FIRST = re.compile(rb'\A\s*\{\s*"metadata"\s*:\s*')

RUN_KINDS: tuple[Kind, ...] = ("run_results", "sources")
"""The kinds that describe an invocation (and need ``generated_at``)."""


class _Top(msgspec.Struct):
    """Only ``metadata``; every other top-level field is skipped unread."""

    metadata: Any = None


def read_header(path: Path) -> tuple[Header, bytes]:
    """Read ``path`` and check what it is; return its header and JSON bytes."""
    raw = read_bytes(path)
    return parse_header(path, raw), raw


def parse_header(path: Path, raw: bytes) -> Header:
    """The :class:`Header` of the artifact whose JSON bytes are ``raw``."""
    try:
        top = msgspec.json.decode(raw, type=_Top)
    except msgspec.ValidationError as exc:
        raise fail(path, "not a dbt artifact: the JSON is not an object") from exc
    except msgspec.DecodeError as exc:
        raise fail(path, describe_decode_error(raw, exc)) from exc
    return header_from_metadata(path, top.metadata)


def peek_header(path: Path) -> Header | None:
    """The header read from the first bytes of ``path`` alone, if they hold it.

    dbt writes ``metadata`` first, so the header of a 20 MB manifest is in its
    first kilobytes: this reads (and gunzips) only those. ``None`` when the
    file does not start with a complete ``metadata`` object; read it whole.
    Only the metadata is checked: a file cut short further on passes.
    """
    head = read_head(path, PEEK_BYTES)
    start = _METADATA_FIRST.match(head)
    if start is None:
        return None
    try:
        meta, _ = json.JSONDecoder().raw_decode(head.decode("utf-8", "replace"), start.end())
    except ValueError:
        return None
    return header_from_metadata(path, meta) if isinstance(meta, dict) else None


def header_from_metadata(path: Path, meta: object) -> Header:
    """The :class:`Header` an artifact's ``metadata`` object describes."""
    if not isinstance(meta, dict):
        raise fail(path, "not a dbt artifact: it has no metadata object")
    url = meta.get("dbt_schema_version")
    if not isinstance(url, str) or not url.strip():
        raise fail(path, "not a dbt artifact: metadata has no dbt_schema_version")
    kind, version = parse_schema_url(path, url)
    dbt_version = _text(meta.get("dbt_version"))
    check_version(path, kind, version, dbt_version)
    generated_at = _text(meta.get("generated_at"))
    if kind in RUN_KINDS and generated_at is None:
        raise fail(path, "missing required metadata: metadata.generated_at")
    return Header(
        path=path,
        kind=kind,
        schema_version=version,
        dbt_version=dbt_version,
        invocation_id=_text(meta.get("invocation_id")),
        generated_at=generated_at,
    )


def parse_schema_url(path: Path, url: str) -> tuple[Kind, int]:
    """Kind and version from a schema URL such as ``.../dbt/run-results/v6.json``."""
    match = _SCHEMA_URL.search(url.strip().split("?")[0].split("#")[0])
    if match is None:
        raise fail(path, f"not a dbt artifact: cannot read the schema URL {url!r}")
    slug = match["slug"].lower()
    kind = _KINDS.get(slug)
    if kind is None:
        known = ", ".join(SLUG.values())
        raise fail(path, f"unknown artifact kind {slug!r} ({url}): dbt-monitor reads {known}")
    return kind, int(match["version"])


def check_version(path: Path, kind: Kind, version: int, dbt_version: str | None) -> None:
    """Refuse a schema version outside :data:`SUPPORTED`, naming both."""
    supported = SUPPORTED[kind]
    if version in supported or version == FUSION.get(kind):
        return
    slug = SLUG[kind]
    span = f"{slug} v{supported[0]}" + (f"–v{supported[-1]}" if len(supported) > 1 else "")
    if kind in FUSION:
        span += f" or v{FUSION[kind]} (dbt Fusion)"
    by = f" (written by dbt {dbt_version})" if dbt_version else ""
    hint = (
        "a newer dbt-monitor may read it" if version > supported[-1] else "re-run with dbt ≥ 0.19"
    )
    raise fail(path, f"unsupported schema version: expected {span}, found v{version}{by}; {hint}")


def describe(header: Header) -> str:
    """The schema a header names, as dbt spells it: ``"run-results v6"``."""
    return f"{SLUG[header.kind]} v{header.schema_version}"


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
