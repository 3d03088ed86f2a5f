"""`dbt-monitor report --until / --invocation / --since DATE`: a past night's report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from monitor.history.store import History
from tests.cli.test_report import invoke
from tests.render.conftest import greenery_history
from tests.render.dom import Element, parse

__all__ = ["greenery_history"]


def report(history: History, tmp_path: Path, *args: str) -> Element:
    out_file = tmp_path / "r.html"
    code, _, err = invoke("report", "--history", str(history.root), "-o", str(out_file), *args)
    assert (code, err) == (0, "")
    return parse(out_file.read_text(encoding="utf-8"))


def lineage_status(page: Element, name: str) -> str:
    data = json.loads(page.by_id("report-data").text)["lineage"]
    index = [uid.split(".")[-1] for uid in data["u"]].index(name)
    status: int = data["s"][index]
    return str(data["statuses"][status]) if status >= 0 else "none"


def test_until_a_date_shows_that_night_as_it_was(greenery_history: History, tmp_path: Path) -> None:
    page = report(greenery_history, tmp_path, "--until", "2021-02-12")
    meta = page.find("div", cls="as-of")
    assert meta.attrs["data-as-of"].startswith("2021-02-12T23:59:59")
    assert "Latest run: build on prod, 2021-02-12 02:00 UTC" in page.find("div", cls="meta").words
    assert lineage_status(page, "int_user_funnel_steps") == "error"
    assert lineage_status(page, "fct_product_funnel") == "skipped"
    kinds = {li.attrs["data-kind"] for li in page.by_id("attention").find_all("li")}
    assert {"model_error", "exposure_at_risk"} <= kinds


def test_the_newest_night_is_green_again(greenery_history: History, tmp_path: Path) -> None:
    page = report(greenery_history, tmp_path)
    assert page.find_all("div", cls="as-of") == []
    assert lineage_status(page, "int_user_funnel_steps") == "pass"


def test_invocation_prefix_ends_the_report_at_that_run(
    greenery_history: History, tmp_path: Path
) -> None:
    code, out, _ = invoke(
        "runs", "--history", str(greenery_history.root), "--since", "2021-02-13",
        "--until", "2021-02-13", "--format", "json",
    )  # fmt: skip
    assert code == 0
    build = next(r for r in json.loads(out) if r["command"] == "build")
    page = report(greenery_history, tmp_path, "--invocation", build["invocation_id"][:8])
    assert "build on prod, 2021-02-13 02:00 UTC" in page.find("div", cls="meta").words
    kinds = {li.attrs["data-kind"] for li in page.by_id("attention").find_all("li")}
    assert "test_failure" in kinds


def test_since_takes_a_date(greenery_history: History, tmp_path: Path) -> None:
    page = report(greenery_history, tmp_path, "--since", "2021-02-10", "--until", "2021-02-12")
    assert "2021-02-10 00:00 UTC → 2021-02-12 02:00 UTC" in page.find("div", cls="meta").words


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--until", "2021-01-01"], "error: --until 2021-01-01: no invocation in the history"),
        (["--invocation", "zzzz"], "error: no invocation 'zzzz' in the history"),
        (["--until", "2d", "--invocation", "ab"], "error: --until and --invocation both"),
        (["--until", "yesterday"], "error: --until 'yesterday': expected 7d, 24h, 2w"),
        (["--since", "2021-03-01"], "error: --since 2021-03-01: after the newest invocation"),
    ],
)
def test_bad_past_options_exit_2_with_one_line(
    greenery_history: History, tmp_path: Path, args: list[str], message: str
) -> None:
    out_file = tmp_path / "r.html"
    code, out, err = invoke(
        "report", "--history", str(greenery_history.root), "-o", str(out_file), *args
    )
    assert (code, out) == (2, "")
    assert err.startswith(message) and err.count("\n") == 1
    assert not out_file.exists()
