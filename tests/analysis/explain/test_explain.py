import datetime as dt

from monitor.analysis.explain.explain import change_points_by_node, node_change_points
from tests.analysis.builder import T0
from tests.analysis.explain.history import INCIDENT, PARENT, M, Night, history


def test_code_step_is_one_change_point_with_its_cause() -> None:
    facts, ids = history(Night(seconds=12.0, node_checksums={M: "c1"}))
    [point] = node_change_points(facts, M)
    assert point.as_dict() == {
        "invocation_id": ids[INCIDENT],
        "started_at": (T0 + dt.timedelta(days=INCIDENT)).isoformat(),
        "metric": "execution_time",
        "shape": "step",
        "before": 4.0,
        "after": 12.0,
        "ratio": 3.0,
        "environment": "prod",
        "git_sha": None,
        "causes": [
            {
                "kind": "code",
                "confidence": "high",
                "message": "its SQL changed in this run",
                "evidence": {"checksum_before": "c0", "checksum_after": "c1"},
            }
        ],
    }


def test_rows_and_runtime_are_followed_separately() -> None:
    facts, ids = history(Night(seconds=12.0, rows=5000))
    points = node_change_points(facts, M)
    assert [(p.metric, p.invocation_id, p.causes[0].kind) for p in points] == [
        ("execution_time", ids[INCIDENT], "data"),
        ("rows_affected", ids[INCIDENT], "data"),
    ]


def test_adapter_without_rows_has_no_rows_change_points() -> None:
    facts, _ = history(Night(seconds=12.0, rows=5000), adapter="duckdb")
    [point] = node_change_points(facts, M)
    assert point.metric == "execution_time"
    assert "not reported by the duckdb adapter" in point.causes[0].message


def test_since_keeps_later_changes_only() -> None:
    facts, _ = history(Night(seconds=12.0))
    assert node_change_points(facts, M, since=T0 + dt.timedelta(days=INCIDENT + 1)) == []


def test_change_points_by_node_leaves_out_quiet_nodes() -> None:
    facts, _ = history(Night(seconds=12.0, parent_rows=25000))
    found = change_points_by_node(facts)
    assert sorted(found) == [M, PARENT]
    assert [p.metric for p in found[PARENT]] == ["rows_affected"]
