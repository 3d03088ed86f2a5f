"""Artifact strings are text, never markup: parsed, the hostile report has no injected node."""

from __future__ import annotations

import json

from tests.render.dom import parse
from tests.render.hostile import BREAKOUT, IMG, SCRIPT, hostile_html


def test_no_injected_elements_or_scripts() -> None:
    html = hostile_html()
    page = parse(html)
    assert page.find_all("img") == []
    scripts = page.find_all("script")
    assert [s.attrs.get("type") for s in scripts] == ["application/json", None, None, None]
    assert "window.__pwned" not in scripts[1].text + scripts[2].text
    assert not any("onerror" in el.attrs for el in page.iter())


def test_payloads_are_shown_as_text() -> None:
    page = parse(hostile_html())
    text = page.words
    assert SCRIPT in text
    assert IMG in text
    assert page.find_all(cls="error-box") == []


def test_embedded_json_cannot_close_its_script_tag() -> None:
    html = hostile_html()
    raw = html.split('<script type="application/json" id="report-data">', 1)[1].split(
        "</script>", 1
    )[0]
    assert "<" not in raw and ">" not in raw and "\u2028" not in raw
    data = json.loads(raw)
    assert any(
        BREAKOUT.split("\u2028")[0] in name or IMG in name
        for name in data["gantt"]["threads"] + data["gantt"]["names"]
    )


def test_unsafe_exposure_url_is_not_a_link() -> None:
    exposures = parse(hostile_html()).by_id("exposures")
    assert all(not a.attrs["href"].startswith("javascript") for a in exposures.find_all("a"))
