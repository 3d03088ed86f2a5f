import pytest

from monitor.analysis.config import Config
from monitor.analysis.timing import creeping_models, slow_models, theil_sen
from tests.analysis.builder import HistoryBuilder, nightly

CONFIG = Config()
STEADY = [1.0, 1.1, 0.9, 1.0, 1.05, 0.95, 1.0]


def test_slow_run_is_flagged_with_ratio_and_median() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [*STEADY, 8.0])
    [finding] = slow_models(b.frames(), ids[-1], CONFIG)
    assert finding.kind == "slow_model"
    assert finding.severity == "error"  # 8x is past the error ratio of 4
    assert finding.evidence["baseline_median"] == 1.0
    assert finding.evidence["baseline_runs"] == 7
    assert (
        finding.message
        == "m took 8.00 s, 8.0× its median of 1.00 s over the last 7 successful runs"
    )


def test_ratio_between_two_and_four_is_a_warning() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [5.0, 5.0, 5.0, 15.0])
    [finding] = slow_models(b.frames(), ids[-1], CONFIG)
    assert finding.severity == "warn"


def test_large_ratio_but_small_increase_is_not_flagged() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [0.1, 0.1, 0.1, 3.0])
    assert slow_models(b.frames(), ids[-1], CONFIG) == []


def test_noisy_node_does_not_cry_wolf() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [2.0, 14.0, 3.0, 12.0, 2.5, 13.0, 6.0, 14.0])
    assert slow_models(b.frames(), ids[-1], CONFIG) == []


def test_first_run_and_too_few_runs_are_ignored() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [1.0, 1.0, 30.0])
    frames = b.frames()
    assert slow_models(frames, ids[0], CONFIG) == []
    assert slow_models(frames, ids[-1], CONFIG) == []  # only 2 runs before it


def test_baseline_uses_only_previous_runs() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [*STEADY, 8.0, *STEADY])
    frames = b.frames()
    assert slow_models(frames, ids[6], CONFIG) == []
    assert len(slow_models(frames, ids[7], CONFIG)) == 1


def test_full_refresh_neither_flagged_nor_baseline() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", STEADY)
    refresh = b.invocation(len(ids), full_refresh=True)
    b.run(refresh, "model.p.m", 60.0)
    frames = b.frames()
    assert slow_models(frames, refresh, CONFIG) == []


def test_failed_runs_do_not_feed_the_baseline() -> None:
    b = HistoryBuilder()
    ids = [b.invocation(day) for day in range(5)]
    for inv in ids[:4]:
        b.run(inv, "model.p.m", 30.0, status="error")
    b.run(ids[4], "model.p.m", 30.0)
    assert slow_models(b.frames(), ids[4], CONFIG) == []  # a node that only ever failed before


def test_other_environment_runs_are_not_the_baseline() -> None:
    b = HistoryBuilder()
    nightly(b, "model.p.m", [20.0] * 5, target="ci")
    ids = nightly(b, "model.p.m", [1.0] * 5, target="prod")
    pr = b.invocation(6, target="ci")
    b.run(pr, "model.p.m", 21.0)
    frames = b.frames()
    assert slow_models(frames, pr, CONFIG) == []
    prod = b.invocation(7, target="prod")
    b.run(prod, "model.p.m", 21.0)
    assert len(slow_models(b.frames(), prod, CONFIG)) == 1
    assert ids


def test_renamed_model_starts_a_fresh_history() -> None:
    b = HistoryBuilder()
    nightly(b, "model.p.old_name", STEADY)
    inv = b.invocation(len(STEADY))
    b.run(inv, "model.p.new_name", 9.0)
    assert slow_models(b.frames(), inv, CONFIG) == []


def test_everything_skipped_gives_no_timing_findings() -> None:
    b = HistoryBuilder()
    nightly(b, "model.p.m", STEADY)
    inv = b.invocation(len(STEADY))
    b.run(inv, "model.p.m", 0.0, status="skipped")
    frames = b.frames()
    assert slow_models(frames, inv, CONFIG) == []
    assert creeping_models(frames, inv, CONFIG) == []


def test_steady_growth_is_creeping() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [2.0 + 0.25 * d for d in range(14)])
    [finding] = creeping_models(b.frames(), ids[-1], CONFIG)
    assert finding.kind == "creeping_model"
    assert finding.severity == "warn"
    assert finding.evidence["slope_seconds_per_day"] == pytest.approx(0.25)
    assert finding.evidence["consistency"] == 1.0
    assert finding.message == (
        "m is getting slower: median 2.38 s over its first 4 runs, 4.88 s over its last 4 "
        "(2.1× as long), rising steadily over the last 14 runs"
    )
    assert (finding.evidence["first_third_median"], finding.evidence["last_third_median"]) == (
        2.375,
        4.875,
    )
    # and no single night is slow
    assert slow_models(b.frames(), ids[-1], CONFIG) == []


def test_a_creep_is_described_by_observed_values_never_an_extrapolated_negative() -> None:
    # flat near zero for weeks, then a steep climb: the fitted line starts below zero
    b = HistoryBuilder()
    seconds = [0.01] * 8 + [2.0, 4.0, 6.0, 8.0, 10.0, 12.0, 14.0, 16.0]
    ids = nightly(b, "model.p.m", seconds)
    [finding] = creeping_models(b.frames(), ids[-1], CONFIG)
    assert "-" not in finding.message.split(":", 1)[1].replace("--", "")
    assert finding.message == (
        "m is getting slower: median 0.01 s over its first 4 runs, 13.0 s over its last 4 "
        "(1300.0× as long), rising steadily over the last 14 runs"
    )
    assert finding.evidence["first_third_median"] == 0.01


def test_no_creep_without_a_positive_start() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [0.0] * 6 + [1.0 * d for d in range(1, 9)])
    assert creeping_models(b.frames(), ids[-1], CONFIG) == []


def test_two_slow_nights_are_not_a_creep() -> None:
    b = HistoryBuilder()
    seconds = [1.0, 1.02, 0.98, 1.01, 8.0, 8.1, 1.0, 0.99, 1.01, 1.0, 1.02, 0.98, 1.0, 1.01]
    ids = nightly(b, "model.p.m", seconds)
    assert creeping_models(b.frames(), ids[-1], CONFIG) == []


def test_a_step_up_that_stays_is_not_a_creep() -> None:
    # a code change made the model 60 % slower for good: slow_model and explain tell it
    b = HistoryBuilder()
    seconds = [2.6, 2.7, 2.5, 2.6, 2.7, 4.2, 4.3, 4.1, 4.2, 4.4, 4.2, 4.3, 4.1, 4.2]
    ids = nightly(b, "model.p.m", seconds)
    assert creeping_models(b.frames(), ids[-1], CONFIG) == []


def test_two_steps_then_flat_is_not_a_creep() -> None:
    b = HistoryBuilder()
    seconds = [2.6, 2.7, 2.5, 4.4, 4.6, 4.5, 4.4, 7.0, 7.2, 6.9, 7.1, 7.0, 7.2, 7.1]
    ids = nightly(b, "model.p.m", seconds)
    assert creeping_models(b.frames(), ids[-1], CONFIG) == []


def test_a_step_then_a_climb_is_still_a_creep() -> None:
    b = HistoryBuilder()
    seconds = [2.0, 2.0, 2.0, 4.0, 4.0, 4.0, 4.5, 5.0, 5.5, 6.0, 6.5, 7.0, 7.5, 8.0]
    ids = nightly(b, "model.p.m", seconds)
    [finding] = creeping_models(b.frames(), ids[-1], CONFIG)
    assert finding.kind == "creeping_model"


def test_tiny_growth_on_a_fast_model_is_not_a_creep() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.m", [0.05 + 0.01 * d for d in range(14)])
    assert creeping_models(b.frames(), ids[-1], CONFIG) == []


def test_theil_sen_ignores_one_outlier() -> None:
    b = HistoryBuilder()
    nightly(b, "model.p.m", [1.0, 2.0, 3.0, 40.0, 5.0, 6.0])
    trend = theil_sen(
        b.frames().node_runs.select(
            "unique_id",
            (
                (
                    b.frames().node_runs["started_at"] - b.frames().node_runs["started_at"].min()
                ).dt.total_seconds()
                / 86400
            ).alias("day"),
            b.frames().node_runs["execution_time"].alias("seconds"),
        )
    )
    assert trend["slope"][0] == pytest.approx(1.0)
