"""Each destination's payload, and delivery end to end to a real server on 127.0.0.1."""

from __future__ import annotations

import email
import hashlib
import hmac
import json
import socket
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

from monitor.analysis.alerting import Alerts, Destination
from monitor.notify.destination import sender_for
from tests.notify.helpers import build_of, invoke, make_alert, write_config
from tests.notify.server import Recorder

FLAKY = (
    "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
)


def sender(kind: str, env: dict[str, str] | None = None, **options: Any) -> Any:
    return sender_for(Destination("dest", kind, options), Alerts(), env or {})


def nights(history: str, config: Path, env: dict[str, str], *days: str) -> None:
    for day in days:
        code, _, err = invoke("notify", "--invocation", build_of(history, day), "--history",
                              history, "--config", str(config), "--strict", env=env)  # fmt: skip
        assert (code, err) == (0, ""), err


def test_slack_one_alert_is_a_block_kit_message() -> None:
    [message] = sender("slack", url_env="X").messages([make_alert()], {})
    body = json.loads(message.payload)
    assert body["text"] == "Opened: test_failure (error) on not_null_orders_id"
    assert [b["type"] for b in body["blocks"]] == ["header", "section", "context"]
    section = body["blocks"][1]["text"]
    assert section["verbatim"] is True
    assert section["text"].splitlines() == [
        ":red_circle: *Opened: test_failure (error) on not_null_orders_id*",
        "*What:* Got 3 results, configured to fail if != 0",
        "*Where:* `test.shop.not_null_orders_id.1a2b` in nightly build",
        "*Since:* 2021-02-03 02:00 UTC",
        "*Owner:* data-team",
    ]
    assert "<https://reports.example.com/dbt/|Open the report>" in json.dumps(body["blocks"][2])


def test_slack_never_exceeds_its_limits() -> None:
    alerts = [make_alert(transition_id=f"t{i}", message="x" * 5000) for i in range(80)]
    [message] = sender("slack", url_env="X").messages(alerts, {})
    blocks = json.loads(message.payload)["blocks"]
    assert len(blocks) == 50
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks if b["type"] == "section")
    assert blocks[-2]["text"]["text"] == (
        "… and 33 more <https://reports.example.com/dbt/|in the report>"
    )
    assert len(message.alerts) == 80


def test_slack_bot_posts_the_resolution_in_the_opening_thread(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, f"""
[alerts.destinations.team]
type = "slack"
bot_token_env = "SLACK_BOT_TOKEN"
channel = "#data-alerts"
api_url = "{server.url}/api"
""")  # fmt: skip
    nights(history, config, {"SLACK_BOT_TOKEN": "xoxb-secret"}, "2021-02-03", "2021-02-04")
    opening, resolution = server.requests
    assert opening.path == resolution.path == "/api/chat.postMessage"
    assert opening.headers["Authorization"] == "Bearer xoxb-secret"
    assert opening.json()["channel"] == "#data-alerts" and "thread_ts" not in opening.json()
    assert resolution.json()["thread_ts"] == "1700000000.000001"
    assert resolution.json()["text"].startswith("Resolved: test_failure (error)")


def test_teams_card_is_an_adaptive_card_under_the_size_limit() -> None:
    [one] = sender("teams", url_env="X").messages([make_alert()], {})
    body = json.loads(one.payload)
    [attachment] = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert (card["type"], card["version"]) == ("AdaptiveCard", "1.4")
    assert card["actions"][0]["url"] == "https://reports.example.com/dbt/"
    facts = {f["title"]: f["value"] for f in card["body"][2]["facts"]}
    assert facts["Where"] == r"test\.shop\.not\_null\_orders\_id\.1a2b in nightly build"
    many = [make_alert(transition_id=f"t{i}", message="y" * 900) for i in range(200)]
    [big] = sender("teams", url_env="X").messages(many, {})
    assert len(big.payload) < 28_000
    last = json.loads(big.payload)["attachments"][0]["content"]["body"][-2]["text"]
    assert last.endswith(r"more \(see the report\)")


def test_pagerduty_triggers_and_resolves_with_the_dedup_key(
    history: str, server: Recorder, tmp_path: Path
) -> None:
    config = write_config(tmp_path, f"""
[alerts.destinations.oncall]
type = "pagerduty"
routing_key_env = "PD_KEY"
api_url = "{server.url}"

[[alerts.routes]]
severity = "error"
to = ["oncall"]
""")  # fmt: skip
    nights(history, config, {"PD_KEY": "R0UTING"}, "2021-02-03", "2021-02-04")
    trigger, resolve = server.bodies()
    assert {r.path for r in server.requests} == {"/v2/enqueue"}
    assert trigger["event_action"] == "trigger" and resolve["event_action"] == "resolve"
    assert trigger["dedup_key"] == resolve["dedup_key"]
    assert trigger["routing_key"] == "R0UTING"
    assert trigger["payload"]["severity"] == "error"
    assert trigger["payload"]["component"] == FLAKY
    assert set(resolve) == {"routing_key", "event_action", "dedup_key"}


def test_webhook_is_signed_with_hmac_sha256(history: str, server: Recorder, tmp_path: Path) -> None:
    config = write_config(tmp_path, """
[alerts.destinations.hook]
type = "webhook"
url_env = "HOOK_URL"
secret_env = "HOOK_SECRET"
""")  # fmt: skip
    nights(history, config, {"HOOK_URL": server.url, "HOOK_SECRET": "s3cr3t"}, "2021-02-03")
    [request] = server.requests
    expected = hmac.new(b"s3cr3t", request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Dbt-Monitor-Signature"] == f"sha256={expected}"
    [alert] = request.json()["alerts"]
    assert (alert["kind"], alert["unique_id"], alert["transition"]) == (
        "test_failure", FLAKY, "opened")  # fmt: skip


def test_email_arrives_with_text_and_html_parts(history: str, tmp_path: Path) -> None:
    received: list[Any] = []

    class Keep:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(email.message_from_bytes(envelope.content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Keep(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        config = write_config(tmp_path, f"""
[alerts.destinations.mail]
type = "email"
smtp_host = "127.0.0.1"
smtp_port = {port}
security = "none"
from = "dbt-monitor@example.com"
to = ["data@example.com"]
""")  # fmt: skip
        nights(history, config, {}, "2021-02-03")
    finally:
        controller.stop()
    [mail] = received
    subject = " ".join(str(mail["Subject"]).split())
    assert subject == (
        "Opened: test_failure (error) on "
        "relationships_dim_users_address_id__address_id__ref_stg_addresses_"
    )
    assert mail["To"] == "data@example.com"
    parsed = email.message_from_bytes(mail.as_bytes())
    kinds = [part.get_content_type() for part in parsed.walk()]
    assert kinds == ["multipart/alternative", "text/plain", "text/html"]
