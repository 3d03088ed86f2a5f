"""Node and exposure versions as sightings, the same whatever order invocations arrive in.

A version is stored when a manifest shows it and it is not the one already in
effect at that moment: unchanged nodes add nothing run after run, and a
version that comes back (a pull request's edit, then the nightly run of main)
is stored again, so it is current again from then on.

Arrival order must not change what the history says. Three things see to it:
a manifest already stored still teaches the index what it held (so four
processes ingesting the same runs decide alike); a manifest that arrives late,
between two stored ones, also stores the version it interrupted at the next
manifest after it (which had been skipped as unchanged); and readers see
sightings of the version already in effect as no change
(:func:`monitor.history.store.History.scan`).
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict

import polars as pl

from monitor.engine import ENGINE
from monitor.history.store import History

TS = pl.Datetime("us", "UTC")


class NodeIndex:
    """When each node version was seen taking effect, per node, and when manifests were read."""

    def __init__(self, history: History, table: str, moments: Moments) -> None:
        self.history, self.table = history, table
        seen = (
            history.scan(table)
            .select("unique_id", "first_seen_at", "version")
            .unique()
            .sort("first_seen_at")
            .collect(engine=ENGINE)
        )
        self.sightings: dict[str, list[tuple[dt.datetime, str]]] = defaultdict(list)
        for uid, when, version in seen.iter_rows():
            self.sightings[uid].append((when, version))
        self.moments = moments

    def in_effect(self, unique_id: str, at: dt.datetime) -> str | None:
        """The version of ``unique_id`` in effect at ``at`` (None before its first sighting)."""
        seen = self.sightings.get(unique_id, [])
        index = bisect.bisect_right(seen, at, key=lambda sighting: sighting[0])
        return seen[index - 1][1] if index else None

    def new_rows(self, frame: pl.DataFrame, invocation_id: str, at: dt.datetime) -> pl.DataFrame:
        """The rows to store for a manifest read at ``at``: its changes, and what they interrupt."""
        keep: list[bool] = []
        resumed: list[tuple[str, str, dt.datetime, str]] = []
        sightings = self.sightings
        for uid, version in zip(
            frame["unique_id"].to_list(), frame["version"].to_list(), strict=True
        ):
            seen = sightings.get(uid)
            if not seen:  # a node never seen before (every node of a new history)
                sightings[uid] = [(at, version)]
                keep.append(True)
                continue
            index = bisect.bisect_right(seen, at, key=lambda sighting: sighting[0])
            prior = seen[index - 1][1] if index else None
            keep.append(prior != version)
            if prior == version:
                continue
            if prior is not None:
                until = seen[index][0] if index < len(seen) else None
                after = self._next_moment(at, until)
                if after is not None:  # that manifest still held the interrupted version
                    resumed.append((uid, prior, *after))
                    bisect.insort(seen, (after[0], prior))
            bisect.insort(seen, (at, version))
        self.moments.add(at, invocation_id)
        fresh = frame.filter(pl.Series(keep, dtype=pl.Boolean)).with_columns(
            pl.lit(invocation_id).alias("first_seen_invocation"),
            pl.lit(at).cast(TS).alias("first_seen_at"),
        )
        return pl.concat([fresh, *self._resumed_rows(resumed, frame.schema)])

    def _next_moment(
        self, at: dt.datetime, until: dt.datetime | None
    ) -> tuple[dt.datetime, str] | None:
        """The first manifest known after ``at`` and before ``until``."""
        known = self.moments.known
        index = bisect.bisect_right(known, at, key=lambda moment: moment[0])
        if index < len(known):
            moment = known[index]
            if until is None or moment[0] < until:
                return moment
        return None

    def _resumed_rows(
        self, resumed: list[tuple[str, str, dt.datetime, str]], schema: pl.Schema
    ) -> list[pl.DataFrame]:
        if not resumed:
            return []
        wanted = pl.DataFrame(
            resumed,
            schema={"unique_id": pl.String, "version": pl.String, "_at": TS, "_inv": pl.String},
            orient="row",
        )
        stored = (
            self.history.scan(self.table)
            .join(wanted.lazy(), on=["unique_id", "version"], how="inner")
            .unique(["unique_id", "version", "_at"], keep="first")
            .with_columns(
                pl.col("_inv").alias("first_seen_invocation"), pl.col("_at").alias("first_seen_at")
            )
            .select(schema.names())
            .collect(engine=ENGINE)
        )
        return [stored.cast(schema)]


class Moments:
    """When each invocation with a manifest started, and its id: stored ones read on first need.

    Only a version change needs them, so an ingest of unchanged nodes never reads them.
    """

    def __init__(self, history: History) -> None:
        self.history = history
        self._known: list[tuple[dt.datetime, str]] | None = None
        self._added: list[tuple[dt.datetime, str]] = []

    def add(self, at: dt.datetime, invocation_id: str) -> None:
        """A manifest just read."""
        if self._known is None:
            self._added.append((at, invocation_id))
        else:
            bisect.insort(self._known, (at, invocation_id))

    @property
    def known(self) -> list[tuple[dt.datetime, str]]:
        """Every manifest moment, oldest first."""
        if self._known is None:
            rows = (
                self.history.scan("invocations")
                .filter(pl.col("manifest_schema_version").is_not_null())
                .select("started_at", "invocation_id")
                .collect(engine=ENGINE)
            )
            self._known = sorted({*rows.iter_rows(), *self._added})
        return self._known
