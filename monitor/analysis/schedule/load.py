"""Read what a replay needs: one build, or a job's builds over a window."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.frames import Frames, prepare, resolve_invocation
from monitor.analysis.queries.windows import parse_window
from monitor.analysis.schedule.runs import job_invocations, newest_job, node_invocations
from monitor.errors import MonitorError
from monitor.history.store import History
from monitor.history.tables import read_tables

RECENT_DAYS = 7
"""How far back the newest build is looked for before the whole history is read."""


def frames_since(history: History, days: int | None) -> Frames:
    """The frames of the last ``days`` days of the history (all of it for None)."""
    newest = history.newest_day()
    if newest is None or days is None:
        return prepare(read_tables(history))
    return prepare(read_tables(history, since=newest - dt.timedelta(days=days)))


def one_build(history: History, invocation: str | None) -> tuple[Frames, str]:
    """The frames holding ``invocation`` (default: the newest build) and its id."""
    frames = frames_since(history, RECENT_DAYS)
    try:
        return frames, _pick(frames, invocation)
    except MonitorError:
        frames = frames_since(history, None)
        return frames, _pick(frames, invocation)


def _pick(frames: Frames, invocation: str | None) -> str:
    if invocation is None:
        runs = node_invocations(frames.invocations)
        if runs.is_empty():
            raise MonitorError("no invocation in the history ran models yet (dbt build or dbt run)")
        return str(runs["invocation_id"][-1])
    found = resolve_invocation(frames.invocations, invocation)
    if node_invocations(frames.invocations.filter(pl.col("invocation_id") == found)).is_empty():
        raise MonitorError(f"invocation {found} ran no models, seeds, snapshots or tests")
    return found


def job_builds(history: History, since: str, job: str | None = None) -> tuple[Frames, list[str]]:
    """The builds of ``job`` (default: the newest build's job) started in ``--since``."""
    newest_day = history.newest_day()
    frames = frames_since(history, None if newest_day is None else _days(since))
    facts = frames.invocations
    if facts.is_empty():
        raise MonitorError(f"{history.root}: no invocations yet; run `dbt-monitor ingest` first")
    newest = facts["started_at"].max()
    assert isinstance(newest, dt.datetime)
    window = parse_window(since, None, newest)
    inside = facts.filter(window.contains())
    wanted = job or newest_job(inside)
    return frames, job_invocations(inside, wanted)


def _days(since: str) -> int | None:
    """Days of partitions a ``--since`` needs (None: read everything, e.g. for a date)."""
    text = since.strip()
    if text[:-1].isdigit() and text[-1] in "dhw":
        count = int(text[:-1])
        return {"d": count, "h": count // 24 + 1, "w": count * 7}[text[-1]] + 1
    return None
