import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from monitor import schema
from monitor.history.store import History

DAY = dt.date(2021, 2, 3)
START = dt.datetime(2021, 2, 3, 2, 0, tzinfo=dt.UTC)


def invocation(invocation_id: str) -> pl.DataFrame:
    row = {name: [None] for name in schema.INVOCATIONS.names()}
    row |= {"invocation_id": [invocation_id], "command": ["build"], "started_at": [START]}
    return pl.DataFrame(row, schema=schema.INVOCATIONS)


def node_runs(invocation_id: str, n: int) -> pl.DataFrame:
    return (
        pl.DataFrame(
            {
                "invocation_id": [invocation_id] * n,
                "unique_id": [f"model.p.m{i}" for i in range(n)],
                "status": ["success"] * n,
                "execution_time": [float(i) for i in range(n)],
            }
        )
        .with_columns(
            pl.lit(None, dtype=dtype).alias(name)
            for name, dtype in schema.NODE_RUNS.items()
            if name not in {"invocation_id", "unique_id", "status", "execution_time"}
        )
        .select(schema.NODE_RUNS.names())
        .cast(dict(schema.NODE_RUNS))
    )


def test_written_invocation_reads_back_with_declared_schema(tmp_path: Path) -> None:
    history = History(tmp_path)
    runs = node_runs("a", 3)
    history.write_invocation(DAY, "a", {"invocations": invocation("a"), "node_runs": runs})
    assert history.file("node_runs", DAY, "a").exists()
    assert_frame_equal(history.scan("node_runs").collect(), runs)
    assert history.scan("invocations").collect().schema == schema.INVOCATIONS


def test_rows_without_commit_marker_are_invisible(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.write_invocation(
        DAY, "a", {"invocations": invocation("a"), "node_runs": node_runs("a", 2)}
    )
    # a killed ingest: the data file landed, the marker did not
    node_runs("b", 5).write_parquet(history.file("node_runs", DAY, "b"))
    assert history.scan("node_runs").collect()["invocation_id"].unique().to_list() == ["a"]
    assert not history.has_invocation("b", DAY)


def test_temporary_files_are_never_read(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.write_invocation(DAY, "a", {"invocations": invocation("a")})
    (history.file("invocations", DAY, "a").parent / ".a.parquet.1.tmp").write_bytes(b"half")
    assert history.scan("invocations").collect().height == 1


def test_since_prunes_older_partitions(tmp_path: Path) -> None:
    history = History(tmp_path)
    history.write_invocation(DAY, "a", {"invocations": invocation("a")})
    assert history.scan("invocations", since=DAY + dt.timedelta(days=1)).collect().height == 0
    assert history.scan("invocations", since=DAY).collect().height == 1


def test_empty_history_scans_to_empty_frames(tmp_path: Path) -> None:
    history = History(tmp_path / "missing")
    assert history.is_empty()
    assert history.scan("node_runs").collect().schema == schema.NODE_RUNS


def test_newest_day_skips_partitions_without_a_committed_invocation(tmp_path: Path) -> None:
    history = History(tmp_path)
    assert history.newest_day() is None
    history.write_invocation(DAY, "a", {"invocations": invocation("a")})
    later = DAY + dt.timedelta(days=2)
    history.write_invocation(later, "b", {"invocations": invocation("b")})
    (tmp_path / "invocations" / "date=2021-02-09").mkdir()  # an empty partition
    (tmp_path / "invocations" / "date=2021-02-08").mkdir()
    (tmp_path / "invocations" / "date=2021-02-08" / ".b.parquet.1.tmp").touch()  # half written
    assert history.newest_day() == later
