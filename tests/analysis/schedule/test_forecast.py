import datetime as dt

import pytest

from monitor.analysis.schedule.forecast import forecast
from monitor.errors import MonitorError
from tests.analysis.builder import T0, HistoryBuilder


def history(nights: int, seconds: float = 60.0) -> HistoryBuilder:
    """a -> b each night at 02:00, same durations every night."""
    b = HistoryBuilder()
    b.node("model.p.a")
    b.node("model.p.b", depends_on=["model.p.a"])
    b.exposure("exposure.p.dash", ["model.p.b"])
    for day in range(nights):
        inv = b.invocation(day, labels=[("job", "nightly")])
        start = T0 + dt.timedelta(days=day, seconds=5)
        for i, node in enumerate(("model.p.a", "model.p.b")):
            begin = start + dt.timedelta(seconds=i * seconds)
            b.run(
                inv,
                node,
                seconds,
                compile_started_at=begin,
                execute_completed_at=begin + dt.timedelta(seconds=seconds),
            )
    return b


def test_steady_runs_forecast_their_own_finish() -> None:
    frames = history(6).frames()
    result = forecast(frames, "nightly build", samples=50)
    assert result.next_start == T0 + dt.timedelta(days=6)
    assert result.runs_used == 6
    assert result.p50_finish == result.p90_finish == T0 + dt.timedelta(days=6, seconds=125)
    [dash] = result.exposures
    assert dash.p90_ready == T0 + dt.timedelta(days=6, seconds=125)


def test_fewer_than_five_runs_is_a_user_error() -> None:
    with pytest.raises(
        MonitorError, match="has 4 runs in the history; a forecast needs at least 5"
    ):
        forecast(history(4).frames(), "nightly build")
