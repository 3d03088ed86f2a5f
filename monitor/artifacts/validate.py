"""Check a run file against dbt's published schema; a mismatch is a warning.

dbt-artifacts-parser knows every schema, but it forbids unknown fields, and
newer dbt (and dbt Fusion) add fields and spellings without bumping the schema
version. So a file that does not validate is still ingested from what the lean
decode understood; the user gets one warning line per file.

Every result is checked, not a sample. For run-results v6 and sources v3
(today's dbt) the check is a strict msgspec decode
(:mod:`monitor.artifacts.strict`) that mirrors dbt-artifacts-parser's model
field for field and takes ~20 ms for 6,000 results; only when it finds a
difference is dbt-artifacts-parser's pydantic model asked, and its verdict
and words are the ones reported. Other versions are validated by the
pydantic model directly. pydantic and the one
model module a file needs are imported only then (``parse_manifest`` and its
twelve models cost about a second).
"""

from __future__ import annotations

import importlib
from typing import Any

from monitor.artifacts.detect import SLUG
from monitor.artifacts.model import Header
from monitor.artifacts.strict import strictly_valid

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


def schema_warning(header: Header, raw: bytes) -> str | None:
    """One line saying how ``raw`` differs from dbt's published schema, or ``None``.

    The metadata, args and every result are validated.
    """
    if strictly_valid(header, raw):
        return None
    return parser_warning(header, raw)


def parser_warning(header: Header, raw: bytes) -> str | None:
    """:func:`schema_warning` by dbt-artifacts-parser's model alone (the strict check failed)."""
    import pydantic  # only a file that differs pays for importing it

    model = parser_model(header)
    try:
        model.model_validate_json(raw)
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
