"""Find one node by what a person calls it, or say which names come closest."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

import polars as pl

from monitor.analysis.frames import EXECUTABLE
from monitor.analysis.queries.node_runs import short_name
from monitor.errors import MonitorError

SUGGESTIONS = 5


def known_nodes(nodes: pl.DataFrame, seen_ids: Iterable[str] = ()) -> pl.DataFrame:
    """Every node a name may refer to: the manifest's nodes, plus ids only seen in runs.

    Columns: ``unique_id``, ``name``, ``resource_type``, ``alias`` (``source.table``
    for sources, else the name).
    """
    declared = nodes.select("unique_id", "name", "resource_type", "source_name").unique(
        "unique_id", keep="last", maintain_order=True
    )
    extra = sorted(set(seen_ids) - set(declared["unique_id"].to_list()))
    undeclared = pl.DataFrame({"unique_id": extra}, schema={"unique_id": pl.String}).select(
        "unique_id",
        short_name(),
        pl.col("unique_id").str.split(".").list.first().alias("resource_type"),
        pl.lit(None, dtype=pl.String).alias("source_name"),
    )
    return (
        pl.concat([declared, undeclared])
        .with_columns(
            pl.coalesce(pl.col("name"), short_name()).alias("name"),
        )
        .with_columns(
            pl.when(pl.col("source_name").is_not_null())
            .then(pl.concat_str("source_name", "name", separator="."))
            .otherwise(pl.col("name"))
            .alias("alias")
        )
        .drop("source_name")
    )


def resolve_node(known: pl.DataFrame, wanted: str) -> str:
    """The unique_id ``wanted`` names: a unique_id, a name, or ``source.table``.

    Several matches prefer the one model, seed or snapshot among them; an
    unknown name is a user error listing the closest names.
    """
    if wanted in known["unique_id"]:
        return wanted
    matches = known.filter((pl.col("name") == wanted) | (pl.col("alias") == wanted)).sort(
        "unique_id"
    )
    if matches.height > 1:
        executable = matches.filter(pl.col("resource_type").is_in(EXECUTABLE))
        if executable.height == 1:
            matches = executable
    ids = matches["unique_id"].to_list()
    if len(ids) == 1:
        return str(ids[0])
    if ids:
        raise MonitorError(
            f"{wanted!r} names {len(ids)} nodes ({', '.join(ids)}); give the unique_id"
        )
    raise MonitorError(f"no node {wanted!r} in the history{_closest(known, wanted)}")


def _closest(known: pl.DataFrame, wanted: str) -> str:
    names = sorted({*known["name"].to_list(), *known["alias"].to_list()})
    close = difflib.get_close_matches(wanted, names, n=SUGGESTIONS, cutoff=0.6)
    if not close:
        ids = known["unique_id"].to_list()
        close = difflib.get_close_matches(wanted, ids, n=SUGGESTIONS, cutoff=0.6)
    if not close:
        return '; `dbt-monitor sql "SELECT DISTINCT name FROM nodes"` lists the names'
    return f"; closest: {', '.join(close)}"
