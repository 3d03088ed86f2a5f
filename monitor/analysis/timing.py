"""Timing detectors: ``slow_model`` and ``creeping_model``.

``slow_model`` is one run far above its own baseline; ``creeping_model`` is
runtime rising steadily over a window.
"""

from __future__ import annotations

import datetime as dt
import itertools
import statistics

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.explain.changes import Thresholds, change_points
from monitor.analysis.finding import Finding, Severity
from monitor.analysis.frames import EXECUTABLE, Frames
from monitor.analysis.words import duration, name_of
from monitor.engine import ENGINE

MAD_TO_SIGMA = 1.4826
"""Scales the median absolute deviation to a normal distribution's sigma."""


def _baseline_run() -> pl.Expr:
    return (
        pl.col("resource_type").is_in(EXECUTABLE)
        & (pl.col("status") == "success")
        & pl.col("executes")
        & ~pl.col("full_refresh")
        & pl.col("execution_time").is_not_null()
    )


def timing_runs(frames: Frames) -> pl.DataFrame:
    """Runs that may feed a timing baseline: successful, executed, not full refresh."""
    return frames.node_runs.filter(_baseline_run())


TARGET_COLUMNS = ("invocation_id", "unique_id", "started_at", "env_key", "execution_time")
"""What the slow and creep rules read of a run."""


def _target(frames: Frames, invocation_id: str) -> tuple[dt.datetime, str, pl.DataFrame]:
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    # only the columns read: filtering all of node_runs' copies every column
    runs = frames.kept(
        "timing runs",
        lambda: (
            frames.node_runs.lazy()
            .filter(_baseline_run())
            .select(TARGET_COLUMNS)
            .collect(engine=ENGINE)
        ),
    )
    return started_at, str(info["env_key"]), runs


def slower_than_baseline(runs: pl.DataFrame, config: Config) -> pl.DataFrame:
    """The runs far above their baseline, the ``slow_model`` rule in one place.

    ``runs`` has ``execution_time`` and ``previous``, the list of the node's
    earlier successful execution times; adds ``runs`` (their count),
    ``median``, ``mad``, ``ratio`` and ``increase``.
    """
    ratio_and_size = (  # cheap tests first: the MAD (a list.eval) only for what passes them
        runs.with_columns(
            pl.col("previous").list.len().alias("runs"),
            pl.col("previous").list.median().alias("median"),
        )
        .with_columns(
            (pl.col("execution_time") / pl.col("median").clip(lower_bound=1e-3)).alias("ratio"),
            (pl.col("execution_time") - pl.col("median")).alias("increase"),
        )
        .filter(
            (pl.col("runs") >= config.slow_min_runs)
            & (pl.col("ratio") >= config.slow_ratio)
            & (pl.col("increase") >= config.slow_min_increase)
        )
    )
    mad = (
        pl.col("previous")
        .list.eval((pl.element() - pl.element().median()).abs().median())
        .list.first()
        .alias("mad")
    )
    return (
        ratio_and_size.with_columns(mad)
        .filter(pl.col("increase") >= config.slow_mad_factor * MAD_TO_SIGMA * pl.col("mad"))
        .select(*runs.columns, "runs", "median", "mad", "ratio", "increase")
    )


def slow_models(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """Nodes of this invocation that ran far slower than their own recent median."""
    started_at, env, runs = _target(frames, invocation_id)
    current = runs.filter(pl.col("invocation_id") == invocation_id)
    if current.is_empty():
        return []
    before = (
        runs.filter(
            (pl.col("started_at") < started_at)
            & (pl.col("env_key") == env)
            & pl.col("unique_id").is_in(current["unique_id"].implode())
        )
        .group_by("unique_id")
        .agg(pl.col("execution_time").tail(config.slow_baseline_runs).alias("previous"))
    )
    scored = slower_than_baseline(current.join(before, on="unique_id", how="inner"), config)
    findings = []
    for row in scored.iter_rows(named=True):
        severity: Severity = "error" if row["ratio"] >= config.slow_error_ratio else "warn"
        message = (
            f"{name_of(row['unique_id'])} took {duration(row['execution_time'])}, "
            f"{row['ratio']:.1f}× its median of {duration(row['median'])} "
            f"over the last {row['runs']} successful runs"
        )
        findings.append(
            Finding(
                "slow_model",
                severity,
                row["unique_id"],
                invocation_id,
                message,
                {
                    "execution_time": round(row["execution_time"], 3),
                    "baseline_median": round(row["median"], 3),
                    "baseline_mad": round(row["mad"], 3),
                    "baseline_runs": row["runs"],
                    "ratio": round(row["ratio"], 2),
                    "increase": round(row["increase"], 3),
                    "environment": env,
                },
            )
        )
    return findings


def creeping_models(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """Nodes whose runtime rose steadily over the window ending at this invocation."""
    started_at, env, runs = _target(frames, invocation_id)
    current = runs.filter(pl.col("invocation_id") == invocation_id).select("unique_id")
    if current.is_empty():
        return []
    window = (
        runs.filter(
            (pl.col("started_at") <= started_at)
            & (pl.col("started_at") > started_at - dt.timedelta(days=config.creep_window_days))
            & (pl.col("env_key") == env)
        )
        .join(current, on="unique_id", how="semi")
        .select(
            "unique_id",
            ((pl.col("started_at") - started_at).dt.total_seconds() / 86400).alias("day"),
            pl.col("execution_time").alias("seconds"),
        )
    )
    # what was observed must show the rise too: a positive start, and a last
    # third at least half the configured growth and increase above the first
    thirds = observed_thirds(window).filter(
        (pl.col("runs") >= config.creep_min_runs)
        & (pl.col("first_third") > 0)
        & (pl.col("last_third") >= pl.col("first_third") * (1 + config.creep_min_weekly_growth / 2))
        & (pl.col("last_third") - pl.col("first_third") >= config.creep_min_increase / 2)
    )
    candidates = window.join(thirds.select("unique_id"), on="unique_id", how="semi")
    trends = theil_sen(candidates).join(thirds.drop("runs"), on="unique_id", how="inner")
    trends = trends.with_columns(
        (pl.col("slope") * 7 / pl.col("median").clip(lower_bound=1e-3)).alias("weekly_growth"),
        (pl.col("slope") * pl.col("span_days")).alias("increase"),
    ).filter(
        (pl.col("weekly_growth") >= config.creep_min_weekly_growth)
        & (pl.col("increase") >= config.creep_min_increase)
        & (pl.col("consistency") >= config.creep_min_consistency)
    )
    history = (
        runs.filter(
            (pl.col("started_at") <= started_at)
            & (pl.col("started_at") > started_at - dt.timedelta(days=3 * config.creep_window_days))
            & (pl.col("env_key") == env)
        )
        .join(trends.select("unique_id"), on="unique_id", how="semi")
        .select(
            "unique_id",
            ((pl.col("started_at") - started_at).dt.total_seconds() / 86400).alias("day"),
            pl.col("execution_time").alias("seconds"),
        )
    )
    trends = trends.filter(~pl.col("unique_id").is_in(_stepped_then_flat(history, config)))
    findings = []
    for row in trends.iter_rows(named=True):
        change = row["last_third"] / row["first_third"] - 1
        message = (
            f"{name_of(row['unique_id'])} is getting slower: median {duration(row['first_third'])} "
            f"over its first {row['third']} runs, {duration(row['last_third'])} over its last "
            f"{row['third']} ({_growth(change)}), rising steadily over the last {row['runs']} runs"
        )
        findings.append(
            Finding(
                "creeping_model",
                "warn",
                row["unique_id"],
                invocation_id,
                message,
                {
                    "first_third_median": round(row["first_third"], 3),
                    "last_third_median": round(row["last_third"], 3),
                    "third_runs": row["third"],
                    "change": round(change, 4),
                    "slope_seconds_per_day": round(row["slope"], 4),
                    "weekly_growth": round(row["weekly_growth"], 4),
                    "increase": round(row["increase"], 3),
                    "consistency": round(row["consistency"], 3),
                    "runs": row["runs"],
                    "window_days": config.creep_window_days,
                    "environment": env,
                },
            )
        )
    return findings


def _stepped_then_flat(history: pl.DataFrame, config: Config) -> list[str]:
    """Nodes whose rise was made of steps, flat between them: not a creep.

    A code change that makes a model 60 % slower for good is one step up, told
    by ``slow_model`` or ``explain`` on its night; a line fitted over the
    window would call it a creep for two weeks after, and two such changes in
    a week look like a climb. ``history`` is each node's runs up to the
    invocation over three windows (``day``, 0 at the invocation and negative
    before, and ``seconds``). Level changes are found by ``explain``'s
    detector over them at the creep's own scale (a rise of ``creep_min_weekly_growth``
    and half ``creep_min_increase``); the Theil–Sen slope is then taken over
    pairs of runs in the window that sit on the same level. A node is left out
    when that slope grows by less than ``creep_min_weekly_growth`` a week: its
    rise is all steps. A steady climb still rises between its level changes,
    so it stays a creep.
    """
    limits = Thresholds(
        ratio=1 + config.creep_min_weekly_growth, min_change=config.creep_min_increase / 2
    )
    settled = []
    for (unique_id,), runs in history.sort("day").group_by("unique_id", maintain_order=True):
        seconds, days = runs["seconds"].to_list(), runs["day"].to_list()
        changes = [c.index for c in change_points(seconds, limits) if c.shape != "spike"]
        if not changes:
            continue
        in_window = [i for i, day in enumerate(days) if day > -config.creep_window_days]
        slopes = []
        for start, end in itertools.pairwise([0, *changes, len(seconds)]):
            level = [i for i in in_window if start <= i < end]
            slopes += [
                (seconds[j] - seconds[i]) / (days[j] - days[i])
                for i, j in itertools.combinations(level, 2)
                if days[j] > days[i]
            ]
        if not slopes:
            continue
        median = max(statistics.median(seconds[i] for i in in_window), 1e-3)
        if statistics.median(slopes) * 7 / median < config.creep_min_weekly_growth:
            settled.append(str(unique_id))
    return settled


def _growth(change: float) -> str:
    """``+35%`` for a moderate rise, ``4.2× as long`` past doubling."""
    return f"+{change:.0%}" if change < 1 else f"{change + 1:.1f}× as long"


def observed_thirds(points: pl.DataFrame) -> pl.DataFrame:
    """Per ``unique_id``, the median ``seconds`` of its first and of its last third of runs.

    Observed values, never a fitted line's ends (which can fall below zero).
    ``third`` is how many runs each third holds (at least one); ``runs`` all.
    """
    by_node = points.group_by("unique_id").agg(
        pl.col("seconds").sort_by("day"), pl.len().alias("runs")
    )  # one pass: each node's runtimes in time order, then the thirds of each list
    third = pl.col("third")
    return by_node.with_columns((pl.col("runs") // 3).clip(lower_bound=1).alias("third")).select(
        "unique_id",
        "runs",
        "third",
        pl.col("seconds").list.head(third).list.median().alias("first_third"),
        pl.col("seconds").list.tail(third).list.median().alias("last_third"),
    )


def theil_sen(points: pl.DataFrame) -> pl.DataFrame:
    """Per ``unique_id``, the Theil–Sen slope of ``seconds`` over ``day``.

    Also returns the share of rising pairs (``consistency``), the number of
    runs, the median and the span in days.
    """
    indexed = points.with_columns(pl.int_range(pl.len()).over("unique_id").alias("i"))
    pairs = (
        indexed.join(indexed, on="unique_id", suffix="_j")
        .filter((pl.col("i") < pl.col("i_j")) & (pl.col("day_j") > pl.col("day")))
        .with_columns(
            ((pl.col("seconds_j") - pl.col("seconds")) / (pl.col("day_j") - pl.col("day"))).alias(
                "pair_slope"
            )
        )
        .group_by("unique_id")
        .agg(
            pl.col("pair_slope").median().alias("slope"),
            (pl.col("pair_slope") > 0).mean().alias("consistency"),
        )
    )
    summary = points.group_by("unique_id").agg(
        pl.len().alias("runs"),
        pl.col("seconds").median().alias("median"),
        (pl.col("day").max() - pl.col("day").min()).alias("span_days"),
    )
    return summary.join(pairs, on="unique_id", how="inner").sort("unique_id")
