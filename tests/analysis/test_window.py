import datetime as dt
from collections import Counter

from monitor.analysis.config import Config
from monitor.analysis.timing import slow_models
from monitor.analysis.window import window_findings
from tests.analysis.builder import T0, HistoryBuilder, nightly

CONFIG = Config()
NOISY = [2.0, 14.0, 3.0, 12.0, 2.5, 13.0, 6.0, 14.0]
SLOW_TWICE = [1.0, 1.1, 0.9, 1.0, 9.0, 1.05, 0.95, 12.0, 1.0]


def test_slow_runs_match_the_slow_model_detector_run_by_run() -> None:
    b = HistoryBuilder()
    ids = nightly(b, "model.p.spiky", SLOW_TWICE)
    for day, seconds in enumerate(NOISY):
        b.run(ids[day], "model.p.noisy", seconds)
    frames = b.frames()
    per_run = Counter(f.unique_id for inv in ids for f in slow_models(frames, inv, CONFIG))
    found = {f.unique_id: f for f in window_findings(frames, None, CONFIG)}
    assert {uid: f.evidence["runs"] for uid, f in found.items()} == per_run
    spiky = found["model.p.spiky"]
    assert spiky.severity == "error"
    assert spiky.evidence["last_seen"] == (T0 + dt.timedelta(days=7)).isoformat()
    assert spiky.invocation_id == ids[7]
    assert spiky.message == (
        "spiky ran far slower than its median in 2 runs, last on 2021-02-08 02:00: "
        "up to 12.0 s, 12.0× its median"
    )


def test_errors_failures_and_stale_sources_fold_per_node() -> None:
    b = HistoryBuilder()
    for day in range(4):
        inv = b.invocation(day)
        b.run(
            inv, "model.p.m", status="error" if day in (1, 2) else "success", message="boom\nmore"
        )
        b.run(inv, "test.p.t.1", status="warn" if day == 3 else "pass")
        fresh = b.invocation(day, "source freshness", hour=0.1)
        b.check(fresh, "source.p.raw.s", "warn" if day == 0 else "pass", 100.0)
    kinds = {
        (f.kind, f.severity, f.unique_id, f.evidence["runs"])
        for f in window_findings(b.frames(), None, CONFIG)
    }
    assert kinds == {
        ("model_error", "error", "model.p.m", 2),
        ("test_failure", "warn", "test.p.t.1", 1),
        ("source_stale", "warn", "source.p.raw.s", 1),
    }
    [error] = [f for f in window_findings(b.frames(), None, CONFIG) if f.kind == "model_error"]
    assert error.message == "m failed in 2 runs, last on 2021-02-03 02:00: boom"


def test_window_start_and_excluded_invocations_are_respected() -> None:
    b = HistoryBuilder()
    ids = []
    for day in range(3):
        inv = b.invocation(day)
        b.run(inv, "model.p.m", status="error")
        ids.append(inv)
    since = T0 + dt.timedelta(days=1)
    [found] = window_findings(b.frames(), since, CONFIG, exclude=[ids[2]])
    assert found.evidence["runs"] == 1
    assert found.invocation_id == ids[1]


def test_missed_night_is_one_gap() -> None:
    b = HistoryBuilder()
    for day in (0, 1, 2, 3, 4, 5, 7):
        b.invocation(day)
    [gap] = window_findings(b.frames(), None, CONFIG)
    assert gap.kind == "run_gap"
    assert gap.message.startswith("no run between 2021-02-06 02:00 and 2021-02-08 02:00")


def test_policy_applies() -> None:
    b = HistoryBuilder()
    inv = b.invocation(0)
    b.run(inv, "model.p.m", status="error")
    b.run(inv, "model.p.other", status="error")
    config = Config(ignore=("model.p.other",), severity={"model_error": "warn"})
    [found] = window_findings(b.frames(), None, config)
    assert (found.unique_id, found.severity) == ("model.p.m", "warn")
