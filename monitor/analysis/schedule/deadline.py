"""SLA deadlines: ``ready_by`` a local clock time, in a time zone.

Declared in dbt's yml (``meta: {dbt_monitor: {ready_by: "06:30", timezone:
"Europe/Amsterdam"}}`` on a model, or on an exposure once the history keeps
exposure meta) or in dbt-monitor's configuration by name::

    [tool.dbt-monitor.sla]
    product_funnel_dashboard = { ready_by = "06:30", timezone = "UTC" }

A run's deadline is the first ``ready_by`` (in the deadline's time zone)
after 12 hours before the run started: a 23:30 run with a 06:30 deadline is
due the next morning, a run that only started at 06:45 missed that morning's.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from monitor.errors import MonitorError

_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
META_KEY = "dbt_monitor"
GRACE = dt.timedelta(hours=12)


@dataclass(frozen=True)
class Deadline:
    """``ready_by`` in ``timezone``."""

    ready_by: dt.time
    timezone: str = "UTC"

    def due(self, started_at: dt.datetime) -> dt.datetime:
        """The run's deadline (UTC): the first ``ready_by`` after 12 h before it started.

        A 23:30 run is due at 06:30 the next morning; a 06:45 run (started
        late) was due at 06:30 the same morning, and missed it.
        """
        zone = ZoneInfo(self.timezone)
        after = (started_at - GRACE).astimezone(zone)
        due = dt.datetime.combine(after.date(), self.ready_by, tzinfo=zone)
        if due < after:
            due = dt.datetime.combine(after.date() + dt.timedelta(days=1), self.ready_by, zone)
        return due.astimezone(dt.UTC)

    def describe(self) -> str:
        """``06:30 Europe/Amsterdam``."""
        text = self.ready_by.strftime("%H:%M:%S" if self.ready_by.second else "%H:%M")
        return f"{text} {self.timezone}"


def parse_deadline(value: Any, key: str, source: str) -> Deadline:
    """A ``{ ready_by = "HH:MM", timezone = "..." }`` table, checked."""
    if not isinstance(value, dict):
        raise MonitorError(f'{source}: {key} must be a table such as {{ ready_by = "06:30" }}')
    unknown = set(value) - {"ready_by", "timezone"}
    if unknown:
        raise MonitorError(
            f"{source}: unknown key {key}.{sorted(unknown)[0]} (known: ready_by, timezone)"
        )
    ready_by = value.get("ready_by")
    match = _CLOCK.match(ready_by) if isinstance(ready_by, str) else None
    if match is None:
        raise MonitorError(
            f'{source}: {key}.ready_by must be "HH:MM" or "HH:MM:SS", got {ready_by!r}'
        )
    zone = value.get("timezone", "UTC")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise MonitorError(f"{source}: {key}.timezone: unknown time zone {zone!r}") from None
    hour, minute, second = (int(part or 0) for part in match.groups())
    return Deadline(dt.time(hour, minute, second), str(zone))


def parse_sla(data: Any, source: str) -> dict[str, Deadline]:
    """The ``sla`` table: exposure or model name (or unique_id) -> deadline."""
    if not isinstance(data, dict):
        raise MonitorError(f'{source}: sla must be a table of name = {{ ready_by = "HH:MM" }}')
    return {str(name): parse_deadline(value, f"sla.{name}", source) for name, value in data.items()}


def meta_deadline(meta_text: str | None, unique_id: str) -> Deadline | None:
    """The deadline a node's ``meta.dbt_monitor`` declares, if any (a bad one is an error)."""
    if not meta_text:
        return None
    try:
        meta = json.loads(meta_text)
    except ValueError:
        return None
    declared = meta.get(META_KEY) if isinstance(meta, dict) else None
    if not isinstance(declared, dict) or "ready_by" not in declared:
        return None
    wanted = {k: v for k, v in declared.items() if k in ("ready_by", "timezone")}
    return parse_deadline(wanted, f"meta.{META_KEY}", unique_id)
