from monitor.analysis.queries.flaky import flaky
from monitor.analysis.queries.node_runs import node_runs_in
from monitor.analysis.queries.windows import Window
from tests.analysis.builder import HistoryBuilder
from tests.analysis.queries.tables import tables_of

FLAKY = "test.p.relationships_orders_user_id.1a"
BROKEN = "test.p.unique_orders_id.2b"
STEADY = "test.p.not_null_orders_id.3c"
MODEL = "model.p.orders"


def history() -> HistoryBuilder:
    b = HistoryBuilder()
    outcomes = [
        # FLAKY   BROKEN  STEADY   MODEL
        ("pass", "pass", "pass", "error"),
        ("fail", "fail", "pass", "success"),
        ("pass", "fail", "pass", "error"),
        ("warn", "fail", "pass", "success"),  # warnings are not pass/fail outcomes
        ("error", "fail", "pass", "success"),
        ("skipped", "fail", "pass", "success"),  # nor are skips
        ("pass", "fail", "pass", "success"),
    ]
    for day, statuses in enumerate(outcomes):
        inv = b.invocation(day)
        for node, status in zip((FLAKY, BROKEN, STEADY, MODEL), statuses, strict=True):
            b.run(inv, node, status=status)
    return b


def test_tests_by_flip_rate() -> None:
    found = flaky(node_runs_in(tables_of(history()), Window()), min_flips=1)
    assert found.drop("last_failed").rows() == [
        ("relationships_orders_user_id", 1.0, 4, 2, 2, 5, "✓✗✓✗✓", "pass", FLAKY),
        ("unique_orders_id", 1 / 6, 1, 1, 6, 7, "✓✗✗✗✗✗✗", "fail", BROKEN),
    ]


def test_min_flips_counts_pass_to_fail() -> None:
    runs = node_runs_in(tables_of(history()), Window())
    assert flaky(runs)["unique_id"].to_list() == [FLAKY]
    assert flaky(runs, min_flips=1, limit=1)["unique_id"].to_list() == [FLAKY]
    assert flaky(runs, min_flips=3).is_empty()
