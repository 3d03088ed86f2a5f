"""A small history whose artifact strings try to break out of the page."""

from __future__ import annotations

import datetime as dt

import polars as pl

from monitor.analysis.config import Config
from monitor.analysis.frames import Frames
from monitor.history.marts import MartRows
from monitor.render.report import ReportOptions, build_report, render_report
from tests.analysis.builder import T0, HistoryBuilder

SCRIPT = "<script>window.__pwned = 'script'</script>"
IMG = "<img src=x onerror=\"window.__pwned = 'img'\">"
BREAKOUT = "</script><script>window.__pwned = 'breakout'</script>\u2028<!--"
MODEL = "model.shop.orders"
TEST = f"test.shop.{IMG}.1a2b"
SOURCE = "source.shop.raw.events"
DOWNSTREAM = f"model.shop.{SCRIPT}"


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(days=4, seconds=seconds)


def hostile_frames() -> Frames:
    b = HistoryBuilder()
    b.node(MODEL, description=SCRIPT + IMG, path=f"models/{IMG}.sql", owner=BREAKOUT)
    b.node(DOWNSTREAM, depends_on=[MODEL], description=IMG)
    b.node(TEST, depends_on=[MODEL], test_node=MODEL, test_column=IMG)
    b.node(SOURCE, warn_after=3600.0, error_after=7200.0, description=SCRIPT)
    b.exposure("exposure.shop.dash", [MODEL, DOWNSTREAM])
    b.exposures[-1].update(url=f"javascript:{IMG}", label=SCRIPT, description=BREAKOUT)
    for day in range(5):
        fresh = b.invocation(day, "source freshness")
        b.check(fresh, SOURCE, "pass" if day < 4 else "error", 600.0 if day < 4 else 9000.0,
                warn_after=3600.0, error_after=7200.0, error=SCRIPT)  # fmt: skip
        inv = b.invocation(day, "build", hour=0.1)
        b.invocations[-1].update(project_name=f"shop{SCRIPT}", n_results=2)
        b.run(inv, MODEL, 2.0, thread_id=f"Thread-1 {IMG}",
              execute_started_at=at(0), execute_completed_at=at(2), message=BREAKOUT)  # fmt: skip
        b.run(inv, TEST, 0.5, status="pass" if day % 2 == 0 and day < 4 else "fail",
              failures=3, thread_id="Thread-1", execute_started_at=at(2),
              execute_completed_at=at(2.5), message=f"{SCRIPT} {IMG} {BREAKOUT}")  # fmt: skip
    return b.frames()


def hostile_marts(name: str) -> MartRows | None:
    if name == "fct_product_funnel":
        latest = pl.DataFrame({"step": [SCRIPT, IMG], "step_order": [1, 2], "users": [10, 4]})
        return MartRows(name, f"origin {BREAKOUT}", latest, None)
    if name == "orders_snapshot":
        latest = pl.DataFrame(
            {
                "order_id": [IMG, IMG],
                "status": [SCRIPT, BREAKOUT],
                "dbt_valid_from": [at(0), at(60)],
                "dbt_valid_to": [at(60), None],
            }
        )
        return MartRows(name, "warehouse", latest, None)
    return None


def hostile_html() -> str:
    options = ReportOptions(snapshots=("orders_snapshot",))
    report = build_report(hostile_frames(), Config(), options, hostile_marts)
    return render_report(report)
