"""The report in a real browser: offline, error-free, charts drawn, payloads inert."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.page import visit
from tests.render.hostile import SCRIPT, hostile_html

VIEWS = [
    pytest.param(1280, "light", id="wide-light"),
    pytest.param(1280, "dark", id="wide-dark"),
    pytest.param(390, "light", id="phone-light"),
    pytest.param(390, "dark", id="phone-dark"),
]


@pytest.mark.parametrize(("width", "scheme"), VIEWS)
def test_greenery_report_renders_offline_without_errors(
    browser: Any, greenery_report_file: Path, screenshots: Path, width: int, scheme: str
) -> None:
    seen = visit(browser, greenery_report_file, width=width, scheme=scheme)
    assert seen.errors == []
    assert seen.requests == [seen.url]
    charts = seen.charts()
    assert {c["id"] for c in charts} >= {"health", "durations", "gantt", "passrate", "funnel"}
    for chart in charts:
        assert chart["rendered"], chart
        assert chart["width"] > 100 and chart["height"] > 100, chart
    page_width = seen.page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= width  # nothing forces sideways scrolling on a phone
    seen.show_every_tooltip()
    assert seen.errors == []
    shot = screenshots / f"report-{width}-{scheme}.png"
    seen.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000


def test_hostile_strings_execute_nothing(browser: Any, tmp_path: Path) -> None:
    report = tmp_path / "hostile.html"
    report.write_text(hostile_html(), encoding="utf-8")
    seen = visit(browser, report)
    seen.show_every_tooltip()
    seen.page.hover("#timeline [data-chart]")
    assert seen.page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.page.evaluate("document.images.length") == 0
    assert SCRIPT in seen.page.inner_text("#attention") + seen.page.inner_text("#nodes")
    assert seen.errors == []
    assert seen.requests == [seen.url]
