"""The report of the recorded Greenery history, tested by its parsed structure."""

from __future__ import annotations

import json

from tests.render.dom import Element, parse

SECTIONS = [
    "attention",
    "health",
    "lineage",
    "performance",
    "timeline",
    "tests",
    "freshness",
    "exposures",
    "funnel",
    "snapshots",
    "readiness",
    "cost",
    "nodes",
]


def doc(html: str) -> Element:
    return parse(html)


def test_every_section_is_present_in_order_and_none_failed(greenery_html: str) -> None:
    page = doc(greenery_html)
    ids = [el.attrs["id"] for el in page.find_all("section", cls="card")]
    assert ids == SECTIONS
    assert page.find_all(cls="error-box") == []
    nav = [a.attrs["href"] for a in page.find("nav").find_all("a")]
    assert nav == [f"#{s}" for s in SECTIONS]


def test_self_contained_no_remote_reference(greenery_html: str) -> None:
    page = doc(greenery_html)
    assert page.find_all("link") == []
    assert page.find_all("img") == []
    for script in page.find_all("script"):
        assert "src" not in script.attrs
    csp = page.find("meta", http_equiv="Content-Security-Policy").attrs["content"]
    assert "default-src 'none'" in csp
    assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert greenery_html.count("echarts.min.js") == 0  # inlined, not referenced
    assert greenery_html.count("Apache ECharts") >= 1


def test_funnel_counts_and_largest_drop_off(greenery_html: str) -> None:
    funnel = doc(greenery_html).by_id("funnel")
    steps = funnel.find_all(cls="step")
    assert [(s.attrs["data-step"], s.attrs["data-users"]) for s in steps] == [
        ("page_view", "1871"),
        ("add_to_cart", "986"),
        ("checkout", "361"),
    ]
    assert [s.find(cls="count").text for s in steps] == ["1,871", "986", "361"]
    largest = funnel.by_id("funnel-largest").words
    assert largest.startswith("The largest drop-off is add to cart → checkout: 63.4%")
    drops = [s.find(cls="drop") for s in steps[1:]]
    assert "drop-off 47.3%" in drops[0].words
    assert "largest" in drops[1].classes and "drop-off 63.4%" in drops[1].words


def test_snapshot_shows_the_two_shipped_orders_old_to_new(greenery_html: str) -> None:
    snapshot = doc(greenery_html).find(cls="snapshot", data_snapshot="orders_snapshot")
    latest = snapshot.find_all(cls="snap-run")[0]
    assert latest.attrs["data-recorded-at"].startswith("2021-02-17")
    diffs = {d.attrs["data-key"]: d for d in latest.find_all(cls="diff")}
    assert set(diffs) == {
        "914b8929-e04a-40f8-86ee-357f2be3a2a2",
        "05202733-0e17-4726-97c2-0520c024ab85",
    }
    rows = {
        r.attrs["data-column"]: (r.find(cls="old").words, r.find(cls="new").words)
        for r in diffs["914b8929-e04a-40f8-86ee-357f2be3a2a2"].find_all("tr")
    }
    assert rows == {
        "status": ("preparing", "shipped"),
        "tracking_id": ("null", "a807fe66-d8b1-4d38-b409-558fed8bd75f"),
        "shipping_service": ("null", "ups"),
        "estimated_delivery_at": ("null", "2021-02-19 10:15:26"),
    }


def test_attention_lists_the_latest_findings_with_links(greenery_html: str) -> None:
    attention = doc(greenery_html).by_id("attention")
    kinds = [li.attrs["data-kind"] for li in attention.find_all("li", cls="warn")]
    assert "creeping_model" in kinds
    assert "flaky_test" in kinds
    link = attention.find("a", cls="node-link")
    target = link.attrs["href"].removeprefix("#")
    assert doc(greenery_html).by_id(target).tag == "div"


def test_window_findings_include_the_earlier_incidents(greenery_html: str) -> None:
    earlier = doc(greenery_html).by_id("attention-earlier").words
    for expected in ("int_product_page_views", "int_user_funnel_steps", "missed run"):
        assert expected in earlier


def test_timeline_critical_path_and_threads(greenery_html: str) -> None:
    timeline = doc(greenery_html).by_id("timeline")
    path = [s.attrs["data-node"] for s in timeline.by_id("critical-path").find_all(cls="step")]
    assert "model.greenery.int_session_events" in path
    assert path.index("model.greenery.stg_events") < path.index("model.greenery.int_session_events")
    assert timeline.find_all("div", data_chart="gantt")


def test_tests_section_names_the_flaky_test(greenery_html: str) -> None:
    flaky = doc(greenery_html).by_id("flaky-tests")
    [row] = flaky.find("tbody").find_all("tr")
    assert row.attrs["data-node"].startswith(
        "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_"
    )
    cells = row.find_all("span", cls="cell")
    assert len(cells) >= 13
    assert sum("fail" in c.classes for c in cells) == 3


def test_freshness_shows_the_stale_sources_first_and_unmonitored(greenery_html: str) -> None:
    freshness = doc(greenery_html).by_id("freshness")
    cards = [c.attrs["data-node"] for c in freshness.find_all(cls="source-card")]
    assert set(cards[:2]) == {
        "source.greenery.greenery.products",
        "source.greenery.greenery.events",
    }
    assert freshness.by_id("unmonitored-sources").words == "greenery.addresses"


def test_exposure_with_its_health(greenery_html: str) -> None:
    exposures = doc(greenery_html).by_id("exposures")
    [card] = exposures.find_all(cls="exposure")
    assert "Product funnel" in card.words
    assert card.attrs["data-health"] in ("healthy", "warned", "at_risk")


def test_chart_data_is_one_json_document_with_every_chart(greenery_html: str) -> None:
    page = doc(greenery_html)
    data = json.loads(page.by_id("report-data").text)
    charts = {el.attrs["data-chart"] for el in page.iter() if "data-chart" in el.attrs}
    assert charts <= set(data)
    assert {"health", "durations", "gantt", "passrate", "funnel"} <= charts
    health = data["health"]
    assert health["missed"].count(None) == len(health["missed"]) - 1  # the one missed night


def test_performance_highlights_the_regression_and_the_creep(greenery_html: str) -> None:
    rows = {
        tr.attrs["data-node"]: tr
        for tr in doc(greenery_html).by_id("performance").find("tbody").find_all("tr")
    }
    creeping = rows["model.greenery.int_session_events"]
    slowed = rows["model.greenery.int_product_page_views"]
    assert [t.words for t in creeping.find_all(cls="tag")] == ["creeping"]
    # Slow on Feb 5 and 6, fine since: the badge tells the past, in a neutral colour.
    [badge] = slowed.find_all(cls="tag")
    assert badge.words == "was slow on Feb 5–6"
    assert set(badge.classes) == {"tag"}
    assert not any(c.startswith("flagged") for c in slowed.classes)
    assert "warn" in creeping.find(cls="tag").classes
    share = creeping.find(cls="pct").words
    assert share.endswith("%") and float(share[:-1]) > 50


def test_node_cards_show_the_latest_executed_run(greenery_html: str) -> None:
    nodes = doc(greenery_html).by_id("nodes")
    card = nodes.by_id(
        "node-test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
    )
    assert "pass" in card.find(cls="title").words  # not the "success" of docs generate
    anchors = [c.attrs["id"] for c in nodes.find_all(cls="node-card")]
    names = [c.find("b").words for c in nodes.find_all(cls="node-card")]
    assert names == sorted(names)
    assert len(anchors) == len(set(anchors))
