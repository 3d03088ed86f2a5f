"""Each section stands alone: one that fails shows its error box, the others render."""

from __future__ import annotations

import pytest

from monitor.analysis.config import Config
from monitor.errors import MonitorError
from monitor.render.report import ReportOptions, build_report, render_report
from monitor.render.report import build as build_module
from monitor.render.report.guard import guarded
from tests.render.dom import parse
from tests.render.hostile import hostile_frames, hostile_marts


def test_guard_keeps_a_user_error_as_its_sentence() -> None:
    def broken() -> int:
        raise MonitorError("name the key with --snapshot TABLE:KEY")

    section = guarded("snapshots", "Snapshot changes", broken)
    assert (section.data, section.error) == (None, "name the key with --snapshot TABLE:KEY")


def test_a_bug_in_one_section_costs_only_that_section(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(inputs: object) -> object:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(build_module, "build_timeline", broken)
    report = build_report(hostile_frames(), Config(), ReportOptions(), hostile_marts)
    page = parse(render_report(report))
    [box] = page.find_all(cls="error-box")
    assert box.attrs["data-section-error"] == "timeline"
    assert "ZeroDivisionError: division by zero" in box.words
    assert not any("data-chart" in el.attrs for el in page.by_id("timeline").iter())
    assert page.by_id("funnel").find_all(cls="step")  # the rest is there
    assert len(page.find_all("section", cls="card")) == 13  # with lineage, readiness and cost
    stderr = capsys.readouterr().err
    assert "section 'Last run timeline' failed" in stderr
    assert "Traceback (most recent call last)" in stderr


def test_missing_funnel_and_snapshot_say_how_to_point_at_them() -> None:
    options = ReportOptions(snapshots=("orders_snapshot",), source_hint="the warehouse w.duckdb")
    report = build_report(hostile_frames(), Config(), options, lambda name: None)
    page = parse(render_report(report))
    hint = page.by_id("funnel-hint").words
    assert "No funnel mart 'fct_product_funnel' in the warehouse w.duckdb" in hint
    assert "--warehouse" in hint and "--funnel" in hint
    snapshot = page.find(cls="snapshot", data_snapshot="orders_snapshot")
    assert "No snapshot table 'orders_snapshot'" in snapshot.words


def test_without_snapshot_option_the_section_explains_it() -> None:
    report = build_report(hostile_frames(), Config(), ReportOptions(), hostile_marts)
    assert "--snapshot TABLE" in parse(render_report(report)).by_id("snapshots").words


def test_compiled_sql_only_with_include_sql() -> None:
    frames = hostile_frames()
    code = {uid: f"{uid} select 1" for uid in frames.nodes["unique_id"]}
    hidden = ReportOptions(compiled_code=code)
    without = render_report(build_report(frames, Config(), hidden, hostile_marts))
    assert "select 1" not in without
    assert "Compiled SQL is left out" in without
    included = ReportOptions(include_sql=True, compiled_code=code)
    with_sql = render_report(build_report(frames, Config(), included, hostile_marts))
    assert "model.shop.orders select 1" in with_sql


def _minimal_frames(command: str = "run") -> object:
    from tests.analysis.builder import HistoryBuilder

    b = HistoryBuilder()
    inv = b.invocation(0, command)
    b.run(inv, "model.p.m", 1.0)
    return b.frames()


@pytest.mark.parametrize("command", ["run", "docs generate"])
def test_a_bare_history_renders_every_section_without_errors(command: str) -> None:
    report = build_report(_minimal_frames(command), Config(), ReportOptions(), lambda _: None)  # type: ignore[arg-type]
    page = parse(render_report(report))
    assert page.find_all(cls="error-box") == []
    assert (
        len(page.find_all("section", cls="card")) == 11
    )  # lineage; no timings: no readiness, no cost
