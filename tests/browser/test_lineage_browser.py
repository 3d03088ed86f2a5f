"""The Lineage section in real Chromium, checked against the recorded manifest."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.browser.page import Visit, visit
from tests.render.hostile import DOWNSTREAM, SCRIPT, hostile_html
from tests.render.manifest import drawn_nodes, upstream

EXPOSURE = "exposure.greenery.product_funnel_dashboard"


def nodes(seen: Visit, selector: str = ".ln-node") -> set[str]:
    return set(
        seen.page.eval_on_selector_all(f"#lineage {selector}", "els => els.map(e => e.dataset.uid)")
    )


def lineage(browser: Any, report: Path, width: int = 1280) -> Visit:
    seen = visit(browser, report, width=width)
    seen.page.wait_for_selector("[data-lineage][data-rendered]")
    return seen


def test_draws_every_manifest_node_and_the_exposure(
    browser: Any, greenery_report_file: Path
) -> None:
    seen = lineage(browser, greenery_report_file)
    assert nodes(seen) == drawn_nodes()
    assert EXPOSURE in nodes(seen)
    assert not any(uid.startswith("test.") for uid in nodes(seen))  # folded into badges
    badge = seen.page.text_content(
        '#lineage .ln-node[data-uid="model.greenery.fct_product_funnel"] text.tests'
    )
    assert badge == "\u27137"  # its 7 tests passed
    assert seen.errors == []


def test_clicking_the_exposure_lights_exactly_its_upstream(
    browser: Any, greenery_report_file: Path
) -> None:
    seen = lineage(browser, greenery_report_file)
    seen.page.click(f'#lineage .ln-node[data-uid="{EXPOSURE}"]')
    assert nodes(seen, ".ln-node.hl") - {EXPOSURE} == upstream(EXPOSURE)
    assert nodes(seen, ".ln-node.dim") == drawn_nodes() - upstream(EXPOSURE) - {EXPOSURE}
    detail = seen.page.inner_text("#lineage [data-lineage-detail]")
    assert "product_funnel_dashboard" in detail
    assert f"{len(upstream(EXPOSURE))} nodes upstream" in detail


def test_the_failure_night_marks_the_error_and_the_root_cause(
    browser: Any, failure_night_file: Path, greenery_report_file: Path
) -> None:
    night = lineage(browser, failure_night_file)
    failing = '#lineage .ln-node[data-uid="model.greenery.int_user_funnel_steps"]'
    assert night.page.get_attribute(failing, "data-status") == "error"
    assert "st-error" in (night.page.get_attribute(failing, "class") or "")
    skipped = '#lineage .ln-node[data-uid="model.greenery.fct_product_funnel"]'
    assert night.page.get_attribute(skipped, "data-status") == "skipped"
    night.page.click(f'#lineage .ln-node[data-uid="{EXPOSURE}"]')
    assert nodes(night, ".ln-node.cause") == {"model.greenery.int_user_funnel_steps"}
    assert "Root causes: int_user_funnel_steps" in night.page.inner_text(
        "#lineage [data-lineage-detail]"
    )
    later = lineage(browser, greenery_report_file)
    assert later.page.get_attribute(failing, "data-status") == "pass"


def test_search_focuses_a_node_and_its_neighbours(browser: Any, greenery_report_file: Path) -> None:
    seen = lineage(browser, greenery_report_file)
    seen.page.fill("#lineage [data-lineage-hops]", "1")
    seen.page.fill("#lineage [data-lineage-search]", "stg_events")
    seen.page.press("#lineage [data-lineage-search]", "Enter")
    assert nodes(seen, ".ln-node.focus") == {"model.greenery.stg_events"}
    assert nodes(seen) == {
        "model.greenery.stg_events",
        "source.greenery.greenery.events",
        "model.greenery.int_product_page_views",
        "model.greenery.int_session_events",
        "model.greenery.int_user_funnel_steps",
    }
    assert "stg_events, 1 hops up and down: 5 nodes" in seen.page.inner_text(
        "#lineage [data-lineage-view]"
    )
    seen.page.fill("#lineage [data-lineage-search]", "no_such_model")
    seen.page.press("#lineage [data-lineage-search]", "Enter")
    assert "No node matches" in seen.page.inner_text("#lineage [data-lineage-view]")
    seen.page.click("#lineage [data-lineage-reset]")
    assert nodes(seen) == drawn_nodes()


def test_overlays_switch_and_zoom_keeps_working(browser: Any, greenery_report_file: Path) -> None:
    seen = lineage(browser, greenery_report_file)
    every = nodes(seen, ".ln-node")
    seen.page.select_option("#lineage [data-lineage-overlay]", "critical")
    on_path = nodes(seen, ".ln-node.crit")
    assert on_path and on_path < every
    seen.page.select_option("#lineage [data-lineage-overlay]", "findings")
    assert nodes(seen, ".ln-node.fd-warn") >= {"model.greenery.int_session_events"}
    seen.page.select_option("#lineage [data-lineage-overlay]", "duration")
    assert len(nodes(seen, ".ln-node.dur")) == len(every)
    before = seen.page.get_attribute("#lineage .viewport", "transform")
    graph = seen.page.locator("#lineage [data-lineage]")
    graph.scroll_into_view_if_needed()
    box = graph.bounding_box()
    assert box is not None
    seen.page.mouse.move(box["x"] + 200, box["y"] + 200)
    seen.page.mouse.wheel(0, -300)
    assert seen.page.get_attribute("#lineage .viewport", "transform") != before
    assert seen.errors == []


def test_hostile_names_stay_text(browser: Any, tmp_path: Path) -> None:
    report = tmp_path / "hostile.html"
    report.write_text(hostile_html(), encoding="utf-8")
    seen = lineage(browser, report)
    seen.page.click(f'#lineage .ln-node[data-uid="{DOWNSTREAM}"]')
    assert SCRIPT in seen.page.inner_text("#lineage [data-lineage-detail]")
    assert seen.page.evaluate("typeof window.__pwned") == "undefined"
    assert seen.errors == []
