"""When ``rows_affected`` is a row count, per adapter.

What adapters put in ``adapter_response.rows_affected`` (measured on public
run_results files):

========== ==================================================================
postgres   the statement's count: real for ``create table as``, ``insert``,
           ``merge``; -1 for views (``CREATE VIEW``); 1 for test selects
redshift   as postgres
athena     -1 for views, 1 for test selects, counts for tables
bigquery   real counts for tables and merges; absent for views
oracle     real counts
snowflake  always 1 (``SUCCESS 1``): never a row count
duckdb     nothing
databricks nothing (nor Spark, Fusion's empty ``adapter_response``)
========== ==================================================================

So a value is trusted only for the adapters that report counts, for models,
seeds and snapshots (never tests), and when it is >= 0. Every other value is
unknown (null), never 0 and never shown as a row count.
"""

from __future__ import annotations

import polars as pl

COUNTING_ADAPTERS = frozenset({"postgres", "redshift", "athena", "bigquery", "oracle"})
"""Adapters whose ``rows_affected`` is the statement's row count (when >= 0)."""

ROW_RESOURCES = ("model", "seed", "snapshot")


def counts_rows(adapter_type: str | None) -> bool:
    """True when ``adapter_type`` reports real row counts for tables."""
    return adapter_type is not None and adapter_type.lower() in COUNTING_ADAPTERS


def trusted_rows(adapter: str = "adapter_type") -> pl.Expr:
    """``rows_affected`` where it is a row count, else null; named ``rows``.

    Reads the columns ``rows_affected``, ``resource_type`` and ``adapter``
    (the invocation's adapter type).
    """
    return (
        pl.when(
            pl.col(adapter).str.to_lowercase().is_in(list(COUNTING_ADAPTERS))
            & pl.col("resource_type").is_in(ROW_RESOURCES)
            & (pl.col("rows_affected") >= 0)
        )
        .then(pl.col("rows_affected"))
        .otherwise(None)
        .alias("rows")
    )


def missing_rows_reason(adapter_type: str | None) -> str:
    """Why a node has no row counts, in words."""
    name = adapter_type or "this"
    if name.lower() == "snowflake":
        return (
            "row counts are not reported by the snowflake adapter (its rows_affected is always 1)"
        )
    return f"row counts are not reported by the {name} adapter"
