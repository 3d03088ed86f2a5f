import datetime as dt

import polars as pl
import pytest

from monitor.analysis.queries.windows import Window, parse_moment, parse_window
from monitor.errors import MonitorError

NEWEST = dt.datetime(2021, 2, 17, 2, 0, 5, tzinfo=dt.UTC)


def at(day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(2021, 2, day, hour, minute, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("1d", at(17)),  # the newest invocation's day
        ("7d", at(11)),  # ... and the six days before it
        ("2w", at(4)),
        ("24h", NEWEST - dt.timedelta(hours=24)),
        ("2021-02-08", at(8)),
        ("2021-02-08T12:30", at(8, 12, 30)),
        ("2021-02-08T12:30+01:00", at(8, 11, 30)),
    ],
)
def test_since(text: str, start: dt.datetime) -> None:
    assert parse_moment(text, NEWEST, option="--since", end=False) == start


def test_until_a_date_includes_its_day_and_days_count_back_whole() -> None:
    end_of_8th = at(9) - dt.timedelta(microseconds=1)
    assert parse_moment("2021-02-08", NEWEST, option="--until", end=True) == end_of_8th
    assert parse_moment("9d", NEWEST, option="--until", end=True) == end_of_8th
    assert parse_moment("12h", NEWEST, option="--until", end=True) == at(16, 14, 0) + dt.timedelta(
        seconds=5
    )


@pytest.mark.parametrize("text", ["yesterday", "7 days", "0d", "2021-02-31"])
def test_bad_moments_say_what_is_expected(text: str) -> None:
    with pytest.raises(MonitorError, match="--since"):
        parse_moment(text, NEWEST, option="--since", end=False)


def test_until_before_since_is_an_error() -> None:
    with pytest.raises(MonitorError, match="--until 2021-02-01 is before --since 2021-02-05"):
        parse_window("2021-02-05", "2021-02-01", NEWEST)


def test_window_filters_and_names_its_first_partition() -> None:
    window = parse_window("2021-02-08", "2021-02-09", NEWEST)
    assert window.first_day == dt.date(2021, 2, 8)
    frame = pl.DataFrame({"started_at": [at(7, 23), at(8, 2), at(9, 23, 59), at(10)]})
    assert frame.filter(window.contains())["started_at"].to_list() == [at(8, 2), at(9, 23, 59)]
    assert Window().first_day is None
    assert frame.filter(Window().contains()).height == 4
    assert window.describe() == "2021-02-08 00:00 to 2021-02-09 23:59"
