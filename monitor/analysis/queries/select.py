"""``--select``: dbt's node selection syntax, on the nodes the history knows.

Supported: a name or unique_id (``fct_orders``, ``model.greenery.fct_orders``,
shell wildcards such as ``stg_*``), ``tag:nightly``, ``path:models/marts``,
``resource_type:test`` (also ``type:``), ``source:raw`` and ``package:greenery``;
``+`` before or after a term adds its ancestors or descendants (``fct_orders+``,
``1+fct_orders``). As in dbt, words separated by spaces (or repeated
``--select`` options) are a union and terms joined by commas an intersection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import polars as pl

from monitor.analysis.lineage import Dag
from monitor.errors import MonitorError

METHODS = ("tag", "path", "resource_type", "type", "source", "package")
_GRAPH = re.compile(r"^(?:(\d*)\+)?(.+?)(?:\+(\d*))?$")


def latest_versions(nodes: pl.DataFrame) -> pl.DataFrame:
    """Each node's newest known version: what the project looks like now."""
    return nodes.sort("first_seen_at").unique("unique_id", keep="last", maintain_order=True)


def select(nodes: pl.DataFrame, selectors: Iterable[str]) -> set[str] | None:
    """The unique_ids ``selectors`` pick among ``nodes`` (latest versions); None selects all.

    A selector that matches no node is a user error naming it.
    """
    words = [word for text in selectors for word in text.split()]
    if not words:
        return None
    dag = Dag.of(nodes)
    chosen: set[str] = set()
    for word in words:
        terms = [_term(nodes, dag, term) for term in word.split(",") if term]
        matched = set.intersection(*terms) if terms else set()
        if not matched:
            raise MonitorError(
                f"--select {word!r} matches no node in the history "
                "(try a name, tag:…, path:…, resource_type:…)"
            )
        chosen |= matched
    return chosen


def _term(nodes: pl.DataFrame, dag: Dag, term: str) -> set[str]:
    graph = _GRAPH.match(term)
    assert graph is not None  # the pattern matches every non-empty string
    up, body, down = graph.group(1), graph.group(2), graph.group(3)
    found = set(nodes.filter(_method(body))["unique_id"].to_list())
    result = set(found)
    if up is not None:
        for node in found:
            result |= _within(dag.parents, node, up)
    if down is not None:
        for node in found:
            result |= _within(dag.children, node, down)
    return result


def _method(body: str) -> pl.Expr:
    method, sep, value = body.partition(":")
    if not sep:
        return _by_name(body)
    if method not in METHODS:
        raise MonitorError(
            f"--select {body!r}: unknown method {method!r} (known: {', '.join(METHODS)})"
        )
    if method == "tag":
        return pl.col("tags").list.eval(_glob(pl.element(), value)).list.any()
    if method == "path":
        prefix = value.rstrip("/")
        return (
            (pl.col("path") == prefix)
            | pl.col("path").str.starts_with(prefix + "/")
            | _glob(pl.col("path"), value)
        ).fill_null(value=False)
    if method in ("resource_type", "type"):
        return pl.col("resource_type") == value
    if method == "source":
        source, _, table = value.partition(".")
        matched = _glob(pl.col("source_name"), source)
        if table:
            matched = matched & _glob(pl.col("name"), table)
        return (pl.col("resource_type") == "source") & matched.fill_null(value=False)
    return _glob(pl.col("package_name"), value).fill_null(value=False)


def _by_name(pattern: str) -> pl.Expr:
    source_name = pl.concat_str(pl.col("source_name"), pl.col("name"), separator=".")
    return (
        _glob(pl.col("name"), pattern)
        | _glob(pl.col("unique_id"), pattern)
        | _glob(source_name, pattern).fill_null(value=False)
    ).fill_null(value=False)


def _glob(column: pl.Expr, pattern: str) -> pl.Expr:
    if not any(char in pattern for char in "*?["):
        return column == pattern
    return column.str.contains(glob_regex(pattern))


def glob_regex(pattern: str) -> str:
    """A shell wildcard (``*``, ``?``, ``[abc]``) as an anchored regular expression."""
    parts = []
    for piece in re.split(r"(\*|\?|\[[^\]]*\])", pattern):
        if piece == "*":
            parts.append(".*")
        elif piece == "?":
            parts.append(".")
        elif piece.startswith("[") and piece.endswith("]") and len(piece) > 2:
            parts.append("[" + piece[1:-1].replace("\\", "\\\\") + "]")
        else:
            parts.append(re.escape(piece))
    return "^" + "".join(parts) + "$"


def _within(edges: dict[str, set[str]], start: str, depth: str) -> set[str]:
    limit = int(depth) if depth else None
    seen: set[str] = set()
    frontier = {start}
    steps = 0
    while frontier and (limit is None or steps < limit):
        frontier = {nxt for node in frontier for nxt in edges.get(node, ())} - seen
        seen |= frontier
        steps += 1
    return seen
