"""Open a report file in chromium and record what it logs and fetches."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Visit:
    page: Any
    url: str
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def charts(self) -> list[dict[str, Any]]:
        """Every chart container: its id, what drew it, and the size of its canvas."""
        return self.page.eval_on_selector_all(  # type: ignore[no-any-return]
            "[data-chart]",
            """els => els.map(el => {
                const canvas = el.querySelector('canvas, svg');
                const box = canvas ? canvas.getBoundingClientRect() : {width: 0, height: 0};
                return {id: el.dataset.chart, rendered: el.dataset.rendered || null,
                        width: box.width, height: box.height};
            })""",
        )

    def show_every_tooltip(self) -> None:
        """Hover each chart's first data point the way a reader would."""
        self.page.evaluate(
            """() => document.querySelectorAll('[data-chart]').forEach(el => {
                const chart = echarts.getInstanceByDom(el);
                for (let i = 0; i < 3; i++) {
                    chart.dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: i});
                }
            })"""
        )


def visit(browser: Any, report: Path, *, width: int = 1280, scheme: str = "light") -> Visit:
    """Load ``report`` from file://, failing every other request, and wait for the charts."""
    context = browser.new_context(
        viewport={"width": width, "height": 900},
        color_scheme=scheme,
        device_scale_factor=1,
    )
    page = context.new_page()
    url = report.resolve().as_uri()
    seen = Visit(page, url)
    page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))

    def route(request_route: Any) -> None:
        if request_route.request.url == url:
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page.on("request", lambda r: seen.requests.append(r.url))
    page.goto(url, wait_until="load")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(el => el.dataset.rendered)",
        timeout=15_000,
    )
    return seen
