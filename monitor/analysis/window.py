"""What the detectors found over a whole window, computed at once instead of run by run.

Running :func:`~monitor.analysis.check.check` for every invocation of a
month costs about a second each on a 6,000-node project. These are the
per-run detectors as frame expressions over the whole window instead:
``slow_model`` (the same median/MAD test, over a rolling baseline),
``model_error``, ``test_failure``, ``source_stale`` and ``run_gap``. Each
yields one finding per node, folded over the runs that raised it, with
``runs``, ``first_seen`` and ``last_seen`` in its evidence. Trend and state
detectors (``creeping_model``, ``flaky_test``, ``freshness_unmonitored``,
``exposure_at_risk``) describe the latest run and are left to ``check``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from monitor.analysis.check import apply_policy
from monitor.analysis.config import Config
from monitor.analysis.finding import Finding, Severity, sort_findings
from monitor.analysis.frames import EXECUTABLE, Frames
from monitor.analysis.health import merge_gaps, missed_runs
from monitor.analysis.results import FAILING, TEST_TYPES
from monitor.analysis.timing import slower_than_baseline, timing_runs
from monitor.analysis.words import age, duration, moment, name_of, summary_line


def window_findings(
    frames: Frames, since: dt.datetime | None, config: Config, *, exclude: Iterable[str] = ()
) -> list[Finding]:
    """Findings of the executing invocations since ``since``, except those in ``exclude``."""
    skip = sorted(set(exclude))
    raw = [
        *_slow(frames, since, skip, config),
        *_errors(frames, since, skip),
        *_tests(frames, since, skip),
        *_stale(frames, since, skip),
        *_gaps(frames, since, skip, config),
    ]
    return sort_findings(apply_policy(raw, config, {}))


def _in_window(frame: pl.DataFrame, since: dt.datetime | None, skip: list[str]) -> pl.DataFrame:
    kept = frame.filter(~pl.col("invocation_id").is_in(skip))
    return kept.filter(pl.col("started_at") >= since) if since is not None else kept


def _folded(frame: pl.DataFrame, *extra: pl.Expr) -> pl.DataFrame:
    """One row per node: runs, first and last time seen, the last invocation, and ``extra``."""
    return (
        frame.sort("started_at")
        .group_by("unique_id")
        .agg(
            pl.len().alias("runs"),
            pl.col("started_at").first().alias("first_seen"),
            pl.col("started_at").last().alias("last_seen"),
            pl.col("invocation_id").last(),
            *extra,
        )
        .sort("unique_id")
    )


def _finding(kind: str, severity: Severity, row: dict[str, object], message: str) -> Finding:
    first, last = row["first_seen"], row["last_seen"]
    assert isinstance(first, dt.datetime) and isinstance(last, dt.datetime)
    runs = row["runs"]
    assert isinstance(runs, int)
    return Finding(
        kind,
        severity,
        str(row["unique_id"]),
        str(row["invocation_id"]),
        message,
        {"runs": runs, "first_seen": first.isoformat(), "last_seen": last.isoformat()},
    )


def _times(row: dict[str, object]) -> str:
    runs, last = row["runs"], row["last_seen"]
    assert isinstance(last, dt.datetime)
    return f"in {runs} run{'s' if runs != 1 else ''}, last on {moment(last)}"


def _slow(
    frames: Frames, since: dt.datetime | None, skip: list[str], config: Config
) -> list[Finding]:
    """``slow_model`` for every run at once: each run against its previous runs' median."""
    k = config.slow_baseline_runs
    runs = (
        timing_runs(frames)
        .select("unique_id", "env_key", "invocation_id", "started_at", "execution_time")
        .sort("unique_id", "env_key", "started_at")
        .with_columns(pl.int_range(pl.len()).over("unique_id", "env_key").alias("i"))
    )
    if runs.is_empty():
        return []
    baselines = runs.rolling(
        index_column="i", period=f"{k}i", offset=f"-{k + 1}i", group_by=["unique_id", "env_key"]
    ).agg(pl.col("execution_time").alias("previous"))
    scored = slower_than_baseline(
        runs.join(baselines, on=["unique_id", "env_key", "i"], how="left").pipe(
            _in_window, since, skip
        ),
        config,
    )
    folded = _folded(
        scored,
        pl.col("ratio").max().alias("worst_ratio"),
        pl.col("execution_time").max().alias("worst"),
        pl.col("median").last(),
    )
    findings = []
    for row in folded.iter_rows(named=True):
        severity: Severity = "error" if row["worst_ratio"] >= config.slow_error_ratio else "warn"
        message = (
            f"{name_of(row['unique_id'])} ran far slower than its median {_times(row)}: "
            f"up to {duration(row['worst'])}, {row['worst_ratio']:.1f}× its median"
        )
        findings.append(_finding("slow_model", severity, row, message))
    return findings


def _errors(frames: Frames, since: dt.datetime | None, skip: list[str]) -> list[Finding]:
    failed = _in_window(
        frames.node_runs.filter(
            pl.col("resource_type").is_in(EXECUTABLE)
            & pl.col("executes")
            & pl.col("status").is_in(FAILING)
        ),
        since,
        skip,
    )
    folded = _folded(failed, pl.col("message").last())
    findings = []
    for row in folded.iter_rows(named=True):
        text = summary_line(row["message"]) or "no message from dbt"
        message = f"{name_of(row['unique_id'])} failed {_times(row)}: {text}"
        findings.append(_finding("model_error", "error", row, message))
    return findings


def _tests(frames: Frames, since: dt.datetime | None, skip: list[str]) -> list[Finding]:
    failing = _in_window(
        frames.node_runs.filter(
            pl.col("resource_type").is_in(TEST_TYPES)
            & pl.col("executes")
            & pl.col("status").is_in((*FAILING, "warn"))
        ),
        since,
        skip,
    )
    folded = _folded(failing, pl.col("status").is_in(FAILING).any().alias("failed"))
    findings = []
    for row in folded.iter_rows(named=True):
        verb = "failed" if row["failed"] else "warned"
        message = f"{name_of(row['unique_id'])} {verb} {_times(row)}"
        findings.append(
            _finding("test_failure", "error" if row["failed"] else "warn", row, message)
        )
    return findings


def _stale(frames: Frames, since: dt.datetime | None, skip: list[str]) -> list[Finding]:
    stale = _in_window(frames.freshness.filter(pl.col("status") != "pass"), since, skip)
    folded = _folded(
        stale, (pl.col("status") != "warn").any().alias("errored"), pl.col("age").max()
    )
    findings = []
    for row in folded.iter_rows(named=True):
        message = (
            f"{name_of(row['unique_id'])} was stale {_times(row)}, "
            f"up to {age(row['age'] or 0.0)} old"
        )
        findings.append(
            _finding("source_stale", "error" if row["errored"] else "warn", row, message)
        )
    return findings


def _gaps(
    frames: Frames, since: dt.datetime | None, skip: list[str], config: Config
) -> list[Finding]:
    findings = []
    for gap in merge_gaps(missed_runs(frames, since, config)):
        if (
            skip
            and frames.invocations.filter(
                pl.col("invocation_id").is_in(skip) & (pl.col("started_at") == gap.next)
            ).height
        ):
            continue
        message = (
            f"no run between {moment(gap.previous)} and {moment(gap.next)}: "
            f"{gap.missed} expected run{'s' if gap.missed != 1 else ''} missed "
            f"(environment {gap.environment})"
        )
        findings.append(
            Finding(
                "run_gap",
                "warn",
                None,
                "",
                message,
                {
                    "runs": 1,
                    "first_seen": gap.next.isoformat(),
                    "last_seen": gap.next.isoformat(),
                    "missed_runs": gap.missed,
                },
            )
        )
    return findings
