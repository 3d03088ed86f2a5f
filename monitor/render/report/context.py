"""The typed contexts of the report page: one dataclass per section, plus the page.

Everything here is ready to print: analysis has computed every number,
the builders have picked and shaped it. Chart data travels separately, as
one JSON document keyed by chart id (see :class:`Charts`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from markupsafe import Markup

T = TypeVar("T")

ChartData = dict[str, Any]


@dataclass
class Charts:
    """Every chart's data, by the id of the ``<div data-chart>`` that draws it."""

    data: dict[str, ChartData] = field(default_factory=dict)

    def add(self, chart_id: str, kind: str, **data: Any) -> str:
        """Register a chart of ``kind`` (the JS drawing function) and return its id."""
        self.data[chart_id] = {"kind": kind, **data}
        return chart_id


@dataclass(frozen=True)
class Section(Generic[T]):
    """One section of the page: its data, or the error that stopped it being built."""

    id: str
    title: str
    data: T | None = None
    error: str | None = None


@dataclass(frozen=True)
class IncidentView:
    """One open incident (``notify``), muted or not."""

    scope: str
    kind: str
    node: str
    severity: str
    since: str
    last: str
    pending: int
    muted: str | None
    """Why it is muted (None when alerts go out)."""


@dataclass(frozen=True)
class NodeRef:
    """A node as the report names it, with the anchor of its detail card (if it has one)."""

    unique_id: str
    name: str
    resource_type: str
    anchor: str | None


@dataclass(frozen=True)
class FindingView:
    """One finding, ready to list."""

    severity: str
    kind: str
    kind_label: str
    message: str
    node: NodeRef | None
    invocation: str


@dataclass(frozen=True)
class FindingGroup:
    """The findings of one severity."""

    severity: str
    label: str
    findings: list[FindingView]


@dataclass(frozen=True)
class EarlierFinding:
    """A finding raised earlier in the window, folded over the runs that raised it."""

    finding: FindingView
    runs: int
    first_seen: dt.datetime
    last_seen: dt.datetime


@dataclass(frozen=True)
class Attention:
    """Section 1: what needs attention now, and what came up earlier in the window."""

    run_label: str
    groups: list[FindingGroup]
    counts: dict[str, int]
    earlier: list[EarlierFinding]
    earlier_checked: int


@dataclass(frozen=True)
class GapView:
    """Missed scheduled runs."""

    previous: dt.datetime
    next: dt.datetime
    missed: int
    environment: str


@dataclass(frozen=True)
class Health:
    """Section 2: every run in the window."""

    chart: str
    invocations: int
    scheduled: int
    ci: int
    with_failures: int
    median_wall: float | None
    latest_wall: float | None
    gaps: list[GapView]
    missed: int
    chart_job: str | None
    runs: Runs


@dataclass(frozen=True)
class JobVerdict:
    """The banner's word on one job's newest run."""

    job: str
    verdict: str
    """``ok``, ``warn``, ``failed``, or ``none`` for a command that executes nothing."""
    started_at: dt.datetime
    wall: float | None
    summary: str
    look_first: FindingView | None
    run: str | None
    """The anchor of the run's view."""


@dataclass(frozen=True)
class RunCell:
    """One run in a job's strip."""

    verdict: str
    title: str
    run: str | None


@dataclass(frozen=True)
class JobRow:
    """One job in the run list."""

    job: str
    runs: int
    failed: int
    warned: int
    median_wall: float | None
    executes: bool
    cells: list[RunCell]


@dataclass(frozen=True)
class ProblemView:
    """A result of a run that did not pass."""

    node: NodeRef
    status: str
    failures: int | None
    tested: str | None
    message: str | None


@dataclass(frozen=True)
class RunView:
    """One run, opened from the run list: results, findings, problems, slowest nodes."""

    anchor: str
    job: str
    invocation_id: str
    started_at: dt.datetime
    wall: float | None
    verdict: str
    counts: dict[str, int]
    findings: list[FindingView]
    findings_note: str
    problems: list[ProblemView]
    more_problems: int
    slowest: list[tuple[NodeRef, float]]
    latest_build: bool


@dataclass(frozen=True)
class Runs:
    """Runs by job, and a view of every run that executed something."""

    jobs: list[JobRow]
    views: list[RunView]


@dataclass(frozen=True)
class Sparkline:
    """An inline SVG polyline with a hoverable dot per point (coordinates in the box)."""

    width: int
    height: int
    points: str
    dots: list[tuple[float, float, str]]
    last: tuple[float, float] | None


@dataclass(frozen=True)
class ModelRow:
    """One of the slowest models."""

    node: NodeRef
    latest: float
    status: str
    share: float
    median: float | None
    p90: float | None
    runs: int
    sparkline: Sparkline | None
    flags: list[tuple[str, str | None]]
    """Badge text and its severity (None: describes the past, drawn neutral)."""
    flag_severity: str | None


@dataclass(frozen=True)
class Performance:
    """Section 3: the slowest models of the latest build."""

    chart: str | None
    build_label: str
    total_runtime: float
    models: int
    rows: list[ModelRow]
    more_flagged: int


@dataclass(frozen=True)
class ThreadView:
    """One thread of the latest build."""

    name: str
    nodes: int
    busy: float
    idle: float
    idle_share: float


@dataclass(frozen=True)
class CriticalStep:
    """One node on the critical path."""

    node: NodeRef
    seconds: float
    status: str


@dataclass(frozen=True)
class Timeline:
    """Section 4: the latest build as a Gantt chart."""

    chart: str | None
    build_label: str
    span: float
    bars: int
    threads: list[ThreadView]
    critical: list[CriticalStep]
    critical_seconds: float
    critical_share: float | None


@dataclass(frozen=True)
class FailingTest:
    """A test failing (or warning) now."""

    node: NodeRef
    status: str
    severity: str
    failures: int | None
    tested: str | None
    since: dt.datetime | None
    streak_runs: int
    message: str


@dataclass(frozen=True)
class Cell:
    """One run in a flip strip."""

    status: str
    title: str


@dataclass(frozen=True)
class FlakyTest:
    """A test that flipped between pass and fail, with its strip."""

    node: NodeRef
    pass_to_fail: int
    runs: int
    failures: int
    cells: list[Cell]
    flagged: bool


@dataclass(frozen=True)
class Tests:
    """Section 5: failing tests, flaky tests and the pass rate."""

    chart: str | None
    latest_rate: float | None
    latest_tests: int
    failing: list[FailingTest]
    flaky: list[FlakyTest]


@dataclass(frozen=True)
class SourceView:
    """One source's freshness in the window."""

    node: NodeRef
    status: str | None
    age: float | None
    warn_after: float | None
    error_after: float | None
    checks: int
    stale_checks: int
    chart: str | None
    sparkline: Sparkline | None


@dataclass(frozen=True)
class Freshness:
    """Section 6: source ages against their thresholds."""

    sources: list[SourceView]
    unmonitored: list[NodeRef]
    not_charted: int
    not_listed: int


@dataclass(frozen=True)
class ExposureView:
    """Section 7: one exposure and what puts it at risk."""

    name: str
    label: str | None
    type: str | None
    owner: str | None
    url: str | None
    maturity: str | None
    description: str | None
    health: str
    upstream: int
    findings: list[FindingView]


@dataclass(frozen=True)
class StepView:
    """One funnel step."""

    step: str
    users: int
    conversion: float | None
    drop_off: float | None
    of_first: float
    largest: bool


@dataclass(frozen=True)
class FunnelView:
    """Section 8: the product funnel, or how to point the report at it."""

    mart: str
    origin: str | None
    steps: list[StepView]
    largest: str | None
    as_of: dt.datetime | None
    chart: str | None
    hint: str | None


@dataclass(frozen=True)
class Diff:
    """One key's change: column, old value, new value."""

    key: str
    columns: list[tuple[str, str | None, str | None]]


@dataclass(frozen=True)
class SnapshotRunView:
    """What one snapshot run recorded."""

    recorded_at: dt.datetime
    diffs: list[Diff]
    more: int
    inserted: int
    removed: int


@dataclass(frozen=True)
class SnapshotView:
    """Section 9 for one snapshot table.

    ``runs`` changed or removed keys; ``quiet`` runs (time, new keys) only added keys.
    """

    name: str
    origin: str | None
    key: str | None
    runs: list[SnapshotRunView]
    more_runs: int
    quiet: list[tuple[dt.datetime, int]]
    hint: str | None


@dataclass(frozen=True)
class LineageView:
    """The Lineage section: the graph's chart id and its size."""

    chart: str | None
    nodes: int
    edges: int
    exposures: int
    overview: bool


@dataclass(frozen=True)
class NodeCard:
    """The detail card a finding links to."""

    node: NodeRef
    description: str | None
    path: str | None
    materialized: str | None
    owner: str | None
    tags: list[str]
    last_status: str | None
    last_message: str | None
    sparkline: Sparkline | None
    sql: str | None


@dataclass(frozen=True)
class Report:
    """The whole page."""

    title: str
    project: str
    window_label: str
    latest_label: str
    as_of: dt.datetime | None
    generated_at: dt.datetime
    version: str
    echarts_version: str
    counts: dict[str, int]
    verdicts: Section[list[JobVerdict]]
    attention: Section[Attention]
    health: Section[Health]
    lineage: Section[LineageView]
    performance: Section[Performance]
    timeline: Section[Timeline]
    tests: Section[Tests]
    freshness: Section[Freshness]
    exposures: Section[list[ExposureView]]
    funnel: Section[FunnelView]
    snapshots: Section[list[SnapshotView]]
    nodes: Section[list[NodeCard]]
    include_sql: bool
    chart_data: Markup
    # issue 14 (monitor/render/report/costs.py): left out when they have no data
    cost: Section[Any] | None = None
    readiness: Section[Any] | None = None
    incidents: Section[list[IncidentView]] | None = None

    @property
    def sections(self) -> list[Section[Any]]:
        """The sections in page order."""
        extra = [s for s in (self.readiness, self.cost) if s and (s.data or s.error)]
        return [
            self.attention,
            *([self.incidents] if self.incidents is not None else []),
            self.health,
            self.lineage,
            self.performance,
            self.timeline,
            self.tests,
            self.freshness,
            self.exposures,
            self.funnel,
            self.snapshots,
            *extra,
        ]
