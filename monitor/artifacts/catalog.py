"""Decode catalog.json (v1, ``dbt docs generate``) into table statistics.

Only ``stats`` is read: the row count (``num_rows`` on BigQuery, ``row_count``
on Snowflake) and the size in bytes (``num_bytes`` / ``bytes``). Adapters that
report neither (Postgres, DuckDB) give nulls.
"""

from __future__ import annotations

from typing import Any

import msgspec
import polars as pl

from monitor.artifacts import coerce
from monitor.artifacts.detect import describe
from monitor.artifacts.model import CATALOG_STATS, CatalogArtifact, Header
from monitor.artifacts.read import decode_typed

ROW_COUNT_STATS = ("num_rows", "row_count")
"""Stat ids that hold a table's row count, by adapter."""

BYTES_STATS = ("num_bytes", "bytes")
"""Stat ids that hold a table's size in bytes, by adapter."""


class _Stat(msgspec.Struct, gc=False):
    value: Any = None


class _Table(msgspec.Struct, gc=False):
    unique_id: Any = None
    stats: dict[str, _Stat] | None = None


class _Catalog(msgspec.Struct, gc=False):
    nodes: dict[str, _Table] | None = None
    sources: dict[str, _Table] | None = None


def decode_catalog(header: Header, raw: bytes) -> CatalogArtifact:
    """Decode the catalog.json whose bytes are ``raw`` (header already read)."""
    doc = decode_typed(header.path, describe(header), raw, _Catalog)
    tables = [
        (coerce.text(table.unique_id) or key, table.stats or {})
        for section in (doc.nodes, doc.sources)
        for key, table in (section or {}).items()
    ]
    stats = pl.DataFrame(
        {
            "unique_id": [uid for uid, _ in tables],
            "row_count": [_stat(stats, ROW_COUNT_STATS) for _, stats in tables],
            "bytes": [_stat(stats, BYTES_STATS) for _, stats in tables],
        },
        schema=CATALOG_STATS,
    )
    return CatalogArtifact(header, stats)


def _stat(stats: dict[str, _Stat], ids: tuple[str, ...]) -> int | None:
    for stat_id in ids:
        stat = stats.get(stat_id)
        if stat is not None:
            value = coerce.integer(stat.value)
            if value is not None:
                return value
    return None
