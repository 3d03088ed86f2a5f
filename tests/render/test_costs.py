"""The Cost and "Data ready at" sections of the Greenery report."""

from tests.render.dom import parse


def test_cost_section_names_the_method_and_lists_the_costliest_nodes(greenery_html: str) -> None:
    cost = parse(greenery_html).by_id("cost")
    assert "Method: compute_seconds" in cost.words
    assert "No price is configured for this adapter" in cost.words
    rows = cost.find("table", cls="cost").find("tbody").find_all("tr")
    assert 0 < len(rows) <= 15
    assert rows[0].attrs["data-node"] == "model.greenery.int_session_events"
    assert cost.find("div", cls="chart").attrs["data-chart"] == "cost"
    assert '"kind":"stacked"' in greenery_html.replace(" ", "")


def test_readiness_section_counts_the_never_ready_night(greenery_html: str) -> None:
    readiness = parse(greenery_html).by_id("readiness")
    assert "1 run never made the data ready" in readiness.words
    assert readiness.find("div", cls="chart").attrs["data-chart"] == "readiness"
    assert '"kind":"readiness"' in greenery_html.replace(" ", "")
