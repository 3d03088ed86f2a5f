"""The ``findings`` table: every executing invocation judged against the history before it.

Findings are never stored: the history stays the source of truth, and this
runs the same detectors and policy as ``dbt-monitor check``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.finding import FINDINGS, findings_frame
from monitor.analysis.frames import Frames

Progress = Callable[[int, int], None]
"""Called with (done, total) as invocations are judged."""


def judged_invocations(frames: Frames, wanted: Collection[str] | None = None) -> list[str]:
    """The executing invocations among ``wanted`` (all when None), oldest first."""
    executing = frames.invocations.filter(pl.col("executes"))
    if wanted is not None:
        executing = executing.filter(pl.col("invocation_id").is_in(list(wanted)))
    return executing["invocation_id"].to_list()


def findings_table(
    frames: Frames,
    config: Config,
    wanted: Collection[str] | None = None,
    *,
    progress: Progress | None = None,
) -> pl.DataFrame:
    """The findings of every executing invocation among ``wanted``, as a FINDINGS frame."""
    from monitor.analysis.check import check  # every detector: only when findings are asked for

    ids = judged_invocations(frames, wanted)
    parts = []
    for done, invocation_id in enumerate(ids, start=1):
        parts.append(findings_frame(check(frames, invocation_id, config).findings))
        if progress is not None:
            progress(done, len(ids))
    return pl.concat(parts) if parts else pl.DataFrame(schema=FINDINGS)


def finding_counts(findings: pl.DataFrame) -> pl.DataFrame:
    """Per invocation, how many findings of each severity (``error``, ``warn``, ``info``)."""
    return findings.group_by("invocation_id").agg(
        (pl.col("severity") == level).sum().cast(pl.Int64).alias(level)
        for level in ("error", "warn", "info")
    )
