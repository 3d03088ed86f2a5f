from monitor.analysis.config import Config
from monitor.analysis.gaps import run_gaps
from tests.analysis.builder import HistoryBuilder


def nightly_with_gap(days: list[int]) -> tuple[HistoryBuilder, dict[int, tuple[str, str]]]:
    b = HistoryBuilder()
    runs = {}
    for day in days:
        freshness = b.invocation(day, "source freshness")
        build = b.invocation(day, "build", hour=0.01)
        runs[day] = (freshness, build)
    return b, runs


def test_missed_night_is_reported_on_the_first_invocation_after_it() -> None:
    b, runs = nightly_with_gap([0, 1, 2, 3, 4, 5, 7, 8])
    frames = b.frames()
    [finding] = run_gaps(frames, runs[7][0], Config())
    assert finding.kind == "run_gap"
    assert finding.evidence["missed_runs"] == 1
    assert run_gaps(frames, runs[7][1], Config()) == []  # same run, not first
    assert run_gaps(frames, runs[8][0], Config()) == []
    assert run_gaps(frames, runs[5][0], Config()) == []


def test_no_schedule_inferred_from_too_few_runs() -> None:
    b, runs = nightly_with_gap([0, 1, 5])
    assert run_gaps(b.frames(), runs[5][0], Config()) == []


def test_configured_schedule_is_used() -> None:
    b, runs = nightly_with_gap([0, 1, 5])
    [finding] = run_gaps(b.frames(), runs[5][0], Config(schedule_hours=24))
    assert finding.evidence["missed_runs"] == 3


def test_irregular_runs_have_no_schedule() -> None:
    b, runs = nightly_with_gap([0, 1, 4, 5, 9, 10, 16, 30])
    assert run_gaps(b.frames(), runs[30][0], Config()) == []


def test_invocations_without_environment_join_the_schedule_they_run_with() -> None:
    b = HistoryBuilder()
    runs = {}
    for day in [0, 1, 2, 3, 4, 5, 7]:
        freshness = b.invocation(day, "source freshness", target="")  # sources.json has no target
        build = b.invocation(day, "build", hour=0.01, target="prod")
        runs[day] = (freshness, build)
    frames = b.frames()
    [finding] = run_gaps(frames, runs[7][0], Config())
    assert "environment" not in finding.message
    assert run_gaps(frames, runs[7][1], Config()) == []  # the build is not the run's first
