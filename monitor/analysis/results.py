"""Result detectors: ``model_error``, ``test_failure`` and ``flaky_test``."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.finding import Finding, Severity
from monitor.analysis.frames import EXECUTABLE, Frames, as_of
from monitor.analysis.lineage import Dag
from monitor.analysis.words import moment, name_of

TEST_TYPES = ("test", "unit_test")
FAILING = ("fail", "error", "runtime error")


def model_errors(frames: Frames, invocation_id: str, dag: Dag) -> list[Finding]:
    """Models, seeds and snapshots that errored, with how many nodes they skipped."""
    runs = frames.node_runs.filter(pl.col("invocation_id") == invocation_id)
    skipped = set(runs.filter(pl.col("status") == "skipped")["unique_id"].to_list())
    errored = runs.filter(
        pl.col("resource_type").is_in(EXECUTABLE) & pl.col("status").is_in(FAILING)
    )
    findings = []
    for row in errored.iter_rows(named=True):
        lost = sorted(dag.descendants(row["unique_id"]) & skipped)
        text = _first_line(row["message"]) or "no message from dbt"
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
    tests = frames.node_runs.filter(
        pl.col("resource_type").is_in(TEST_TYPES)
        & pl.col("executes")
        & (pl.col("status") != "skipped")
        & (pl.col("started_at") <= started_at)
        & (pl.col("env_key") == info["env_key"])
    )
    current = tests.filter(
        (pl.col("invocation_id") == invocation_id) & pl.col("status").is_in((*FAILING, "warn"))
    )
    if current.is_empty():
        return []
    attributes = _test_attributes(frames, started_at)
    history = tests.join(current.select("unique_id"), on="unique_id", how="semi")
    findings = []
    for row in current.iter_rows(named=True):
        runs = history.filter(pl.col("unique_id") == row["unique_id"])
        streak = _streak(runs)
        earlier_failures = runs.head(runs.height - streak.height).filter(pl.col("status") != "pass")
        since = streak["started_at"][0]
        severity: Severity = "warn" if row["status"] == "warn" else "error"
        tested, column = attributes.get(row["unique_id"], (None, None))
        where = ""
        if tested:
            where = f" on {name_of(tested)}" + (f".{column}" if column else "")
        count = row["failures"]
        rows_text = f" with {count} failing row{'s' if count != 1 else ''}" if count else ""
        verb = {"warn": "warned", "fail": "failed"}.get(row["status"], "errored")
        if streak.height == 1:
            tail = "new" if earlier_failures.is_empty() else "failing again after passing"
        else:
            tail = f"failing since {moment(since)} ({streak.height} runs in a row)"
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
                    "streak_runs": streak.height,
                    "failing_since": since.isoformat(),
                    "streak_start_invocation": streak["invocation_id"][0],
                    "new": streak.height == 1 and earlier_failures.is_empty(),
                    "dbt_message": row["message"],
                },
            )
        )
    return findings


def _streak(runs: pl.DataFrame) -> pl.DataFrame:
    """The trailing runs that did not pass (the current failing streak)."""
    passed = (runs["status"] == "pass").to_list()
    length = 0
    for ok in reversed(passed):
        if ok:
            break
        length += 1
    return runs.tail(length)


def flaky_tests(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """Tests that flipped between pass and fail while their code and model stayed the same.

    Flaky means going from pass to fail at least ``flaky_min_flips`` times in
    the window: one failure between passes is a failure, not flakiness.
    """
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    window_start = started_at - dt.timedelta(days=config.flaky_window_days)
    runs = frames.node_runs.filter(
        pl.col("resource_type").is_in(TEST_TYPES)
        & pl.col("executes")
        & pl.col("status").is_in(("pass", *FAILING))
        & (pl.col("started_at") <= started_at)
        & (pl.col("started_at") > window_start)
        & (pl.col("env_key") == info["env_key"])
    )
    ran_now = runs.filter(pl.col("invocation_id") == invocation_id).select("unique_id")
    runs = runs.join(ran_now, on="unique_id", how="semi")
    if runs.is_empty():
        return []
    runs = runs.with_columns(_code_key(frames, runs).alias("code"))
    findings = []
    for (unique_id,), group in runs.group_by("unique_id", maintain_order=True):
        current_code = group["code"][-1]
        same = group.filter(pl.col("code") == current_code)
        outcomes = [status == "pass" for status in same["status"].to_list()]
        flips = sum(a != b for a, b in pairwise(outcomes))
        onsets = sum(a and not b for a, b in pairwise(outcomes))
        if onsets < config.flaky_min_flips:
            continue  # pass -> fail -> pass is one failure, not yet flakiness
        fails = outcomes.count(False)
        strip = "".join("✓" if ok else "✗" for ok in outcomes)
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


def _code_key(frames: Frames, runs: pl.DataFrame) -> pl.Series:
    """Per run, the checksums of the test and of the node it tests, as they stood then."""
    keys = []
    cache: dict[str, dict[str, tuple[str | None, str | None]]] = {}
    for unique_id, invocation_id, started_at in runs.select(
        "unique_id", "invocation_id", "started_at"
    ).iter_rows():
        if invocation_id not in cache:
            cache[invocation_id] = _checksums(frames, started_at)
        checksums = cache[invocation_id]
        own, tested = checksums.get(unique_id, (None, None))
        keys.append(f"{own}|{tested}")
    return pl.Series(keys, dtype=pl.String)


def _checksums(frames: Frames, when: dt.datetime) -> dict[str, tuple[str | None, str | None]]:
    if frames.nodes.is_empty():
        return {}
    nodes = as_of(frames.nodes, when)
    checksum = dict(nodes.select("unique_id", "checksum").iter_rows())
    tests = nodes.filter(pl.col("resource_type").is_in(TEST_TYPES))
    return {
        uid: (own, checksum.get(tested) if tested else None)
        for uid, own, tested in tests.select("unique_id", "checksum", "test_node").iter_rows()
    }


def _test_attributes(frames: Frames, when: dt.datetime) -> dict[str, tuple[str | None, str | None]]:
    if frames.nodes.is_empty():
        return {}
    tests = as_of(frames.nodes, when).filter(pl.col("resource_type").is_in(TEST_TYPES))
    return {
        uid: (node, column)
        for uid, node, column in tests.select("unique_id", "test_node", "test_column").iter_rows()
    }


def _first_line(text: str | None) -> str:
    """The line of dbt's message that says what went wrong.

    dbt opens with "Runtime Error in model x (path)"; the cause follows.
    """
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for line in lines:
        if not (" Error in " in line and line.endswith(")")):
            return line[:300]
    return lines[0][:300] if lines else ""
