"""The one user-error type and the exit codes, defined once.

Core code raises :class:`MonitorError` with a sentence that says what went
wrong and what to do. The CLI prints it on one line, without a traceback, and
exits with :data:`EXIT_USAGE`. Real bugs are never caught here: they keep
their traceback.
"""

from __future__ import annotations

import re

EXIT_OK = 0
"""Nothing reached the ``--fail-on`` level."""

EXIT_FINDINGS = 1
"""A check found problems at or above the ``--fail-on`` level."""

EXIT_USAGE = 2
"""Bad usage, bad configuration or bad input."""

EXIT_DELIVERY = 3
"""``notify --strict``: an alert could not be delivered (it stays pending for the next run)."""


class MonitorError(Exception):
    """A problem the user can fix: bad input, bad usage, bad configuration."""


_USERINFO = re.compile(r"\b([a-zA-Z][a-zA-Z0-9+.-]*://)[^/\s@]+@")


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it hidden (``http://***@host``)."""
    return _USERINFO.sub(r"\1***@", text)
