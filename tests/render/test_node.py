import json

from monitor.analysis.config import Config
from monitor.analysis.queries.node_history import node_history
from monitor.analysis.queries.windows import Window
from monitor.render.node import render_node
from tests.analysis.queries.tables import tables_of
from tests.analysis.queries.test_node_history import STG, history


def page(output_format: str, **kwargs: int) -> str:
    b, _ = history()
    found = node_history(tables_of(b), STG, Window(), Config(), **kwargs)
    assert found is not None
    return render_node(found, output_format, width=140)


def test_text_page() -> None:
    lines = page("table").splitlines()
    assert lines[:7] == [
        "stg_events (model.p.stg_events)",
        "model · models/staging/stg_events.sql · tags: nightly",
        "parents: raw.events",
        "children: fct_funnel, not_null_stg_events_id",
        "baseline: 10.0 s (median of the last 6 successful runs, MAD 0.50 s)",
        "durations: ▂▂▂▂█▂▁ 2.00 s … 60.0 s",
        "runs (7):",
    ]
    assert lines[7].split() == [
        "started_at", "invocation_id", "command", "status", "execution_s", "baseline_s", "ratio",
        "rows_affected", "failures", "message",
    ]  # fmt: skip
    findings = lines[lines.index("findings (4, over the runs shown):") + 1 :]
    assert findings[0].split() == ["started_at", "severity", "kind", "message", "invocation_id"]
    assert [line.split()[2:4] for line in findings[2:]] == [
        ["error", "exposure_at_risk"],
        ["error", "slow_model"],
        ["error", "exposure_at_risk"],
        ["error", "model_error"],
    ]
    assert all(len(line) <= 140 for line in lines)


def test_limit_says_how_many_were_left_out() -> None:
    assert "runs (newest 2 of 7; --limit 0 shows all):" in page("table", limit=2).splitlines()


def test_markdown_page() -> None:
    text = page("markdown")
    assert text.startswith("### stg_events (model.p.stg_events)\n\n- model · ")
    assert "#### runs (7)\n\n| started_at | invocation_id |" in text
    assert "#### findings (4, over the runs shown)\n\n| started_at | severity | kind |" in text


def test_json_page_is_one_object() -> None:
    document = json.loads(page("json"))
    assert list(document) == [
        "unique_id", "node", "baseline", "total_runs", "runs", "findings", "parents", "children",
    ]  # fmt: skip
    assert document["node"]["tags"] == ["nightly"]
    assert document["baseline"] == {"median_s": 10.0, "mad_s": 0.5, "runs": 6}
    assert [f["kind"] for f in document["findings"]] == [
        "exposure_at_risk",
        "slow_model",
        "exposure_at_risk",
        "model_error",
    ]
    assert document["findings"][1]["evidence"]["ratio"] == 6.0
    assert document["runs"][-1]["message"] == "Database Error"


def test_csv_is_the_runs() -> None:
    text = page("csv")
    assert text.splitlines()[0].startswith("started_at,invocation_id,command,status,execution_s")
    assert len(text.splitlines()) == 8
