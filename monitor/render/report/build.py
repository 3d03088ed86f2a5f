"""Build the report's context: every section guarded, then the node cards and chart data."""

from __future__ import annotations

import datetime as dt

from monitor import __version__
from monitor.analysis.config import Config
from monitor.analysis.finding import SEVERITIES
from monitor.analysis.frames import Frames
from monitor.render.report.assets import ECHARTS_VERSION, json_for_script
from monitor.render.report.attention import build_attention
from monitor.render.report.cards import build_cards
from monitor.render.report.checks import build_tests
from monitor.render.report.context import Report
from monitor.render.report.costs import build_cost, build_readiness
from monitor.render.report.exposures import build_exposures
from monitor.render.report.formats import when
from monitor.render.report.funnel import build_funnel
from monitor.render.report.gantt import build_timeline
from monitor.render.report.guard import guarded
from monitor.render.report.inputs import Inputs, MartReader, ReportOptions
from monitor.render.report.jobs import build_verdicts
from monitor.render.report.lineage import add_anchors, build_lineage
from monitor.render.report.models import build_performance
from monitor.render.report.runs import build_health
from monitor.render.report.snapshots import build_snapshots
from monitor.render.report.sources import build_freshness


def build_report(
    frames: Frames,
    config: Config,
    options: ReportOptions,
    marts: MartReader,
    *,
    now: dt.datetime | None = None,
) -> Report:
    """Everything the page shows, each section built on its own."""
    inputs = Inputs(frames, config, options, marts)
    health = guarded("health", "Run health", lambda: build_health(inputs))
    lineage = guarded("lineage", "Lineage", lambda: build_lineage(inputs))
    performance = guarded("performance", "Model performance", lambda: build_performance(inputs))
    timeline = guarded("timeline", "Last run timeline", lambda: build_timeline(inputs))
    tests = guarded("tests", "Tests", lambda: build_tests(inputs))
    freshness = guarded("freshness", "Source freshness", lambda: build_freshness(inputs))
    exposures = guarded("exposures", "Exposures", lambda: build_exposures(inputs))
    funnel = guarded("funnel", "Product funnel", lambda: build_funnel(inputs))
    snapshots = guarded("snapshots", "Snapshot changes", lambda: build_snapshots(inputs))
    readiness = guarded("readiness", "Data ready at", lambda: build_readiness(inputs))
    cost = guarded("cost", "Cost", lambda: build_cost(inputs))
    incidents = None
    if options.incidents is not None:
        incidents = guarded("incidents", "Incidents", lambda: list(options.incidents or ()))
    # Built after the others though shown first: the nodes the sections name
    # get their detail cards first, and the window's findings link to them.
    attention = guarded("attention", "Needs attention", lambda: build_attention(inputs))
    verdicts = guarded("verdicts", "Verdict", lambda: build_verdicts(inputs))
    # Cards last: they are for the nodes the sections above mentioned.
    cards = guarded("nodes", "Node details", lambda: build_cards(inputs))
    add_anchors(inputs.charts, {u: r.anchor for u, r in inputs.nodes.mentioned.items() if r.anchor})
    return Report(
        title=f"dbt-monitor · {_project(frames)}",
        project=_project(frames),
        window_label=_window_label(inputs),
        latest_label=attention.data.run_label if attention.data else "",
        as_of=options.as_of,
        generated_at=now or dt.datetime.now(dt.UTC),
        version=__version__,
        echarts_version=ECHARTS_VERSION,
        counts=attention.data.counts if attention.data else dict.fromkeys(SEVERITIES, 0),
        verdicts=verdicts,
        attention=attention,
        health=health,
        lineage=lineage,
        performance=performance,
        timeline=timeline,
        tests=tests,
        freshness=freshness,
        exposures=exposures,
        funnel=funnel,
        snapshots=snapshots,
        nodes=cards,
        include_sql=options.include_sql,
        chart_data=json_for_script(inputs.charts.data),
        cost=cost,
        readiness=readiness,
        incidents=incidents,
    )


def _project(frames: Frames) -> str:
    names = [n for n in frames.invocations["project_name"].to_list() if n]
    return names[-1] if names else "dbt project"


def _window_label(inputs: Inputs) -> str:
    days = inputs.options.span.total_seconds() / 86400
    span = f"{days:g} days" if days >= 1 else f"{days * 24:g} hours"
    if inputs.since is None or inputs.latest_at is None:
        return f"last {span}"
    return f"last {span}: {when(inputs.since)} → {when(inputs.latest_at)}"
