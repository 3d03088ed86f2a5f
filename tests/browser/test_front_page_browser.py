"""The front page in real Chromium: verdicts, runs by job, a run's view, labels that fit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.page import Visit, visit

BUILD = '.verdict[data-job="nightly build"]'


def colour(seen: Visit, selector: str, prop: str) -> str:
    return str(seen.page.eval_on_selector(selector, f"el => getComputedStyle(el).{prop}"))


def variable(seen: Visit, name: str) -> str:
    """A CSS colour variable as the browser resolves it (rgb(...))."""
    return str(
        seen.page.evaluate(
            """name => { const el = document.createElement('span');
                el.style.color = `var(${name})`; document.body.appendChild(el);
                const c = getComputedStyle(el).color; el.remove(); return c; }""",
            name,
        )
    )


def test_a_bad_night_says_failed_in_red_and_what_to_look_at(
    browser: Any, failure_night_file: Path
) -> None:
    seen = visit(browser, failure_night_file)
    assert seen.page.inner_text(f"{BUILD} .word") == "FAILED"
    assert colour(seen, f"{BUILD} .word", "color") == variable(seen, "--err")
    look = seen.page.inner_text(f"{BUILD} .look")
    assert "int_user_funnel_steps" in look
    assert "2021-02-12 02:00 UTC" in seen.page.inner_text(BUILD)
    docs = '.verdict[data-job="nightly docs generate"]'
    assert seen.page.inner_text(f"{docs} .word") == "RAN"  # not a build: nothing to judge
    assert seen.errors == []


def test_a_good_night_says_ok_in_green_and_zero_is_calm(
    browser: Any, good_night_file: Path
) -> None:
    seen = visit(browser, good_night_file)
    words = seen.page.eval_on_selector_all(
        ".verdict", "els => els.map(e => [e.dataset.job, e.querySelector('.word').innerText])"
    )
    assert dict(words) == {
        "nightly build": "OK",
        "nightly source freshness": "OK",
        "nightly docs generate": "RAN",
    }
    assert colour(seen, f"{BUILD} .word", "color") == variable(seen, "--ok")
    assert seen.page.query_selector(f"{BUILD} .look") is None
    zero = ".pill.error.zero"
    assert seen.page.inner_text(zero) == "0 errors"
    assert colour(seen, zero, "color") == variable(seen, "--muted")


def test_a_run_opens_its_own_view_with_failing_rows_and_message(
    browser: Any, greenery_report_file: Path
) -> None:
    seen = visit(browser, greenery_report_file)
    strip = 'tr[data-job="nightly build"] .strip a.cell'
    cells = seen.page.eval_on_selector_all(
        strip, "els => els.map(e => [e.getAttribute('href'), e.className, e.title])"
    )
    assert len(cells) == 16  # one per nightly build, 2021-02-10 missing
    failed = [href for href, cls, title in cells if "failed" in cls]
    feb14 = next(href for href, _, title in cells if title.startswith("2021-02-14"))
    assert feb14 in failed
    seen.page.click(f'{strip}[href="{feb14}"]')
    view = seen.page.locator(feb14)
    assert view.evaluate("el => el.open") is True
    assert view.is_visible()
    row = view.locator("table.problems tr", has_text="relationships_dim_users_address_id")
    cells_text = row.locator("td").all_inner_texts()
    assert cells_text[1] == "fail"
    assert cells_text[2] == "45"
    assert "Got 45 results" in cells_text[3]
    assert "dbt-monitor report --invocation" in view.inner_text()
    assert seen.errors == []


def test_the_past_night_report_is_that_night(browser: Any, failure_night_file: Path) -> None:
    seen = visit(browser, failure_night_file)
    assert "as it stood at 2021-02-12 23:59 UTC" in seen.page.inner_text("header")
    strip = seen.page.eval_on_selector_all(
        'tr[data-job="nightly build"] .strip a.cell', "els => els.map(e => e.title)"
    )
    assert strip[-1].startswith("2021-02-12")  # nothing after that night


def test_the_navigation_shows_every_section(browser: Any, greenery_report_file: Path) -> None:
    for width in (1440, 390):
        seen = visit(browser, greenery_report_file, width=width)
        hidden = seen.page.eval_on_selector_all(
            "nav.sections a",
            """els => els.filter(a => { const r = a.getBoundingClientRect();
                return r.right > window.innerWidth || r.left < 0 || r.width === 0; })
                .map(a => a.innerText)""",
        )
        assert hidden == []


LABELS = """() => [...document.querySelectorAll('[data-chart]')].map(el => {
  const box = el.getBoundingClientRect();
  const texts = [...el.querySelectorAll('svg text')].map(t => {
      const r = t.getBoundingClientRect();
      return {text: t.textContent, l: r.left, r: r.right, t: r.top, b: r.bottom};
    }).filter(r => r.r > r.l && r.text.trim());
  const problems = [];
  texts.forEach((a, i) => {
    if (a.l < box.left - 1 || a.r > box.right + 1 || a.t < box.top - 1 || a.b > box.bottom + 1) {
      problems.push('clipped: ' + a.text);
    }
    texts.slice(i + 1).forEach(b => {
      const x = Math.min(a.r, b.r) - Math.max(a.l, b.l);
      const y = Math.min(a.b, b.b) - Math.max(a.t, b.t);
      if (x > 1 && y > 1) { problems.push('overlap: ' + a.text + ' / ' + b.text); }
    });
  });
  return [el.dataset.chart, texts.length, problems];
})"""


@pytest.mark.parametrize("width", [1440, 390])
def test_chart_labels_never_collide_or_clip(
    browser: Any, greenery_report_file: Path, width: int
) -> None:
    seen = visit(browser, greenery_report_file, width=width)
    charts = seen.page.evaluate(LABELS)
    assert {c[0] for c in charts} >= {"health", "durations", "passrate", "fresh-0", "funnel"}
    for chart_id, count, problems in charts:
        assert count > 3, chart_id  # drawn as SVG: its labels are elements
        assert problems == [], chart_id


def test_phone_tables_keep_key_columns_and_scroll_inside_their_card(
    browser: Any, greenery_report_file: Path
) -> None:
    seen = visit(browser, greenery_report_file, width=390)
    assert seen.page.evaluate("document.documentElement.scrollWidth") <= 390
    headers = seen.page.eval_on_selector_all(
        "#performance th", "els => els.map(e => e.innerText.toLowerCase())"
    )
    assert headers[:3] == ["model", "latest", "median"]
    visible = seen.page.eval_on_selector(
        "#performance .table-wrap",
        """wrap => { const box = wrap.getBoundingClientRect();
            const median = wrap.querySelectorAll('th')[2].getBoundingClientRect();
            return [median.right <= box.right + 1, wrap.scrollWidth > wrap.clientWidth]; }""",
    )
    assert visible == [True, True]  # name, status and median in view; the rest scrolls
    broken = seen.page.eval_on_selector_all(
        "#performance td.name a.node-link, #health td.name",
        "els => els.filter(e => e.getClientRects().length > 1).map(e => e.innerText)",
    )
    assert broken == []  # never cut mid-word
