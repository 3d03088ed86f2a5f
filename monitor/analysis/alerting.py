"""The ``alerts`` table of the configuration: destinations, routes, delivery knobs.

Shape (in ``dbt-monitor.toml``; under ``[tool.dbt-monitor.alerts]`` in
``pyproject.toml``)::

    [alerts]
    report_url = "https://reports.example.com/dbt/"   # optional, linked from every alert
    group_over = 5            # more transitions than this for one destination: one message
    remind_after_hours = 24   # reminders for incidents still open (default: off)
    timeout = 10              # seconds per HTTP request / SMTP session
    attempts = 3              # tries per message (429 honours Retry-After)

    [alerts.destinations.data_team]
    type = "slack"
    url_env = "SLACK_WEBHOOK_URL"

    [[alerts.routes]]
    severity = ["error", "warn"]
    to = ["data_team"]

Secrets are only ever the *names* of environment variables (keys ending in
``_env``); their values are read when a message is sent and never printed,
logged or stored. Each destination type lists its keys in :data:`TYPE_KEYS`
(one line per type: adding a destination touches its module and this table).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from monitor.errors import MonitorError

TYPE_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # type: (required keys, optional keys) besides "type"
    "slack": (
        frozenset(),
        frozenset({"url_env", "bot_token_env", "channel", "api_url"}),
    ),
    "teams": (frozenset({"url_env"}), frozenset()),
    "pagerduty": (frozenset({"routing_key_env"}), frozenset({"api_url"})),
    "webhook": (frozenset({"url_env"}), frozenset({"secret_env"})),
    "email": (
        frozenset({"smtp_host", "from", "to"}),
        frozenset({"smtp_port", "security", "username_env", "password_env"}),
    ),
}
"""Every destination type and its keys."""

MATCHERS = ("severity", "kind", "owner", "tag", "package", "path", "resource_type")
"""What a route may match on (each a string or a list of strings; ``path`` takes globs)."""

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_TOP = frozenset(
    {
        "report_url",
        "group_over",
        "remind_after_hours",
        "timeout",
        "attempts",
        "destinations",
        "routes",
    }
)


@dataclass(frozen=True)
class Destination:
    """One configured destination: its name, type and type-specific options."""

    name: str
    type: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """Transitions matching every given matcher go to ``to``."""

    to: tuple[str, ...]
    matchers: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Alerts:
    """Where incident transitions go, and how hard delivery tries."""

    report_url: str | None = None
    group_over: int = 5
    remind_after_hours: float | None = None
    timeout: float = 10.0
    attempts: int = 3
    destinations: dict[str, Destination] = field(default_factory=dict)
    routes: tuple[Route, ...] = ()


def parse_alerts(data: Any, source: str) -> Alerts:
    """Check and build the ``alerts`` table; every problem names the key."""
    if not isinstance(data, dict):
        raise MonitorError(f"{source}: alerts must be a table")
    for key in data:
        if key not in _TOP:
            raise MonitorError(f"{source}: alerts: unknown key {key!r}")
    destinations = {
        name: _destination(source, name, value)
        for name, value in _table(
            source, "alerts.destinations", data.get("destinations", {})
        ).items()
    }
    routes_data = data.get("routes", [])
    if not isinstance(routes_data, list):
        raise MonitorError(
            f"{source}: alerts.routes must be an array of tables ([[alerts.routes]])"
        )
    routes = tuple(_route(source, i, item, destinations) for i, item in enumerate(routes_data))
    return Alerts(
        report_url=_opt_str(source, "alerts.report_url", data.get("report_url")),
        group_over=_number(source, "alerts.group_over", data.get("group_over", 5), whole=True),
        remind_after_hours=(
            None
            if data.get("remind_after_hours") is None
            else _number(source, "alerts.remind_after_hours", data["remind_after_hours"])
        ),
        timeout=_number(source, "alerts.timeout", data.get("timeout", 10.0)),
        attempts=max(1, _number(source, "alerts.attempts", data.get("attempts", 3), whole=True)),
        destinations=destinations,
        routes=routes,
    )


def _destination(source: str, name: str, value: Any) -> Destination:
    where = f"alerts.destinations.{name}"
    if not _NAME.match(name):
        raise MonitorError(f"{source}: {where}: a destination name is letters, digits, - and _")
    options = dict(_table(source, where, value))
    kind = options.pop("type", None)
    if kind not in TYPE_KEYS:
        raise MonitorError(
            f"{source}: {where}.type: expected one of {', '.join(TYPE_KEYS)}, got {kind!r}"
        )
    required, optional = TYPE_KEYS[kind]
    for key in options:
        if key not in required | optional:
            allowed = ", ".join(sorted(required | optional))
            raise MonitorError(f"{source}: {where}: unknown key {key!r} for {kind} ({allowed})")
    for key in sorted(required - set(options)):
        raise MonitorError(f"{source}: {where}: {kind} needs {key!r}")
    if kind == "slack" and not ({"url_env", "bot_token_env"} & set(options)):
        raise MonitorError(f"{source}: {where}: slack needs url_env or bot_token_env")
    if kind == "slack" and "bot_token_env" in options and "channel" not in options:
        raise MonitorError(f"{source}: {where}: slack with bot_token_env needs a channel")
    for key, item in options.items():
        if key == "to":
            if isinstance(item, str):
                options[key] = [item]
            elif not (isinstance(item, list) and all(isinstance(x, str) for x in item)):
                raise MonitorError(f"{source}: {where}.to must be an address or a list of them")
        elif key == "smtp_port":
            options[key] = _number(source, f"{where}.{key}", item, whole=True)
        elif not isinstance(item, str):
            raise MonitorError(f"{source}: {where}.{key} must be a string")
        elif key.endswith("_env") and not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", item):
            raise MonitorError(
                f"{source}: {where}.{key} names an environment variable (the secret stays there)"
            )
    if options.get("security", "starttls") not in ("starttls", "ssl", "none"):
        raise MonitorError(f"{source}: {where}.security: expected starttls, ssl or none")
    return Destination(name, kind, options)


def _route(source: str, index: int, item: Any, destinations: dict[str, Destination]) -> Route:
    where = f"alerts.routes[{index}]"
    table = _table(source, where, item)
    matchers: dict[str, tuple[str, ...]] = {}
    to: tuple[str, ...] = ()
    for key, value in table.items():
        values = [value] if isinstance(value, str) else value
        if not (isinstance(values, list) and all(isinstance(v, str) for v in values)):
            raise MonitorError(f"{source}: {where}.{key} must be a string or a list of strings")
        if key == "to":
            to = tuple(values)
        elif key in MATCHERS:
            matchers[key] = tuple(values)
        else:
            raise MonitorError(
                f"{source}: {where}: unknown key {key!r} (match on {', '.join(MATCHERS)}; to)"
            )
    if not to:
        raise MonitorError(f"{source}: {where}: a route needs `to = [destination, ...]`")
    for name in to:
        if name not in destinations:
            raise MonitorError(
                f"{source}: {where}.to: no destination {name!r} in alerts.destinations"
            )
    return Route(to, matchers)


def _table(source: str, where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MonitorError(f"{source}: {where} must be a table")
    return value


def _opt_str(source: str, where: str, value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise MonitorError(f"{source}: {where} must be a string")


def _number(source: str, where: str, value: Any, *, whole: bool = False) -> Any:
    ok = isinstance(value, int) if whole else isinstance(value, int | float)
    if ok and not isinstance(value, bool) and value >= 0:
        return value if whole else float(value)
    raise MonitorError(f"{source}: {where} must be a {'whole ' if whole else ''}number >= 0")
