"""load_frames: what a check reads from a real history on disk."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from monitor import schema
from monitor.analysis.explain.facts import build_facts
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
