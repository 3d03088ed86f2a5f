import json

import pytest
from click.testing import CliRunner

from monitor.cli import cli


def whatif(history: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["whatif", "--history", history, *args])
    return result.exit_code, result.output


def test_without_a_scenario_the_leverage_ranking_is_not_the_slowest_ten(
    threads_history: str,
) -> None:
    code, out = whatif(threads_history, "--invocation", "latest", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["threads"] == 2
    assert doc["baseline_seconds"] == doc["predicted_seconds"]
    assert abs(doc["baseline_seconds"] / doc["recorded_seconds"] - 1) <= 0.10
    assert doc["critical_path"][-1].startswith(("model.", "test.", "exposure."))
    saved = [item["seconds_saved"] for item in doc["leverage"]]
    assert saved == sorted(saved, reverse=True)
    assert 0 < len(saved) <= 10
    assert all(0 < i["seconds_saved"] <= i["seconds"] * 0.5 + 1e-6 for i in doc["leverage"])


def test_thread_change_predicts_the_recorded_build_with_that_thread_count(
    threads_history: str,
) -> None:
    # 2021-02-04 ran with 4 threads, 2021-02-05 (one night more data) with 2:
    # replaying the first with 2 threads must land near the second's real span.
    code, out = whatif(threads_history, "--since", "1d", "--format", "json")
    assert code == 0, out
    two_threads = json.loads(out)
    runs = CliRunner().invoke(
        cli, ["runs", "--history", threads_history, "--format", "json", "--no-findings"]
    )
    rows = json.loads(runs.output)
    [four] = [r["invocation_id"] for r in rows if r["started_at"][:10] == "2021-02-04"]
    code, out = whatif(threads_history, "--invocation", four, "--threads", "2", "--format", "json")
    assert code == 0, out
    predicted = json.loads(out)["predicted_seconds"]
    recorded = two_threads["recorded_seconds"]
    error = predicted / recorded - 1
    print(
        f"4 threads -> 2: predicted {predicted:.2f} s, recorded with 2 threads {recorded:.2f} s "
        f"({error:+.1%})"
    )
    assert abs(error) <= 0.10


def test_a_faster_node_on_the_critical_path_shortens_the_build(threads_history: str) -> None:
    code, out = whatif(threads_history, "--faster", "int_session_events=50%", "--format", "json")
    assert code == 0, out
    doc = json.loads(out)
    assert doc["predicted_seconds"] < doc["baseline_seconds"]
    code, out = whatif(threads_history, "--skip", "int_session_events", "--skip", "fct_sessions")
    assert code == 0, out
    assert "predicted" in out and "--skip int_session_events" in out


def test_table_output_names_baseline_path_and_leverage(threads_history: str) -> None:
    code, out = whatif(threads_history)
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("what-if on invocation ")
    assert "2 threads" in lines[0]
    assert lines[1].lstrip().startswith("baseline")
    assert "critical path (2 threads):" in out
    assert "leverage:" in out and "   1. " in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--faster", "fct_orders"], "expected NODE=PERCENT"),
        (["--faster", "fct_orders=0%"], "above 0 and at most 100"),
        (["--faster", "no_such_model=50%"], "no_such_model"),
        (["--invocation", "zzz"], "no invocation 'zzz'"),
        (["--invocation", "latest", "--since", "7d"], "not both"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    threads_history: str, args: list[str], message: str
) -> None:
    code, out = whatif(threads_history, *args)
    assert code == 2
    assert out.startswith("error: ") and message in out
    assert out.count("\n") == 1
