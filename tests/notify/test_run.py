"""Delivery under faults, for real over loopback: 429, 500, a hang, a 404, a crash, no secret."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from monitor.analysis.config import load_config
from monitor.history.incidents import IncidentLog
from monitor.history.store import History
from monitor.notify.run import notify
from tests.notify.helpers import WEBHOOK, build_of, invoke, write_config
from tests.notify.server import Recorder


def run(history: str, config: Path, day: str, url: str, *extra: str) -> tuple[int, str, str]:
    return invoke("notify", "--invocation", build_of(history, day), "--history", history,
                  "--config", str(config), *extra, env={"HOOK_URL": url})  # fmt: skip


def opened_on_the_3rd(server: Recorder) -> list[tuple[str, str]]:
    return [(a["transition"], a["kind"]) for b in server.bodies() for a in b["alerts"]]


def test_a_429_is_retried_after_retry_after(history: str, server: Recorder, tmp_path: Path) -> None:
    config = write_config(tmp_path, WEBHOOK)
    server.script = [(429, "1")]
    code, out, err = run(history, config, "2021-02-03", server.url)
    assert (code, err) == (0, "")
    assert len(server.requests) == 2 and server.requests[0].body == server.requests[1].body
    assert out.splitlines()[-1] == (
        f"1 transition in nightly build (run {build_of(history, '2021-02-03')[:8]}); "
        "sent 1 alert to 1 destination"
    )


def test_a_failing_destination_keeps_the_alert_pending_then_sends_it_once(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, WEBHOOK)
    server.script = [500, 500, 500]
    code, _, err = run(history, config, "2021-02-03", server.url, "--strict")
    assert code == 3
    assert err == (
        "warning: delivery failed: webhook hook: HTTP 500 no_service after 3 tries; "
        "1 alerts stay pending\n"
    )
    assert server.url.split("//")[1] not in err
    assert len(server.requests) == 3
    # the next night's notify sends the pending opening, then that night's resolution
    code, _, err = run(history, config, "2021-02-04", server.url, "--strict")
    assert (code, err) == (0, "")
    assert opened_on_the_3rd(server)[3:] == [("opened", "test_failure"),
                                             ("resolved", "test_failure")]  # fmt: skip
    code, _, _ = run(history, config, "2021-02-04", server.url)
    assert code == 0 and len(server.requests) == 5


def test_a_hanging_destination_times_out(history: str, server: Recorder, tmp_path: Path) -> None:
    config = write_config(tmp_path, "[alerts]\ntimeout = 1\nattempts = 1\n" + WEBHOOK)
    server.script = ["hang"]
    code, _, err = run(history, config, "2021-02-03", server.url)
    assert code == 0
    assert err == (
        "warning: delivery failed: webhook hook: timed out after 1 s after 1 tries; "
        "1 alerts stay pending\n"
    )


def test_a_rejected_message_is_not_retried(history: str, server: Recorder, tmp_path: Path) -> None:
    config = write_config(tmp_path, WEBHOOK)
    server.script = [404]
    code, _, err = run(history, config, "2021-02-03", server.url, "--strict")
    assert code == 3
    assert "HTTP 404 no_service (rejected)" in err and len(server.requests) == 1


def test_a_missing_secret_is_named_not_shown(history: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, WEBHOOK)
    code, _, err = invoke("notify", "--invocation", build_of(history, "2021-02-03"),
                          "--history", history, "--config", str(config))  # fmt: skip
    assert code == 0
    assert err == (
        "warning: delivery failed: webhook hook: environment variable HOOK_URL is not set; "
        "1 alerts stay pending\n"
    )


def test_a_crash_after_claiming_resends_once_the_lease_is_over(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = load_config(explicit=write_config(tmp_path, WEBHOOK))
    env = {"HOOK_URL": server.url}
    night = build_of(history, "2021-02-03")
    server.script = [500, 500, 500]
    notify(History(history), config, night, environ=env)  # attempt 1 failed
    log = IncidentLog(History(history).storage)
    [transition] = log.transitions().filter(log.transitions()["kind"] == "test_failure")[
        "transition_id"
    ]
    assert log.claim(transition, "hook", 2)  # a process claims attempt 2, then dies
    assert not notify(History(history), config, night, environ=env).sent  # still in flight
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=16)
    outcome = notify(History(history), config, night, environ=env, now=later)
    assert [(name, a.kind) for name, a in outcome.sent] == [("hook", "test_failure")]
    assert not notify(History(history), config, night, environ=env, now=later).sent
    assert len(server.requests) == 4
