"""Hostile strings from dbt arrive as text in every format: no ping, no link, no markup."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

import pytest

from monitor.analysis.alerting import Alerts, Destination
from monitor.notify.destination import sender_for
from tests.notify.helpers import make_alert
from tests.render.hostile import BREAKOUT, IMG, SCRIPT

PING = "@channel <!channel> <!here> <@U024BE7LH>"
LINK = "<http://evil.example|click> [click](http://evil.example)"
HOSTILE = f"{SCRIPT} {IMG} {BREAKOUT} {PING} {LINK}"
OPTIONS = {
    "slack": {"url_env": "X"},
    "teams": {"url_env": "X"},
    "pagerduty": {"routing_key_env": "X"},
    "webhook": {"url_env": "X"},
    "email": {"smtp_host": "h", "from": "a@example.com", "to": ["b@example.com"]},
}


def hostile_alert(**changes: Any) -> Any:
    return make_alert(name=HOSTILE, message=HOSTILE + "x" * 20_000, unique_id=f"model.{IMG}",
                      owners=(BREAKOUT,), subscribers=(PING, "<@U024BE7LH>"), cause=LINK,
                      scope=SCRIPT, **changes)  # fmt: skip


def payload(kind: str, count: int = 1) -> str:
    sender = sender_for(Destination("d", kind, OPTIONS[kind]), Alerts(), {})
    alerts = [hostile_alert(transition_id=f"t{i}") for i in range(count)]
    [message] = sender.messages(alerts, {})
    return message.preview if kind in ("email", "pagerduty") else message.payload.decode()


def texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in texts(v)]
    return [value] if isinstance(value, str) else []


@pytest.mark.parametrize("count", [1, 8])
def test_slack_text_cannot_ping_link_or_mark_up(count: int) -> None:
    body = json.loads(payload("slack", count))
    header, *rest = body["blocks"]
    assert header["text"]["type"] == "plain_text"  # Slack renders no markup, link or mention
    for text in [body["text"], *texts(rest)]:
        assert "<!" not in text and "<http://evil" not in text and "<script" not in text
        assert "@channel" not in text and "@here" not in text
    sections = [b["text"] for b in body["blocks"] if b["type"] == "section"]
    assert all(s["verbatim"] and len(s["text"]) <= 3000 for s in sections)
    assert "&lt;script&gt;" in sections[0]["text"]
    # a subscriber that is a Slack id is a mention; the hostile one is text
    assert "*Owner:* &lt;/script&gt;" in sections[0]["text"]
    assert sections[0]["text"].endswith("<@U024BE7LH>")


def test_teams_text_cannot_link_or_mark_up() -> None:
    body = json.loads(payload("teams"))
    for text in texts(body["attachments"][0]["content"]["body"]):
        assert "[click](" not in text and "<script" not in text.replace("\\<", "")
    assert r"\[click\]\(http://evil\.example\)" in json.dumps(body, ensure_ascii=False).replace(
        "\\\\", "\\"
    )


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self.tags.append(tag)


def test_email_html_part_has_only_our_markup() -> None:
    from monitor.notify.email import rich

    parser = Tags()
    parser.feed(rich([hostile_alert()]))
    assert set(parser.tags) == {"html", "body", "ul", "li", "b", "br", "code", "p", "a"}
    assert parser.tags.count("a") == 1


def test_json_destinations_carry_the_exact_strings() -> None:
    [alert] = json.loads(payload("webhook"))["alerts"]
    assert alert["name"] == HOSTILE and alert["owners"] == [BREAKOUT]
    event = json.loads(payload("pagerduty"))
    assert len(event["payload"]["summary"]) == 1024
    assert event["payload"]["component"] == f"model.{IMG}"
