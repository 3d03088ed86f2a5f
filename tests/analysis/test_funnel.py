import datetime as dt

import polars as pl
import pytest

from monitor.analysis.funnel import FunnelColumns, funnel, funnel_over_time
from monitor.errors import MonitorError

MART = pl.DataFrame(
    {
        "step": ["add_to_cart", "page_view", "checkout"],
        "step_order": [2, 1, 3],
        "users": [986, 1871, 361],
    }
)


def test_steps_conversion_and_largest_drop_off() -> None:
    result = funnel(MART, FunnelColumns())
    assert [(s.step, s.users) for s in result.steps] == [
        ("page_view", 1871),
        ("add_to_cart", 986),
        ("checkout", 361),
    ]
    first, cart, checkout = result.steps
    assert first.conversion is None and first.drop_off is None and first.of_first == 1.0
    assert cart.drop_off == pytest.approx(1 - 986 / 1871)
    assert checkout.drop_off == pytest.approx(1 - 361 / 986)
    assert checkout.of_first == pytest.approx(361 / 1871)
    assert result.largest_drop == checkout
    assert result.before(checkout) == cart


def test_other_column_names() -> None:
    renamed = MART.rename({"step": "stage", "step_order": "pos", "users": "n"})
    columns = FunnelColumns.parse("stage, pos, n")
    assert [s.users for s in funnel(renamed, columns).steps] == [1871, 986, 361]


def test_missing_column_says_how_to_name_it() -> None:
    with pytest.raises(MonitorError, match="--funnel-columns"):
        funnel(MART.drop("users"), FunnelColumns())
    with pytest.raises(MonitorError, match="STEP,ORDER,USERS"):
        FunnelColumns.parse("a,b")


def test_counts_over_time() -> None:
    day = dt.datetime(2021, 2, 1, tzinfo=dt.UTC)
    exports = pl.concat(
        [
            MART.with_columns(pl.lit(day).alias("started_at")),
            MART.with_columns(pl.lit(day - dt.timedelta(days=1)).alias("started_at")),
        ]
    )
    over = funnel_over_time(exports, FunnelColumns())
    assert over["order"].to_list() == [1, 2, 3, 1, 2, 3]
    assert over["started_at"][0] < over["started_at"][-1]
