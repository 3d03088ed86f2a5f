import datetime as dt

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.queries.findings_table import findings_table, judged_invocations
from monitor.analysis.queries.invocations import recent_invocations, with_finding_counts
from tests.analysis.builder import T0, HistoryBuilder
from tests.analysis.queries.tables import tables_of

SOURCE = "source.p.raw.events"


def history() -> tuple[HistoryBuilder, list[str]]:
    b = HistoryBuilder()
    b.node(SOURCE, warn_after=3600.0, error_after=7200.0)
    stale = b.invocation(0, "source freshness", labels=[("job", "nightly")])
    b.check(stale, SOURCE, "error", 9000.0, warn_after=3600.0, error_after=7200.0)
    build = b.invocation(0, "build", hour=0.1)
    b.run(build, "model.p.orders", 2.0)
    docs = b.invocation(0, "docs generate", hour=0.2)
    return b, [stale, build, docs]


def test_newest_first_with_counts_per_status() -> None:
    b, ids = history()
    b.invocations[0].update(elapsed_time=3.5, n_results=1, n_error=1, n_pass=0)
    runs = recent_invocations(tables_of(b).invocations)
    assert runs["invocation_id"].to_list() == ids[::-1]
    assert runs.row(2, named=True) == {
        "started_at": T0,
        "command": "source freshness",
        "ok": 0,
        "warn": 0,
        "fail": 1,
        "skip": 0,
        "results": 1,
        "found_error": None,
        "found_warn": None,
        "found_info": None,
        "elapsed_s": 3.5,
        "target": "prod",
        "invocation_id": ids[0],
        "labels": "job=nightly",
    }
    assert recent_invocations(tables_of(b).invocations, limit=1)["invocation_id"].to_list() == [
        ids[2]
    ]


def test_finding_counts_for_judged_invocations_only() -> None:
    b, ids = history()
    frames = b.frames()
    runs = recent_invocations(tables_of(b).invocations)
    found = findings_table(frames, Config())
    counted = with_finding_counts(runs, found, judged_invocations(frames))
    assert counted.columns == runs.columns
    assert counted.select("invocation_id", "found_error", "found_warn", "found_info").rows() == [
        (ids[2], None, None, None),  # docs generate: never judged
        (ids[1], 0, 0, 0),
        (ids[0], 1, 0, 0),  # the stale source
    ]
    assert counted["started_at"].dtype == pl.Datetime("us", "UTC")
    assert counted["started_at"][0] == T0 + dt.timedelta(hours=0.2)
