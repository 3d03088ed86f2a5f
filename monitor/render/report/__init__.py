"""The HTML trend report: one self-contained file, built from templates/.

:func:`build_report` turns the history's frames into a typed
:class:`~monitor.render.report.context.Report` (each section built on its
own), :func:`render_report` renders it with the one Jinja environment.
"""

from __future__ import annotations

from monitor.render.report.assets import page_assets
from monitor.render.report.build import build_report
from monitor.render.report.context import Report
from monitor.render.report.env import make_env
from monitor.render.report.inputs import DEFAULT_FUNNEL, MartReader, ReportOptions


def render_report(report: Report) -> str:
    """The report page as one HTML document."""
    env = make_env()
    return env.get_template("report.html").render(report=report, assets=page_assets(env))


__all__ = [
    "DEFAULT_FUNNEL",
    "MartReader",
    "Report",
    "ReportOptions",
    "build_report",
    "make_env",
    "render_report",
]
