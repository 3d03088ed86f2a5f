"""The incident lifecycle as a pure function: opened, escalated, resolved, reminder."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.finding import Finding
from monitor.history.incidents import TRANSITIONS
from monitor.notify.lifecycle import Change, judge

T0 = dt.datetime(2021, 2, 1, 2, tzinfo=dt.UTC)
MODEL = "model.shop.orders"


def finding(kind: str, severity: str, node: str | None = MODEL) -> Finding:
    return Finding(kind, severity, node, "run", f"{kind} on {node}")  # type: ignore[arg-type]


class Runs:
    """Judge runs one after the other, keeping the transitions as notify records them."""

    def __init__(self, remind: dt.timedelta | None = None) -> None:
        self.rows: list[dict[str, object]] = []
        self.remind = remind

    def night(self, day: int, findings: list[Finding], judged: set[str]) -> list[tuple[str, ...]]:
        when = T0 + dt.timedelta(days=day)
        prior = pl.DataFrame(self.rows, schema=TRANSITIONS, orient="row")
        changes = judge(prior, findings, judged, "nightly build", f"inv{day}", when, self.remind)
        self.rows.extend(self._row(c, when, day) for c in changes)
        return [(c.transition, c.kind, c.severity) for c in changes]

    @staticmethod
    def _row(change: Change, when: dt.datetime, day: int) -> dict[str, object]:
        return {"transition_id": change.transition_id, "incident_id": change.incident_id,
                "kind": change.kind, "unique_id": change.unique_id, "scope": "nightly build",
                "transition": change.transition, "severity": change.severity,
                "invocation_id": f"inv{day}", "run_started_at": when, "recorded_at": when,
                "muted": False, "destinations": [], "alert": '{"message": "m"}'}  # fmt: skip


def test_a_warning_that_becomes_an_error_escalates_then_resolves() -> None:
    runs = Runs()
    assert runs.night(0, [finding("slow_model", "warn")], {MODEL}) == [
        ("opened", "slow_model", "warn")
    ]
    assert runs.night(1, [finding("slow_model", "warn")], {MODEL}) == []
    assert runs.night(2, [finding("slow_model", "error")], {MODEL}) == [
        ("escalated", "slow_model", "error")
    ]
    assert runs.night(3, [finding("slow_model", "warn")], {MODEL}) == []
    assert runs.night(4, [], {MODEL}) == [("resolved", "slow_model", "error")]
    incidents = {row["incident_id"] for row in runs.rows}
    assert len(incidents) == 1


def test_a_node_that_did_not_run_keeps_its_incident_open() -> None:
    runs = Runs()
    runs.night(0, [finding("model_error", "error")], {MODEL})
    assert runs.night(1, [], {"model.shop.customers"}) == []
    assert runs.night(2, [], {MODEL}) == [("resolved", "model_error", "error")]


def test_whole_run_kinds_are_judged_by_every_run() -> None:
    runs = Runs()
    runs.night(0, [finding("run_gap", "warn", None)], set())
    assert runs.night(1, [], set()) == [("resolved", "run_gap", "warn")]


def test_reminders_only_when_configured_and_due() -> None:
    runs = Runs(remind=dt.timedelta(days=2))
    runs.night(0, [finding("test_failure", "error")], {MODEL})
    assert runs.night(1, [finding("test_failure", "error")], {MODEL}) == []
    assert runs.night(2, [finding("test_failure", "error")], {MODEL}) == [
        ("reminder", "test_failure", "error")
    ]
    assert runs.night(3, [finding("test_failure", "error")], {MODEL}) == []
    assert Runs().night(0, [], set()) == []


def test_judging_the_same_run_twice_gives_the_same_ids() -> None:
    prior = pl.DataFrame(schema=TRANSITIONS)
    args = (prior, [finding("test_failure", "error")], {MODEL}, "nightly build", "inv0", T0)
    assert judge(*args) == judge(*args)
    other_scope = judge(prior, args[1], args[2], "pull-request build", "inv0", T0)
    assert other_scope[0].incident_id != judge(*args)[0].incident_id
