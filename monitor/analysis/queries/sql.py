"""``sql``: any SQL over the history tables, through Polars' SQL engine.

The tables are ``invocations``, ``node_runs``, ``freshness``, ``nodes`` and
``exposures`` (one row per node version, at its first sighting) and
``findings`` (computed on demand, only when the query names it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from monitor.errors import MonitorError

TABLE_NAMES = ("invocations", "node_runs", "freshness", "nodes", "exposures", "findings")

_NOISE = ("Resolved plan until failure", "Error originated just after this operation")
"""Where Polars starts explaining its plan: not the user's concern."""


def mentions(query: str, table: str) -> bool:
    """Whether ``query`` names ``table`` (as a word, case-insensitively)."""
    return re.search(rf"\b{re.escape(table)}\b", query, flags=re.IGNORECASE) is not None


def run_sql(
    query: str, tables: dict[str, pl.LazyFrame], findings: Callable[[], pl.DataFrame]
) -> pl.DataFrame:
    """The result of ``query``; ``findings`` is called only when the query names that table.

    Any error the SQL causes is a user error carrying Polars' message on one line.
    """
    frames = dict(tables)
    if mentions(query, "findings"):
        frames["findings"] = findings().lazy()
    try:
        with pl.SQLContext(frames=frames, eager=False) as context:
            return context.execute(query).collect()
    except pl.exceptions.PolarsError as err:
        raise MonitorError(f"SQL: {one_line(str(err))}") from None


def one_line(message: str) -> str:
    """Polars' message without its plan dump, on one line."""
    kept = []
    for line in message.strip().splitlines():
        if any(line.strip().startswith(noise) for noise in _NOISE):
            break
        if line.strip():
            kept.append(line.strip())
    return " ".join(kept) or message.strip()
