import polars as pl
import pytest

from monitor.analysis.queries.select import latest_versions, select
from monitor.errors import MonitorError
from tests.analysis.builder import HistoryBuilder
from tests.analysis.queries.tables import tables_of

RAW = "source.shop.raw.orders"
STG = "model.shop.stg_orders"
FCT = "model.shop.fct_orders"
DIM = "model.shop.dim_users"
TEST = "test.shop.not_null_fct_orders_id.abc123"


def project() -> pl.DataFrame:
    b = HistoryBuilder()
    b.node(RAW, source_name="raw", path="models/sources.yml", package_name="shop")
    b.node(STG, path="models/staging/stg_orders.sql", depends_on=[RAW], tags=["staging"])
    b.node(FCT, path="models/marts/fct_orders.sql", depends_on=[STG], tags=["nightly"])
    b.node(DIM, path="models/marts/dim_users.sql", tags=["nightly", "pii"])
    b.node(TEST, path="models/marts/schema.yml", depends_on=[FCT], test_node=FCT)
    return latest_versions(tables_of(b).nodes.collect())


@pytest.mark.parametrize(
    ("selectors", "expected"),
    [
        (["fct_orders"], {FCT}),
        ([FCT], {FCT}),
        (["*_orders"], {STG, FCT}),
        (["tag:nightly"], {FCT, DIM}),
        (["tag:pii tag:staging"], {DIM, STG}),  # spaces: union
        (["tag:nightly", "stg_orders"], {FCT, DIM, STG}),  # repeated --select: union
        (["tag:nightly,path:models/marts/fct_orders.sql"], {FCT}),  # commas: intersection
        (["path:models/marts"], {FCT, DIM, TEST}),
        (["path:models/marts/*.sql"], {FCT, DIM}),
        (["resource_type:test"], {TEST}),
        (["source:raw"], {RAW}),
        (["raw.orders"], {RAW}),
        (["package:shop"], {RAW}),
        (["+fct_orders"], {RAW, STG, FCT}),
        (["1+fct_orders"], {STG, FCT}),
        (["stg_orders+"], {STG, FCT, TEST}),
    ],
)
def test_selectors(selectors: list[str], expected: set[str]) -> None:
    assert select(project(), selectors) == expected


def test_no_selector_selects_everything() -> None:
    assert select(project(), []) is None


def test_a_selector_matching_nothing_is_an_error() -> None:
    with pytest.raises(MonitorError, match=r"--select 'fct_order' matches no node"):
        select(project(), ["fct_order"])


def test_an_unknown_method_is_an_error() -> None:
    with pytest.raises(MonitorError, match=r"unknown method 'config'"):
        select(project(), ["config:materialized"])
