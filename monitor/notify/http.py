"""POST a message with bounded retries: backoff, ``Retry-After`` on 429, a timeout per try.

Retried: 429, 5xx, timeouts and refused connections. Not retried: other 4xx
(the service rejected the message; sending it again would not help). Errors
name the status, never the URL (a webhook URL is a secret).
"""

from __future__ import annotations

import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

MAX_RETRY_AFTER = 60.0
"""The longest ``Retry-After`` honoured, in seconds."""

BACKOFF = 0.5
"""Seconds before the second try; doubled for each further try."""


class DeliveryError(Exception):
    """A message that did not get through; the text is safe to print."""


@dataclass(frozen=True)
class Response:
    """What the service answered."""

    status: int
    body: str


def post(
    url: str, body: bytes, headers: dict[str, str], *, timeout: float, attempts: int
) -> Response:
    """POST ``body``; the 2xx response, or DeliveryError after ``attempts`` tries."""
    last = "not sent"
    for attempt in range(attempts):
        wait = BACKOFF * 2**attempt
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return Response(answer.status, answer.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")[:200].strip()
            last = f"HTTP {err.code}" + (f" {text}" if text else "")
            if err.code == 429:
                wait = _retry_after(err.headers.get("Retry-After"), wait)
            elif err.code < 500:
                raise DeliveryError(f"{last} (rejected)") from None
        except TimeoutError:
            last = f"timed out after {timeout:g} s"
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, TimeoutError | socket.timeout):
                last = f"timed out after {timeout:g} s"
            else:
                last = f"cannot connect ({reason})"
        except (ConnectionError, OSError) as err:
            last = f"connection failed ({type(err).__name__})"
        if attempt + 1 < attempts:
            time.sleep(wait)
    raise DeliveryError(f"{last} after {attempts} tries")


def _retry_after(value: str | None, default: float) -> float:
    try:
        return min(max(float(value or ""), 0.0), MAX_RETRY_AFTER)
    except ValueError:
        return default
