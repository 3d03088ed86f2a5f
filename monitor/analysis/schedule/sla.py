"""``sla_missed`` and ``sla_at_risk``: an exposure's or model's data against its deadline.

``sla_missed`` (error): in the judged run the data became ready after the
deadline, or never (an upstream node errored or was skipped). Only runs of
the job that usually builds the data are judged (not a pull request's build
that happens to touch an upstream model).
``sla_at_risk`` (warn): the data was on time, but the readiness trend over
the last runs crosses the deadline within :data:`TREND_DAYS` days, or the
finish-time forecast for the next run reaches it with at least
:data:`RISK_PROBABILITY` (see :mod:`.forecast`). Both name the nodes on the
critical path to the data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.critical_path import longest_path
from monitor.analysis.finding import Finding
from monitor.analysis.frames import Frames, as_of
from monitor.analysis.lineage import Dag
from monitor.analysis.schedule.deadline import META_KEY, Deadline, meta_deadline
from monitor.analysis.schedule.graph import node_times, reduced_edges
from monitor.analysis.schedule.readiness import Target, readiness, upstream_pairs
from monitor.analysis.schedule.runs import node_invocations
from monitor.analysis.words import duration, name_of

TREND_DAYS = 7
TREND_RUNS = 14
"""Ready times of this many previous runs make the trend."""
MIN_TREND_RUNS = 5
RISK_PROBABILITY = 0.2
FORECAST_SAMPLES = 200


@dataclass(frozen=True)
class Sla:
    """A target with a deadline."""

    target: Target
    deadline: Deadline


def slas(frames: Frames, config: Config, when: dt.datetime) -> list[Sla]:
    """Every exposure and model with a deadline, from the configuration or dbt meta."""
    found: list[Sla] = []
    for table, kind_column in ((frames.exposures, "type"), (frames.nodes, "resource_type")):
        if table.is_empty():
            continue
        current = as_of(table, when)
        if table is frames.nodes:
            current = current.filter(pl.col("resource_type").is_in(("model", "seed", "snapshot")))
        has_meta = "meta" in current.columns
        named = list(config.sla)
        candidate = pl.col("name").is_in(named) | pl.col("unique_id").is_in(named)
        if has_meta:  # a superset of the nodes whose meta declares a deadline
            candidate = candidate | pl.col("meta").str.contains(META_KEY, literal=True)
        for row in current.filter(candidate.fill_null(False)).iter_rows(named=True):
            uid, name = str(row["unique_id"]), str(row["name"])
            deadline = config.sla.get(name) or config.sla.get(uid)
            if deadline is None and has_meta:
                deadline = meta_deadline(row["meta"], uid)
            if deadline is not None:
                kind = str(row[kind_column] or "exposure")
                found.append(Sla(Target(uid, name, kind), deadline))
    return found


def sla_findings(frames: Frames, invocation_id: str, config: Config, dag: Dag) -> list[Finding]:
    """``sla_missed`` and ``sla_at_risk`` for the judged invocation."""
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    declared = slas(frames, config, started_at)
    if not declared:
        return []
    runs = frames.node_runs.filter(pl.col("started_at") <= started_at)
    jobs = frames.invocations.select("invocation_id", "job")
    ready = readiness(runs, dag, [sla.target for sla in declared]).join(
        jobs, on="invocation_id", how="left"
    )
    findings = []
    for sla in declared:
        rows = ready.filter(pl.col("target") == sla.target.unique_id)
        now = rows.filter(pl.col("invocation_id") == invocation_id)
        if now.is_empty() or now["job"][0] != _usual_job(rows):
            continue  # this run built nothing upstream of it, or is not the job that makes it
        rows = rows.filter(pl.col("job") == now["job"][0])
        row = now.row(0, named=True)
        path = _critical_path(frames, invocation_id, dag, sla.target)
        due = sla.deadline.due(started_at)
        if not row["ready"] or row["ready_at"] > due:
            findings.append(_missed(sla, invocation_id, row, due, path))
        else:
            risk = _trend_risk(rows, sla.deadline)
            if risk is not None:
                findings.append(_at_risk(sla, invocation_id, row, due, risk, path))
            else:
                chance = _forecast_risk(frames, invocation_id, sla)
                if chance is not None:
                    findings.append(_at_risk(sla, invocation_id, row, due, None, path, chance))
    return findings


def _forecast_risk(frames: Frames, invocation_id: str, sla: Sla) -> float | None:
    """The forecast's chance that the next run misses the deadline, if at least 20 %.

    Only for the newest run of its job: the forecast is about the run after it.
    """
    from monitor.analysis.schedule.forecast import MIN_RUNS, forecast  # only a declared SLA

    job = str(frames.invocation(invocation_id)["job"])
    ids = node_invocations(frames.invocations).filter(pl.col("job") == job)["invocation_id"]
    if ids.len() < MIN_RUNS or ids[-1] != invocation_id:
        return None
    ahead = forecast(frames, job, samples=FORECAST_SAMPLES, targets=[sla.target])
    chance = ahead.chance_after(sla.target.unique_id, sla.deadline.due(ahead.next_start))
    return chance if chance is not None and chance >= RISK_PROBABILITY else None


def _missed(
    sla: Sla, invocation_id: str, row: dict[str, object], due: dt.datetime, path: list[str]
) -> Finding:
    what = f"{sla.target.kind} {sla.target.name}"
    names = " → ".join(name_of(uid) for uid in path)
    if not row["ready"]:
        blocked = str(row["blocked_by"])
        message = (
            f"{what}: data never ready (due {sla.deadline.describe()}): "
            f"{name_of(blocked)} did not complete; critical path {names}"
        )
        late = None
    else:
        ready_at = row["ready_at"]
        assert isinstance(ready_at, dt.datetime)
        late = (ready_at - due).total_seconds()
        message = (
            f"{what}: data ready at {ready_at:%H:%M:%S} UTC, {duration(late)} after its "
            f"{sla.deadline.describe()} deadline; critical path {names}"
        )
    return Finding(
        "sla_missed",
        "error",
        sla.target.unique_id,
        invocation_id,
        message,
        {
            "deadline": due.isoformat(),
            "ready_at": _iso(row["ready_at"]),
            "late_seconds": None if late is None else round(late, 3),
            "blocked_by": _text(row["blocked_by"]),
            "critical_path": ", ".join(path),
        },
    )


def _at_risk(
    sla: Sla,
    invocation_id: str,
    row: dict[str, object],
    due: dt.datetime,
    days_left: float | None,
    path: list[str],
    chance: float | None = None,
) -> Finding:
    names = " → ".join(name_of(uid) for uid in path)
    ready_at = row["ready_at"]
    assert isinstance(ready_at, dt.datetime)
    why = (
        f"its ready time is rising and reaches the deadline in about {days_left:.1f} days"
        if days_left is not None
        else f"the forecast for the next run misses it with {chance or 0:.0%} probability"
    )
    message = (
        f"{sla.target.kind} {sla.target.name}: ready at {ready_at:%H:%M:%S} UTC, before its "
        f"{sla.deadline.describe()} deadline, but {why}; critical path {names}"
    )
    return Finding(
        "sla_at_risk",
        "warn",
        sla.target.unique_id,
        invocation_id,
        message,
        {
            "deadline": due.isoformat(),
            "ready_at": ready_at.isoformat(),
            "days_to_deadline": None if days_left is None else round(days_left, 2),
            "miss_probability": None if chance is None else round(chance, 3),
            "critical_path": ", ".join(path),
        },
    )


def _trend_risk(rows: pl.DataFrame, deadline: Deadline) -> float | None:
    """Days until the readiness trend crosses the deadline, if within :data:`TREND_DAYS`."""
    recent = rows.filter(pl.col("ready")).tail(TREND_RUNS)
    if recent.height < MIN_TREND_RUNS:
        return None
    points = [
        (
            started.timestamp() / 86400,
            (ready - deadline.due(started)).total_seconds(),
        )
        for started, ready in recent.select("started_at", "ready_at").iter_rows()
    ]
    slope = _theil_sen(points)  # seconds of lateness per day
    if slope <= 0:
        return None
    margin = -points[-1][1]
    days = margin / slope
    return days if 0 <= days <= TREND_DAYS else None


def _theil_sen(points: list[tuple[float, float]]) -> float:
    slopes = sorted(
        (y2 - y1) / (x2 - x1)
        for i, (x1, y1) in enumerate(points)
        for x2, y2 in points[i + 1 :]
        if x2 != x1
    )
    return slopes[len(slopes) // 2] if slopes else 0.0


def _critical_path(frames: Frames, invocation_id: str, dag: Dag, target: Target) -> list[str]:
    """The heaviest chain of this run's nodes leading to the target's data."""
    upstream = set(upstream_pairs(dag, [target])["unique_id"].to_list())
    runs = node_times(
        frames.node_runs.filter(
            (pl.col("invocation_id") == invocation_id) & pl.col("unique_id").is_in(list(upstream))
        )
    )
    weights = dict(runs.select("unique_id", "seconds").iter_rows())
    return longest_path(weights, reduced_edges(dag, set(weights)))


def _usual_job(rows: pl.DataFrame) -> str | None:
    """The job that most often built the target's data (a pull request's build is not it)."""
    counts = rows.group_by("job").len().sort(["len", "job"], descending=[True, False])
    return None if counts.is_empty() else counts["job"][0]


def _iso(value: object) -> str | None:
    return value.isoformat() if isinstance(value, dt.datetime) else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)
