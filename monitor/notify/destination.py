"""The one interface every destination module implements, and how one is found.

A destination module (``monitor/notify/<type>.py``) defines ``SENDER``, a
:class:`Sender` subclass that turns alerts into :class:`Message` objects and
sends one. Adding a destination is that module plus its keys in
:data:`monitor.analysis.alerting.TYPE_KEYS`.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass

from monitor.analysis.alerting import Alerts, Destination
from monitor.notify.alert import Alert
from monitor.notify.http import DeliveryError


@dataclass(frozen=True)
class Message:
    """One message to one destination, and the alerts it carries."""

    alerts: tuple[Alert, ...]
    payload: bytes
    preview: str
    """What ``notify --dry-run`` prints (the payload, never a secret)."""


class Sender(ABC):
    """Turns alerts into messages for one destination and sends them."""

    def __init__(self, destination: Destination, settings: Alerts, environ: Mapping[str, str]):
        self.destination = destination
        self.name = destination.name
        self.options = destination.options
        self.settings = settings
        self.environ = environ

    @abstractmethod
    def messages(self, alerts: list[Alert], threads: Mapping[str, str]) -> list[Message]:
        """The messages for ``alerts`` (``threads``: incident id -> the opening message's ref)."""

    @abstractmethod
    def send(self, message: Message) -> str:
        """Send one message; what the receiver calls it (or ""). Raises DeliveryError."""

    def secret(self, key: str) -> str:
        """The value of the environment variable the option ``key`` names."""
        variable = str(self.options.get(key, ""))
        value = self.environ.get(variable, "") if variable else ""
        if not value:
            raise DeliveryError(f"environment variable {variable} is not set")
        return value

    def batches(self, alerts: list[Alert]) -> list[list[Alert]]:
        """One message per alert, or one for all when more than ``group_over``."""
        if len(alerts) > self.settings.group_over:
            return [alerts]
        return [[alert] for alert in alerts]


def sender_for(destination: Destination, settings: Alerts, environ: Mapping[str, str]) -> Sender:
    """The sender of the destination's type (its module is imported when needed)."""
    module = importlib.import_module(f"monitor.notify.{destination.type}")
    sender: type[Sender] = module.SENDER
    return sender(destination, settings, environ)
