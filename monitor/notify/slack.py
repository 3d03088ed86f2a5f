"""Slack: an incoming webhook, or ``chat.postMessage`` with a bot token (resolutions in the thread).

Block Kit limits respected: at most 50 blocks per message, 3,000 characters
per section text, 150 per header. Text from dbt is escaped for mrkdwn
(``&``, ``<``, ``>``), every section is ``verbatim`` (Slack then links no URL
and parses no mention in it), and ``@channel``/``@here``/``@everyone`` are
broken with a zero-width joiner, so a model name cannot ping a channel or
inject a link. Owner mentions are the ``subscribers`` that are Slack ids
(``<@U…>``, ``<!subteam^…>``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from monitor.notify.alert import Alert, cut
from monitor.notify.destination import Message, Sender
from monitor.notify.http import DeliveryError, post

MAX_BLOCKS = 50
MAX_TEXT = 3000
MAX_HEADER = 150
API = "https://slack.com/api"
ICON = {
    "opened": ":red_circle:",
    "escalated": ":rotating_light:",
    "resolved": ":white_check_mark:",
    "reminder": ":bell:",
}
_MENTION = re.compile(r"^<(@[UW][A-Z0-9]+|!subteam\^[A-Z0-9]+)>$")
_BROADCAST = re.compile(r"@(channel|here|everyone)", re.IGNORECASE)


def escape(text: str) -> str:
    """Text safe inside mrkdwn: no markup, no link, no broadcast mention."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BROADCAST.sub(lambda m: "@\u200d" + m.group(1), text)


def mentions(alert: Alert) -> str:
    """Slack ids among the subscribers as mentions; other names as (escaped) text."""
    return " ".join(s if _MENTION.match(s) else escape(s) for s in alert.subscribers)


def section(text: str) -> dict[str, Any]:
    """A mrkdwn section, cut to Slack's limit, with mention and link parsing off."""
    return {
        "type": "section",
        "text": {"type": "mrkdwn", "text": cut(text, MAX_TEXT), "verbatim": True},
    }


def describe(alert: Alert) -> str:
    """One alert as mrkdwn: what, where, since when, cause, owners."""
    lines = [
        f"{ICON[alert.transition]} *{escape(alert.title)}*",
        f"*What:* {escape(cut(alert.message, 1200))}",
        f"*Where:* `{escape(alert.unique_id or '(the whole run)')}` in {escape(alert.scope)}",
        f"*Since:* {alert.since[:16].replace('T', ' ')} UTC",
    ]
    if alert.cause:
        lines.append(f"*Likely cause:* {escape(cut(alert.cause, 600))}")
    owners = ", ".join(escape(o) for o in alert.owners)
    who = " ".join(part for part in (owners, mentions(alert)) if part)
    if who:
        lines.append(f"*Owner:* {who}")
    if alert.muted:
        lines.append("_muted_")
    return "\n".join(lines)


def blocks(alerts: list[Alert], report_url: str) -> list[dict[str, Any]]:
    """The blocks of one message, never more than :data:`MAX_BLOCKS`."""
    out: list[dict[str, Any]] = []
    if len(alerts) == 1:
        out.append(
            {
                "type": "header",
                "text": {"type": "plain_text", "text": cut(alerts[0].title, MAX_HEADER)},
            }
        )
    else:
        scopes = ", ".join(sorted({a.scope for a in alerts}))
        title = f"dbt-monitor: {len(alerts)} incident changes in {scopes}"
        out.append(
            {"type": "header", "text": {"type": "plain_text", "text": cut(title, MAX_HEADER)}}
        )
    room = MAX_BLOCKS - 3  # header, the "and N more" line, the context
    shown = alerts[:room]
    out.extend(section(describe(alert)) for alert in shown)
    rest = len(alerts) - len(shown)
    link = f" <{report_url}|in the report>" if report_url else ""
    if rest:
        out.append(section(f"… and {rest} more{link}"))
    context = [f"run `{escape(alerts[0].invocation_id[:8])}`"]
    if len(alerts) == 1:
        context.append(f"dedup key `{alerts[0].incident_id}`")
    if report_url:
        context.append(f"<{report_url}|Open the report>")
    out.append({"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(context)}]})
    return out


def fallback(alerts: list[Alert]) -> str:
    """The notification text (shown where blocks are not)."""
    if len(alerts) == 1:
        return escape(cut(alerts[0].title, MAX_TEXT))
    return escape(cut("; ".join(a.title for a in alerts), MAX_TEXT))


class SlackSender(Sender):
    """Incoming webhook (``url_env``) or bot token (``bot_token_env`` + ``channel``)."""

    def messages(self, alerts: list[Alert], threads: Mapping[str, str]) -> list[Message]:
        """One message per alert, or one for the run; follow-ups in the opening thread."""
        bot = "bot_token_env" in self.options
        out = []
        for batch in self.batches(alerts):
            body: dict[str, Any] = {
                "text": fallback(batch),
                "blocks": blocks(batch, batch[0].report_url),
            }
            if bot:
                body["channel"] = (batch[0].channel if len(batch) == 1 else "") or self.options[
                    "channel"
                ]
                thread = threads.get(batch[0].incident_id, "") if len(batch) == 1 else ""
                if thread and batch[0].transition != "opened":
                    body["thread_ts"] = thread
            text = json.dumps(body, ensure_ascii=False)
            out.append(Message(tuple(batch), text.encode("utf-8"), text))
        return out

    def send(self, message: Message) -> str:
        """POST to the webhook, or to chat.postMessage; the message's ``ts`` with a bot."""
        timeout, attempts = self.settings.timeout, self.settings.attempts
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if "bot_token_env" not in self.options:
            answer = post(
                self.secret("url_env"), message.payload, headers, timeout=timeout, attempts=attempts
            )
            if answer.body.strip() not in ("ok", ""):
                raise DeliveryError(f"Slack answered {cut(answer.body.strip(), 100)!r}")
            return ""
        headers["Authorization"] = f"Bearer {self.secret('bot_token_env')}"
        url = str(self.options.get("api_url", API)).rstrip("/") + "/chat.postMessage"
        answer = post(url, message.payload, headers, timeout=timeout, attempts=attempts)
        try:
            data = json.loads(answer.body)
        except ValueError:
            raise DeliveryError("Slack answered something that is not JSON") from None
        if not data.get("ok"):
            raise DeliveryError(f"Slack API error {str(data.get('error', 'unknown'))[:80]}")
        return str(data.get("ts", ""))


SENDER = SlackSender
