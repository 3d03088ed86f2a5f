from monitor.analysis import results
from monitor.analysis.config import Config
from monitor.analysis.lineage import Dag
from monitor.analysis.results import flaky_tests, model_errors
from tests.analysis.builder import T0, HistoryBuilder

CONFIG = Config()
TEST = "test.p.not_null_orders_id.abc"


def history_of_test(
    statuses: list[str], checksums: list[str] | None = None
) -> tuple[HistoryBuilder, list[str]]:
    b = HistoryBuilder()
    b.node("model.p.orders", checksum="m0")
    b.node(TEST, test_node="model.p.orders", test_column="id", depends_on=["model.p.orders"])
    ids = []
    for day, status in enumerate(statuses):
        inv = b.invocation(day)
        b.run(inv, TEST, 0.1, status=status, failures=3 if status == "fail" else 0)
        if checksums and checksums[day] != checksums[day - 1 if day else 0]:
            b.node("model.p.orders", day=day, checksum=checksums[day])
        ids.append(inv)
    return b, ids


def test_model_error_counts_skipped_descendants() -> None:
    b = HistoryBuilder()
    b.node("model.p.a")
    b.node("model.p.b", depends_on=["model.p.a"])
    b.node("model.p.c", depends_on=["model.p.b"])
    b.node("model.p.other")
    inv = b.invocation(0)
    b.run(
        inv,
        "model.p.a",
        status="error",
        message="Runtime Error in model a (models/a.sql)\n  boom: division by zero",
    )
    b.run(inv, "model.p.b", status="skipped")
    b.run(inv, "model.p.c", status="skipped")
    b.run(inv, "model.p.other", status="skipped")  # skipped, but not downstream
    frames = b.frames()
    [finding] = model_errors(frames, inv, Dag.at(frames, T0))
    assert finding.severity == "error"
    assert finding.evidence["skipped"] == 2
    assert finding.message == "a failed: boom: division by zero; 2 downstream nodes skipped"


def test_new_failure_names_model_column_and_count() -> None:
    b, ids = history_of_test(["pass", "pass", "fail"])
    [finding] = results.test_failures(b.frames(), ids[-1])
    assert finding.severity == "error"
    assert finding.evidence["new"] is True
    assert finding.message == "not_null_orders_id failed on orders.id with 3 failing rows: new"


def test_streak_start_is_the_first_failing_run_of_the_streak() -> None:
    b, ids = history_of_test(["fail", "pass", "fail", "fail", "fail"])
    [finding] = results.test_failures(b.frames(), ids[-1])
    assert finding.evidence["streak_runs"] == 3
    assert finding.evidence["streak_start_invocation"] == ids[2]
    assert finding.evidence["new"] is False
    assert "failing since 2021-02-03 02:00 (3 runs in a row)" in finding.message


def test_warn_status_is_a_warning() -> None:
    b, ids = history_of_test(["pass", "warn"])
    [finding] = results.test_failures(b.frames(), ids[-1])
    assert finding.severity == "warn"


def test_passing_and_skipped_tests_are_quiet() -> None:
    b, ids = history_of_test(["fail", "pass", "skipped"])
    frames = b.frames()
    assert results.test_failures(frames, ids[1]) == []
    assert results.test_failures(frames, ids[2]) == []


def test_flips_with_unchanged_code_are_flaky() -> None:
    b, ids = history_of_test(["pass", "fail", "pass", "pass", "fail", "pass"])
    [finding] = flaky_tests(b.frames(), ids[-1], CONFIG)
    assert finding.evidence["flips"] == 4
    assert finding.evidence["pass_to_fail"] == 2
    assert finding.evidence["history"] == "✓✗✓✓✗✓"


def test_one_failure_between_passes_is_not_yet_flaky() -> None:
    b, ids = history_of_test(["pass", "fail", "pass", "pass"])
    assert flaky_tests(b.frames(), ids[-1], CONFIG) == []


def test_one_flip_is_not_flaky() -> None:
    b, ids = history_of_test(["pass", "pass", "fail", "fail"])
    assert flaky_tests(b.frames(), ids[-1], CONFIG) == []


def test_flips_across_a_code_change_are_not_flaky() -> None:
    statuses = ["pass", "fail", "pass", "fail", "pass", "pass"]
    checksums = ["m0", "m1", "m2", "m3", "m4", "m4"]
    b, ids = history_of_test(statuses, checksums)
    assert flaky_tests(b.frames(), ids[-1], CONFIG) == []


def test_flips_outside_the_window_do_not_count() -> None:
    b, ids = history_of_test(["pass", "fail", "pass", *["pass"] * 20])
    assert flaky_tests(b.frames(), ids[-1], CONFIG) == []
