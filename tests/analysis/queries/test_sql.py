import polars as pl
import pytest

from monitor.analysis.queries.sql import mentions, one_line, run_sql, sql_names
from monitor.errors import MonitorError
from tests.analysis.builder import HistoryBuilder
from tests.analysis.queries.tables import tables_of


def tables() -> dict[str, pl.LazyFrame]:
    b = HistoryBuilder()
    b.node("model.p.orders", tags=["nightly"])
    inv = b.invocation(0)
    b.run(inv, "model.p.orders", 4.0)
    t = tables_of(b)
    return {"node_runs": t.node_runs, "nodes": t.nodes, "invocations": t.invocations}


def no_findings() -> pl.DataFrame:
    raise AssertionError("findings computed though the query does not name them")


def test_joins_runs_to_nodes() -> None:
    result = run_sql(
        "SELECT n.name, r.execution_time FROM node_runs r JOIN nodes n USING (unique_id)",
        tables(),
        no_findings,
    )
    assert result.rows() == [("orders", 4.0)]


def test_findings_only_when_named() -> None:
    findings = pl.DataFrame({"invocation_id": ["inv-000"], "kind": ["slow_model"]})
    result = run_sql(
        "SELECT f.kind, r.unique_id FROM findings f JOIN node_runs r USING (invocation_id)",
        tables(),
        lambda: findings,
    )
    assert result.rows() == [("slow_model", "model.p.orders")]
    assert mentions("select * from FINDINGS", "findings")
    assert not mentions("SELECT findings_count FROM x", "findings")


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELEC 1", "SQL: sql parser error: Expected: an SQL statement, found: SELEC"),
        ("SELECT nope FROM nodes", 'SQL: unable to find column "nope"'),
        ("SELECT * FROM nowhere", "SQL: relation 'nowhere' was not found"),
    ],
)
def test_sql_errors_are_one_line_user_errors(query: str, message: str) -> None:
    with pytest.raises(MonitorError) as err:
        run_sql(query, tables(), no_findings)
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


def test_one_line_drops_the_plan() -> None:
    text = "boom\n\nhint: this\n\nResolved plan until failure:\n\n  SELECT ..."
    assert one_line(text) == "boom hint: this"


# -- column names as SQL spells them -----------------------------------------------


def columns_of(sql: str) -> list[str]:
    frame = pl.LazyFrame({"a": [1, 1, 2], "b": [1.0, 2.0, 3.0]})
    return run_sql(sql, {"t": frame}, lambda: pl.DataFrame()).columns


@pytest.mark.parametrize(
    ("sql", "columns"),
    [
        ("SELECT count(*) FROM t", ["count(*)"]),
        (
            "SELECT a, count(*), sum(b), avg(b) FROM t GROUP BY a",
            ["a", "count(*)", "sum(b)", "avg(b)"],
        ),
        ("SELECT a, COUNT(*) AS n, max(b) m FROM t GROUP BY a", ["a", "n", "m"]),
        ("SELECT * FROM t", ["a", "b"]),
        ("SELECT t.a, a + b FROM t", ["a", "a + b"]),
        ("SELECT DISTINCT a FROM t", ["a"]),
        ("WITH x AS (SELECT a, b FROM t) SELECT count(*), 'x, y' AS s FROM x", ["count(*)", "s"]),
        ("SELECT CASE WHEN a > 1 THEN 'big' END FROM t", ["CASE WHEN a > 1 THEN 'big' END"]),
    ],
)
def test_unaliased_expressions_are_named_as_written(sql: str, columns: list[str]) -> None:
    assert columns_of(sql) == columns


def test_a_list_that_cannot_be_matched_keeps_polars_names() -> None:
    assert sql_names("SELECT 1 AS x, 2 AS y", ["x"]) == ["x"]
    assert sql_names("not sql at all", ["len"]) == ["len"]
