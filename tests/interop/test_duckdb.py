"""DuckDB reads the history as it lies on disk, and answers the flagship questions."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import polars as pl
import pytest
from click.testing import CliRunner
from polars.testing import assert_frame_equal

from monitor import schema
from monitor.cli import cli
from monitor.history.compact import compact
from monitor.history.store import History
from tests.interop import questions as q

README = Path(__file__).resolve().parents[2] / "README.md"

KEYS = {
    "invocations": ["invocation_id"],
    "node_runs": ["invocation_id", "unique_id"],
    "freshness": ["invocation_id", "unique_id"],
    "nodes": ["unique_id", "version", "first_seen_at"],
    "exposures": ["unique_id", "version", "first_seen_at"],
    "catalog": ["invocation_id", "unique_id"],
    "compiled_code": ["invocation_id", "unique_id"],
}
"""What identifies a row of each table (checked unique below)."""


def only_row(con: duckdb.DuckDBPyConnection, sql: str) -> tuple[object, ...]:
    (row,) = con.sql(sql).fetchall()
    return row


def read(history: Path, table: str) -> str:
    return (
        f"read_parquet('{history.as_posix()}/{table}/*/*.parquet',"
        " hive_partitioning = true, filename = true)"
    )


@pytest.fixture
def con(history: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection in UTC with the README's views over ``history``."""
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        for statement in q.statements(q.at(q.DUCKDB_VIEWS, history)):
            connection.execute(statement)
        yield connection


# -- the files as they are ---------------------------------------------------------


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_duckdb_reads_every_row_dbt_monitor_reads(
    con: duckdb.DuckDBPyConnection, history: Path, table: str
) -> None:
    ours = History(history).scan(table).collect()
    theirs = pl.DataFrame(con.sql(f"SELECT * FROM {read(history, table)}"))
    assert ours.height > 0
    assert theirs.height == ours.height
    assert not ours.select(KEYS[table]).is_duplicated().any()
    # DuckDB adds the Hive partition and the file it asked for; the rest is ours.
    assert theirs.columns == [*schema.TABLES[table].names(), "filename", "date"]
    assert_frame_equal(theirs.drop("filename", "date").sort(KEYS[table]), ours.sort(KEYS[table]))
    if "invocation_id" in ours.columns:
        assert set(theirs["invocation_id"]) == set(ours["invocation_id"])


@pytest.mark.parametrize("table", list(schema.TABLES))
def test_date_partition_is_the_utc_day_the_invocation_started(
    con: duckdb.DuckDBPyConnection, history: Path, table: str
) -> None:
    started = dict(
        History(history)
        .scan("invocations")
        .select("invocation_id", pl.col("started_at").dt.date())
        .collect()
        .iter_rows()
    )
    # a file is named <invocation_id>.<part> (the part of the invocation it holds)
    files = con.sql(
        f"""SELECT DISTINCT split_part(parse_filename(filename, true), '.', 1), "date"
            FROM {read(history, table)}"""
    ).fetchall()
    assert files
    assert dict(files) == {invocation_id: started[invocation_id] for invocation_id, _ in files}
    if "invocation_id" in schema.TABLES[table]:
        # every file holds the rows of the invocation it is named after
        strays = only_row(
            con,
            f"""SELECT count(*) FROM {read(history, table)}
                WHERE invocation_id <> split_part(parse_filename(filename, true), '.', 1)""",
        )
        assert strays == (0,)


def test_a_session_time_zone_moves_timestamps_to_other_days(
    con: duckdb.DuckDBPyConnection,
) -> None:
    # The timestamps are UTC instants (TIMESTAMP WITH TIME ZONE in DuckDB); a
    # plain cast to DATE happens in the session's time zone.
    con.execute("SET TimeZone = 'America/Los_Angeles'")
    moved = only_row(
        con,
        """SELECT count(*) FILTER (WHERE started_at::DATE <> "date"),
                  count(*) FILTER (WHERE timezone('UTC', started_at)::DATE <> "date")
           FROM invocations""",
    )
    # the nightly invocations at 02:00 UTC ran the evening before in California
    assert moved == (48, 0)


# -- the flagship questions ----------------------------------------------------------


def test_slowest_models(con: duckdb.DuckDBPyConnection, history: Path) -> None:
    rows = con.sql(q.DUCKDB_SLOWEST).fetchall()
    assert [unique_id for unique_id, _, _ in rows[:2]] == q.TOP_TWO_SLOWEST
    assert len(rows) == 10
    # the same ranking, counts and medians as `dbt-monitor slowest --since 30d`
    result = CliRunner().invoke(
        cli,
        ["slowest", "--since", "30d", "--format", "json", "--history", str(history)],
        env={"CI": ""},
    )
    assert result.exit_code == 0, result.output
    ours = [
        (row["unique_id"], row["runs"], pytest.approx(row["median_s"]))
        for row in json.loads(result.stdout)
        if row["type"] == "model"
    ]
    assert rows == ours[:10]


def test_failing_tests(con: duckdb.DuckDBPyConnection) -> None:
    assert con.sql(q.DUCKDB_FAILING_TESTS).fetchall() == q.FAILING_TESTS


def test_stale_sources(con: duckdb.DuckDBPyConnection) -> None:
    assert con.sql(q.DUCKDB_STALE_SOURCES).fetchall() == q.STALE_SOURCES


def test_the_questions_leave_out_an_invocation_without_its_commit_marker(
    history: Path, tmp_path: Path
) -> None:
    # An ingest killed while writing the invocations file, its last: node_runs
    # landed, the marker is half a hidden temporary file.
    copy = shutil.copytree(history, tmp_path / "history")
    with duckdb.connect() as con:
        (killed,) = only_row(
            con,
            f"""SELECT invocation_id FROM {read(copy, "node_runs")}
                WHERE "date" = DATE '2021-02-14' AND status = 'fail'""",
        )
        (marker,) = (copy / "invocations" / "date=2021-02-14").glob(f"{killed}.*.parquet")
        half = marker.read_bytes()[:100]
        marker.unlink()
        marker.with_name(f".{marker.name}.4242.0badf00d.tmp").write_bytes(half)
        for statement in q.statements(q.at(q.DUCKDB_VIEWS, copy)):
            con.execute(statement)

        orphans = only_row(con, f"SELECT count(*) FROM node_runs WHERE invocation_id = '{killed}'")
        assert orphans == (65,)  # still on disk: a plain read counts them
        committed = only_row(
            con,
            "SELECT count(*) FROM node_runs"
            " WHERE invocation_id IN (SELECT invocation_id FROM invocations)",
        )
        assert committed == (History(copy).scan("node_runs").collect().height,)
        assert con.sql(q.DUCKDB_FAILING_TESTS).fetchall() == [
            (q.FLAKY_TEST, 2, q.FAILING_TESTS[0][2][:2])
        ]


def test_the_questions_read_a_compacted_history_alike(
    con: duckdb.DuckDBPyConnection, history: Path, tmp_path: Path
) -> None:
    copy = shutil.copytree(history, tmp_path / "history")
    assert compact(History(copy), grace=0).written > 0
    day = copy / "node_runs" / "date=2021-02-17"
    assert [path.name[:10] for path in day.glob("*.parquet")] == ["compacted-"]
    with duckdb.connect() as compacted:
        for statement in q.statements(q.at(q.DUCKDB_VIEWS, copy)):
            compacted.execute(statement)
        for sql in (q.DUCKDB_SLOWEST, q.DUCKDB_FAILING_TESTS, q.DUCKDB_STALE_SOURCES):
            assert compacted.sql(sql).fetchall() == con.sql(sql).fetchall()


def test_the_readme_shows_this_sql() -> None:
    section = README.read_text().partition("## When one machine is not enough")[2]
    for sql in (q.DUCKDB_VIEWS, q.DUCKDB_SLOWEST, q.DUCKDB_FAILING_TESTS, q.DUCKDB_STALE_SOURCES):
        assert sql in section
