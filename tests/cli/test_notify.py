"""``notify``, ``mute``, ``unmute``, ``incidents`` and ``ingest --notify`` through the CLI."""

# ruff: noqa: F811  (pytest fixtures imported from tests/notify)

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from tests.notify.conftest import RUNS, greenery, history  # noqa: F401  (fixtures)
from tests.notify.helpers import WEBHOOK, build_of, invoke, job_run_of, write_config
from tests.notify.server import Recorder, server  # noqa: F401  (a fixture)

FLAKY = (
    "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
)


def test_dry_run_prints_the_messages_and_records_nothing(history: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, WEBHOOK)
    code, out, err = invoke("notify", "--invocation", build_of(history, "2021-02-03"),
                            "--history", history, "--config", str(config), "--dry-run")  # fmt: skip
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[:2] == [f"opened    error test_failure           {FLAKY}", "--- hook"]
    assert '      "transition": "opened",' in lines
    assert lines[-1] == "dry run: 1 message, nothing sent or recorded"
    assert not (Path(history) / "incidents").exists()


def test_a_muted_node_is_tracked_but_not_sent(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, WEBHOOK)
    name = "relationships_dim_users_address_id__address_id__ref_stg_addresses_"
    code, out, _ = invoke("mute", name, "--reason", "vendor fixing the extract",
                          "--history", history)  # fmt: skip
    assert (code, out) == (0, f"muted {FLAKY}: vendor fixing the extract\n")
    night = build_of(history, "2021-02-03")
    code, out, _ = invoke("notify", "--invocation", night, "--history", history,
                          "--config", str(config), env={"HOOK_URL": server.url})  # fmt: skip
    assert code == 0 and server.requests == []
    assert out.splitlines()[0] == f"opened    error test_failure           {FLAKY} (muted)"
    code, out, _ = invoke("incidents", "--history", history, "--format", "csv")
    assert out.splitlines() == [
        "scope,kind,node,severity,state,since,last,pending,muted",
        f"nightly build,test_failure,{FLAKY},error,open,2021-02-03 02:00,opened 2021-02-03,0,"
        "vendor fixing the extract",
    ]
    assert invoke("unmute", FLAKY, "--history", history)[1] == f"unmuted {FLAKY}\n"
    code, _, err = invoke("unmute", FLAKY, "--history", history)
    assert (code, err) == (
        2,
        f"error: {FLAKY} is not muted; `dbt-monitor incidents --all` lists mutes\n",
    )


def test_mute_a_kind_for_a_while_and_unknown_names(history: str) -> None:
    code, out, _ = invoke(
        "mute", "source_stale", "--for", "7d", "--reason", "r", "--history", history
    )
    assert code == 0 and out.startswith("muted source_stale until ") and out.endswith(" UTC: r\n")
    code, _, err = invoke("mute", "dim_userz", "--reason", "r", "--history", history)
    assert code == 2 and err.startswith("error: no node 'dim_userz' in the history")
    assert err.count("\n") == 1


def test_incidents_on_a_history_without_any(history: str) -> None:
    assert invoke("incidents", "--history", history) == (0, "no open incidents\n", "")


def test_ingest_check_notify_warns_but_never_fails_on_delivery(
    server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, WEBHOOK + "\n")
    config.write_text("[alerts]\nattempts = 1\n" + WEBHOOK)
    server.script = [500]
    code, out, err = invoke("ingest", str(RUNS / "2021-02-03" / "02-build"), "--history",
                            str(tmp_path / "h"), "--check", "--notify", "--fail-on", "never",
                            "--config", str(config), env={"HOOK_URL": server.url})  # fmt: skip
    assert code == 0
    assert err == (
        "warning: delivery failed: webhook hook: HTTP 500 no_service after 1 tries; "
        "1 alerts stay pending\n"
    )
    assert " in nightly build (run " in out.splitlines()[-1]


def test_a_bad_alerts_config_is_one_line_and_exit_2(history: str, tmp_path: Path) -> None:
    config = write_config(tmp_path, "[alerts.destinations.x]\ntype = 'fax'\n")
    code, _, err = invoke("notify", "--history", history, "--config", str(config))
    assert code == 2
    assert err == (
        f"error: {config}: alerts.destinations.x.type: expected one of slack, teams, pagerduty, "
        "webhook, email, got 'fax'\n"
    )


def test_the_report_shows_open_incidents_and_which_are_muted(history: str, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    invoke("report", "--history", history, "-o", str(report))
    assert 'id="incidents"' not in report.read_text(encoding="utf-8")  # notify never ran
    invoke("mute", FLAKY, "--reason", "vendor fixing the extract", "--history", history)
    invoke("notify", "--invocation", build_of(history, "2021-02-03"), "--history", history)
    freshness = job_run_of(history, "2021-02-03", "nightly source freshness")
    invoke("notify", "--invocation", freshness, "--history", history)
    code, _, err = invoke("report", "--history", history, "-o", str(report))
    assert code == 0, err
    rows = Rows()
    rows.feed(report.read_text(encoding="utf-8"))
    assert rows.muted == {
        "source.greenery.greenery.addresses": "no",
        FLAKY: "yes",
    }
    assert "vendor fixing the extract" in report.read_text(encoding="utf-8")


class Rows(HTMLParser):
    """Each incident row's node and its data-muted flag."""

    def __init__(self) -> None:
        super().__init__()
        self.muted: dict[str, str] = {}
        self.current: str | None = None
        self.in_code = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr" and dict(attrs).get("data-muted"):
            self.current = dict(attrs)["data-muted"]
        self.in_code = tag == "code" and self.current is not None

    def handle_data(self, data: str) -> None:
        if self.in_code and self.current is not None:
            self.muted[data] = self.current
            self.current, self.in_code = None, False
