"""``sql``: any SQL over the history tables, through Polars' SQL engine.

The tables are ``invocations``, ``node_runs``, ``freshness`` (each with the
``date`` partition column), ``nodes`` and ``exposures`` (one row per node
version, at its first sighting) and ``findings`` (computed on demand, only
when the query names it).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import polars as pl

from monitor.analysis.frames import versions
from monitor.analysis.queries.windows import Window
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.tables import Tables

TABLE_NAMES = ("invocations", "node_runs", "freshness", "nodes", "exposures", "findings")

_NOISE = ("Resolved plan until failure", "Error originated just after this operation")
"""Where Polars starts explaining its plan: not the user's concern."""


def sql_tables(tables: Tables, window: Window) -> dict[str, pl.LazyFrame]:
    """The tables a query sees: the window's invocations and their rows, every node version.

    ``invocations``, ``node_runs`` and ``freshness`` end in ``date``, the
    Hive partition column (the UTC day the invocation started) that DuckDB
    and Spark read from the folder names.
    """
    invocations = tables.invocations.filter(window.contains()).with_columns(
        pl.col("started_at").dt.convert_time_zone("UTC").dt.date().alias("date")
    )
    days = invocations.select("invocation_id", "date").unique("invocation_id")
    return {
        "invocations": invocations,
        "node_runs": tables.node_runs.join(days, on="invocation_id", how="inner"),
        "freshness": tables.freshness.join(days, on="invocation_id", how="inner"),
        "nodes": versions(tables.nodes),
        "exposures": versions(tables.exposures),
    }


def mentions(query: str, table: str) -> bool:
    """Whether ``query`` names ``table`` (as a word, case-insensitively)."""
    return re.search(rf"\b{re.escape(table)}\b", query, flags=re.IGNORECASE) is not None


def run_sql(
    query: str, tables: dict[str, pl.LazyFrame], findings: Callable[[], pl.DataFrame]
) -> pl.DataFrame:
    """The result of ``query``; ``findings`` is called only when the query names that table.

    Any error the SQL causes is a user error carrying Polars' message on one
    line. Columns are named as SQL names them (:func:`sql_names`).
    """
    frames = dict(tables)
    if mentions(query, "findings"):
        frames["findings"] = findings().lazy()
    try:
        with pl.SQLContext(frames=frames, eager=False) as context:
            result = context.execute(query).collect(engine=ENGINE)
    except pl.exceptions.PolarsError as err:
        raise MonitorError(f"SQL: {one_line(str(err))}") from None
    names = sql_names(query, result.columns)
    if names != result.columns and len(set(names)) == len(names):
        result = result.rename(dict(zip(result.columns, names, strict=True)))
    return result


_PLAIN_COLUMN = re.compile(r'^(?:[A-Za-z_]\w*\.)?(?:[A-Za-z_]\w*|"[^"]+")$')
_ALIASED = re.compile(r'\s(?:AS\s+)?(?:[A-Za-z_]\w*|"[^"]+")$', re.IGNORECASE)


def sql_names(query: str, columns: list[str]) -> list[str]:
    """Column names as SQL spells them: an unaliased ``count(*)`` is ``count(*)``, not ``len``.

    Polars names an aggregate after its input (``sum(x)`` is ``x``, ``count(*)``
    is ``len``). The outermost select list, read here, gives each expression
    without an alias its own text as its name; plain columns, aliases and
    ``*`` keep Polars' names. When the list cannot be matched to the result
    column for column, Polars' names stay.
    """
    items = select_items(query)
    if items is None or len(items) != len(columns):
        return columns
    names = []
    for item, column in zip(items, columns, strict=True):
        text = " ".join(item.split())
        plain = _PLAIN_COLUMN.match(text) or (text.endswith("*") and "(" not in text)
        names.append(column if plain or _aliased(text) else text)
    return names


_NOT_ALIASES = {"END", "NULL", "TRUE", "FALSE", "DESC", "ASC"}


def _aliased(text: str) -> bool:
    """Whether a select item ends in an alias (``… AS n`` or ``… n``)."""
    match = _ALIASED.search(text)
    if match is None:
        return False
    word = match.group().split()[-1]
    if match.group().strip().upper().startswith("AS "):
        return True
    before = text[: match.start()].rstrip()
    return word.upper() not in _NOT_ALIASES and not before.endswith(tuple("+-*/%|<>=,("))


def select_items(query: str) -> list[str] | None:
    """The expressions of the outermost SELECT list (None when there is none to read)."""
    words = _top_level(query)
    start = next((i for i, (word, _) in enumerate(words) if word == "SELECT"), None)
    if start is None:
        return None
    begin = words[start][1] + len("SELECT")
    end = next((pos for word, pos in words[start + 1 :] if word in _LIST_ENDS), len(query))
    body = query[begin:end].strip()
    body = re.sub(r"^(DISTINCT|ALL)\b", "", body, flags=re.IGNORECASE).strip()
    return _split_commas(body) if body else None


_LIST_ENDS = {"FROM", "WHERE", "GROUP", "ORDER", "LIMIT", "HAVING", "UNION", "EXCEPT", "INTERSECT"}


def _top_level(query: str) -> list[tuple[str, int]]:
    """Upper-cased words outside parentheses, quotes and comments, with their offsets."""
    found = []
    depth = 0
    i = 0
    while i < len(query):
        char = query[i]
        if char in "'\"`":
            close = query.find(char, i + 1)
            i = len(query) if close < 0 else close + 1
            continue
        if query.startswith("--", i):
            newline = query.find("\n", i)
            i = len(query) if newline < 0 else newline + 1
            continue
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif depth == 0 and (char.isalpha() or char == "_"):
            match = re.match(r"\w+", query[i:])
            assert match is not None
            found.append((match.group().upper(), i))
            i += len(match.group())
            continue
        i += 1
    return found


def _split_commas(text: str) -> list[str]:
    """``text`` split at commas outside parentheses and quotes."""
    items: list[str] = []
    current: list[str] = []
    depth, quote = 0, ""
    for char in text:
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"`":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            items.append("".join(current))
            current = []
            continue
        current.append(char)
    items.append("".join(current))
    return items


def one_line(message: str) -> str:
    """Polars' message without its plan dump, on one line."""
    kept = []
    for line in message.strip().splitlines():
        if any(line.strip().startswith(noise) for noise in _NOISE):
            break
        if line.strip():
            kept.append(line.strip())
    return " ".join(kept) or message.strip()
