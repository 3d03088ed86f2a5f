import datetime as dt

from monitor.analysis.queries.node_runs import freshness_in
from monitor.analysis.queries.sources import freshness_summary
from monitor.analysis.queries.windows import Window
from tests.analysis.builder import T0, HistoryBuilder
from tests.analysis.queries.tables import tables_of

EVENTS = "source.p.raw.events"
USERS = "source.p.raw.users"
HOUR = 3600.0


def history() -> HistoryBuilder:
    b = HistoryBuilder()
    ages = [
        # EVENTS                 USERS
        (("pass", 2.0), ("pass", 1.0)),
        (("error", 30.0), ("warn", 13.0)),
        (("error", 54.0), ("pass", 1.0)),
        (("pass", 3.0), ("pass", 2.0)),
    ]
    for day, checks in enumerate(ages):
        inv = b.invocation(day, "source freshness")
        for source, (status, hours) in zip((EVENTS, USERS), checks, strict=True):
            b.check(
                inv,
                source,
                status,
                hours * HOUR,
                warn_after=12 * HOUR,
                error_after=24 * HOUR,
                max_loaded_at=T0 + dt.timedelta(days=day, hours=-hours),
            )
    return b


def test_sources_with_their_late_days() -> None:
    found = freshness_summary(freshness_in(tables_of(history()), Window()))
    day = T0.date()
    assert found.select(
        "name", "status", "age_h", "checks", "warns", "errors", "late_share", "error_days"
    ).rows() == [
        ("raw.events", "pass", 3.0, 4, 0, 2, 0.5, [day + dt.timedelta(1), day + dt.timedelta(2)]),
        ("raw.users", "pass", 2.0, 4, 1, 0, 0.25, []),
    ]
    assert found["warn_days"].to_list() == [[], [day + dt.timedelta(1)]]
    assert found["warn_after_h"].to_list() == [12.0, 12.0]
    assert found["last_checked"].to_list() == [T0 + dt.timedelta(days=3)] * 2


def test_latest_status_first() -> None:
    window = Window(end=T0 + dt.timedelta(days=2))
    found = freshness_summary(freshness_in(tables_of(history()), window), limit=1)
    assert found.select("unique_id", "status", "age_h").rows() == [(EVENTS, "error", 54.0)]
