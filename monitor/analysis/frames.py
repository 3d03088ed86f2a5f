"""The detectors' view of the history: runs carrying their invocation's facts.

Built once per check from the history's lazy tables. Every run row carries
its invocation's start time, environment key and whether the invocation
executed anything, so each detector is a plain frame expression.
"""

from __future__ import annotations

import datetime as dt
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

import polars as pl

from monitor.analysis.jobs import job, job_name
from monitor.engine import ENGINE
from monitor.errors import MonitorError
from monitor.history.tables import Tables

COMPILE_ONLY = frozenset(
    {"docs generate", "generate", "compile", "list", "ls", "parse", "show", "debug", "deps"}
)
"""Commands that execute nothing: never "latest", never a timing baseline."""

EXECUTABLE = ("model", "seed", "snapshot")
"""Resource types whose execution time is watched."""

ENV_LABELS = ("env", "environment", "target")
"""Labels naming an environment; the first present wins over dbt's ``--target``."""

T = TypeVar("T")


class NothingExecuted(MonitorError):
    """``latest`` asked of a history whose invocations executed nothing (docs, compile)."""


class Keeps:
    """Answers derived from frames that never change, each computed once per key."""

    _kept: dict[object, Any]

    def kept(self, key: object, make: Callable[[], T]) -> T:
        """``make()``, computed once per ``key`` (two threads may both make it: the same value)."""
        if key not in self._kept:
            self._kept[key] = make()
        return cast(T, self._kept[key])


@dataclass(frozen=True)
class Frames(Keeps):
    """Collected, joined frames for the detectors."""

    invocations: pl.DataFrame
    node_runs: pl.DataFrame
    freshness: pl.DataFrame
    nodes: pl.DataFrame
    exposures: pl.DataFrame
    _kept: dict[object, Any] = field(init=False, default_factory=dict, compare=False, repr=False)
    """What :meth:`kept` computed once (not copied by ``dataclasses.replace``)."""

    def invocation(self, invocation_id: str) -> dict[str, object]:
        """One invocation's row as a mapping (a copy: every detector asks)."""

        def row() -> dict[str, object]:
            rows = self.invocations.filter(pl.col("invocation_id") == invocation_id)
            return rows.row(0, named=True)

        return dict(self.kept(("invocation", invocation_id), row))


def env_key() -> pl.Expr:
    """The environment an invocation ran in: an env label, else dbt's target."""
    label = pl.lit(None, dtype=pl.String)
    for name in reversed(ENV_LABELS):
        found = pl.col("labels").list.eval(
            pl.element().filter(pl.element().struct.field("key") == name).struct.field("value")
        )
        label = pl.coalesce(found.list.first(), label)
    return pl.coalesce(label, pl.col("target"), pl.lit("")).alias("env_key")


def invocation_facts(invocations: pl.LazyFrame) -> pl.DataFrame:
    """Invocations with their environment key and whether they executed anything."""
    return (
        invocations.unique("invocation_id", keep="first")
        .with_columns(
            env_key(),
            job_name(),
            job(),
            (~pl.col("command").is_in(list(COMPILE_ONLY)) & (pl.col("n_results") > 0)).alias(
                "executes"
            ),
            pl.col("full_refresh").fill_null(False),
        )
        .sort("started_at", "invocation_id")
        .collect(engine=ENGINE)
    )


def prepare(tables: Tables) -> Frames:
    """Collect what the detectors need: each run and freshness check with its invocation's facts."""
    invocations = invocation_facts(tables.invocations)
    # invocations are in (started_at, invocation_id) order: runs sort by that rank,
    # one integer, rather than by a timestamp and a string (a third of the time)
    facts = invocations.select(*RUN_FACTS).with_row_index("_rank")
    node_runs, freshness, nodes, exposures = pl.collect_all(  # side by side, on every core
        [
            _with_facts(tables.node_runs, facts),
            _with_facts(tables.freshness, facts),
            versions(tables.nodes),
            versions(tables.exposures),
        ],
        engine=ENGINE,
    )
    return Frames(
        invocations=invocations,
        node_runs=_in_order(node_runs),
        freshness=_in_order(freshness),
        nodes=nodes,
        exposures=exposures,
    )


RUN_FACTS = ("invocation_id", "started_at", "env_key", "executes", "full_refresh", "command")
"""What every run row carries of its invocation."""


def _with_facts(runs: pl.LazyFrame, facts: pl.DataFrame) -> pl.LazyFrame:
    """Runs with their invocation's facts and ``_rank``, null for runs of unknown invocations.

    A join would copy every column of every run; looking up the rank and
    gathering the few fact columns by it copies only those.
    """
    rank = pl.col("invocation_id").replace_strict(
        facts["invocation_id"], facts["_rank"], default=None, return_dtype=pl.UInt32
    )
    return runs.with_columns(rank.alias("_rank")).with_columns(
        pl.lit(facts[name]).gather(pl.col("_rank")).alias(name) for name in RUN_FACTS[1:]
    )


def _in_order(runs: pl.DataFrame) -> pl.DataFrame:
    """Runs of known invocations in invocation order (files are usually read in it already)."""
    rank = runs["_rank"]
    if rank.null_count():
        runs = runs.filter(rank.is_not_null())
    if not runs["_rank"].is_sorted():
        runs = runs.sort("_rank", maintain_order=True)
    return runs.drop("_rank")


def versions(frame: pl.LazyFrame) -> pl.LazyFrame:
    """One row per sighting of a node version, oldest first.

    ``is_latest`` marks the one in effect now; concurrent writers may have
    stored a sighting twice, kept once here.
    """
    return (
        frame.sort("first_seen_at")
        .unique(["unique_id", "version", "first_seen_at"], keep="first", maintain_order=True)
        .with_columns(pl.col("unique_id").is_last_distinct().alias("is_latest"))
    )


_AS_OF: dict[tuple[int, dt.datetime], pl.DataFrame] = {}
"""Recent :func:`as_of` answers by frame identity: a check asks the same question of the
same frame often. An answer lives no longer than its frame (nothing is kept for a
long-lived process, such as a Dagster code location, once its frames are gone)."""


def as_of(versions: pl.DataFrame, at: dt.datetime) -> pl.DataFrame:
    """Each node's version in effect at ``at`` (its first version, if all are later)."""
    key = (id(versions), at)
    hit = _AS_OF.get(key)  # an id is the frame's own while it lives: its answers go with it
    if hit is not None:
        return hit
    if len(_AS_OF) >= 32:
        _AS_OF.clear()
    found = _as_of(versions, at)
    if key[0] not in _WATCHED:
        _WATCHED.add(key[0])
        weakref.finalize(versions, _forget, key[0])
    _AS_OF[key] = found
    return found


_WATCHED: set[int] = set()
"""The frames whose death clears their answers (each watched once)."""


def _forget(frame_id: int) -> None:
    _WATCHED.discard(frame_id)
    for key in [key for key in list(_AS_OF) if key[0] == frame_id]:
        _AS_OF.pop(key, None)


def _as_of(versions: pl.DataFrame, at: dt.datetime) -> pl.DataFrame:
    if versions.is_empty():
        return versions
    if _all_in_effect(versions, at):  # the usual question: a check of the newest invocation
        return versions.filter(pl.col("is_latest"))
    ordered = versions.sort("first_seen_at")
    before = ordered.filter(pl.col("first_seen_at") <= at).unique(
        "unique_id", keep="last", maintain_order=True
    )
    after = ordered.filter(~pl.col("unique_id").is_in(before["unique_id"].implode())).unique(
        "unique_id", keep="first", maintain_order=True
    )
    return pl.concat([before, after])


def _all_in_effect(versions: pl.DataFrame, at: dt.datetime) -> bool:
    """Whether every version was seen by ``at`` and ``is_latest`` marks each node's newest.

    True of :func:`versions`' frames (and of frames keeping whole nodes of them)
    when ``at`` is no earlier than their newest sighting.
    """
    if "is_latest" not in versions.columns:
        return False
    seen = versions["first_seen_at"]
    newest = seen.max()
    if not isinstance(newest, dt.datetime) or (at.tzinfo is None) != (newest.tzinfo is None):
        return False
    if at < newest or not seen.is_sorted():
        return False
    return bool(versions["is_latest"].sum() == versions["unique_id"].n_unique())


def resolve_invocation(invocations: pl.DataFrame, wanted: str) -> str:
    """``latest``, a full invocation id, or an unambiguous prefix of one.

    ``invocations`` is :func:`invocation_facts`' frame.
    """
    if invocations.is_empty():
        raise MonitorError("the history has no invocations; run `dbt-monitor ingest` first")
    if wanted == "latest":
        executing = invocations.filter(pl.col("executes"))
        if executing.is_empty():
            raise NothingExecuted("no invocation in the history executed anything yet")
        return str(executing["invocation_id"][-1])
    ids = invocations.filter(pl.col("invocation_id").str.starts_with(wanted))["invocation_id"]
    if ids.len() == 1:
        return str(ids[0])
    if ids.len() == 0:
        raise MonitorError(
            f"no invocation {wanted!r} in the history; `dbt-monitor runs` lists them"
        )
    raise MonitorError(f"{wanted!r} matches {ids.len()} invocations; give more of the id")
