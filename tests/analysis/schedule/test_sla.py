import datetime as dt

from monitor.analysis.config import config_from_dict
from monitor.analysis.lineage import Dag
from monitor.analysis.schedule.sla import sla_findings
from tests.analysis.builder import T0, HistoryBuilder

MODEL = "model.p.report"


def nightly(ready_minutes: list[float]) -> tuple[HistoryBuilder, list[str]]:
    """One build a night at 02:00 whose model finishes ``ready_minutes`` later."""
    b = HistoryBuilder()
    b.node(MODEL)
    ids = []
    for day, minutes in enumerate(ready_minutes):
        inv = b.invocation(day, labels=[("job", "nightly")])
        start = T0 + dt.timedelta(days=day)
        b.run(
            inv,
            MODEL,
            execute_started_at=start,
            execute_completed_at=start + dt.timedelta(minutes=minutes),
        )
        ids.append(inv)
    return b, ids


def findings(b: HistoryBuilder, inv: str, ready_by: str = "03:00") -> list[tuple[str, str]]:
    frames = b.frames()
    config = config_from_dict({"sla": {"report": {"ready_by": ready_by}}})
    dag = Dag.at(frames, T0 + dt.timedelta(days=60))
    return [(f.kind, f.severity) for f in sla_findings(frames, inv, config, dag)]


def test_a_rising_ready_time_is_at_risk_before_it_is_missed() -> None:
    # ready 30, 35, ... 55 min after 02:00: +5 min a night, 5 min of margin left
    b, ids = nightly([30, 35, 40, 45, 50, 55])
    assert findings(b, ids[-1]) == [("sla_at_risk", "warn")]
    assert findings(b, ids[2]) == []  # too few runs for a trend


def test_a_steady_ready_time_is_not_at_risk() -> None:
    b, ids = nightly([50, 51, 50, 52, 50, 51, 50])
    assert findings(b, ids[-1]) == []


def test_late_is_missed() -> None:
    b, ids = nightly([30, 30, 30, 70])
    assert findings(b, ids[-1]) == [("sla_missed", "error")]
    assert findings(b, ids[-2]) == []


def test_a_forecast_that_misses_one_run_in_five_is_at_risk() -> None:
    # two of the last seven nights took 70 min: the next one misses 03:00 with ~2/7 chance
    b, ids = nightly([30, 70, 30, 30, 70, 30, 30])
    frames = b.frames()
    config = config_from_dict({"sla": {"report": {"ready_by": "03:00"}}})
    dag = Dag.at(frames, T0 + dt.timedelta(days=60))
    [finding] = sla_findings(frames, ids[-1], config, dag)
    assert (finding.kind, finding.severity) == ("sla_at_risk", "warn")
    assert "forecast for the next run misses it with" in finding.message
    probability = finding.evidence["miss_probability"]
    assert isinstance(probability, float) and 0.2 <= probability <= 0.4
    assert findings(b, ids[-2]) == []  # not the newest run: no forecast
