"""The ``index.html`` of a folder of published reports: every dated report, newest first."""

from __future__ import annotations

from dataclasses import dataclass

from monitor.render.report.env import make_env


@dataclass(frozen=True)
class ReportLink:
    """One published report."""

    href: str
    label: str


@dataclass(frozen=True)
class IndexPage:
    """What the index shows."""

    reports: list[ReportLink]
    latest: str


def render_index(page: IndexPage) -> str:
    """The index page's HTML."""
    return make_env().get_template("report_index.html").render(page=page)
