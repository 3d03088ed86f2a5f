import pytest

from monitor.analysis.queries.node_lookup import known_nodes, resolve_node
from monitor.errors import MonitorError
from tests.analysis.builder import HistoryBuilder
from tests.analysis.queries.tables import tables_of

FCT = "model.shop.fct_orders"
RAW = "source.shop.raw.orders"
SNAP = "snapshot.shop.orders_snapshot"
TEST = "test.shop.not_null_fct_orders_id.abc123"


def known(*seen: str):  # type: ignore[no-untyped-def]
    b = HistoryBuilder()
    b.node(FCT)
    b.node(RAW, name="orders", source_name="raw")
    b.node("model.shop.orders")
    b.node(SNAP)
    b.node(TEST, name="not_null_fct_orders_id")
    return known_nodes(tables_of(b).nodes.collect(), seen)


@pytest.mark.parametrize(
    ("wanted", "unique_id"),
    [
        ("fct_orders", FCT),
        (FCT, FCT),
        ("raw.orders", RAW),
        ("orders", "model.shop.orders"),  # a model wins over the source of the same name
        ("orders_snapshot", SNAP),
        ("not_null_fct_orders_id", TEST),
    ],
)
def test_names_a_person_uses(wanted: str, unique_id: str) -> None:
    assert resolve_node(known(), wanted) == unique_id


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(MonitorError) as err:
        resolve_node(known(), "fct_order")
    assert str(err.value) == "no node 'fct_order' in the history; closest: fct_orders, orders"


def test_nothing_close_points_at_the_names() -> None:
    with pytest.raises(MonitorError, match="SELECT DISTINCT name FROM nodes"):
        resolve_node(known(), "zzz")


def test_ambiguous_names_ask_for_the_unique_id() -> None:
    b = HistoryBuilder()
    b.node("seed.a.countries")
    b.node("seed.b.countries")
    with pytest.raises(MonitorError, match="'countries' names 2 nodes .*; give the unique_id"):
        resolve_node(known_nodes(tables_of(b).nodes.collect()), "countries")


def test_nodes_known_only_from_their_runs() -> None:
    assert resolve_node(known("model.shop.legacy"), "legacy") == "model.shop.legacy"
