"""Frames as a terminal table, CSV, JSON or markdown.

``table`` fits the terminal: long cells are cut with ``…`` (dotted ids keep
their end, where the name is; other text keeps its start). ``csv`` and
``json`` are complete and carry no decoration, for pipes and scripts;
``json`` is an array of row objects. A column holding lists of numbers is a
series: a sparkline in ``table`` and ``markdown``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import textwrap
from collections.abc import Callable

import polars as pl

from monitor.render.safe_text import for_terminal, markdown_cell
from monitor.render.sparkline import sparkline

FORMATS = ("table", "csv", "json", "markdown")
GUTTER = "  "
ELLIPSIS = "…"
MIN_WIDTH = 6
"""No column is squeezed below this (or its natural width, if smaller)."""
COMFORT = 20
"""Text cut shorter than this is hard to read: rather leave out columns on the right."""
ID_COMFORT = 12
"""A uuid's first characters identify it (``check --invocation`` takes a prefix)."""
MAX_HEADER = 12
"""Headers up to this long stay whole when columns are squeezed."""

_DOTTED_ID = re.compile(r"^[\w-]+(\.[\w-]+)+$")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-", re.IGNORECASE)


def render(frame: pl.DataFrame, output_format: str, *, width: int | None = None) -> str:
    """``frame`` in ``output_format``, ending in a newline; ``width`` defaults to the terminal's."""
    if output_format == "csv":
        return as_csv(frame)
    if output_format == "json":
        return as_json(frame)
    if output_format == "markdown":
        return as_markdown(frame)
    return as_table(frame, width or shutil.get_terminal_size().columns)


def cut_note(shown: int, total: int, output_format: str = "table") -> str:
    """The line under a table that left rows out: ``20 of 26 shown; --limit 0 for all``."""
    note = f"{shown} of {total} shown; --limit 0 for all"
    return f"\n_{note}_\n" if output_format == "markdown" else f"{note}\n"


def as_csv(frame: pl.DataFrame) -> str:
    """Every row and column; lists of plain values joined with ``;``, other nesting as JSON."""
    return frame.with_columns(
        _flatten(frame[name]) for name, dtype in frame.schema.items() if dtype.is_nested()
    ).write_csv()


def _flatten(series: pl.Series) -> pl.Series:
    dtype = series.dtype
    if isinstance(dtype, pl.List) and not dtype.inner.is_nested():
        return series.cast(pl.List(pl.String)).list.join(";")
    texts = [None if v is None else json.dumps(v, default=str) for v in series.to_list()]
    return pl.Series(series.name, texts, dtype=pl.String)


def as_json(frame: pl.DataFrame) -> str:
    """A JSON array of row objects; timestamps in ISO 8601."""
    return frame.write_json() + "\n"


def as_markdown(frame: pl.DataFrame) -> str:
    """A GitHub-flavoured markdown table; numbers right-aligned.

    Every cell is literal text (:func:`~monitor.render.safe_text.markdown_cell`):
    no HTML, links or line breaks from artifacts get through.
    """
    header = "| " + " | ".join(markdown_cell(name) for name in frame.columns) + " |"
    rule = "|" + "|".join("---:" if _numeric(t) else "---" for t in frame.dtypes) + "|"
    body = ["| " + " | ".join(markdown_cell(cell) for cell in row) + " |" for row in _cells(frame)]
    return "\n".join([header, rule, *body]) + "\n"


def as_table(frame: pl.DataFrame, width: int) -> str:
    """Aligned columns fitted into ``width`` characters.

    Text columns give way first (cut with ``…``), uuids before any other;
    numbers and times are never cut. When that would leave a text column
    shorter than :data:`COMFORT`, the rightmost columns (the least important)
    are left out and a last line names them (wrapped, never cut). Text from
    artifacts is stripped of control characters and bidi overrides.
    """
    if not frame.columns:
        return "(no columns)\n"
    rows = _cells(frame)
    natural = [
        max([len(name), *(len(row[i]) for row in rows)]) for i, name in enumerate(frame.columns)
    ]
    floors = [
        min(n, max(MIN_WIDTH, min(len(name), MAX_HEADER))) if _cuttable(dtype) else n
        for n, name, dtype in zip(natural, frame.columns, frame.dtypes, strict=True)
    ]
    uuids = [_all_uuids(rows, i) for i in range(len(natural))]
    comforts = [
        min(n, ID_COMFORT if uuid else COMFORT) if _cuttable(dtype) else n
        for n, dtype, uuid in zip(natural, frame.dtypes, uuids, strict=True)
    ]
    if sum(natural) + len(GUTTER) * (len(natural) - 1) > width:
        # uuids give way first: their first characters are enough
        natural = [
            min(n, max(ID_COMFORT, len(name))) if uuid else n
            for n, uuid, name in zip(natural, uuids, frame.columns, strict=True)
        ]
    shown = len(natural)
    while shown > 1 and not _readable(natural[:shown], floors[:shown], comforts[:shown], width):
        shown -= 1
    widths = fit_widths(natural[:shown], floors[:shown], width - len(GUTTER) * (shown - 1))
    cutters = [_cutter(dtype) for dtype in frame.dtypes[:shown]]
    right = [_numeric(dtype) for dtype in frame.dtypes[:shown]]

    def line(cells: list[str]) -> str:
        parts = [
            cut(cell, w).rjust(w) if r else cut(cell, w).ljust(w)
            for cell, w, cut, r in zip(cells[:shown], widths, cutters, right, strict=True)
        ]
        return GUTTER.join(parts).rstrip()

    lines = [line(list(frame.columns)), GUTTER.join("─" * w for w in widths)]
    lines += [line(row) for row in rows]
    if not rows:
        lines.append("(no rows)")
    hidden = frame.columns[shown:]
    if hidden:
        more = f"{len(hidden)} more column{'s' if len(hidden) != 1 else ''}"
        note = f"({more}, --format csv shows all: {', '.join(hidden)})"
        lines.append(textwrap.fill(note, width=max(width, 20), break_on_hyphens=False))
    return "\n".join(lines) + "\n"


def _readable(natural: list[int], floors: list[int], comforts: list[int], width: int) -> bool:
    budget = width - len(GUTTER) * (len(natural) - 1)
    if sum(floors) > budget:
        return False
    fitted = fit_widths(natural, floors, budget)
    return all(w >= c for w, c in zip(fitted, comforts, strict=True))


def _all_uuids(rows: list[list[str]], column: int) -> bool:
    cells = [row[column] for row in rows if row[column]]
    return bool(cells) and all(_UUID.match(cell) for cell in cells)


def fit_widths(natural: list[int], floors: list[int], budget: int) -> list[int]:
    """Column widths summing to at most ``budget`` where the floors allow it.

    The widest columns give way first, none below its floor.
    """
    if sum(natural) <= budget:
        return natural
    low, high = 0, max(natural)
    while low < high:  # the largest cap that fits
        cap = (low + high + 1) // 2
        if sum(max(f, min(n, cap)) for n, f in zip(natural, floors, strict=True)) <= budget:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(n, low)) for n, f in zip(natural, floors, strict=True)]


def cut_end(text: str, width: int) -> str:
    """``text`` in ``width`` characters, keeping its start."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


def cut_start(text: str, width: int) -> str:
    """``text`` in ``width`` characters, keeping its end."""
    return text if len(text) <= width else ELLIPSIS + text[len(text) - max(width - 1, 0) :]


def cut_id(text: str, width: int) -> str:
    """Dotted ids (``model.greenery.fct_orders``) keep their end; other text its start."""
    return cut_start(text, width) if _DOTTED_ID.match(text) else cut_end(text, width)


def _cutter(dtype: pl.DataType) -> Callable[[str, int], str]:
    return cut_start if _series(dtype) else cut_id


def _cuttable(dtype: pl.DataType) -> bool:
    return dtype == pl.String or isinstance(dtype, pl.List | pl.Struct)


def _numeric(dtype: pl.DataType) -> bool:
    return dtype.is_numeric()


def _series(dtype: pl.DataType) -> bool:
    return isinstance(dtype, pl.List) and dtype.inner.is_numeric()


def _cells(frame: pl.DataFrame) -> list[list[str]]:
    formatters = [_formatter(dtype) for dtype in frame.dtypes]
    return [
        [fmt(value) for fmt, value in zip(formatters, row, strict=True)]
        for row in frame.iter_rows()
    ]


def _formatter(dtype: pl.DataType) -> Callable[[object], str]:
    if _series(dtype):
        return lambda v: sparkline(v) if isinstance(v, list) else ""
    return _cell


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        if value.keys() == {"key", "value"}:  # a label
            return f"{value['key']}={value['value']}"
        return json.dumps(value, default=str)
    return for_terminal(" ".join(str(value).split()))
