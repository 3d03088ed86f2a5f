"""When ``rows_affected`` is a row count: the artifacts stage's rule, named for explain.

The rule itself (per adapter: real counts on PostgreSQL, Redshift, Athena,
BigQuery and Oracle tables; -1 for views, 1 for tests and Snowflake's
constant 1 are unknown; nothing from DuckDB or Databricks) is
:func:`monitor.artifacts.rows.trusted_rows_affected`, defined once. Here it
is applied to the runs the causes read (as ``rows``), and the missing fact is
put in words when a node has no count.
"""

from __future__ import annotations

import polars as pl

from monitor.artifacts.rows import UNKNOWN_COUNT_ADAPTERS, trusted_rows_affected


def counts_rows(adapter_type: str | None) -> bool:
    """False for adapters that report no row counts at all."""
    return (adapter_type or "").lower() not in UNKNOWN_COUNT_ADAPTERS


def trusted_rows(adapter: str = "adapter_type") -> pl.Expr:
    """``rows_affected`` where it is a row count, else null; named ``rows``."""
    return trusted_rows_affected(pl.col(adapter)).alias("rows")


def missing_rows_reason(adapter_type: str | None) -> str:
    """Why a node has no row counts, in words."""
    name = (adapter_type or "").lower()
    if name == "snowflake":
        return (
            "row counts are not reported by the snowflake adapter "
            "(rows_affected is always 1 and no per-DML counts were given)"
        )
    if not counts_rows(name):
        return f"row counts are not reported by the {name} adapter"
    return "no row count for this node before and after (a view?)"
