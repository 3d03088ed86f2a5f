"""A node's change points, each with its ranked causes.

Runtime and rows are followed separately, per environment (a ci build is
not compared with prod). Rows are followed only where the adapter counts
them (:mod:`~monitor.analysis.explain.rows`); an incremental model's
``rows_affected`` is the increment, not the table size, so its drops are not
change points (a quiet night writes few rows), only its rises are.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from monitor.analysis.explain.causes import Cause, Metric, Question, rank_causes
from monitor.analysis.explain.changes import ROWS, RUNTIME, Change, Shape, change_points
from monitor.analysis.explain.facts import Facts, git_sha


@dataclass(frozen=True)
class ChangePoint:
    """One change in a node's runtime or rows, and why."""

    unique_id: str
    invocation_id: str
    started_at: dt.datetime
    metric: Metric
    shape: Shape
    before: float
    after: float
    environment: str
    git_sha: str | None
    causes: list[Cause]

    @property
    def ratio(self) -> float | None:
        """The ratio after / before (None from a baseline of 0)."""
        return self.after / self.before if self.before else None

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (see ``dbt-monitor explain --format json``)."""
        ratio = self.ratio
        return {
            "invocation_id": self.invocation_id,
            "started_at": self.started_at.isoformat(),
            "metric": self.metric,
            "shape": self.shape,
            "before": round(self.before, 3),
            "after": round(self.after, 3),
            "ratio": None if ratio is None else round(ratio, 3),
            "environment": self.environment,
            "git_sha": self.git_sha,
            "causes": [cause.as_dict() for cause in self.causes],
        }


@dataclass(frozen=True)
class Detected:
    """A change found in one series, before its causes are read."""

    environment: str
    metric: Metric
    change: Change
    invocation_ids: list[str]
    """The series' invocations, oldest first (``change.index`` points into it)."""

    @property
    def after(self) -> str:
        """The invocation of the first run after the change."""
        return self.invocation_ids[self.change.index]


def detect(facts: Facts, unique_id: str) -> list[Detected]:
    """Every change in ``unique_id``'s runtime and rows, per environment, without causes."""
    found: list[Detected] = []
    incremental = _incremental(facts, unique_id)
    for (env,), series in facts.series(unique_id).group_by("env_key", maintain_order=True):
        ids = series["invocation_id"].to_list()
        times = [float(v) for v in series["execution_time"]]
        found.extend(
            Detected(str(env), "execution_time", c, ids) for c in change_points(times, RUNTIME)
        )
        counted = series.filter(pl.col("rows").is_not_null())
        rows = [float(v) for v in counted["rows"]]
        found.extend(
            Detected(str(env), "rows_affected", c, counted["invocation_id"].to_list())
            for c in change_points(rows, ROWS)
            if c.direction > 0 or not incremental
        )
    return found


def node_change_points(
    facts: Facts, unique_id: str, *, since: dt.datetime | None = None
) -> list[ChangePoint]:
    """``unique_id``'s change points (runtime and rows) with their causes, oldest first.

    The whole series is scanned so that the first runs after ``since`` have
    a baseline; only changes at or after ``since`` are returned.
    """
    found = [
        _point(facts, unique_id, item)
        for item in detect(facts, unique_id)
        if since is None or facts.invocation(item.after)["started_at"] >= since
    ]
    return sorted(found, key=lambda p: (p.started_at, p.metric))


def change_points_by_node(
    facts: Facts, unique_ids: Iterable[str] | None = None
) -> dict[str, list[ChangePoint]]:
    """Change points per node, for the report's duration charts and "What changed" list.

    ``unique_ids`` defaults to every model, seed and snapshot that ran;
    nodes without a change point are left out.
    """
    ids = unique_ids if unique_ids is not None else facts.runs["unique_id"].unique().sort()
    found = {uid: node_change_points(facts, uid) for uid in ids}
    return {uid: points for uid, points in found.items() if points}


def _point(facts: Facts, unique_id: str, item: Detected) -> ChangePoint:
    change = item.change
    before = item.invocation_ids[change.index - 1] if change.index else None
    info = facts.invocation(item.after)
    question = Question(unique_id, item.after, before, item.metric, change.direction)
    return ChangePoint(
        unique_id=unique_id,
        invocation_id=item.after,
        started_at=info["started_at"],
        metric=item.metric,
        shape=change.shape,
        before=change.before,
        after=change.after,
        environment=item.environment,
        git_sha=git_sha(info.get("labels")),
        causes=rank_causes(facts, question),
    )


def _incremental(facts: Facts, unique_id: str) -> bool:
    mine = facts.versions.filter(pl.col("unique_id") == unique_id)
    return bool(mine.height) and mine["materialized"][-1] == "incremental"
