"""Over the recorded fixture nights, notify night by night: the exact transitions, each once."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.notify.helpers import WEBHOOK, build_of, executing_runs, invoke, write_config
from tests.notify.server import Recorder

FLAKY = (
    "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
)
WARN_TEST = "test.greenery.accepted_values_stg_promos_status__active__inactive.857c27c89e"
BUILD, FRESHNESS = "nightly build", "nightly source freshness"
PRODUCTS, EVENTS = "source.greenery.greenery.products", "source.greenery.greenery.events"
SLOW = "model.greenery.int_product_page_views"

EXPECTED = [
    ("2021-02-03", BUILD, "opened", "error", "test_failure", FLAKY),
    ("2021-02-04", FRESHNESS, "opened", "warn", "source_stale", PRODUCTS),
    ("2021-02-04", BUILD, "resolved", "error", "test_failure", FLAKY),
    ("2021-02-05", BUILD, "opened", "error", "slow_model", SLOW),
    ("2021-02-07", FRESHNESS, "resolved", "warn", "source_stale", PRODUCTS),
    ("2021-02-07", BUILD, "opened", "warn", "creeping_model", "model.greenery.int_session_events"),
    ("2021-02-07", BUILD, "opened", "warn", "flaky_test", FLAKY),
    ("2021-02-07", BUILD, "resolved", "error", "slow_model", SLOW),
    ("2021-02-07", BUILD, "opened", "error", "test_failure", FLAKY),
    ("2021-02-08", FRESHNESS, "opened", "error", "exposure_at_risk",
     "exposure.greenery.product_funnel_dashboard"),
    ("2021-02-08", FRESHNESS, "opened", "error", "source_stale", EVENTS),
    ("2021-02-08", BUILD, "resolved", "error", "test_failure", FLAKY),
    ("2021-02-11", FRESHNESS, "resolved", "error", "exposure_at_risk",
     "exposure.greenery.product_funnel_dashboard"),
    ("2021-02-11", FRESHNESS, "opened", "warn", "run_gap", ""),
    ("2021-02-11", FRESHNESS, "resolved", "error", "source_stale", EVENTS),
    ("2021-02-11", BUILD, "opened", "warn", "run_gap", ""),  # each job has its own gap
    ("2021-02-12", FRESHNESS, "resolved", "warn", "run_gap", ""),
    ("2021-02-12", BUILD, "opened", "error", "exposure_at_risk",
     "exposure.greenery.product_funnel_dashboard"),
    ("2021-02-12", BUILD, "opened", "error", "model_error", "model.greenery.int_user_funnel_steps"),
    ("2021-02-12", BUILD, "resolved", "warn", "run_gap", ""),
    ("2021-02-13", BUILD, "resolved", "error", "exposure_at_risk",
     "exposure.greenery.product_funnel_dashboard"),
    ("2021-02-13", BUILD, "resolved", "error", "model_error",
     "model.greenery.int_user_funnel_steps"),
    ("2021-02-13", BUILD, "opened", "warn", "test_failure", WARN_TEST),
    ("2021-02-14", BUILD, "resolved", "warn", "test_failure", WARN_TEST),
    ("2021-02-14", BUILD, "opened", "error", "test_failure", FLAKY),
    ("2021-02-15", BUILD, "resolved", "error", "test_failure", FLAKY),
]  # fmt: skip


def received(server: Recorder) -> list[tuple[str, ...]]:
    return [
        (a["run_started_at"][:10], a["scope"], a["transition"], a["severity"], a["kind"],
         a["unique_id"])
        for body in server.bodies()
        for a in body["alerts"]
    ]  # fmt: skip


def test_night_by_night_each_transition_is_sent_once(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, WEBHOOK)
    env = {"HOOK_URL": server.url}
    runs = executing_runs(history)
    assert len(runs) == 35
    for run in runs:
        code, _, err = invoke("notify", "--invocation", run, "--history", history,
                              "--config", str(config), "--strict", env=env)  # fmt: skip
        assert (code, err) == (0, "")
    assert received(server) == EXPECTED
    ids = [a["transition_id"] for body in server.bodies() for a in body["alerts"]]
    assert len(ids) == len(set(ids))
    # a test failing, passing and failing again is three incidents with their own dedup keys
    flaky = [a["incident_id"] for b in server.bodies() for a in b["alerts"]
             if a["unique_id"] == FLAKY and a["kind"] == "test_failure"]  # fmt: skip
    assert len(set(flaky)) == 3 and len(flaky) == 6
    # judging every night again sends nothing more
    before = len(server.requests)
    for run in runs:
        invoke("notify", "--invocation", run, "--history", history, "--config", str(config),
               env=env)  # fmt: skip
    assert len(server.requests) == before


def test_two_concurrent_notify_processes_send_each_transition_once(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, WEBHOOK)
    env = {"HOOK_URL": server.url}
    runs = executing_runs(history)
    night = runs.index(build_of(history, "2021-02-07"))  # four transitions at once
    for run in runs[:night]:
        invoke("notify", "--invocation", run, "--history", history, "--config", str(config),
               env=env)  # fmt: skip
    command = [sys.executable, "-m", "monitor", "notify", "--history", history, "--config",
               str(config), "--invocation", runs[night]]  # fmt: skip
    both = [
        subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE)
        for _ in range(2)
    ]  # fmt: skip
    outputs = [process.communicate(timeout=300) for process in both]
    assert [p.returncode for p in both] == [0, 0], outputs
    assert received(server) == EXPECTED[:9]
    # the winner of each claim sent it; between them the two processes sent four alerts
    sent = [int(out.decode().split("; sent ")[1].split()[0]) for out, _ in outputs]
    assert sum(sent) == 4
