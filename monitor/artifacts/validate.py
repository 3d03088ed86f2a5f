"""Check a run file against dbt-artifacts-parser's model; a mismatch is a warning.

dbt-artifacts-parser knows every schema, but it forbids unknown fields, and
newer dbt (and dbt Fusion) add fields and spellings without bumping the schema
version. So a file that does not validate is still ingested from what the lean
decode understood; the user gets one warning line per file. Only the module of
the one schema version a file needs is imported (``parse_manifest`` and its
twelve models cost about a second).
"""

from __future__ import annotations

import importlib
from typing import Any

import msgspec
import pydantic

from monitor.artifacts.detect import SLUG
from monitor.artifacts.model import Header

_MODULES = {
    "run_results": ("run_results", "RunResults"),
    "sources": ("sources", "Sources"),
    "catalog": ("catalog", "Catalog"),
    "manifest": ("manifest", "Manifest"),
}


def parser_model(header: Header) -> Any:
    """dbt-artifacts-parser's pydantic model class for ``header``'s kind and version."""
    package, prefix = _MODULES[header.kind]
    version = header.schema_version
    module = importlib.import_module(f"dbt_artifacts_parser.parsers.{package}.{package}_v{version}")
    return getattr(module, f"{prefix}V{version}")


SAMPLE = 25
"""Results validated per file: newer dbt adds a field to every result, so the
first few show it, and a 6,000-result file costs no more than a small one."""


class _Sampled(msgspec.Struct, gc=False):
    results: list[msgspec.Raw] = []


def sampled(raw: bytes) -> bytes:
    """``raw`` with only its first :data:`SAMPLE` results (everything else kept)."""
    results = msgspec.json.decode(raw, type=_Sampled).results
    if len(results) <= SAMPLE:
        return raw
    whole = msgspec.json.decode(raw, type=dict[str, msgspec.Raw])
    whole["results"] = msgspec.Raw(b"[" + b",".join(results[:SAMPLE]) + b"]")
    return msgspec.json.encode(whole)


def schema_warning(header: Header, raw: bytes) -> str | None:
    """One line saying how ``raw`` differs from dbt's published schema, or ``None``.

    The metadata, args and the first :data:`SAMPLE` results are validated.
    """
    model = parser_model(header)
    try:
        model.model_validate_json(sampled(raw))
    except pydantic.ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top level)"
        what = " ".join(str(first["msg"]).split())
        more = exc.error_count() - 1
        also = f"; {more} more problem{'s' if more > 1 else ''}" if more else ""
        return (
            f"{header.path}: differs from dbt's {SLUG[header.kind]} v{header.schema_version}"
            f" schema ({where}: {what}{also}); ingested the fields dbt-monitor knows"
        )
    return None
