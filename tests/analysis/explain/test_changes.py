import pytest

from monitor.analysis.explain.changes import ROWS, RUNTIME, Change, Thresholds, change_points

STEADY = [2.0, 2.1, 1.9, 2.0, 2.05, 1.95, 2.0]


def test_steady_series_has_no_change() -> None:
    assert change_points(STEADY * 3, RUNTIME) == []


def test_step_up_is_found_at_its_first_run() -> None:
    [change] = change_points([*STEADY, 6.0, 6.1, 5.9, 6.0], RUNTIME)
    assert change == Change(7, "step", 2.0, 6.0)
    assert change.direction == 1
    assert change.ratio == 3.0


def test_step_down_is_found() -> None:
    [change] = change_points([*STEADY, 0.5, 0.5, 0.6], RUNTIME)
    assert (change.index, change.shape, change.direction) == (7, "step", -1)


def test_one_run_that_comes_back_is_a_spike() -> None:
    [change] = change_points([*STEADY, 9.0, 2.0, 2.1], RUNTIME)
    assert change == Change(7, "spike", 2.0, 9.0)


def test_two_runs_away_and_back_are_one_spike_at_the_first() -> None:
    [change] = change_points([*STEADY, 9.0, 11.0, 2.0, 2.1, 2.0], RUNTIME)
    assert change == Change(7, "spike", 2.0, 10.0)


def test_newest_run_alone_is_latest() -> None:
    [change] = change_points([*STEADY, 9.0], RUNTIME)
    assert change.shape == "latest"
    assert change.index == 7


def test_small_absolute_change_is_ignored() -> None:
    # 4x, but only +0.3 s: below the 0.5 s floor
    assert change_points([0.1, 0.1, 0.1, 0.1, 0.4, 0.4, 0.4], RUNTIME) == []


def test_noisy_baseline_needs_a_larger_change() -> None:
    noisy = [2.0, 5.0, 3.0, 6.0, 2.0, 5.0, 4.0]
    assert change_points([*noisy, 7.0, 7.0, 7.0], RUNTIME) == []


def test_baseline_restarts_after_a_step() -> None:
    series = [*STEADY, 6.0, 6.0, 6.0, 6.0, 18.0, 18.0, 18.0]
    changes = change_points(series, RUNTIME)
    assert [(c.index, c.shape, c.before, c.after) for c in changes] == [
        (7, "step", 2.0, 6.0),
        (11, "step", 6.0, 18.0),
    ]


def test_too_few_runs_give_no_baseline() -> None:
    assert change_points([1.0, 9.0, 9.0], RUNTIME) == []


def test_rows_from_zero_and_to_zero() -> None:
    up = change_points([0.0, 0.0, 0.0, 500.0, 500.0], ROWS)
    assert [(c.index, c.direction) for c in up] == [(3, 1)]
    assert up[0].ratio == float("inf")
    [down] = change_points([400.0, 410.0, 420.0, 0.0, 430.0], ROWS)
    assert (down.index, down.shape, down.after) == (3, "spike", 0.0)


@pytest.mark.parametrize("ratio", [1.5, 3.0])
def test_ratio_threshold_is_inclusive(ratio: float) -> None:
    limits = Thresholds(ratio=ratio, min_change=0.0, mad_factor=0.0)
    [change] = change_points([1.0, 1.0, 1.0, ratio, ratio, ratio], limits)
    assert change.shape == "step"
