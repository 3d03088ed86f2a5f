import datetime as dt

from monitor.analysis.source_ages import source_ages, source_summary, stale_periods, unmonitored
from tests.analysis.builder import T0, HistoryBuilder

SRC = "source.p.raw.orders"


def test_stale_period_runs_from_first_bad_check_to_next_pass() -> None:
    b = HistoryBuilder()
    statuses = ["pass", "warn", "error", "pass", "pass", "warn"]
    for day, status in enumerate(statuses):
        inv = b.invocation(day, "source freshness")
        b.check(inv, SRC, status, 3600.0 * (day + 1), warn_after=7200.0, error_after=14400.0)
    ages = source_ages(b.frames(), None)
    assert ages["age"].to_list() == [3600.0 * d for d in range(1, 7)]
    periods = stale_periods(ages).to_dicts()
    day = dt.timedelta(days=1)
    assert periods == [
        {"unique_id": SRC, "start": T0 + day, "end": T0 + 3 * day, "status": "error", "checks": 2},
        {
            "unique_id": SRC,
            "start": T0 + 5 * day,
            "end": T0 + 5 * day,
            "status": "warn",
            "checks": 1,
        },
    ]


def test_window_drops_older_checks() -> None:
    b = HistoryBuilder()
    for day in range(3):
        inv = b.invocation(day, "source freshness")
        b.check(inv, SRC, "pass", 60.0)
    assert source_ages(b.frames(), T0 + dt.timedelta(days=1)).height == 2


def test_sources_without_criteria() -> None:
    b = HistoryBuilder()
    b.node("source.p.raw.orders", warn_after=3600.0)
    b.node("source.p.raw.promos")
    b.node("model.p.m")
    b.invocation(0)
    assert unmonitored(b.frames(), T0) == ["source.p.raw.promos"]


def test_summary_puts_the_most_stale_source_first() -> None:
    b = HistoryBuilder()
    for day in range(3):
        inv = b.invocation(day, "source freshness")
        b.check(inv, "source.p.raw.a", "pass", 60.0)
        b.check(inv, "source.p.raw.b", "warn" if day else "pass", 7200.0 + day, warn_after=3600.0)
    summary = source_summary(source_ages(b.frames(), None)).to_dicts()
    assert [(r["unique_id"], r["status"], r["checks"], r["stale_checks"]) for r in summary] == [
        ("source.p.raw.b", "warn", 3, 2),
        ("source.p.raw.a", "pass", 3, 0),
    ]
    assert summary[0]["age"] == 7202.0
