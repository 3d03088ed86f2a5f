import datetime as dt

from monitor.analysis.config import Config
from monitor.analysis.health import (
    health_summary,
    latest_build,
    latest_run,
    missed_runs,
    run_health,
    window_start,
)
from tests.analysis.builder import T0, HistoryBuilder


def test_window_counts_back_from_the_newest_invocation() -> None:
    b = HistoryBuilder()
    for day in (0, 10, 40):
        b.invocation(day)
    start = window_start(b.frames(), dt.timedelta(days=30))
    assert start == T0 + dt.timedelta(days=10)


def test_run_health_counts_statuses_and_tells_ci_from_scheduled() -> None:
    b = HistoryBuilder()
    nightly = b.invocation(0)
    ci = b.invocation(0, hour=5, target="ci")
    labelled = b.invocation(1, labels=[("GITHUB_RUN_ID", "42")])
    b.invocations[0].update(n_success=5, n_pass=3, n_fail=1, n_error=1, n_skipped=2, n_warn=1)
    health = run_health(b.frames(), None)
    assert health["invocation_id"].to_list() == [nightly, ci, labelled]
    assert health["trigger"].to_list() == ["scheduled", "ci", "ci"]
    row = health.row(0, named=True)
    assert (row["ok"], row["warn"], row["failed"], row["skipped"]) == (8, 1, 2, 2)


def test_missed_night_is_a_gap_in_the_window() -> None:
    b = HistoryBuilder()
    ids = [b.invocation(day) for day in (0, 1, 2, 3, 4, 5, 7, 8)]
    [gap] = missed_runs(b.frames(), None, Config())
    assert gap.previous == T0 + dt.timedelta(days=5)
    assert gap.next == T0 + dt.timedelta(days=7)
    assert gap.missed == 1
    assert ids


def test_latest_run_groups_the_invocations_started_together() -> None:
    b = HistoryBuilder()
    b.invocation(0, "build")
    freshness = b.invocation(1, "source freshness")
    build = b.invocation(1, "build", hour=0.2)
    snapshot = b.invocation(1, "snapshot", hour=0.5)
    docs = b.invocation(1, "docs generate", hour=0.6)
    frames = b.frames()
    assert latest_run(frames) == [freshness, build, snapshot]
    assert latest_build(frames) == build
    assert docs not in latest_run(frames)


def test_summary_counts_and_median_of_scheduled_builds() -> None:
    b = HistoryBuilder()
    for day, seconds in enumerate((10.0, 30.0, 20.0)):
        b.invocation(day, "source freshness")
        b.invocations[-1]["elapsed_time"] = 1.0
        b.invocation(day, "build", hour=0.1)
        b.invocations[-1].update(elapsed_time=seconds, n_fail=1 if day == 2 else 0)
    b.invocation(3, target="ci")
    b.invocations[-1]["elapsed_time"] = 99.0
    summary = health_summary(run_health(b.frames(), None))
    assert (summary.invocations, summary.scheduled, summary.ci, summary.with_failures) == (
        7,
        6,
        1,
        1,
    )
    assert summary.median_wall == 20.0
