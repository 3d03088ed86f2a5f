"""Spark (local mode) reads the history as it lies on disk and gives DuckDB's answers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from monitor.history.store import History
from tests.interop import questions as q

pytest.importorskip(
    "pyspark",
    reason="pyspark is not installed (it comes with the dev extra: pip install -e .[dev])",
)
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java runtime (17 or newer) on PATH", allow_module_level=True)

# only once pyspark and java are known to be there
from pyspark.sql import SparkSession
from pyspark.sql import types as T

README = Path(__file__).resolve().parents[2] / "README.md"

QUESTIONS = {
    "slowest": (q.SPARK_SLOWEST, q.DUCKDB_SLOWEST, q.TOP_TWO_SLOWEST),
    "failing_tests": (
        q.SPARK_FAILING_TESTS,
        q.DUCKDB_FAILING_TESTS,
        [row[0] for row in q.FAILING_TESTS],
    ),
    "stale_sources": (
        q.SPARK_STALE_SOURCES,
        q.DUCKDB_STALE_SOURCES,
        [row[0] for row in q.STALE_SOURCES],
    ),
}
"""Each flagship question in Spark SQL and in DuckDB, and the nodes that must lead its answer
(test_duckdb.py checks the rest of DuckDB's answer against the scenario)."""


@pytest.fixture(scope="module")
def spark(history: Path) -> Iterator[SparkSession]:
    """One small local Spark session, in UTC, with the README's views over ``history``."""
    session = (
        SparkSession.builder.master("local[1]")
        .appName("dbt-monitor-interop")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.memory", "512m")
        .config("spark.sql.shuffle.partitions", "1")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    # an ingest in progress: its temporary files have hidden names, and are not Parquet yet
    for table in ("node_runs", "invocations"):
        unfinished = history / table / "date=2021-02-17" / ".0000.parquet.4242.0badf00d.tmp"
        unfinished.write_bytes(b"PAR1 half a file")
    for statement in q.statements(q.at(q.SPARK_VIEWS, history)):
        session.sql(statement)
    yield session
    session.stop()


def run(spark: SparkSession, sql: str) -> list[tuple[Any, ...]]:
    (statement,) = q.statements(sql)
    return [tuple(row) for row in spark.sql(statement).collect()]


def test_spark_reads_the_types_and_rows_dbt_monitor_wrote(
    spark: SparkSession, history: Path
) -> None:
    fields = {field.name: field.dataType for field in spark.table("invocations").schema.fields}
    # microsecond UTC instants are Spark's own timestamps; the partition is inferred as a date
    assert fields["started_at"] == T.TimestampType()
    assert fields["date"] == T.DateType()
    assert fields["labels"] == T.ArrayType(
        T.StructType([T.StructField("key", T.StringType()), T.StructField("value", T.StringType())])
    )
    for table in q.TABLES:
        (count,) = run(spark, f"SELECT count(*) FROM {table}")
        assert count == (History(history).scan(table).collect().height,)


@pytest.mark.parametrize("question", list(QUESTIONS))
def test_spark_answers_the_flagship_questions_as_duckdb_does(
    spark: SparkSession, history: Path, question: str
) -> None:
    spark_sql, duckdb_sql, leaders = QUESTIONS[question]
    with duckdb.connect() as con:
        for statement in q.statements(q.at(q.DUCKDB_VIEWS, history)):
            con.execute(statement)
        expected = con.sql(duckdb_sql).fetchall()
    answer = run(spark, spark_sql)
    assert [row[0] for row in answer[: len(leaders)]] == leaders
    assert answer == [tuple(map(approx_float, row)) for row in expected]


def approx_float(value: Any) -> Any:
    return pytest.approx(value) if isinstance(value, float) else value


def test_the_readme_shows_this_sql() -> None:
    section = README.read_text().partition("## When one machine is not enough")[2]
    for sql in (q.SPARK_VIEWS, q.SPARK_SLOWEST, q.SPARK_FAILING_TESTS, q.SPARK_STALE_SOURCES):
        assert sql in section
