"""The recorded Greenery history, ingested once per test session, and its report."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.cli.report import make_report
from monitor.history.ingest import ingest
from monitor.history.store import History
from monitor.render.report import ReportOptions

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"


@pytest.fixture(scope="session")
def greenery_history(tmp_path_factory: pytest.TempPathFactory) -> History:
    if not RUNS.is_dir():
        pytest.skip("fixtures/runs is not recorded (make fixtures)")
    history = History(tmp_path_factory.mktemp("greenery") / "history")
    report = ingest([RUNS], history, environ={})
    assert not report.errors, report.errors
    return history


@pytest.fixture(scope="session")
def greenery_html(greenery_history: History) -> str:
    options = ReportOptions(snapshots=("orders_snapshot",))
    return make_report(greenery_history, options, None)


@pytest.fixture(scope="session")
def greenery_report_file(greenery_html: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("report") / "report.html"
    path.write_text(greenery_html, encoding="utf-8")
    return path


def night_report(history: History, until: str, folder: Path) -> Path:
    """The report as it stood at the end of ``until`` (a date), written to ``folder``."""
    html = make_report(history, ReportOptions(), None, until=until)
    path = folder / f"report-{until}.html"
    path.write_text(html, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def failure_night_file(greenery_history: History, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2021-02-12: int_user_funnel_steps errors, the funnel and the dashboard are skipped."""
    return night_report(greenery_history, "2021-02-12", tmp_path_factory.mktemp("night"))


@pytest.fixture(scope="session")
def good_night_file(greenery_history: History, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2021-02-02: every job green (the flaky test starts failing on 2021-02-03)."""
    return night_report(greenery_history, "2021-02-02", tmp_path_factory.mktemp("night"))
