"""Publish the report where the team looks: a folder or an object-storage prefix.

Layout (``report -o s3://bucket/dbt/`` or ``report -o site/``)::

    <prefix>/reports/<YYYY-MM-DD>T<HHMMSS>Z.html    one per `report`, never overwritten
    <prefix>/latest.html                            the newest one
    <prefix>/index.html                             links to every dated report, newest first

A bucket with static website hosting then serves the report history. Each
file is written whole (a rename locally, one PUT in object storage).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from monitor.history.storage import REMOTE_SCHEMES, Storage, open_storage
from monitor.render.report_index import IndexPage, ReportLink, render_index

FOLDER = "reports"
_DATED = re.compile(r"^reports/(\d{4}-\d{2}-\d{2})T(\d{2})(\d{2})(\d{2})Z\.html$")


def is_destination(output: str) -> bool:
    """Whether ``report -o`` names a place to publish (a URL, or a folder ending in /)."""
    return output.startswith(REMOTE_SCHEMES) or output.endswith("/") or Path(output).is_dir()


def publish(html: str, output: str, when: dt.datetime) -> str:
    """Write the dated report, ``latest.html`` and ``index.html``; where the report went."""
    storage: Storage = open_storage(output.rstrip("/") or ".")
    name = f"{FOLDER}/{when.astimezone(dt.UTC):%Y-%m-%dT%H%M%S}Z.html"
    data = html.encode("utf-8")
    storage.write(name, data)
    storage.write("latest.html", data)
    dated = sorted((p for p in storage.list(FOLDER) if _DATED.match(p)), reverse=True)
    links = [ReportLink(path, _label(path)) for path in dated]
    page = IndexPage(links, "latest.html")
    storage.write("index.html", render_index(page).encode("utf-8"))
    return f"{storage.location}/{name}"


def _label(path: str) -> str:
    match = _DATED.match(path)
    assert match is not None
    day, hour, minute, _ = match.groups()
    return f"{day} {hour}:{minute} UTC"
