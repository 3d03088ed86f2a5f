"""Email over SMTP (STARTTLS, SSL or plain for a local relay): a plain-text and an HTML part.

Keys: ``smtp_host``, ``smtp_port`` (default 587 with STARTTLS, 465 with SSL,
25 without), ``security`` (``starttls`` | ``ssl`` | ``none``), ``from``, ``to``
(an address or a list), ``username_env`` / ``password_env``. Text from dbt is
HTML-escaped in the HTML part; header values are cut to one line.
"""

from __future__ import annotations

import html
import smtplib
import ssl
import time
from collections.abc import Mapping
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid

from monitor.notify.alert import Alert, cut
from monitor.notify.destination import Message, Sender
from monitor.notify.http import BACKOFF, DeliveryError

PORTS = {"starttls": 587, "ssl": 465, "none": 25}


def subject(alerts: list[Alert]) -> str:
    """One line: the alert's title, or a count."""
    text = alerts[0].title if len(alerts) == 1 else f"dbt-monitor: {len(alerts)} incident changes"
    return cut(" ".join(text.split()), 200)


def plain(alerts: list[Alert]) -> str:
    """The text/plain part."""
    blocks = []
    for a in alerts:
        lines = [
            a.title,
            f"  What:  {a.message}",
            f"  Where: {a.unique_id or '(the whole run)'} in {a.scope}",
            f"  Since: {a.since[:16].replace('T', ' ')} UTC",
        ]
        if a.cause:
            lines.append(f"  Likely cause: {a.cause}")
        if a.owners:
            lines.append(f"  Owner: {', '.join(a.owners)}")
        lines.append(f"  Dedup key: {a.incident_id}")
        blocks.append("\n".join(lines))
    if alerts[0].report_url:
        blocks.append(f"Report: {alerts[0].report_url}")
    return "\n\n".join(blocks) + "\n"


def rich(alerts: list[Alert]) -> str:
    """The text/html part: every dbt string escaped."""
    e = html.escape
    rows = []
    for a in alerts:
        cause = f"<br><b>Likely cause:</b> {e(a.cause)}" if a.cause else ""
        owner = f"<br><b>Owner:</b> {e(', '.join(a.owners))}" if a.owners else ""
        rows.append(
            f"<li><b>{e(a.title)}</b><br><b>What:</b> {e(a.message)}<br><b>Where:</b> "
            f"<code>{e(a.unique_id or '(the whole run)')}</code> in {e(a.scope)}<br>"
            f"<b>Since:</b> {e(a.since[:16].replace('T', ' '))} UTC{cause}{owner}</li>"
        )
    link = alerts[0].report_url
    footer = f'<p><a href="{e(link, quote=True)}">Open the report</a></p>' if link else ""
    return f"<html><body><ul>{''.join(rows)}</ul>{footer}</body></html>"


class EmailSender(Sender):
    """One mail per alert, or one for the run."""

    def messages(self, alerts: list[Alert], threads: Mapping[str, str]) -> list[Message]:
        """The mails (payload: the RFC 5322 bytes)."""
        out = []
        for batch in self.batches(alerts):
            mail = EmailMessage()
            mail["Subject"] = subject(batch)
            mail["From"] = str(self.options["from"])
            mail["To"] = ", ".join(self.options["to"])
            mail["Message-ID"] = make_msgid(domain="dbt-monitor")
            mail.set_content(plain(batch))
            mail.add_alternative(rich(batch), subtype="html")
            out.append(Message(tuple(batch), mail.as_bytes(policy=SMTP), plain(batch)))
        return out

    def send(self, message: Message) -> str:
        """Deliver through the SMTP server, retrying connection failures."""
        last = ""
        for attempt in range(self.settings.attempts):
            try:
                self._deliver(message.payload)
                return ""
            except smtplib.SMTPResponseException as err:
                last = f"SMTP {err.smtp_code}"
                if 500 <= err.smtp_code < 600:
                    raise DeliveryError(f"{last} (rejected)") from None
            except (smtplib.SMTPException, OSError) as err:
                last = f"SMTP failed ({type(err).__name__})"
            if attempt + 1 < self.settings.attempts:
                time.sleep(BACKOFF * 2**attempt)
        raise DeliveryError(f"{last} after {self.settings.attempts} tries")

    def _deliver(self, payload: bytes) -> None:
        security = str(self.options.get("security", "starttls"))
        host = str(self.options["smtp_host"])
        port = int(self.options.get("smtp_port", PORTS[security]))
        timeout = self.settings.timeout
        context = ssl.create_default_context()
        smtp: smtplib.SMTP = (
            smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
            if security == "ssl"
            else smtplib.SMTP(host, port, timeout=timeout)
        )
        with smtp:
            if security == "starttls":
                smtp.starttls(context=context)
            if "username_env" in self.options:
                smtp.login(self.secret("username_env"), self.secret("password_env"))
            smtp.sendmail(str(self.options["from"]), list(self.options["to"]), payload)


SENDER = EmailSender
