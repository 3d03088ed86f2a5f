"""Routes and owners from the dbt project (elementary's meta keys), on a small real history."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl

from monitor import schema
from monitor.history.store import History
from tests.analysis.builder import HistoryBuilder, _frame
from tests.notify.helpers import invoke, write_config
from tests.notify.server import Recorder

MODEL = "model.shop.orders"
TEST = "test.shop.not_null_orders_id.1a2b"
OTHER = "test.shop.unique_customers_id.3c4d"


def save(builder: HistoryBuilder, root: Path) -> list[str]:
    """Write the builder's invocations into a real history, one commit each."""
    history = History(root)
    frames = {
        "node_runs": _frame(builder.node_runs, schema.NODE_RUNS),
        "freshness": _frame(builder.freshness, schema.FRESHNESS),
    }
    nodes = _frame(builder.nodes, schema.NODES)
    ids = []
    for n, row in enumerate(builder.invocations):
        inv = row["invocation_id"]
        tables = {name: f.filter(pl.col("invocation_id") == inv) for name, f in frames.items()}
        tables["invocations"] = _frame([row], schema.INVOCATIONS)
        if n == 0:
            tables["nodes"] = nodes.with_columns(pl.lit(inv).alias("first_seen_invocation"))
        history.write_invocation(row["started_at"].date(), inv, tables)
        ids.append(inv)
    return ids


def shop(tmp_path: Path, outcomes: list[str]) -> tuple[str, list[str]]:
    b = HistoryBuilder()
    meta = {"owner": "@finance", "subscribers": ["<@U024BE7LH>"], "tags": ["finance"],
            "alert_suppression_interval": 60}  # fmt: skip
    b.node(MODEL, meta=json.dumps(meta), package_name="shop", path="marts/orders.sql")
    b.node(TEST, test_node=MODEL, depends_on=[MODEL])
    b.node(OTHER, owner="crm")
    for day, status in enumerate(outcomes):
        inv = b.invocation(day)
        b.invocations[-1]["n_results"] = 3
        b.run(inv, MODEL, 1.0)
        b.run(inv, TEST, 0.1, status=status, failures=int(status == "fail"))
        b.run(inv, OTHER, 0.1, status=status, failures=int(status == "fail"))
    path = str(tmp_path / "history")
    return path, save(b, tmp_path / "history")


CONFIG = """
[alerts.destinations.fin]
type = "webhook"
url_env = "FIN_URL"

[alerts.destinations.all]
type = "webhook"
url_env = "ALL_URL"

[[alerts.routes]]
tag = "finance"
to = ["fin"]

[[alerts.routes]]
severity = "error"
owner = ["crm", "@finance"]
to = ["all"]
"""


def test_tests_inherit_owner_and_tags_and_routes_pick_destinations(
    tmp_path: Path, server: Recorder
) -> None:
    history, runs = shop(tmp_path, ["pass", "fail"])
    config = write_config(tmp_path, CONFIG)
    env = {"FIN_URL": f"{server.url}/fin", "ALL_URL": f"{server.url}/all"}
    for run in runs:
        code, _, err = invoke("notify", "--invocation", run, "--history", history, "--config",
                              str(config), "--strict", env=env)  # fmt: skip
        assert (code, err) == (0, "")
    got = sorted((r.path, a["unique_id"]) for r in server.requests for a in r.json()["alerts"])
    assert got == [("/all", TEST), ("/all", OTHER), ("/fin", TEST)]
    [alert] = [a for r in server.requests if r.path == "/fin" for a in r.json()["alerts"]]
    assert alert["owners"] == ["@finance"] and alert["subscribers"] == ["<@U024BE7LH>"]
    assert alert["tags"] == ["finance"]


def test_alert_suppression_interval_holds_back_a_quick_reopening(
    tmp_path: Path, server: Recorder
) -> None:
    history, runs = shop(tmp_path, ["fail", "pass", "fail", "pass", "pass", "fail"])
    config = write_config(tmp_path, CONFIG)
    env = {"FIN_URL": f"{server.url}/fin", "ALL_URL": f"{server.url}/all"}
    for run in runs:
        invoke("notify", "--invocation", run, "--history", history, "--config", str(config),
               env=env)  # fmt: skip
    sent = [a for r in server.requests if r.path == "/fin" for a in r.json()["alerts"]]
    fin = [(a["transition"], a["run_started_at"][:10]) for a in sent if a["kind"] == "test_failure"]
    # opened day 0, resolved day 1; reopened on day 2 within 60 h of the alert: held back
    # (and so is its resolution); reopened on day 5, 5 days after the last alert: sent
    start = dt.date(2021, 2, 1)
    days = [str(start + dt.timedelta(days=n)) for n in (0, 1, 5)]
    assert fin == [("opened", days[0]), ("resolved", days[1]), ("opened", days[2])]
