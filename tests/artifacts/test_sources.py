import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from monitor import schema
from monitor.artifacts.load import load
from monitor.artifacts.model import RunArtifact
from tests.artifacts.samples import load_json, recorded_files, sources, write_json

UTC = dt.UTC
INVOCATION = "11111111-2222-3333-4444-555555555555"


def _load(path: Path) -> RunArtifact:
    artifact = load(path)
    assert isinstance(artifact, RunArtifact)
    return artifact


@pytest.mark.parametrize("version", [1, 2, 3])
def test_every_version_decodes_exactly(tmp_path: Path, version: int) -> None:
    artifact = _load(write_json(tmp_path / "sources.json", sources(version)))
    timed = version >= 2
    expected = pl.DataFrame(
        {
            "invocation_id": [INVOCATION] * 3,
            "unique_id": [
                "source.shop.raw.orders",
                "source.shop.raw.customers",
                "source.shop.raw.payments",
            ],
            "status": ["pass", "error", "runtime error"],
            "max_loaded_at": [
                dt.datetime(2026, 3, 1, 5, 30, tzinfo=UTC),
                dt.datetime(2026, 2, 27, 6, 0, tzinfo=UTC),
                None,
            ],
            "snapshotted_at": [
                dt.datetime(2026, 3, 1, 6, 0, tzinfo=UTC),
                dt.datetime(2026, 3, 1, 6, 0, 1, tzinfo=UTC),
                None,
            ],
            "age": [1800.0, 172801.0, None],
            "warn_after": [12 * 3600.0, 30 * 60.0, None],
            "error_after": [86400.0, 2 * 86400.0, None],
            "filter": [None, "_loaded_at > current_date - 7", None],
            "execution_time": [1.0, 0.25, None] if timed else [None, None, None],
            "thread_id": ["Thread-1", "Thread-2", None] if timed else [None, None, None],
            "error": [None, None, "Database Error: relation raw.payments does not exist"],
        },
        schema=schema.FRESHNESS,
    )
    assert_frame_equal(artifact.results, expected)
    row = artifact.invocation.row(0, named=True)
    started = {
        1: dt.datetime(2026, 3, 1, 6, 0, 6, 500000, tzinfo=UTC),  # generated_at - elapsed_time
        2: dt.datetime(2026, 3, 1, 5, 59, 58, tzinfo=UTC),  # earliest timing
        3: dt.datetime(2026, 3, 1, 5, 59, 50, tzinfo=UTC),  # invocation_started_at
    }[version]
    assert row["started_at"] == started
    assert row["artifact"] == "sources"
    assert row["command"] == "source freshness"
    assert row["schema_version"] == f"sources/v{version}"
    assert (row["n_results"], row["n_pass"], row["n_error"], row["n_runtime_error"]) == (3, 1, 1, 1)
    assert artifact.warnings == ()


def test_age_from_timestamps_when_not_reported(tmp_path: Path) -> None:
    doc = sources(3)
    del doc["results"][0]["max_loaded_at_time_ago_in_s"]
    artifact = _load(write_json(tmp_path / "sources.json", doc))
    assert artifact.results["age"][0] == 1800.0
    assert len(artifact.warnings) == 1  # dbt's schema requires the field


def test_missing_criteria_are_null(tmp_path: Path) -> None:
    doc = sources(3)
    doc["results"][0]["criteria"] = {"warn_after": {"count": None, "period": None}, "filter": None}
    artifact = _load(write_json(tmp_path / "sources.json", doc))
    assert artifact.results.row(0, named=True)["warn_after"] is None
    assert artifact.results.row(0, named=True)["error_after"] is None


def test_gzip(tmp_path: Path) -> None:
    plain = _load(write_json(tmp_path / "sources.json", sources(3)))
    gz = _load(write_json(tmp_path / "sources.json.gz", sources(3)))
    assert_frame_equal(plain.results, gz.results)


@pytest.mark.parametrize("path", recorded_files("sources"))
def test_recorded_sources(path: Path) -> None:
    doc = load_json(path)
    artifact = _load(path)
    assert artifact.results.height == len(doc["results"])
    assert artifact.results.schema == schema.FRESHNESS
    assert artifact.invocation_id == doc["metadata"]["invocation_id"]
    assert artifact.invocation["command"][0] == "source freshness"
    assert artifact.warnings == ()
