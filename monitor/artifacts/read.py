"""Read an artifact file's bytes, plain or gzip, and explain JSON that will not decode.

Every problem is a :class:`~monitor.errors.MonitorError` whose message is one
line of the form ``<path>: <problem>``.
"""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path
from typing import TypeVar

import msgspec

from monitor.errors import MonitorError

GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of every gzip stream."""

T = TypeVar("T")


def fail(path: Path, problem: str) -> MonitorError:
    """A :class:`MonitorError` saying ``<path>: <problem>`` on one line."""
    return MonitorError(f"{path}: {' '.join(problem.split())}")


def read_bytes(path: Path) -> bytes:
    """The JSON bytes of ``path``, gunzipped when the file is gzip.

    A file is treated as gzip when its name ends in ``.gz`` or its content
    starts with the gzip magic bytes.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise fail(path, f"cannot read the file: {exc.strerror or exc}") from exc
    named_gz = path.name.endswith(".gz")
    if named_gz and raw and not raw.startswith(GZIP_MAGIC):
        raise fail(path, "bad gzip: the name ends in .gz but the content is not gzip")
    if raw.startswith(GZIP_MAGIC):
        raw = _gunzip(path, raw)
    if not raw.strip():
        raise fail(
            path, "empty file: dbt writes artifacts at the end of a command; was it cut short?"
        )
    return raw


def read_head(path: Path, size: int) -> bytes:
    """Up to ``size`` JSON bytes from the start of ``path`` (gunzipped as needed).

    Problems that show in the first bytes (unreadable, empty, not gzip) raise
    like :func:`read_bytes`; a gzip stream cut short is not one here.
    """
    try:
        with path.open("rb") as file:
            raw = file.read(size)
    except OSError as exc:
        raise fail(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if not raw:
        raise fail(
            path, "empty file: dbt writes artifacts at the end of a command; was it cut short?"
        )
    if path.name.endswith(".gz") and not raw.startswith(GZIP_MAGIC):
        raise fail(path, "bad gzip: the name ends in .gz but the content is not gzip")
    if not raw.startswith(GZIP_MAGIC):
        return raw
    try:
        return zlib.decompressobj(wbits=16 + zlib.MAX_WBITS).decompress(raw, size)
    except zlib.error as exc:
        raise fail(path, f"bad gzip: {exc}") from exc


def _gunzip(path: Path, raw: bytes) -> bytes:
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise fail(path, f"bad gzip: {exc}") from exc


def describe_decode_error(raw: bytes, exc: msgspec.DecodeError) -> str:
    """Say in a few words why ``raw`` is not JSON (truncated, binary, malformed)."""
    message = str(exc)
    if "truncated" in message:
        return "truncated JSON: the file ends before the JSON does (was it still being written?)"
    if _looks_binary(raw):
        return "binary data, not JSON"
    return f"not JSON: {message}"


def _looks_binary(raw: bytes) -> bool:
    head = raw[:4096]
    if b"\x00" in head:
        return True
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        return exc.start < len(head) - 4
    return False


def decode_typed(path: Path, what: str, raw: bytes, struct: type[T]) -> T:
    """Decode ``raw`` into ``struct``; a shape mismatch names the file and the field.

    ``what`` names the schema, e.g. ``"run-results v6"``.
    """
    try:
        return msgspec.json.decode(raw, type=struct)
    except msgspec.ValidationError as exc:
        raise fail(path, f"not a valid {what} file: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise fail(path, describe_decode_error(raw, exc)) from exc
