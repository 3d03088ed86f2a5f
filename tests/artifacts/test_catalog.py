from pathlib import Path
from typing import Any

import polars as pl
import pytest
from dbt_artifacts_parser.parser import parse_catalog
from polars.testing import assert_frame_equal

from monitor.artifacts.load import load
from monitor.artifacts.model import CATALOG_STATS, CatalogArtifact
from tests.artifacts.samples import (
    CORPUS,
    corpus_files,
    load_json,
    metadata,
    recorded_files,
    write_json,
)


def _load(path: Path) -> CatalogArtifact:
    artifact = load(path)
    assert isinstance(artifact, CatalogArtifact)
    return artifact


def _stat(stat_id: str, value: Any) -> dict[str, Any]:
    return {
        stat_id: {
            "id": stat_id,
            "label": stat_id,
            "value": value,
            "include": True,
            "description": "",
        }
    }


@pytest.mark.parametrize("path", corpus_files("catalog") + recorded_files("catalog"))
def test_every_catalog_agrees_with_dbt_artifacts_parser(path: Path) -> None:
    parsed = parse_catalog(load_json(path))
    tables = [*parsed.nodes.values(), *parsed.sources.values()]

    def stat(table: Any, ids: tuple[str, ...]) -> int | None:
        for stat_id in ids:
            if stat_id in table.stats and isinstance(table.stats[stat_id].value, int | float):
                return int(table.stats[stat_id].value)
        return None

    theirs = pl.DataFrame(
        {
            "unique_id": [table.unique_id for table in tables],
            "row_count": [stat(table, ("num_rows", "row_count")) for table in tables],
            "bytes": [stat(table, ("num_bytes", "bytes")) for table in tables],
        },
        schema=CATALOG_STATS,
    )
    assert_frame_equal(_load(path).stats, theirs)


def test_bigquery_stats() -> None:
    path = CORPUS / "catalog" / "v1" / "jaffle_shop" / "catalog.json"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    stats = _load(path).stats
    assert stats.filter(pl.col("unique_id") == "model.jaffle_shop.customers").row(0) == (
        "model.jaffle_shop.customers",
        100,
        3970,
    )


def test_stats_by_adapter(tmp_path: Path) -> None:
    doc = {
        "metadata": metadata("catalog", 1),
        "nodes": {
            "model.shop.snowflake": {
                "unique_id": "model.shop.snowflake",
                "stats": _stat("row_count", 12.0) | _stat("bytes", 2048.0),
            },
            "model.shop.text": {
                "unique_id": "model.shop.text",
                "stats": _stat("num_rows", "1,234") | _stat("num_bytes", "big"),
            },
            "model.shop.duckdb": {
                "unique_id": "model.shop.duckdb",
                "stats": _stat("has_stats", False),
            },
            "model.shop.bools": {"unique_id": "model.shop.bools", "stats": _stat("num_rows", True)},
        },
        "sources": {"source.shop.raw.t": {"stats": _stat("num_rows", 5)}},
        "errors": None,
    }
    stats = _load(write_json(tmp_path / "catalog.json.gz", doc)).stats
    expected = pl.DataFrame(
        {
            "unique_id": [
                "model.shop.snowflake",
                "model.shop.text",
                "model.shop.duckdb",
                "model.shop.bools",
                "source.shop.raw.t",
            ],
            "row_count": [12, 1234, None, None, 5],
            "bytes": [2048, None, None, None, None],
        },
        schema=CATALOG_STATS,
    )
    assert_frame_equal(stats, expected)
