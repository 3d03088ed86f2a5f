import datetime as dt

from monitor.analysis.config import Config
from monitor.analysis.freshness import sources_not_advancing, stale_sources, unmonitored_sources
from tests.analysis.builder import T0, HistoryBuilder

SOURCE = "source.p.raw.orders"
HOUR = 3600.0


def test_error_status_names_age_and_error_threshold() -> None:
    b = HistoryBuilder()
    inv = b.invocation(0, "source freshness")
    b.check(
        inv,
        SOURCE,
        "error",
        30 * HOUR,
        warn_after=12 * HOUR,
        error_after=24 * HOUR,
        max_loaded_at=T0 - dt.timedelta(hours=30),
    )
    [finding] = stale_sources(b.frames(), inv)
    assert finding.severity == "error"
    assert finding.message == (
        "raw.orders is 30.0 h old (last loaded 2021-01-30 20:00), past its error_after of 24.0 h"
    )


def test_warn_status_is_a_warning_and_pass_is_quiet() -> None:
    b = HistoryBuilder()
    inv = b.invocation(0, "source freshness")
    b.check(inv, SOURCE, "warn", 13 * HOUR, warn_after=12 * HOUR, error_after=24 * HOUR)
    b.check(inv, "source.p.raw.users", "pass", HOUR, warn_after=12 * HOUR)
    [finding] = stale_sources(b.frames(), inv)
    assert (finding.severity, finding.unique_id) == ("warn", SOURCE)


def test_unchanged_max_loaded_at_is_not_advancing() -> None:
    b = HistoryBuilder()
    loaded = T0 - dt.timedelta(hours=1)
    ids = []
    for day in range(3):
        inv = b.invocation(day, "source freshness")
        b.check(inv, SOURCE, "pass", HOUR, max_loaded_at=loaded, warn_after=1e9)
        ids.append(inv)
    frames = b.frames()
    assert sources_not_advancing(frames, ids[1], Config()) == []
    [finding] = sources_not_advancing(frames, ids[2], Config())
    assert finding.severity == "warn"


def test_advancing_source_is_quiet() -> None:
    b = HistoryBuilder()
    ids = []
    for day in range(4):
        inv = b.invocation(day, "source freshness")
        b.check(inv, SOURCE, "pass", HOUR, max_loaded_at=T0 + dt.timedelta(days=day))
        ids.append(inv)
    assert sources_not_advancing(b.frames(), ids[-1], Config()) == []


def test_sources_without_criteria_are_unmonitored() -> None:
    b = HistoryBuilder()
    b.node("source.p.raw.addresses")
    b.node(SOURCE, warn_after=12 * HOUR)
    inv = b.invocation(0, "source freshness")
    [finding] = unmonitored_sources(b.frames(), inv)
    assert (finding.severity, finding.unique_id) == ("info", "source.p.raw.addresses")


def test_unmonitored_sources_are_raised_on_source_freshness_only() -> None:
    b = HistoryBuilder()
    b.node("source.p.raw.addresses")
    fresh = b.invocation(0, "source freshness")
    build = b.invocation(0, "build", hour=0.5)
    run = b.invocation(1, "run")
    frames = b.frames()
    assert [f.unique_id for f in unmonitored_sources(frames, fresh)] == ["source.p.raw.addresses"]
    assert unmonitored_sources(frames, build) == []
    assert unmonitored_sources(frames, run) == []
