"""The three flagship questions as plain SQL over the history's Parquet files.

README.md's section "When one machine is not enough" shows these strings
verbatim (the tests check it), with the history at ``history/``; :func:`at`
points them at another folder. Every query keeps to committed invocations with
``invocation_id IN (SELECT invocation_id FROM invocations)``: an invocation's
``invocations`` file is written last, so rows without one belong to an ingest
that has not finished (or was killed), and dbt-monitor leaves them out too.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

TABLES = ("invocations", "node_runs", "freshness")
"""The history tables the questions read."""

# -- DuckDB --------------------------------------------------------------------

DUCKDB_VIEWS = """\
CREATE VIEW invocations AS
    SELECT * FROM read_parquet('history/invocations/*/*.parquet', hive_partitioning = true);
CREATE VIEW node_runs AS
    SELECT * FROM read_parquet('history/node_runs/*/*.parquet', hive_partitioning = true);
CREATE VIEW freshness AS
    SELECT * FROM read_parquet('history/freshness/*/*.parquet', hive_partitioning = true);
"""

DUCKDB_SLOWEST = """\
SELECT unique_id, count(*) AS runs, median(execution_time) AS median_s
FROM node_runs
WHERE "date" >= (SELECT max("date") - INTERVAL 29 DAY FROM invocations)
  AND resource_type = 'model' AND status = 'success'
  AND invocation_id IN (SELECT invocation_id FROM invocations
                        WHERE command NOT IN ('docs generate', 'compile')
                          AND NOT coalesce(full_refresh, false))
GROUP BY unique_id
ORDER BY median_s DESC, unique_id
LIMIT 10;
"""

DUCKDB_FAILING_TESTS = """\
SELECT unique_id, count(*) AS failed_runs, array_sort(array_distinct(array_agg("date"))) AS days
FROM node_runs
WHERE "date" >= (SELECT max("date") - INTERVAL 29 DAY FROM invocations)
  AND resource_type IN ('test', 'unit_test') AND status IN ('fail', 'error', 'runtime error')
  AND invocation_id IN (SELECT invocation_id FROM invocations)
GROUP BY unique_id
ORDER BY failed_runs DESC, unique_id;
"""

DUCKDB_STALE_SOURCES = """\
SELECT unique_id, status, count(*) AS checks,
       array_sort(array_distinct(array_agg("date"))) AS days, round(max(age) / 3600, 1) AS max_age_h
FROM freshness
WHERE "date" >= (SELECT max("date") - INTERVAL 29 DAY FROM invocations)
  AND status IN ('warn', 'error', 'runtime error')
  AND invocation_id IN (SELECT invocation_id FROM invocations)
GROUP BY unique_id, status
ORDER BY status, unique_id;
"""

# -- Spark SQL -------------------------------------------------------------------

SPARK_VIEWS = """\
CREATE TEMPORARY VIEW invocations USING parquet OPTIONS (path 'history/invocations');
CREATE TEMPORARY VIEW node_runs USING parquet OPTIONS (path 'history/node_runs');
CREATE TEMPORARY VIEW freshness USING parquet OPTIONS (path 'history/freshness');
"""

SPARK_SLOWEST = """\
SELECT unique_id, count(*) AS runs, median(execution_time) AS median_s
FROM node_runs
WHERE `date` >= (SELECT date_sub(max(`date`), 29) FROM invocations)
  AND resource_type = 'model' AND status = 'success'
  AND invocation_id IN (SELECT invocation_id FROM invocations
                        WHERE command NOT IN ('docs generate', 'compile')
                          AND NOT coalesce(full_refresh, false))
GROUP BY unique_id
ORDER BY median_s DESC, unique_id
LIMIT 10;
"""

SPARK_FAILING_TESTS = """\
SELECT unique_id, count(*) AS failed_runs, array_sort(array_distinct(array_agg(`date`))) AS days
FROM node_runs
WHERE `date` >= (SELECT date_sub(max(`date`), 29) FROM invocations)
  AND resource_type IN ('test', 'unit_test') AND status IN ('fail', 'error', 'runtime error')
  AND invocation_id IN (SELECT invocation_id FROM invocations)
GROUP BY unique_id
ORDER BY failed_runs DESC, unique_id;
"""

SPARK_STALE_SOURCES = """\
SELECT unique_id, status, count(*) AS checks,
       array_sort(array_distinct(array_agg(`date`))) AS days, round(max(age) / 3600, 1) AS max_age_h
FROM freshness
WHERE `date` >= (SELECT date_sub(max(`date`), 29) FROM invocations)
  AND status IN ('warn', 'error', 'runtime error')
  AND invocation_id IN (SELECT invocation_id FROM invocations)
GROUP BY unique_id, status
ORDER BY status, unique_id;
"""

# -- what fixtures/README.md's scenario says they must answer ----------------------

FLAKY_TEST = (
    "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
)
TOP_TWO_SLOWEST = ["model.greenery.int_session_events", "model.greenery.int_product_page_views"]
FAILING_TESTS = [(FLAKY_TEST, 3, [dt.date(2021, 2, 3), dt.date(2021, 2, 7), dt.date(2021, 2, 14)])]
STALE_SOURCES = [
    (
        "source.greenery.greenery.events",
        "error",
        2,
        [dt.date(2021, 2, 8), dt.date(2021, 2, 9)],
        48.7,
    ),
    (
        "source.greenery.greenery.products",
        "warn",
        3,
        [dt.date(2021, 2, 4), dt.date(2021, 2, 5), dt.date(2021, 2, 6)],
        72.8,
    ),
]


def at(sql: str, history: Path | str) -> str:
    """``sql`` reading the history at ``history`` instead of ``history/``."""
    return sql.replace("'history/", f"'{Path(history).as_posix()}/")


def statements(script: str) -> list[str]:
    """The statements of a ``;``-separated script (none of ours has a ``;`` in a string)."""
    return [part.strip() for part in script.split(";") if part.strip()]
