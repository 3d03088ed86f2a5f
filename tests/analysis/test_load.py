"""load_frames: what a check reads from a real history on disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import polars as pl

from monitor import schema
from monitor.analysis.explain.facts import build_facts
from monitor.analysis.frames import Frames
from monitor.analysis.load import load_frames
from monitor.history.store import History

T0 = dt.datetime(2024, 5, 1, 2, 0, tzinfo=dt.UTC)


def _write(history: History, day: int, invocation_id: str, adapter: str | None) -> None:
    """One build of one Snowflake-shaped model run: rows_affected 1, per-DML counts 40 + 2."""
    started = T0 + dt.timedelta(days=day)
    invocation = pl.DataFrame(
        [
            {
                "invocation_id": invocation_id,
                "artifact": "run_results",
                "command": "build",
                "started_at": started,
                "adapter_type": adapter,
                "target": "prod",
                "n_results": 1,
            }
        ],
        schema=schema.INVOCATIONS,
    )
    run = pl.DataFrame(
        [
            {
                "invocation_id": invocation_id,
                "unique_id": "model.shop.orders",
                "resource_type": "model",
                "status": "success",
                "execution_time": 3.0,
                "rows_affected": 1,
                "adapter_code": "SUCCESS",
                "query_id": f"01b3-{invocation_id}",
                "rows_inserted": 40,
                "rows_updated": 2,
            }
        ],
        schema=schema.NODE_RUNS,
    )
    history.write_invocation(
        started.date(), invocation_id, {"invocations": invocation, "node_runs": run}
    )


def _rows(tmp_path: Path, adapters: list[str | None]) -> list[int | None]:
    history = History(str(tmp_path / "history"))
    for day, adapter in enumerate(adapters):
        _write(history, day, f"inv-{day}", adapter)
    frames, _ = load_frames(history, 35, ["latest"])
    facts = build_facts(frames)
    return facts.runs.sort("started_at")["rows"].to_list()


def test_snowflake_is_told_by_its_adapter_when_every_manifest_named_it(tmp_path: Path) -> None:
    assert _rows(tmp_path, ["snowflake", "snowflake"]) == [42, 42]


def test_query_ids_still_tell_snowflake_apart_when_an_adapter_is_unknown(tmp_path: Path) -> None:
    # inv-1 has no manifest: only its SUCCESS code and query id say Snowflake,
    # so its per-DML counts (40 + 2) are the rows, not the constant 1
    assert _rows(tmp_path, ["snowflake", None]) == [42, 42]


def test_a_known_other_adapter_keeps_its_own_count(tmp_path: Path) -> None:
    assert _rows(tmp_path, ["postgres", None]) == [1, 42]


class CountingHistory(History):
    """A real history that counts how often it reads its commit markers."""

    marker_reads = 0

    def _read_markers(self, listed: list[str], checksums: Any) -> Any:
        self.marker_reads += 1
        return super()._read_markers(listed, checksums)


def _nightly(tmp_path: Path, nights: int) -> CountingHistory:
    history = CountingHistory(str(tmp_path / "history"))
    for day in range(nights):
        _write(history, day, f"inv-{day:02d}", "snowflake")
    return CountingHistory(str(tmp_path / "history"))


def _days(frames: Frames) -> list[int]:
    return sorted((t - T0).days for t in frames.invocations["started_at"].to_list())


def test_latest_reads_the_markers_once_and_exactly_its_lookback(tmp_path: Path) -> None:
    history = _nightly(tmp_path, 60)
    frames, ids = load_frames(history, 10, ["latest"])
    assert ids == ["inv-59"]
    assert _days(frames) == list(range(49, 60))  # the night 10 days before, to the latest
    assert frames.node_runs["invocation_id"].n_unique() == 11
    assert history.marker_reads == 1  # resolving `latest` and the lookback share one read


def test_an_old_invocation_gets_its_own_lookback(tmp_path: Path) -> None:
    history = _nightly(tmp_path, 60)
    frames, ids = load_frames(history, 10, ["inv-20", "inv-05"])
    assert ids == ["inv-20", "inv-05"]
    assert _days(frames) == list(range(0, 60))  # from 10 days before the earliest: day 0 here
