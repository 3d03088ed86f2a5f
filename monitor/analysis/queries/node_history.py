"""``model NAME``: one node's runs, baseline, findings, parents and children.

Models, seeds, snapshots and tests are followed through their runs; sources
through their freshness checks. Each run carries the baseline it was judged
against: the median of the node's previous successful, non-full-refresh runs
in the same environment, as the ``slow_model`` detector computes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, replace

import polars as pl

from monitor import schema
from monitor.analysis.config import Config
from monitor.analysis.finding import FINDINGS
from monitor.analysis.frames import prepare
from monitor.analysis.lineage import Dag
from monitor.analysis.queries.findings_table import Progress, findings_table
from monitor.analysis.queries.node_runs import OK, freshness_in, join_facts, message_summary
from monitor.analysis.queries.select import latest_versions
from monitor.analysis.queries.windows import Window
from monitor.analysis.results import FAILING
from monitor.engine import ENGINE
from monitor.history.tables import Tables

HOUR = 3600.0
RUN_COLUMNS = (
    "invocation_id",
    "unique_id",
    "resource_type",
    "status",
    "execution_time",
    "rows_affected",
    "failures",
    "message",
)
"""The node_runs columns the detectors and the page read."""


@dataclass(frozen=True)
class Baseline:
    """What the node's next run is judged against."""

    median: float
    mad: float
    runs: int


@dataclass(frozen=True)
class NodeHistory:
    """Everything ``model NAME`` shows about one node."""

    unique_id: str
    window: Window
    """The window the runs were taken from."""
    node: dict[str, object] | None
    """The node's newest manifest attributes (None when no manifest named it)."""
    runs: pl.DataFrame
    """The runs shown (the newest ``limit`` of the window), oldest first."""
    total_runs: int | None
    """Runs in the window, shown or not (None: not counted)."""
    series: list[float | None]
    """Durations (sources: ages in hours) of every run in the window, oldest first."""
    baseline: Baseline | None
    findings: pl.DataFrame
    parents: list[str]
    children: list[str]

    @property
    def is_source(self) -> bool:
        """Sources are followed through freshness checks instead of runs."""
        return self.unique_id.startswith("source.")


def node_history(
    tables: Tables,
    unique_id: str,
    window: Window,
    config: Config,
    *,
    limit: int | None = 20,
    min_runs: int = 0,
    progress: Progress | None = None,
    full_message: bool = False,
) -> NodeHistory | None:
    """The history of ``unique_id`` in ``window``: its newest ``limit`` runs are shown.

    ``tables`` should reach ``config.lookback_days`` before the window, so the
    first runs shown are judged like any other. None, before any judging,
    when the window holds fewer than ``min_runs`` runs (the caller may then
    read further back). A run's ``message`` is dbt's summary line, as
    ``check`` shows it (the whole text with ``full_message``).
    """
    versions = tables.nodes.collect(engine=ENGINE)
    dag = _all_time_dag(versions, tables.exposures.collect(engine=ENGINE))
    latest = latest_versions(versions).filter(pl.col("unique_id") == unique_id)
    node = latest.row(0, named=True) if latest.height else None
    neighbourhood = _neighbourhood(dag, unique_id, node)
    # one file per invocation: read them once, for the runs and for the detectors
    tables = replace(tables, invocations=tables.invocations.collect(engine=ENGINE).lazy())
    if unique_id.startswith("source."):
        checks = tables.freshness.filter(pl.col("unique_id") == unique_id).collect(engine=ENGINE)
        tables = replace(
            tables, freshness=checks.lazy(), node_runs=schema.empty("node_runs").lazy()
        )
        everything = _checks(tables, unique_id).collect(engine=ENGINE)
        related = schema.empty("node_runs")
    else:
        # a model, seed, snapshot or test has no freshness checks to judge
        tables = replace(tables, freshness=schema.empty("freshness").lazy())
        related = _related_runs(tables, unique_id, neighbourhood)
        own = related.filter(pl.col("unique_id") == unique_id).lazy()
        runs = join_facts(own, tables.invocations, Window())
        everything = with_baselines(runs, config, full_message=full_message).collect(engine=ENGINE)
    in_window = everything.filter(window.contains())
    if in_window.height < min_runs:
        return None
    shown = in_window.tail(limit) if limit else in_window
    findings = _findings(
        _judging(tables, related, unique_id, neighbourhood, shown, config),
        unique_id,
        shown["invocation_id"].to_list(),
        config,
        progress,
    )
    value = "age_h" if unique_id.startswith("source.") else "execution_s"
    return NodeHistory(
        unique_id=unique_id,
        window=window,
        node=node,
        runs=shown,
        total_runs=in_window.height,
        series=in_window[value].to_list(),
        baseline=None if unique_id.startswith("source.") else baseline(everything, config),
        findings=findings,
        parents=sorted(dag.parents.get(unique_id, ())),
        children=sorted(dag.children.get(unique_id, ())),
    )


def _all_time_dag(nodes: pl.DataFrame, exposures: pl.DataFrame) -> Dag:
    """Every edge any manifest version had: a superset of the DAG at any moment."""
    return Dag.of(nodes, exposures)


def _neighbourhood(dag: Dag, unique_id: str, node: dict[str, object] | None) -> set[str]:
    """The node, what it tests, and everything downstream of either."""
    around = {unique_id, *dag.descendants(unique_id)}
    tested = node.get("test_node") if node else None
    if isinstance(tested, str):
        around |= {tested, *dag.descendants(tested)}
    return around


def _related_runs(tables: Tables, unique_id: str, neighbourhood: set[str]) -> pl.DataFrame:
    """The node's runs, and where it failed the skipped runs downstream of it (skip counts).

    Only the columns the detectors and the page use are read; the others are
    null.
    """
    own = (
        tables.node_runs.filter(pl.col("unique_id") == unique_id)
        .select(RUN_COLUMNS)
        .collect(engine=ENGINE)
    )
    failed = own.filter(pl.col("status").is_in(FAILING))["invocation_id"].unique().to_list()
    downstream = list(neighbourhood - {unique_id})
    if failed and downstream:  # rare: a second scan only then
        skipped = tables.node_runs.filter(
            pl.col("invocation_id").is_in(failed)
            & (pl.col("status") == "skipped")
            & pl.col("unique_id").is_in(downstream)
        )
        own = pl.concat([own, skipped.select(RUN_COLUMNS).collect(engine=ENGINE)])
    return own.with_columns(
        pl.lit(None, dtype=dtype).alias(name)
        for name, dtype in schema.NODE_RUNS.items()
        if name not in RUN_COLUMNS
    ).select(schema.NODE_RUNS.names())


def with_baselines(
    runs: pl.LazyFrame, config: Config | None = None, *, full_message: bool = False
) -> pl.LazyFrame:
    """Each run with ``baseline_s`` (median of the previous successful runs) and ``ratio``."""
    config = config or Config()
    timed = (
        runs.filter(
            pl.col("status").is_in(OK)
            & ~pl.col("full_refresh")
            & pl.col("execution_time").is_not_null()
        )
        .select(
            "started_at",
            "env_key",
            pl.col("execution_time")
            .rolling_median(window_size=config.slow_baseline_runs, min_samples=config.slow_min_runs)
            .over("env_key")
            .alias("baseline_s"),
        )
        .sort("started_at")
    )
    return (
        runs.sort("started_at")
        .join_asof(
            timed,
            on="started_at",
            by="env_key",
            allow_exact_matches=False,
            check_sortedness=False,  # both sides are sorted on started_at just above
        )
        .select(
            "started_at",
            "invocation_id",
            "command",
            "status",
            pl.col("execution_time").alias("execution_s"),
            "baseline_s",
            (pl.col("execution_time") / pl.col("baseline_s")).alias("ratio"),
            "rows_affected",
            "failures",
            pl.col("message") if full_message else message_summary(),
            "env_key",
            "full_refresh",
        )
    )


def _checks(tables: Tables, unique_id: str) -> pl.LazyFrame:
    return freshness_in(tables, Window(), {unique_id}).select(
        "started_at",
        "invocation_id",
        "status",
        (pl.col("age") / HOUR).alias("age_h"),
        (pl.col("warn_after") / HOUR).alias("warn_after_h"),
        (pl.col("error_after") / HOUR).alias("error_after_h"),
        "max_loaded_at",
        pl.col("error").alias("message"),
    )


def baseline(runs: pl.DataFrame, config: Config) -> Baseline | None:
    """The baseline the node's next run will be judged against, in its latest environment."""
    if runs.is_empty():
        return None
    env = runs["env_key"][-1]
    previous = runs.filter(
        (pl.col("env_key") == env)
        & pl.col("status").is_in(OK)
        & ~pl.col("full_refresh")
        & pl.col("execution_s").is_not_null()
    )["execution_s"].tail(config.slow_baseline_runs)
    if previous.len() < config.slow_min_runs:
        return None
    median = float(previous.median())  # type: ignore[arg-type]
    mad = float((previous - median).abs().median())  # type: ignore[arg-type]
    return Baseline(median, mad, previous.len())


def _judging(
    tables: Tables,
    related: pl.DataFrame,
    unique_id: str,
    neighbourhood: set[str],
    shown: pl.DataFrame,
    config: Config,
) -> Tables:
    """The history cut down to what judging this node's shown runs needs.

    The detectors only need the node's own runs, the skipped runs downstream
    of it, the manifest around it and the invocations of the lookback period,
    so this gives the same findings as ``check`` for this node in a fraction
    of the time.
    """
    if shown.is_empty():
        return tables
    first = shown["started_at"][0] - dt.timedelta(days=config.lookback_days)
    last = shown["started_at"][-1]
    return Tables(
        invocations=tables.invocations.filter(pl.col("started_at").is_between(first, last)),
        node_runs=related.lazy(),
        freshness=tables.freshness,
        nodes=tables.nodes.filter(pl.col("unique_id").is_in(list(neighbourhood))),
        exposures=tables.exposures,
    )


def _findings(
    judging: Tables,
    unique_id: str,
    invocation_ids: Collection[str],
    config: Config,
    progress: Progress | None,
) -> pl.DataFrame:
    """The node's findings (and the exposures it put at risk) in the given invocations."""
    if not invocation_ids:
        return pl.DataFrame(schema=FINDINGS)
    found = findings_table(prepare(judging), config, invocation_ids, progress=progress)
    return found.filter((pl.col("unique_id") == unique_id) | (pl.col("kind") == "exposure_at_risk"))
