import datetime as dt

from monitor.analysis.queries.failures import failures
from monitor.analysis.queries.node_runs import node_runs_in
from monitor.analysis.queries.windows import Window
from tests.analysis.builder import T0, HistoryBuilder
from tests.analysis.queries.tables import tables_of

TEST = "test.p.unique_orders_id.1a"
RECOVERED = "test.p.not_null_orders_id.2b"
MODEL = "model.p.orders"
FINE = "model.p.users"


def history() -> HistoryBuilder:
    b = HistoryBuilder()
    outcomes = [
        # TEST          RECOVERED  MODEL      FINE
        ("pass", "fail", "success", "success"),
        ("fail", "pass", "success", "success"),
        ("warn", "pass", "error", "success"),
        ("skipped", "pass", "success", "success"),  # skipped runs are not outcomes
        ("fail", "pass", "success", "success"),
    ]
    for day, statuses in enumerate(outcomes):
        inv = b.invocation(day)
        for node, status in zip((TEST, RECOVERED, MODEL, FINE), statuses, strict=True):
            failed = status in ("fail", "warn", "error")
            b.run(
                inv,
                node,
                status=status,
                failures=day + 1 if failed else None,
                message=f"Got {day + 1} results\nmore" if failed else None,
            )
    return b


def day(n: int) -> dt.datetime:
    return T0 + dt.timedelta(days=n)


def test_failing_first_with_streaks() -> None:
    found = failures(node_runs_in(tables_of(history()), Window()))
    assert found.columns == [
        "name",
        "status",
        "streak",
        "message",
        "since",
        "fails",
        "runs",
        "last_failed",
        "type",
        "failures",
        "unique_id",
    ]
    rows = found.drop("name", "type").rows()
    assert rows == [
        ("fail", 3, "Got 5 results", day(1), 3, 4, day(4), 5, TEST),
        ("success", 0, "Got 3 results", None, 1, 5, day(2), 3, MODEL),
        ("pass", 0, "Got 1 results", None, 1, 5, day(0), 1, RECOVERED),
    ]


def test_streaks_count_within_the_window() -> None:
    window = Window(start=day(2))
    found = failures(node_runs_in(tables_of(history()), window), limit=1)
    assert found.select("unique_id", "streak", "since", "fails").rows() == [(TEST, 2, day(2), 2)]
