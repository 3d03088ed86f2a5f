import datetime as dt

from monitor.analysis.config import config_from_dict
from monitor.analysis.cost.spike import cost_spikes
from tests.analysis.builder import T0, HistoryBuilder

PRICED = {"cost": {"currency": "USD", "rate_per_hour": {"postgres": 3600.0}, "spike_floor": 5.0}}


def history(seconds: list[float], adapter: str = "postgres") -> tuple[HistoryBuilder, list[str]]:
    b = HistoryBuilder()
    ids = []
    for day, value in enumerate(seconds):
        inv = b.invocation(day)
        b.invocations[-1]["adapter_type"] = adapter
        start = T0 + dt.timedelta(days=day)
        b.run(
            inv,
            "model.p.big",
            value,
            execute_started_at=start,
            execute_completed_at=start + dt.timedelta(seconds=value),
        )
        ids.append(inv)
    return b, ids


def test_a_node_costing_twice_its_median_and_above_the_floor() -> None:
    b, ids = history([10, 11, 10, 12, 25])  # 1 USD a second
    [finding] = cost_spikes(b.frames(), ids[-1], config_from_dict(PRICED))
    assert (finding.kind, finding.severity, finding.unique_id) == (
        "cost_spike",
        "warn",
        "model.p.big",
    )
    assert finding.evidence["cost"] == 25.0 and finding.evidence["baseline"] == 10.5
    assert "25.00 USD" in finding.message and "warehouse_time" in finding.message
    assert cost_spikes(b.frames(), ids[-2], config_from_dict(PRICED)) == []


def test_below_the_floor_or_unpriced_is_not_a_spike() -> None:
    b, ids = history([1, 1, 1, 1, 3])  # 3x, but 3 USD < the 5 USD floor
    assert cost_spikes(b.frames(), ids[-1], config_from_dict(PRICED)) == []
    b, ids = history([10, 11, 10, 12, 25], adapter="duckdb")  # no price: slow_model's job
    assert cost_spikes(b.frames(), ids[-1], config_from_dict(PRICED)) == []
