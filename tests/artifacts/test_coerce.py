import datetime as dt

import pytest

from monitor.artifacts import coerce

UTC = dt.UTC


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-08-12T09:11:56.136770Z", dt.datetime(2021, 8, 12, 9, 11, 56, 136770, tzinfo=UTC)),
        ("2021-08-12T11:11:56+02:00", dt.datetime(2021, 8, 12, 9, 11, 56, tzinfo=UTC)),
        ("2021-08-12T09:11:56.123456789Z", dt.datetime(2021, 8, 12, 9, 11, 56, 123456, tzinfo=UTC)),
        ("2021-08-12 09:11:56", dt.datetime(2021, 8, 12, 9, 11, 56, tzinfo=UTC)),  # naive: UTC
        ("yesterday", None),
        ("", None),
        (None, None),
        (1628759516, None),
    ],
)
def test_timestamp(value: object, expected: dt.datetime | None) -> None:
    assert coerce.timestamp(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (7, 7),
        (7.0, 7),
        ("1,234", 1234),
        ("12.0", 12),
        ("many", None),
        (True, None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_integer(value: object, expected: int | None) -> None:
    assert coerce.integer(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("OK", "OK"), (0, "0"), (1.5, "1.5"), (False, None), (None, None), ({"a": 1}, None)],
)
def test_text(value: object, expected: str | None) -> None:
    assert coerce.text(value) == expected


@pytest.mark.parametrize(
    ("count", "period", "seconds"),
    [
        (30, "minute", 1800.0),
        (12, "hour", 43200.0),
        (2, "day", 172800.0),
        (1, "Day", 86400.0),
        (None, "hour", None),
        (3, None, None),
        (3, "fortnight", None),
    ],
)
def test_duration(count: object, period: object, seconds: float | None) -> None:
    assert coerce.duration(count, period) == seconds
