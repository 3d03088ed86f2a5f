"""Input limits: what is not a file, too big, too deep or dated outside reason.

Each case is one clean line naming the file (or one warning with the file
kept), never a hang, a traceback or an accepted absurdity.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import zlib
from pathlib import Path
from typing import Any

import pytest

from monitor.artifacts.discover import discover
from monitor.artifacts.load import load
from monitor.artifacts.model import RunArtifact
from monitor.artifacts.read import MAX_BYTES_ENV, max_bytes, read_bytes
from monitor.errors import MonitorError
from tests.artifacts.samples import metadata, run_result, run_results, timing, write_json


def _error(path: Path) -> str:
    with pytest.raises(MonitorError) as caught:
        load(path)
    return str(caught.value)


def _load(path: Path) -> RunArtifact:
    artifact = load(path)
    assert isinstance(artifact, RunArtifact)
    return artifact


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "run_results.json"
    os.mkfifo(fifo)
    assert _error(fifo) == (
        f"{fifo}: a FIFO (named pipe), not a regular file: dbt-monitor reads artifact files only"
    )
    found = discover([tmp_path])  # found by walking a folder, too
    assert found.errors == [_error(fifo)]


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_device_behind_a_symlink_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "run_results.json"
    link.symlink_to("/dev/zero")
    assert _error(link) == (
        f"{link}: a character device, not a regular file: dbt-monitor reads artifact files only"
    )


def _bomb(path: Path, size: int) -> Path:
    """A gzip file whose JSON decompresses to ``size`` bytes (mostly spaces)."""
    meta = json.dumps(metadata("run-results", 6)).encode()
    body = b'{"elapsed_time": 1, "results": [], "metadata": ' + meta + b', "args": {"pad": "'
    tail = b'"}}'
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [compressor.compress(body)]
    padding = size - len(body) - len(tail)
    chunk = b" " * (1 << 20)
    while padding > 0:
        parts.append(compressor.compress(chunk[: min(padding, len(chunk))]))
        padding -= len(chunk)
    parts += [compressor.compress(tail), compressor.flush()]
    path.write_bytes(b"".join(parts))
    return path


def test_a_gzip_bomb_stops_at_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bomb = _bomb(tmp_path / "run_results.json.gz", 8 << 20)
    assert bomb.stat().st_size < 64 << 10
    monkeypatch.setenv(MAX_BYTES_ENV, "4MiB")
    assert _error(bomb) == (
        f"{bomb}: larger than 4.0 MiB (after decompression): not read;"
        f" set {MAX_BYTES_ENV} to raise the limit"
    )
    monkeypatch.setenv(MAX_BYTES_ENV, "16MiB")
    assert _load(bomb).results.is_empty()


def test_a_large_plain_file_stops_at_the_cap(tmp_path: Path) -> None:
    path = write_json(tmp_path / "run_results.json", run_results([run_result("model.p.m")]))
    size = path.stat().st_size
    assert len(read_bytes(path, limit=size)) == size
    with pytest.raises(MonitorError, match="larger than 0.0 MiB"):
        read_bytes(path, limit=size - 1)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("", 1 << 30), ("2GiB", 2 << 30), ("500MB", 500_000_000), ("1234", 1234), ("1.5k", 1536)],
)
def test_the_cap_is_configurable(value: str, expected: int) -> None:
    assert max_bytes({MAX_BYTES_ENV: value}) == expected


@pytest.mark.parametrize("value", ["lots", "-1", "0", "1 parsec"])
def test_a_bad_cap_is_a_user_error(value: str) -> None:
    with pytest.raises(MonitorError, match=f"{MAX_BYTES_ENV}="):
        max_bytes({MAX_BYTES_ENV: value})


def test_deep_nesting_is_a_clean_error(tmp_path: Path) -> None:
    depth = 100_000
    doc = run_results([])
    head = write_json(tmp_path / "x.json", doc).read_bytes()[:-1]
    path = tmp_path / "run_results.json"
    path.write_bytes(head + b', "deep": ' + b"[" * depth + b"]" * depth + b"}")
    assert "nested too deeply" in _error(path)
    manifest = tmp_path / "manifest.json"
    manifest.write_bytes(b'{"metadata": ' + b"[" * depth + b"]" * depth + b"}")
    assert "nested too deeply" in _error(manifest)


def _dated(tmp_path: Path, **meta: Any) -> Path:
    doc = run_results([run_result("model.p.m", timing=[])])
    doc["metadata"] = metadata("run-results", 6, **meta)
    return write_json(tmp_path / "run_results.json", doc)


@pytest.mark.parametrize(
    ("when", "problem"),
    [
        ("0001-01-01T00:00:00Z", "is before 2016-01-01"),
        ("2015-12-31T23:00:00Z", "is before 2016-01-01"),
        ("9999-12-31T00:00:00Z", "is more than a day after now"),
    ],
)
def test_invocations_dated_outside_reason_are_refused(
    tmp_path: Path, when: str, problem: str
) -> None:
    path = _dated(tmp_path, invocation_started_at=when, generated_at="2026-03-01T00:00:00Z")
    assert problem in _error(path)
    path = _dated(tmp_path, generated_at=when)
    assert problem in _error(path)


def test_tomorrow_is_still_accepted(tmp_path: Path) -> None:
    soon = dt.datetime.now(dt.UTC) + dt.timedelta(hours=20)
    path = _dated(tmp_path, generated_at=soon.isoformat())
    assert _load(path).invocation["generated_at"][0] is not None


def test_absurd_execution_and_elapsed_times_become_unknown_with_one_warning(
    tmp_path: Path,
) -> None:
    doc = run_results(
        [
            run_result("model.p.a", execution_time=-5),
            run_result("model.p.b", execution_time=1e308),
            run_result("model.p.c", execution_time=12.5),
        ]
    )
    doc["elapsed_time"] = 1e300
    doc["metadata"]["invocation_started_at"] = None
    for result in doc["results"]:
        result["timing"] = []
    path = write_json(tmp_path / "run_results.json", doc)
    artifact = _load(path)
    assert artifact.results["execution_time"].to_list() == [None, None, 12.5]
    assert artifact.invocation["elapsed_time"][0] is None
    assert artifact.warnings == (
        f"{path}: 2 results with an impossible execution_time (-5, 1e+308) and an impossible"
        " elapsed_time (1e+300), negative or over a week: stored as unknown",
    )


def test_duplicate_unique_ids_keep_the_first_with_one_warning(tmp_path: Path) -> None:
    doc = run_results(
        [
            run_result("model.p.a", execution_time=1.0),
            run_result("model.p.a", execution_time=2.0, status="error"),
            run_result("model.p.b"),
            run_result("model.p.b"),
            run_result("model.p.b"),
            run_result("model.p.c"),
        ]
    )
    path = write_json(tmp_path / "run_results.json", doc)
    artifact = _load(path)
    assert artifact.results["unique_id"].to_list() == ["model.p.a", "model.p.b", "model.p.c"]
    assert artifact.results["execution_time"][0] == 1.0
    assert artifact.invocation["n_results"][0] == 3
    assert artifact.invocation["n_error"][0] == 0
    assert artifact.warnings == (
        f"{path}: model.p.a appears 2 times and 1 more unique_id; kept the first result of each",
    )


def test_timings_out_of_range_are_unknown_not_a_crash(tmp_path: Path) -> None:
    doc = run_results(
        [
            run_result(
                "model.p.a",
                timing=[timing("0001-01-01T00:00:00+05:00", "not a time", "compile")],
            )
        ]
    )
    artifact = _load(write_json(tmp_path / "run_results.json", doc))
    row = artifact.results.row(0, named=True)
    assert row["compile_started_at"] is None and row["compile_completed_at"] is None
