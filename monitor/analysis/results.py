"""Result detectors: ``model_error``, ``test_failure`` and ``flaky_test``."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.finding import Finding, Severity
from monitor.analysis.frames import EXECUTABLE, Frames, as_of
from monitor.analysis.lineage import Dag
from monitor.analysis.words import moment, name_of, summary_line
from monitor.engine import ENGINE

TEST_TYPES = ("test", "unit_test")
FAILING = ("fail", "error", "runtime error")
TEST_RUN_COLUMNS = ("invocation_id", "unique_id", "status", "started_at", "failures", "message")
"""What ``test_failure`` reads of a test's runs."""


def model_errors(frames: Frames, invocation_id: str, dag: Dag) -> list[Finding]:
    """Models, seeds and snapshots that errored, with how many nodes they skipped."""
    runs = (
        frames.node_runs.lazy()
        .filter(pl.col("invocation_id") == invocation_id)
        .select("unique_id", "resource_type", "status", "message")
        .collect(engine=ENGINE)
    )
    skipped = set(runs.filter(pl.col("status") == "skipped")["unique_id"].to_list())
    errored = runs.filter(
        pl.col("resource_type").is_in(EXECUTABLE) & pl.col("status").is_in(FAILING)
    )
    below = dag.reach(errored["unique_id"].to_list()) if errored.height else {}
    findings = []
    for row in errored.iter_rows(named=True):
        lost = sorted(below[row["unique_id"]] & skipped)
        text = summary_line(row["message"]) or "no message from dbt"
        message = f"{name_of(row['unique_id'])} failed: {text}"
        if lost:
            message += f"; {len(lost)} downstream node{'s' if len(lost) != 1 else ''} skipped"
        findings.append(
            Finding(
                "model_error",
                "error",
                row["unique_id"],
                invocation_id,
                message,
                {
                    "status": row["status"],
                    "dbt_message": row["message"],
                    "skipped": len(lost),
                    "skipped_nodes": ", ".join(lost),
                },
            )
        )
    return findings


def test_failures(frames: Frames, invocation_id: str) -> list[Finding]:
    """Tests that failed, errored or warned, with the streak they are on."""
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    tests = (
        frames.node_runs.lazy()
        .filter(
            pl.col("resource_type").is_in(TEST_TYPES)
            & pl.col("executes")
            & (pl.col("status") != "skipped")
            & (pl.col("started_at") <= started_at)
            & (pl.col("env_key") == info["env_key"])
        )
        .select(TEST_RUN_COLUMNS)  # copying only these, not every column
        .collect(engine=ENGINE)
    )
    current = tests.filter(
        (pl.col("invocation_id") == invocation_id) & pl.col("status").is_in((*FAILING, "warn"))
    )
    if current.is_empty():
        return []
    attributes = _test_attributes(frames, started_at, current["unique_id"].to_list())
    history = tests.join(current.select("unique_id"), on="unique_id", how="semi")
    by_test = history.partition_by("unique_id", as_dict=True, maintain_order=True)
    findings = []
    for row in current.iter_rows(named=True):
        runs = by_test[(row["unique_id"],)]
        statuses = runs["status"].to_list()
        streak = _streak(statuses)
        start = len(statuses) - streak  # the streak's first run
        failed_before = any(status != "pass" for status in statuses[:start])
        since = runs["started_at"][start]
        severity: Severity = "warn" if row["status"] == "warn" else "error"
        tested, column = attributes.get(row["unique_id"], (None, None))
        where = ""
        if tested:
            where = f" on {name_of(tested)}" + (f".{column}" if column else "")
        count = row["failures"]
        rows_text = f" with {count} failing row{'s' if count != 1 else ''}" if count else ""
        verb = {"warn": "warned", "fail": "failed"}.get(row["status"], "errored")
        if streak == 1:
            tail = "failing again after passing" if failed_before else "new"
        else:
            tail = f"failing since {moment(since)} ({streak} runs in a row)"
        message = f"{name_of(row['unique_id'])} {verb}{where}{rows_text}: {tail}"
        findings.append(
            Finding(
                "test_failure",
                severity,
                row["unique_id"],
                invocation_id,
                message,
                {
                    "status": row["status"],
                    "failures": count,
                    "tested_node": tested,
                    "column": column,
                    "streak_runs": streak,
                    "failing_since": since.isoformat(),
                    "streak_start_invocation": runs["invocation_id"][start],
                    "new": streak == 1 and not failed_before,
                    "dbt_message": row["message"],
                },
            )
        )
    return findings


def _streak(statuses: list[str]) -> int:
    """How many of the last runs did not pass (the current failing streak)."""
    length = 0
    for status in reversed(statuses):
        if status == "pass":
            break
        length += 1
    return length


def flaky_tests(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """Tests that flipped between pass and fail while their code and model stayed the same.

    Flaky means going from pass to fail at least ``flaky_min_flips`` times in
    the window: one failure between passes is a failure, not flakiness.
    """
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    window_start = started_at - dt.timedelta(days=config.flaky_window_days)
    runs = (
        frames.node_runs.lazy()
        .filter(
            pl.col("resource_type").is_in(TEST_TYPES)
            & pl.col("executes")
            & pl.col("status").is_in(("pass", *FAILING))
            & (pl.col("started_at") <= started_at)
            & (pl.col("started_at") > window_start)
            & (pl.col("env_key") == info["env_key"])
        )
        .select("invocation_id", "unique_id", "status", "started_at")
        .collect(engine=ENGINE)
    )
    ran_now = runs.filter(pl.col("invocation_id") == invocation_id).select("unique_id")
    runs = runs.join(ran_now, on="unique_id", how="semi").sort("started_at")
    # Keeping only the runs of one code version can only lose onsets (between a
    # kept pass and a kept fail the full sequence flips at least once), so tests
    # short of the minimum on all their runs are dropped before the code lookup.
    passed = pl.col("status") == "pass"
    enough = (
        runs.group_by("unique_id")
        .agg((passed.shift(1) & ~passed).sum().alias("onsets"))
        .filter(pl.col("onsets") >= config.flaky_min_flips)
        .select("unique_id")
    )
    runs = runs.join(enough, on="unique_id", how="semi")
    if runs.is_empty():
        return []
    runs = _with_code(frames, runs.sort("started_at"))
    same_code = pl.col("code") == pl.col("code").last()
    ok = (pl.col("status") == "pass").filter(same_code)
    scored = (
        runs.group_by("unique_id", maintain_order=True)
        .agg(
            ok.alias("outcomes"),
            (ok.shift(1) & ~ok).sum().alias("onsets"),
            (ok != ok.shift(1)).sum().alias("flips"),
        )
        .filter(pl.col("onsets") >= config.flaky_min_flips)  # one failure is not flakiness
        .sort("unique_id")
    )
    findings = []
    for unique_id, outcomes, onsets, flips in scored.iter_rows():
        fails = outcomes.count(False)
        strip = "".join("✓" if passed else "✗" for passed in outcomes)
        message = (
            f"{name_of(str(unique_id))} is flaky: it went from pass to fail {onsets} times "
            f"in its last {len(outcomes)} runs ({strip}) while its code did not change"
        )
        findings.append(
            Finding(
                "flaky_test",
                "warn",
                str(unique_id),
                invocation_id,
                message,
                {
                    "flips": flips,
                    "pass_to_fail": onsets,
                    "runs": len(outcomes),
                    "failures": fails,
                    "flip_rate": round(flips / max(len(outcomes) - 1, 1), 3),
                    "history": strip,
                    "window_days": config.flaky_window_days,
                },
            )
        )
    return findings


def _with_code(frames: Frames, runs: pl.DataFrame) -> pl.DataFrame:
    """Add ``code``: the checksums of the test and of the node it tests, as they stood then."""
    if frames.nodes.is_empty():
        return runs.with_columns(pl.lit("").alias("code"))
    versions = frames.nodes.select("unique_id", "checksum", "test_node", "first_seen_at").sort(
        "first_seen_at"
    )
    own = _as_of_join(runs, versions, "unique_id")
    tested = versions.select(
        pl.col("unique_id").alias("test_node"),
        pl.col("checksum").alias("tested_checksum"),
        "first_seen_at",
    )
    both = _as_of_join(own.sort("started_at"), tested, "test_node")
    return both.with_columns(
        pl.concat_str(
            pl.col("checksum").fill_null(""), pl.col("tested_checksum").fill_null(""), separator="|"
        ).alias("code")
    )


def _as_of_join(runs: pl.DataFrame, versions: pl.DataFrame, key: str) -> pl.DataFrame:
    """Each run with the version of ``key`` in effect when it started (else its first one)."""
    extra = [c for c in versions.columns if c not in (key, "first_seen_at")]
    # both sides are sorted by time (the caller's job): polars cannot check it per group
    before, after = (
        runs.join_asof(
            versions,
            left_on="started_at",
            right_on="first_seen_at",
            by=key,
            strategy=strategy,
            check_sortedness=False,
        )
        for strategy in ("backward", "forward")
    )
    after = after.select(extra)
    return before.drop("first_seen_at").with_columns(
        pl.coalesce(before[c], after[c]).alias(c) for c in extra
    )


def _test_attributes(
    frames: Frames, when: dt.datetime, wanted: list[str]
) -> dict[str, tuple[str | None, str | None]]:
    """The node and column each test of ``wanted`` tests."""
    if frames.nodes.is_empty():
        return {}
    tests = as_of(frames.nodes, when).filter(
        pl.col("resource_type").is_in(TEST_TYPES) & pl.col("unique_id").is_in(wanted)
    )
    return {
        uid: (node, column)
        for uid, node, column in tests.select("unique_id", "test_node", "test_column").iter_rows()
    }
