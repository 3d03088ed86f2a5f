"""What every section builder reads: the frames, the options, and shared lookups.

Shared results (the latest run's findings) are computed on first use, so a
failure there surfaces in each section that needs it and nowhere else.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from monitor.analysis.check import check
from monitor.analysis.config import Config
from monitor.analysis.critical_path import Timeline, timeline
from monitor.analysis.finding import Finding, sort_findings
from monitor.analysis.frames import Frames
from monitor.analysis.funnel import FunnelColumns
from monitor.analysis.health import latest_build, latest_run, window_start
from monitor.analysis.window import window_findings
from monitor.history.marts import MartRows
from monitor.render.report.context import Charts, IncidentView
from monitor.render.report.nodes import Nodes

MartReader = Callable[[str], MartRows | None]
"""Reads a mart by name: from the history's exports or from a warehouse."""

DEFAULT_FUNNEL = "fct_product_funnel"


@dataclass(frozen=True)
class ReportOptions:
    """What the ``report`` command's options choose."""

    span: dt.timedelta = dt.timedelta(days=30)
    funnel: str = DEFAULT_FUNNEL
    funnel_columns: FunnelColumns = field(default_factory=FunnelColumns)
    snapshots: tuple[str, ...] = ()
    include_sql: bool = False
    compiled_code: Mapping[str, str] = field(default_factory=dict)
    """Each node's latest compiled SQL, read only with ``include_sql``."""
    top_models: int = 15
    source_hint: str = "the history's mart exports"
    """Where marts are read from, for the sections' hints."""
    incidents: tuple[IncidentView, ...] | None = None
    """Open incidents from the history (``notify``); None: no Incidents section."""
    as_of: dt.datetime | None = None
    """Set when the report shows the history as it stood then (``--until``, ``--invocation``)."""


class Inputs:
    """The frames and options, the window, and lookups computed once."""

    def __init__(
        self, frames: Frames, config: Config, options: ReportOptions, marts: MartReader
    ) -> None:
        self.frames = frames
        self.config = config
        self.options = options
        self.marts = marts
        self.since = window_start(frames, options.span)
        self.latest_run = latest_run(frames)
        self.latest_build = latest_build(frames)
        self.charts = Charts()
        self.nodes = Nodes(frames, self.latest_at)

    @property
    def latest_at(self) -> dt.datetime | None:
        """When the newest invocation started."""
        if self.frames.invocations.is_empty():
            return None
        newest = self.frames.invocations["started_at"][-1]
        assert isinstance(newest, dt.datetime)
        return newest

    def invocation_label(self, invocation_id: str) -> str:
        """``build on prod, 2021-02-17 02:00 UTC``."""
        info = self.frames.invocation(invocation_id)
        started = info["started_at"]
        assert isinstance(started, dt.datetime)
        env = info["env_key"] or "default"
        return f"{info['command']} on {env}, {started:%Y-%m-%d %H:%M} UTC"

    @functools.cached_property
    def findings(self) -> list[Finding]:
        """The findings of every invocation of the latest run, one per kind and node."""
        seen: dict[tuple[str, str | None], Finding] = {}
        for invocation_id in self.latest_run:
            for finding in check(self.frames, invocation_id, self.config).findings:
                seen[(finding.kind, finding.unique_id)] = finding
        return sort_findings(seen.values())

    @functools.cached_property
    def window_findings(self) -> list[Finding]:
        """The window's findings before the latest run, folded per node (see analysis.window)."""
        return window_findings(self.frames, self.since, self.config, exclude=self.latest_run)

    @functools.cached_property
    def build_timeline(self) -> Timeline | None:
        """The latest build's timeline and critical path (None without a build)."""
        return timeline(self.frames, self.latest_build) if self.latest_build else None
