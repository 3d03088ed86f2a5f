"""Loosely typed JSON values into column values: UTC timestamps, ints, text.

dbt and its adapters are not always consistent (a row count as ``100.0``, a
naive timestamp, a message that is a number), so every value that lands in a
typed column goes through one of these. None of them raise: a value that
cannot be read becomes ``None``.
"""

from __future__ import annotations

import datetime as dt
import math

import polars as pl

PERIOD_SECONDS: dict[str, float] = {"second": 1.0, "minute": 60.0, "hour": 3600.0, "day": 86400.0}
"""Seconds in each freshness ``period`` (dbt uses minute, hour and day)."""


def timestamp(value: object) -> dt.datetime | None:
    """An ISO-8601 timestamp as an aware UTC datetime (naive ones are UTC)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=dt.UTC)
        return parsed.astimezone(dt.UTC)
    except (ValueError, OverflowError):  # not ISO-8601, or out of range once in UTC
        return None


INT64 = range(-(2**63), 2**63)
"""What an Int64 column holds: a larger count is not a count."""


def integer(value: object) -> int | None:
    """An int from an int, an integral float or a numeric string (within Int64)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value in INT64 else None
    if isinstance(value, float):
        return integer(int(value)) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            return integer(int(float(value.replace(",", ""))))
        except (ValueError, OverflowError):
            return None
    return None


def integers(values: list[object]) -> list[int | None]:
    """:func:`integer` of each value; plain ints and nulls take a fast path."""
    low, high = -(2**63), 2**63
    return [
        value if value is None or (type(value) is int and low <= value < high) else integer(value)
        for value in values
    ]


ISO_UTC = "%Y-%m-%dT%H:%M:%S%.fZ"
"""How dbt writes a timing timestamp (parsed in bulk; others one by one)."""


def timestamps(name: str, values: list[object]) -> pl.Series:
    """:func:`timestamp` of each value as a UTC datetime column, parsed in bulk.

    Values in dbt's usual ``...Z`` form are parsed by Polars at once; any
    other text goes through :func:`timestamp`, so the result is the same.
    """
    return timestamp_columns({name: values})[0]


def timestamp_columns(columns: dict[str, list[object]]) -> list[pl.Series]:
    """:func:`timestamps` of several columns, parsed side by side in one Polars pass."""
    texts = pl.DataFrame(
        [
            pl.Series(name, [v if type(v) is str else None for v in values], dtype=pl.String)
            for name, values in columns.items()
        ]
    )
    parsed = texts.select(
        pl.all().str.to_datetime(ISO_UTC, time_unit="us", time_zone="UTC", strict=False)
    )
    found = []
    for name, values in columns.items():
        column = parsed[name]
        missed = (column.is_null() & texts[name].is_not_null()).arg_true()
        if missed.len():
            fixed = [timestamp(values[index]) for index in missed]
            column = column.scatter(missed, pl.Series(fixed, dtype=column.dtype))
        found.append(column)
    return found


def number(value: object) -> float | None:
    """A float from an int or float (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def text(value: object) -> str | None:
    """A string as is, a number as its decimal text, anything else ``None``."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def texts(values: list[object]) -> list[str | None]:
    """:func:`text` of each value; strings and nulls take a fast path."""
    return [value if value is None or type(value) is str else text(value) for value in values]


def numbers(values: list[object]) -> list[float | None]:
    """:func:`number` of each value; floats and nulls take a fast path."""
    return [value if value is None or type(value) is float else number(value) for value in values]


def lower(value: object) -> str | None:
    """A string in lower case (dbt Fusion writes ``Pass``, dbt Core ``pass``)."""
    return value.lower() if isinstance(value, str) else None


def duration(count: object, period: object) -> float | None:
    """Seconds in a dbt freshness threshold ``{count, period}``."""
    amount = number(count)
    if amount is None or not isinstance(period, str):
        return None
    seconds = PERIOD_SECONDS.get(period.lower())
    return None if seconds is None else amount * seconds
