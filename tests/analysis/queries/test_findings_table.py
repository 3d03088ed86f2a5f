import polars as pl
from polars.testing import assert_frame_equal

from monitor.analysis.check import check
from monitor.analysis.config import Config
from monitor.analysis.finding import FINDINGS, findings_frame
from monitor.analysis.queries.findings_table import (
    finding_counts,
    findings_table,
    judged_invocations,
)
from tests.analysis.builder import HistoryBuilder

SOURCE = "source.p.raw.events"


def history() -> tuple[HistoryBuilder, list[str]]:
    b = HistoryBuilder()
    b.node(SOURCE, warn_after=3600.0, error_after=7200.0)
    b.node("model.p.funnel", depends_on=[SOURCE])
    b.exposure("exposure.p.dashboard", ["model.p.funnel"])
    ids = []
    for day, status in enumerate(["pass", "error", "warn"]):
        inv = b.invocation(day, "source freshness")
        b.check(inv, SOURCE, status, 100.0, warn_after=3600.0, error_after=7200.0)
        ids.append(inv)
    ids.append(b.invocation(3, "docs generate"))  # executes nothing: never judged
    return b, ids


def test_every_executing_invocation_judged_as_check_judges_it() -> None:
    b, ids = history()
    frames = b.frames()
    assert judged_invocations(frames) == ids[:3]
    table = findings_table(frames, Config())
    expected = pl.concat([findings_frame(check(frames, inv, Config()).findings) for inv in ids[:3]])
    assert_frame_equal(table, expected)
    assert table.select("invocation_id", "kind", "severity").rows() == [
        (ids[1], "exposure_at_risk", "error"),
        (ids[1], "source_stale", "error"),
        (ids[2], "source_stale", "warn"),
    ]


def test_only_the_wanted_invocations_with_progress() -> None:
    b, ids = history()
    calls: list[tuple[int, int]] = []
    table = findings_table(
        b.frames(), Config(), [ids[2], ids[3]], progress=lambda d, t: calls.append((d, t))
    )
    assert table["invocation_id"].to_list() == [ids[2]]
    assert calls == [(1, 1)]


def test_nothing_to_judge_is_an_empty_findings_frame() -> None:
    b, ids = history()
    assert_frame_equal(
        findings_table(b.frames(), Config(), [ids[3]]), pl.DataFrame(schema=FINDINGS)
    )


def test_counts_per_severity() -> None:
    b, ids = history()
    counts = finding_counts(findings_table(b.frames(), Config())).sort("invocation_id")
    assert counts.rows() == [(ids[1], 2, 0, 0), (ids[2], 0, 1, 0)]
