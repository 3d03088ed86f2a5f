"""Source detectors: ``source_stale``, ``source_not_advancing``, ``freshness_unmonitored``."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.finding import Finding, Severity
from monitor.analysis.frames import Frames, as_of
from monitor.analysis.words import age, moment, name_of

FRESHNESS_COMMAND = "source freshness"
"""The dbt command that checks freshness (``freshness_unmonitored`` is raised on it only)."""


def stale_sources(frames: Frames, invocation_id: str) -> list[Finding]:
    """Sources whose freshness check warned or errored in this invocation."""
    checks = frames.freshness.filter(
        (pl.col("invocation_id") == invocation_id) & (pl.col("status") != "pass")
    )
    findings = []
    for row in checks.iter_rows(named=True):
        source = name_of(row["unique_id"])
        severity: Severity = "warn" if row["status"] == "warn" else "error"
        if row["status"] == "runtime error":
            message = f"freshness of {source} could not be checked: {row['error'] or 'no message'}"
        else:
            limit_name, limit = (
                ("error_after", row["error_after"])
                if row["status"] == "error"
                else ("warn_after", row["warn_after"])
            )
            loaded = row["max_loaded_at"]
            message = f"{source} is {age(row['age'])} old"
            if loaded is not None:
                message += f" (last loaded {moment(loaded)})"
            if limit is not None:
                message += f", past its {limit_name} of {age(limit)}"
        findings.append(
            Finding(
                "source_stale",
                severity,
                row["unique_id"],
                invocation_id,
                message,
                {
                    "status": row["status"],
                    "age_seconds": row["age"],
                    "max_loaded_at": _iso(row["max_loaded_at"]),
                    "warn_after_seconds": row["warn_after"],
                    "error_after_seconds": row["error_after"],
                },
            )
        )
    return findings


def sources_not_advancing(frames: Frames, invocation_id: str, config: Config) -> list[Finding]:
    """Sources still within thresholds whose max_loaded_at stopped moving."""
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    checks = frames.freshness.filter(
        (pl.col("started_at") <= started_at)
        & (pl.col("env_key") == info["env_key"])
        & pl.col("max_loaded_at").is_not_null()
    )
    current = checks.filter(
        (pl.col("invocation_id") == invocation_id) & (pl.col("status") == "pass")
    )
    k = config.not_advancing_checks
    if current.is_empty() or k < 2:
        return []
    recent = (
        checks.join(current.select("unique_id"), on="unique_id", how="semi")
        .group_by("unique_id")
        .agg(pl.col("max_loaded_at").tail(k), pl.col("started_at").tail(k))
        .filter(
            (pl.col("max_loaded_at").list.len() == k)
            & (pl.col("max_loaded_at").list.n_unique() == 1)
        )
        .sort("unique_id")
    )
    findings = []
    for row in recent.iter_rows(named=True):
        loaded = row["max_loaded_at"][0]
        message = (
            f"{name_of(row['unique_id'])} has not advanced in its last {k} freshness checks "
            f"(still last loaded {moment(loaded)}), though it is within its thresholds"
        )
        findings.append(
            Finding(
                "source_not_advancing",
                "warn",
                row["unique_id"],
                invocation_id,
                message,
                {"checks": k, "max_loaded_at": _iso(loaded), "since": _iso(row["started_at"][0])},
            )
        )
    return findings


def unmonitored_sources(frames: Frames, invocation_id: str) -> list[Finding]:
    """Sources in the project that have no freshness criteria at all.

    Raised on ``source freshness`` invocations only: that is where criteria
    are read, and a ``build`` repeating it every night is noise.
    """
    if frames.nodes.is_empty():
        return []
    info = frames.invocation(invocation_id)
    started_at = info["started_at"]
    assert isinstance(started_at, dt.datetime)
    if info["command"] != FRESHNESS_COMMAND or not info["executes"]:
        return []
    sources = as_of(frames.nodes, started_at).filter(
        (pl.col("resource_type") == "source")
        & pl.col("warn_after").is_null()
        & pl.col("error_after").is_null()
    )
    return [
        Finding(
            "freshness_unmonitored",
            "info",
            unique_id,
            invocation_id,
            f"{name_of(unique_id)} has no freshness criteria: nobody is told when it goes stale",
            {},
        )
        for unique_id in sorted(sources["unique_id"].to_list())
    ]


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
