"""When an adapter's ``rows_affected`` is a row count, and when it is not.

dbt copies whatever the adapter's cursor says into ``adapter_response``, and
adapters say very different things (measured on public run_results files):

==============  ===========================================================
adapter         what ``rows_affected`` means
==============  ===========================================================
bigquery        real rows of a table build or DML; absent for views
oracle          real row counts
snowflake       always 1 ("SUCCESS 1"): unknown; the per-DML counts
                ``rows_inserted`` / ``rows_updated`` / ``rows_deleted`` are
                real where present, and their sum is then the count
postgres,       real for ``create table as`` / DML; −1 for views; 1 for a
redshift,       test's select (the one row of its count query)
athena
duckdb,         nothing (no ``rows_affected``), also dbt Fusion's empty
databricks      ``adapter_response``
==============  ===========================================================

So the rule, for every adapter: a count is trusted only when it is present and
not negative, the node is not a test (a test's select returns its failure
count, or 1, not rows written), the statement did not create a view, and the
adapter is not Snowflake (whose constant 1 is unknown unless the per-DML
counts are given). Everything else is null: *unknown*, never shown as a row
count and never read as "0 rows". Callers join ``adapter_type`` from the
invocation; an unknown adapter (no manifest) is judged by the same rule, with
Snowflake recognised by its ``SUCCESS`` status code and ``query_id``.
"""

from __future__ import annotations

import re

import polars as pl

UNKNOWN_COUNT_ADAPTERS = ("duckdb", "databricks", "spark")
"""Adapters that report no row counts at all."""

_NO_COUNTS = f"(?i)^({'|'.join(re.escape(name) for name in UNKNOWN_COUNT_ADAPTERS)})$"

ROW_COUNT_COLUMNS = (
    "rows_affected",
    "adapter_code",
    "query_id",
    "rows_inserted",
    "rows_updated",
    "rows_deleted",
)
"""The node_runs columns :func:`trusted_rows_affected` reads (besides ``resource_type``)."""

NOT_WRITTEN = ("test", "unit_test")
"""Resource types whose count is what a query returned, not rows written."""


def is_snowflake(adapter_type: pl.Expr | None = None) -> pl.Expr:
    """Whether a node run came from Snowflake (by adapter, else by its response)."""
    adapter = pl.col("adapter_type") if adapter_type is None else adapter_type
    # case-insensitive matches, not upper-cased copies of every run's code (half the time)
    guessed = (
        pl.col("adapter_code").str.contains("(?i)^success$") & pl.col("query_id").is_not_null()
    )
    return (
        pl.when(adapter.is_not_null())
        .then(adapter.str.contains("(?i)^snowflake$"))
        .otherwise(guessed)
        .fill_null(False)
    )


def per_dml_rows() -> pl.Expr:
    """rows_inserted + rows_updated + rows_deleted where any is given, else null."""
    parts = [pl.col(name) for name in ("rows_inserted", "rows_updated", "rows_deleted")]
    given = pl.any_horizontal(part.is_not_null() for part in parts)
    total = pl.sum_horizontal(part.fill_null(0) for part in parts)
    return pl.when(given).then(total).otherwise(None)


def trusted_rows_affected(adapter_type: pl.Expr | None = None) -> pl.Expr:
    """``rows_affected`` where it is a real row count, else null (named ``rows_affected``).

    Works on node_runs columns joined with the invocation's ``adapter_type``
    (or the expression given). See the module docstring for the rule.
    """
    adapter = pl.col("adapter_type") if adapter_type is None else adapter_type
    raw = pl.col("rows_affected")
    unknown = (
        raw.is_null()
        | (raw < 0)
        | pl.col("resource_type").is_in(NOT_WRITTEN)
        | pl.col("adapter_code").str.contains("(?i)view").fill_null(False)
        | adapter.str.contains(_NO_COUNTS).fill_null(False)
    )
    snowflake = is_snowflake(adapter)
    return (
        pl.when(snowflake & ~pl.col("resource_type").is_in(NOT_WRITTEN))
        .then(per_dml_rows())
        .when(unknown)
        .then(None)
        .otherwise(raw)
        .cast(pl.Int64)
        .alias("rows_affected")
    )


def row_count_rule(adapter_type: str | None) -> str:
    """One sentence on what ``adapter_type`` reports as rows, for explanations."""
    adapter = (adapter_type or "").lower()
    if adapter in UNKNOWN_COUNT_ADAPTERS:
        return f"{adapter} reports no row counts"
    if adapter == "snowflake":
        return "snowflake reports rows_affected as a constant 1; only per-DML counts are used"
    if adapter in ("postgres", "redshift", "athena"):
        return f"{adapter} reports real counts for tables, -1 for views and 1 for tests"
    if adapter == "bigquery":
        return "bigquery reports real counts for tables and none for views"
    if not adapter:
        return "the adapter is unknown (no manifest); counts are used where not -1"
    return f"{adapter} row counts are used where present and not negative"
