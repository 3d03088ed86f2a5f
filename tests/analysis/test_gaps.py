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


def test_missed_night_is_reported_on_each_jobs_first_invocation_after_it() -> None:
    b, runs = nightly_with_gap([0, 1, 2, 3, 4, 5, 7, 8])
    frames = b.frames()
    [fresh] = run_gaps(frames, runs[7][0], Config())
    assert fresh.kind == "run_gap"
    assert fresh.evidence["missed_runs"] == 1
    assert fresh.evidence["job"] == "prod source freshness"
    assert fresh.message == (
        "no run of job 'prod source freshness' between 2021-02-06 02:00 and 2021-02-08 02:00: "
        "1 expected run missed (schedule: every day)"
    )
    # the nightly build is a job of its own: its check mentions its missed night too
    [build] = run_gaps(frames, runs[7][1], Config())
    assert build.evidence["job"] == "prod build"
    assert run_gaps(frames, runs[8][0], Config()) == []
    assert run_gaps(frames, runs[8][1], Config()) == []
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


def test_jobs_are_named_by_label_env_or_target_with_their_command() -> None:
    b = HistoryBuilder()
    runs = {}
    for day in [0, 1, 2, 3, 4, 5, 7]:
        nightly = b.invocation(day, "build", labels=[("job", "nightly")])
        ci = b.invocation(day, "build", hour=3, target="ci")
        runs[day] = (nightly, ci)
    # a PR build on the missing night keeps the ci job regular, not the nightly one
    b.invocation(6, "build", hour=3, target="ci")
    frames = b.frames()
    [finding] = run_gaps(frames, runs[7][0], Config())
    assert finding.evidence["job"] == "nightly build"
    assert run_gaps(frames, runs[7][1], Config()) == []


def test_invocations_that_execute_nothing_have_no_gap() -> None:
    b, _ = nightly_with_gap([0, 1, 2, 3, 4, 5])
    docs = b.invocation(7, "docs generate")
    assert run_gaps(b.frames(), docs, Config()) == []
