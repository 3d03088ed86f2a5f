import datetime as dt

import pytest

from monitor.analysis.schedule.deadline import Deadline, meta_deadline, parse_deadline
from monitor.errors import MonitorError


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("started", "due"),
    [
        ("2021-02-01T02:00", "2021-02-01T06:30"),  # a night run: that morning
        ("2021-01-31T23:30", "2021-02-01T06:30"),  # before midnight: the next morning
        ("2021-02-01T06:45", "2021-02-01T06:30"),  # started late: that morning's, missed
        ("2021-02-01T19:00", "2021-02-02T06:30"),  # an evening run: tomorrow's
    ],
)
def test_a_runs_deadline(started: str, due: str) -> None:
    assert Deadline(dt.time(6, 30)).due(at(started)) == at(due)


def test_deadlines_follow_the_time_zone_and_its_daylight_saving() -> None:
    amsterdam = Deadline(dt.time(6, 30), "Europe/Amsterdam")
    assert amsterdam.due(at("2021-02-01T02:00")) == at("2021-02-01T05:30")  # CET
    assert amsterdam.due(at("2021-07-01T02:00")) == at("2021-07-01T04:30")  # CEST


def test_parse_and_meta() -> None:
    assert parse_deadline({"ready_by": "06:30:15"}, "sla.x", "f").ready_by == dt.time(6, 30, 15)
    meta = '{"dbt_monitor": {"ready_by": "07:00", "timezone": "Europe/Paris"}, "owner": "x"}'
    assert meta_deadline(meta, "model.p.m") == Deadline(dt.time(7, 0), "Europe/Paris")
    assert meta_deadline('{"owner": "x"}', "model.p.m") is None
    with pytest.raises(MonitorError, match="model.p.m: meta.dbt_monitor.ready_by"):
        meta_deadline('{"dbt_monitor": {"ready_by": "7am"}}', "model.p.m")
