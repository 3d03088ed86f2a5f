"""Debian's chromium, driven by Playwright's Python package (no browser download).

``.ci/run`` installs chromium when it is missing. Outside CI the tests are
skipped when there is no /usr/bin/chromium; in CI (``CI`` set) that fails.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.render.conftest import (
    failure_night_file,
    good_night_file,
    greenery_history,
    greenery_html,
    greenery_report_file,
)

__all__ = [
    "failure_night_file",
    "good_night_file",
    "greenery_history",
    "greenery_html",
    "greenery_report_file",
]

CHROMIUM = Path(os.environ.get("DBT_MONITOR_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: .ci/run should have installed it")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed (pip install -e '.[dev]')")
    if not CHROMIUM.exists():
        _unavailable(f"no {CHROMIUM} (apt-get install chromium)")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: $DBT_MONITOR_SCREENSHOTS, else the test's tmp folder."""
    folder = Path(os.environ.get("DBT_MONITOR_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
