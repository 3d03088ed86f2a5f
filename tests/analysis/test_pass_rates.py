from monitor.analysis.pass_rates import flip_history, pass_rate
from tests.analysis.builder import HistoryBuilder


def test_pass_rate_per_invocation() -> None:
    b = HistoryBuilder()
    inv = b.invocation(0)
    b.run(inv, "test.p.a.1", status="pass")
    b.run(inv, "test.p.b.1", status="fail")
    b.run(inv, "test.p.c.1", status="warn")
    b.run(inv, "test.p.d.1", status="pass")
    b.run(inv, "test.p.e.1", status="skipped")
    b.run(inv, "model.p.m", status="success")
    [row] = pass_rate(b.frames(), None).to_dicts()
    assert (row["tests"], row["passed"], row["warned"], row["failed"]) == (4, 2, 1, 1)
    assert row["pass_rate"] == 0.5


def test_flip_history_lists_unstable_tests_with_their_strip() -> None:
    b = HistoryBuilder()
    outcomes = {
        "test.p.flaky.1": "pass fail pass fail pass",
        "test.p.broke.1": "pass pass pass fail pass",
        "test.p.fine.1": "pass pass pass pass pass",
        "test.p.warned.1": "pass warn pass warn pass",
    }
    for day in range(5):
        inv = b.invocation(day)
        for uid, strip in outcomes.items():
            b.run(inv, uid, status=strip.split()[day])
    flips = flip_history(b.frames(), None, "prod")
    assert flips["unique_id"].to_list() == ["test.p.flaky.1"]
    row = flips.row(0, named=True)
    assert (row["flips"], row["pass_to_fail"], row["runs"], row["failures"]) == (4, 2, 5, 2)
    assert [cell["status"] for cell in row["history"]] == outcomes["test.p.flaky.1"].split()
    assert flip_history(b.frames(), None, "prod", min_flips=1)["unique_id"].to_list() == [
        "test.p.flaky.1",
        "test.p.broke.1",
    ]
