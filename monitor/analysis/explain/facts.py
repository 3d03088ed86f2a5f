"""The view of the history the causes read, built once per check or explain.

``Facts`` holds the successful runs of models, seeds and snapshots with
their trusted row counts (:mod:`~monitor.analysis.explain.rows`), the
invocations and the node versions. The per-run baselines every cause
compares against (each node's median runtime and rows over its previous
runs in the same environment) are computed once per judged invocation and
kept.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

import polars as pl

from monitor.analysis.explain.rows import trusted_rows
from monitor.analysis.frames import EXECUTABLE, Frames, Keeps, as_of
from monitor.engine import ENGINE

VERSION_FIELDS = (
    "unique_id",
    "first_seen_at",
    "checksum",
    "raw_code",
    "materialized",
    "depends_on",
)
"""What the causes read of a node's version (:meth:`Facts.version`): only these are copied."""

BASELINE_RUNS = 14
"""Previous runs a baseline is the median of."""

ENVIRONMENT = ("dbt_version", "adapter_type", "adapter_version", "target")
"""Invocation facts whose change is an ``environment`` cause (those the history has)."""

GIT_LABELS = (
    "git_sha",
    "GIT_SHA",
    "sha",
    "commit",
    "GITHUB_SHA",
    "CI_COMMIT_SHA",
    "CIRCLE_SHA1",
    "BUILDKITE_COMMIT",
    "BUILD_SOURCEVERSION",
    "DBT_CLOUD_GIT_SHA",
)
"""Labels that name the git commit an invocation ran."""


@dataclass(frozen=True)
class Facts(Keeps):
    """Runs, invocations and node versions, with baselines computed on demand."""

    runs: pl.DataFrame
    """Successful executed runs of models, seeds and snapshots, oldest first:
    invocation_id, unique_id, execution_time, rows, started_at, env_key, full_refresh."""
    invocations: pl.DataFrame
    versions: pl.DataFrame
    adapters: dict[str, str | None]
    """Each invocation's adapter type."""
    _baselines: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False)
    _changed: dict[tuple[dt.datetime, dt.datetime], frozenset[str]] = field(
        default_factory=dict, compare=False
    )
    _invocation_rows: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)
    _node_versions: dict[str, list[dict[str, Any]]] = field(default_factory=dict, compare=False)
    _series: dict[str, pl.DataFrame] = field(default_factory=dict, compare=False)
    _kept: dict[object, Any] = field(default_factory=dict, compare=False)

    def invocation(self, invocation_id: str) -> dict[str, Any]:
        """One invocation's row as a mapping."""
        if not self._invocation_rows:
            self._invocation_rows.update(
                (str(row["invocation_id"]), row) for row in self.invocations.iter_rows(named=True)
            )
        return self._invocation_rows[invocation_id]

    def series(self, unique_id: str) -> pl.DataFrame:
        """The node's runs, oldest first."""
        if unique_id not in self._series:
            self.read_series([unique_id])
        return self._series[unique_id]

    def read_series(self, unique_ids: Iterable[str]) -> None:
        """Find the runs of several nodes in one pass (:meth:`series` then answers from them)."""
        wanted = [uid for uid in dict.fromkeys(unique_ids) if uid not in self._series]
        if not wanted:
            return
        found = self.runs.filter(pl.col("unique_id").is_in(wanted))
        parts = found.partition_by("unique_id", as_dict=True, maintain_order=True)
        for uid in wanted:
            self._series[uid] = parts.get((uid,), found.clear())

    def baselines(self, invocation_id: str) -> pl.DataFrame:
        """Every node run in ``invocation_id`` with its baseline.

        Columns: unique_id, execution_time, rows, base_time, base_rows (medians
        of the previous :data:`BASELINE_RUNS` runs in the same environment;
        rows only where counted), base_runs, time_ratio, rows_ratio.
        """
        if invocation_id in self._baselines:
            return self._baselines[invocation_id]
        current = self.runs.filter(pl.col("invocation_id") == invocation_id)
        if current.is_empty():
            frame = current.select("unique_id", "execution_time", "rows").with_columns(
                pl.lit(None, dtype=pl.Float64).alias(name)
                for name in ("base_time", "base_rows", "time_ratio", "rows_ratio")
            )
            frame = frame.with_columns(pl.lit(0, dtype=pl.UInt32).alias("base_runs"))
        else:
            started_at, env = current["started_at"][0], current["env_key"][0]
            before = (
                self.runs.filter(
                    (pl.col("started_at") < started_at)
                    & (pl.col("env_key") == env)
                    & pl.col("unique_id").is_in(current["unique_id"].implode())
                )
                .group_by("unique_id")
                .agg(
                    pl.col("execution_time").tail(BASELINE_RUNS).median().alias("base_time"),
                    pl.col("rows").tail(BASELINE_RUNS).median().alias("base_rows"),
                    pl.col("execution_time").tail(BASELINE_RUNS).len().alias("base_runs"),
                )
            )
            frame = (
                current.select("unique_id", "execution_time", "rows")
                .join(before, on="unique_id", how="left")
                .with_columns(
                    (pl.col("execution_time") / pl.col("base_time").clip(lower_bound=1e-3)).alias(
                        "time_ratio"
                    ),
                    (pl.col("rows") / pl.col("base_rows").clip(lower_bound=1)).alias("rows_ratio"),
                    pl.col("base_runs").fill_null(0),
                )
            )
        self._baselines[invocation_id] = frame
        return frame

    def baseline(self, invocation_id: str, unique_id: str) -> dict[str, Any] | None:
        """One node's row of :meth:`baselines` (None when it did not run then)."""
        frame = self.baselines(invocation_id)

        def index() -> dict[str, int]:  # one index, then a row each
            rows: dict[str, int] = {}
            for row, uid in enumerate(frame["unique_id"].to_list()):
                rows.setdefault(uid, row)  # the first row, as a filter would find
            return rows

        found = self.kept(("baseline rows", invocation_id), index).get(unique_id)
        return None if found is None else frame.row(found, named=True)

    def rows_ratios(self, invocation_id: str) -> dict[str, float]:
        """Each node's rows in ``invocation_id`` over its baseline, where both were counted."""

        def ratios() -> dict[str, float]:
            frame = self.baselines(invocation_id).select("unique_id", "rows_ratio")
            return dict(frame.drop_nulls("rows_ratio").iter_rows())

        return self.kept(("rows ratios", invocation_id), ratios)

    def version(self, unique_id: str, at: dt.datetime) -> dict[str, Any] | None:
        """The node's version in effect at ``at`` (None when no manifest named it).

        Only its :data:`VERSION_FIELDS` are read.
        """
        if unique_id not in self._node_versions:
            ordered, spans = self.kept("versions by node", self._versions_by_node)
            at_row, count = spans.get(unique_id, (0, 0))
            mine = ordered.slice(at_row, count)
            self._node_versions[unique_id] = list(mine.iter_rows(named=True))
        mine_rows = self._node_versions[unique_id]
        if not mine_rows:
            return None
        earlier = [row for row in mine_rows if row["first_seen_at"] <= at]
        return earlier[-1] if earlier else mine_rows[0]

    def _versions_by_node(self) -> tuple[pl.DataFrame, dict[str, tuple[int, int]]]:
        """The versions sorted by node, and each node's first row and count in them."""
        fields = [name for name in VERSION_FIELDS if name in self.versions.columns]
        ordered = self.versions.select(fields).sort(
            "unique_id", "first_seen_at", maintain_order=True
        )
        runs = ordered["unique_id"].rle().struct.unnest()  # sorted: one run of rows per node
        lengths = runs["len"].to_list()
        starts = list(accumulate(lengths, initial=0))[:-1]
        spans = zip(runs["value"].to_list(), zip(starts, lengths, strict=True), strict=True)
        return ordered, dict(spans)

    def code_changes(self, before: dt.datetime, after: dt.datetime) -> frozenset[str]:
        """The nodes whose checksum differs between the versions in effect at the two times."""
        key = (before, after)
        if key not in self._changed:
            recoded = self.kept(  # only a node with two checksums can have changed code
                "recoded",
                lambda: self.versions.filter(pl.col("checksum").n_unique().over("unique_id") > 1),
            )
            old = as_of(recoded, before).select("unique_id", "checksum")
            new = as_of(recoded, after).select("unique_id", "checksum")
            both = old.join(new, on="unique_id", suffix="_new")
            changed = both.filter(pl.col("checksum").ne_missing(pl.col("checksum_new")))
            self._changed[key] = frozenset(changed["unique_id"].to_list())
        return self._changed[key]

    def overlapping(self, invocation_id: str) -> list[str]:
        """Other invocations that ran while this one did."""
        info = self.invocation(invocation_id)
        start = info["started_at"]
        end = start + dt.timedelta(seconds=info["elapsed_time"] or 0)
        ends = pl.col("started_at") + pl.duration(
            microseconds=(pl.col("elapsed_time").fill_null(0) * 1e6).cast(pl.Int64)
        )
        others = self.invocations.filter(
            (pl.col("invocation_id") != invocation_id)
            & pl.col("executes")
            & (pl.col("started_at") < end)
            & (ends > start)
        )
        return [str(i) for i in others["invocation_id"]]


def build_facts(frames: Frames) -> Facts:
    """The facts of ``frames`` (the detectors' view of the history)."""
    adapters = frames.invocations.select("invocation_id", "adapter_type")
    runs = (  # lazily: the optimiser shares the row rule's repeated string work (3x faster)
        frames.node_runs.lazy()
        .filter(
            pl.col("resource_type").is_in(EXECUTABLE)
            & (pl.col("status") == "success")
            & pl.col("executes")
            & pl.col("execution_time").is_not_null()
        )
        .with_columns(  # the invocation's adapter: a lookup, not a join copying every column
            pl.col("invocation_id")
            .replace_strict(
                adapters["invocation_id"],
                adapters["adapter_type"],
                default=None,
                return_dtype=pl.String,
            )
            .alias("adapter_type")
        )
        .select(
            "invocation_id",
            "unique_id",
            "resource_type",
            "execution_time",
            trusted_rows(),
            "started_at",
            "env_key",
            "full_refresh",
        )
        .collect(engine=ENGINE)
    )
    return Facts(
        runs=runs,
        invocations=frames.invocations,
        versions=frames.nodes.sort("first_seen_at"),
        adapters=dict(adapters.iter_rows()),
    )


def git_sha(labels: list[dict[str, str]] | None) -> str | None:
    """The git commit an invocation's labels name, if any."""
    found = {item["key"]: item["value"] for item in labels or []}
    for key in GIT_LABELS:
        if found.get(key):
            return found[key]
    return None
