"""Why a node's runtime or rows changed at one run: ranked causes with evidence.

The vocabulary is fixed (:data:`KINDS`). Each cause is proposed only on
evidence read from the history, comparing the run that changed (``after``)
with the node's last run before the change (``before``):

============== ===============================================================
code           the node's checksum changed between the two runs (high); a
               unified diff when both versions' raw_code is stored
upstream_code  a direct parent's checksum changed (medium)
full_refresh   the run was a full refresh (high), or an incremental's rows
               jumped 10× or more, as a rebuild in full does (medium)
environment    dbt version, adapter type or version, or target changed (medium)
threads        the invocation's thread count changed (high)
data           its own row count moved 1.5× or more the same way (high with its
               code unchanged, else medium); for a change in rows, its code
               unchanged and no parent's rows moved (medium)
upstream_data  the nearest ancestors with row counts (through views) moved
               1.5× or more the same way (medium; high for a change in rows)
contention     at least 3 other nodes, and 25 % of those with a baseline, ran
               1.5× slower with unchanged code and rows (medium; high from 50 %,
               unless a cause specific to the node was found: a crowd of slow
               nodes explains best when nothing about the node itself changed)
unknown        nothing above: said so, with the facts that were missing
============== ===============================================================

Causes are sorted by confidence, then in the order of :data:`KINDS` (the
more specific first), so ties are stable.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from monitor.analysis.explain.facts import ENVIRONMENT, Facts
from monitor.analysis.explain.rows import counts_rows, missing_rows_reason
from monitor.analysis.words import counted, name_of

Confidence = Literal["high", "medium", "low"]
Metric = Literal["execution_time", "rows_affected"]

KINDS = (
    "code",
    "upstream_code",
    "full_refresh",
    "environment",
    "threads",
    "data",
    "upstream_data",
    "contention",
    "unknown",
)
"""Every cause, most specific first (the order of ties)."""

CONFIDENCE = {"high": 2, "medium": 1, "low": 0}

ROWS_RATIO = 1.5
"""Rows moved when they changed by this factor (either way)."""
SLOWER_RATIO = 1.5
"""Another node "got slower" at this ratio to its baseline."""
CROWD = 3
CROWD_SHARE = 0.25
CROWD_HIGH_SHARE = 0.5
MIN_BASELINE_RUNS = 3
REBUILD_RATIO = 10.0
ANCESTOR_DEPTH = 3
"""How far up through views (no row counts) upstream_data looks."""


@dataclass(frozen=True)
class Cause:
    """One likely cause, with how sure and why."""

    kind: str
    confidence: Confidence
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The JSON form: kind, confidence, message, evidence."""
        return {
            "kind": self.kind,
            "confidence": self.confidence,
            "message": self.message,
            "evidence": self.evidence,
        }


@dataclass(frozen=True)
class Question:
    """What to explain: ``unique_id``'s ``metric`` moved in ``direction`` at ``after``."""

    unique_id: str
    after: str
    """The invocation of the first run after the change."""
    before: str | None
    """The invocation of the node's last run before it (None: no earlier run)."""
    metric: Metric = "execution_time"
    direction: int = 1


@dataclass
class _Case:
    facts: Facts
    question: Question
    after: dict[str, Any]
    before: dict[str, Any] | None
    missing: list[str] = field(default_factory=list)


def rank_causes(facts: Facts, question: Question) -> list[Cause]:
    """The likely causes of the change, most likely first; ``unknown`` when none fits."""
    before = facts.invocation(question.before) if question.before else None
    case = _Case(facts, question, facts.invocation(question.after), before)
    found = [cause for rule in _RULES if (cause := rule(case)) is not None]
    if len(found) > 1:
        found = [_capped(c) if c.kind == "contention" else c for c in found]
    if not found:
        found.append(_unknown(case))
    return sorted(found, key=lambda c: (-CONFIDENCE[c.confidence], KINDS.index(c.kind)))


def likely_cause(causes: list[Cause]) -> str:
    """The message ending that names the top cause."""
    if not causes:
        return ""
    top = causes[0]
    return f"; likely cause: {top.message}"


# -- the rules ---------------------------------------------------------------


def _code(case: _Case) -> Cause | None:
    old, new = _versions(case, case.question.unique_id)
    if old is None or new is None:
        case.missing.append("no manifest version of the node before and after the change")
        return None
    if old["checksum"] == new["checksum"]:
        return None
    evidence: dict[str, Any] = {
        "checksum_before": old["checksum"],
        "checksum_after": new["checksum"],
    }
    words = "its SQL changed in this run"
    diff = code_diff(old.get("raw_code"), new.get("raw_code"), case.question.unique_id)
    if diff is not None:
        added, removed = _counts(diff)
        evidence.update({"lines_added": added, "lines_removed": removed, "diff": diff})
        words += f" (+{added}/−{removed} lines)"
    return Cause("code", "high", words, evidence)


def _upstream_code(case: _Case) -> Cause | None:
    changed = []
    for parent in _parents(case, case.question.unique_id):
        old, new = _versions(case, parent)
        if old is not None and new is not None and old["checksum"] != new["checksum"]:
            changed.append(parent)
    if not changed:
        return None
    names = ", ".join(name_of(p) for p in changed)
    return Cause(
        "upstream_code",
        "medium",
        f"the SQL of its parent {names} changed in this run",
        {"parents": changed},
    )


def _full_refresh(case: _Case) -> Cause | None:
    if case.after.get("full_refresh"):
        return Cause("full_refresh", "high", "the run was a full refresh", {"full_refresh": True})
    own = _own(case)
    new = case.facts.version(case.question.unique_id, case.after["started_at"])
    if (
        new is not None
        and new.get("materialized") == "incremental"
        and own is not None
        and own["rows_ratio"] is not None
        and own["rows_ratio"] >= REBUILD_RATIO
    ):
        return Cause(
            "full_refresh",
            "medium",
            f"the incremental model wrote {own['rows_ratio']:.0f}× its usual rows, "
            "as a rebuild in full does",
            {"rows": own["rows"], "rows_before": own["base_rows"]},
        )
    return None


def _environment(case: _Case) -> Cause | None:
    if case.before is None:
        return None
    changed = {
        key: (case.before.get(key), case.after.get(key))
        for key in ENVIRONMENT
        if key in case.after and case.before.get(key) != case.after.get(key)
    }
    if not changed:
        return None
    words = ", ".join(f"{key} {old} → {new}" for key, (old, new) in changed.items())
    evidence = {f"{key}_before": old for key, (old, _) in changed.items()}
    evidence.update({f"{key}_after": new for key, (_, new) in changed.items()})
    return Cause("environment", "medium", f"the environment changed: {words}", evidence)


def _threads(case: _Case) -> Cause | None:
    if case.before is None:
        return None
    old, new = case.before.get("threads"), case.after.get("threads")
    if old is None or new is None:
        case.missing.append("the invocations' thread counts")
        return None
    if old == new:
        return None
    wall = ""
    old_wall, new_wall = case.before.get("elapsed_time"), case.after.get("elapsed_time")
    if old_wall and new_wall:
        wall = f" (whole run {old_wall:.1f} s → {new_wall:.1f} s)"
    return Cause(
        "threads",
        "high",
        f"the run used {counted(new, 'thread')} instead of {old}{wall}",
        {
            "threads_before": old,
            "threads_after": new,
            "run_seconds_before": old_wall,
            "run_seconds_after": new_wall,
        },
    )


def _data(case: _Case) -> Cause | None:
    own = _own(case)
    if not _has_rows(case, own):
        return None
    assert own is not None
    if case.question.metric == "rows_affected":
        if _code_changed(case) or _upstream_moved(case):
            return None
        return Cause(
            "data",
            "medium",
            "its code did not change: the data it reads did",
            {"rows": own["rows"], "rows_before": own["base_rows"]},
        )
    ratio = own["rows_ratio"]
    if not _moved(ratio, case.question.direction):
        return None
    confidence: Confidence = "medium" if _code_changed(case) else "high"
    word = "grew" if case.question.direction > 0 else "shrank"
    return Cause(
        "data",
        confidence,
        f"its rows {word} {_times(ratio)} ({_n(own['base_rows'])} → {_n(own['rows'])}) "
        "with the runtime",
        {"rows": own["rows"], "rows_before": own["base_rows"], "rows_ratio": round(ratio, 2)},
    )


def _upstream_data(case: _Case) -> Cause | None:
    moved = _upstream_moved(case)
    if not moved:
        return None
    confidence: Confidence = "high" if case.question.metric == "rows_affected" else "medium"
    word = "grew" if case.question.direction > 0 else "shrank"
    parts = [f"{name_of(uid)} {_times(ratio)}" for uid, ratio in moved]
    return Cause(
        "upstream_data",
        confidence,
        f"the rows upstream {word}: {', '.join(parts)}",
        {"upstream": {uid: round(ratio, 2) for uid, ratio in moved}},
    )


def _contention(case: _Case) -> Cause | None:
    if case.question.metric != "execution_time" or case.question.direction < 0:
        return None
    before_at = None if case.before is None else case.before["started_at"]
    compared, slowed = case.facts.kept(
        ("crowd", case.question.after, before_at), lambda: _crowd(case.facts, case)
    )
    unique_id = case.question.unique_id
    others = compared.total() - compared[unique_id]  # every node but the one asked about
    slower = slowed.total() - slowed[unique_id]
    if not others or slower < CROWD or slower < CROWD_SHARE * others:
        return None
    share = slower / others
    overlap = case.facts.overlapping(case.question.after)
    confidence: Confidence = "high" if share >= CROWD_HIGH_SHARE else "medium"
    words = (
        f"{slower} of {others} other nodes ran {SLOWER_RATIO}× slower or more "
        "in this run with unchanged code and rows"
    )
    words += (
        f"; it overlapped {len(overlap)} other invocation(s)"
        if overlap
        else "; no other invocation in the history overlapped it"
    )
    return Cause(
        "contention",
        confidence,
        words,
        {
            "slower_nodes": slower,
            "compared_nodes": others,
            "share": round(share, 3),
            "overlapping_invocations": overlap,
        },
    )


def _crowd(facts: Facts, case: _Case) -> tuple[Counter[str], Counter[str]]:
    """The runs of the question's invocation a crowd is counted among, and the slower ones.

    By node, so each question leaves its own out: computed once per
    invocation (and run before), not once per finding.
    """
    compared = facts.baselines(case.question.after).filter(pl.col("base_runs") >= MIN_BASELINE_RUNS)
    if case.before is not None:
        changed = facts.code_changes(case.before["started_at"], case.after["started_at"])
        compared = compared.filter(~pl.col("unique_id").is_in(list(changed)))
    slower = compared.filter(
        (pl.col("time_ratio") >= SLOWER_RATIO)
        & ~(pl.col("rows_ratio").fill_null(1.0) >= ROWS_RATIO)
    )
    return Counter(compared["unique_id"].to_list()), Counter(slower["unique_id"].to_list())


def _capped(cause: Cause) -> Cause:
    if cause.confidence != "high":
        return cause
    return Cause(cause.kind, "medium", cause.message, cause.evidence)


def _unknown(case: _Case) -> Cause:
    missing = list(dict.fromkeys(case.missing))
    words = (
        "nothing recorded explains it (no code, parent, thread or environment change, "
        "no crowd of slower nodes)"
    )
    if missing:
        words += "; missing: " + "; ".join(missing)
    return Cause("unknown", "low", words, {"missing": missing})


_RULES: tuple[Callable[[_Case], Cause | None], ...] = (
    _code,
    _upstream_code,
    _full_refresh,
    _environment,
    _threads,
    _data,
    _upstream_data,
    _contention,
)


# -- helpers -----------------------------------------------------------------


def code_diff(old: str | None, new: str | None, unique_id: str) -> str | None:
    """A unified diff of two versions of a node's raw code (None when either is missing)."""
    if old is None or new is None:
        return None
    name = name_of(unique_id)
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{name} (before)",
        tofile=f"{name} (after)",
    )
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def _counts(diff: str) -> tuple[int, int]:
    lines = diff.splitlines()[2:]
    added = sum(1 for line in lines if line.startswith("+"))
    removed = sum(1 for line in lines if line.startswith("-"))
    return added, removed


def _versions(case: _Case, unique_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if case.before is None:
        return None, None
    return (
        case.facts.version(unique_id, case.before["started_at"]),
        case.facts.version(unique_id, case.after["started_at"]),
    )


def _code_changed(case: _Case, unique_id: str | None = None) -> bool:
    if case.before is None:
        return False
    changed = case.facts.code_changes(case.before["started_at"], case.after["started_at"])
    return (unique_id or case.question.unique_id) in changed


def _parents(case: _Case, unique_id: str) -> list[str]:
    new = case.facts.version(unique_id, case.after["started_at"])
    return [] if new is None else sorted(new.get("depends_on") or [])


def _own(case: _Case) -> dict[str, Any] | None:
    return case.facts.baseline(case.question.after, case.question.unique_id)


def _has_rows(case: _Case, own: dict[str, Any] | None) -> bool:
    if own is None or own["rows"] is None or own["base_rows"] is None:
        case.missing.append(missing_rows_reason(case.after.get("adapter_type")))
        return False
    return True


def _upstream_moved(case: _Case) -> list[tuple[str, float]]:
    """Nearest ancestors with row counts whose rows moved the question's way."""
    if not counts_rows(case.after.get("adapter_type")):
        return []
    counted = case.facts.rows_ratios(case.question.after)
    moved: list[tuple[str, float]] = []
    seen: set[str] = set()
    level = _parents(case, case.question.unique_id)
    for _ in range(ANCESTOR_DEPTH):
        upper: list[str] = []
        for uid in level:
            if uid in seen:
                continue
            seen.add(uid)
            if uid in counted:
                if _moved(counted[uid], case.question.direction):
                    moved.append((uid, counted[uid]))
            else:
                upper.extend(_parents(case, uid))
        level = upper
    return moved


def _moved(ratio: float | None, direction: int) -> bool:
    if ratio is None:
        return False
    return ratio >= ROWS_RATIO if direction > 0 else ratio * ROWS_RATIO <= 1


def _times(ratio: float) -> str:
    return f"{ratio:.1f}×" if ratio >= 1 else f"to {ratio:.0%}"


def _n(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"
