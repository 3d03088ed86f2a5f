"""Read an artifact file's bytes, plain or gzip, and explain JSON that will not decode.

Every problem is a :class:`~monitor.errors.MonitorError` whose message is one
line of the form ``<path>: <problem>``.
"""

from __future__ import annotations

import os
import re
import stat
import zlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TypeVar

import msgspec

from monitor.errors import MonitorError

GZIP_MAGIC = b"\x1f\x8b"
"""The first two bytes of every gzip stream."""

T = TypeVar("T")


TOO_DEEP = (
    "nested too deeply (arrays or objects thousands of levels within each other):"
    " not a dbt artifact"
)
"""What a file nested past the decoders' recursion limit is told."""


def fail(path: Path, problem: str) -> MonitorError:
    """A :class:`MonitorError` saying ``<path>: <problem>`` on one line."""
    return MonitorError(f"{path}: {' '.join(problem.split())}")


MAX_BYTES_ENV = "DBT_MONITOR_MAX_ARTIFACT_BYTES"
"""The environment variable that sets :func:`max_bytes` (e.g. ``2GiB``, ``500MB``)."""

DEFAULT_MAX_BYTES = 1 << 30
"""The largest artifact read, after decompression: 1 GiB (a 3,000-model
manifest is ~20 MB)."""

_UNITS = {"": 1, "b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "kib": 1 << 10}
_UNITS |= {"mib": 1 << 20, "gib": 1 << 30, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$")
_CHUNK = 1 << 20


def max_bytes(environ: Mapping[str, str] | None = None) -> int:
    """The decompressed size cap: ``$DBT_MONITOR_MAX_ARTIFACT_BYTES`` or 1 GiB."""
    value = (os.environ if environ is None else environ).get(MAX_BYTES_ENV, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    match = _SIZE.match(value)
    unit = _UNITS.get(match[2].lower()) if match else None
    if match is None or unit is None or float(match[1]) * unit < 1:
        raise MonitorError(
            f"{MAX_BYTES_ENV}={value!r}: expected a size such as 1GiB, 500MB or 2000000"
        )
    return int(float(match[1]) * unit)


def _size(count: int) -> str:
    return f"{count / (1 << 30):g} GiB" if count >= 1 << 30 else f"{count / (1 << 20):.1f} MiB"


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder",
}


@contextmanager
def open_regular(path: Path) -> Iterator[BinaryIO]:
    """``path`` opened for reading, if it is a regular file (symlinks followed).

    A FIFO, a device (``/dev/zero``), a socket or a folder is refused before
    anything is read: a FIFO would block and a device never ends.
    """
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise fail(path, f"cannot read the file: {exc.strerror or exc}") from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            what = _KINDS.get(stat.S_IFMT(mode), "not a regular file")
            raise fail(path, f"{what}, not a regular file: dbt-monitor reads artifact files only")
        os.set_blocking(fd, True)
        file = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with file:
        yield file


def read_bytes(path: Path, *, limit: int | None = None) -> bytes:
    """The JSON bytes of ``path``, gunzipped when the file is gzip.

    A file is treated as gzip when its name ends in ``.gz`` or its content
    starts with the gzip magic bytes. More than ``limit`` bytes (default
    :func:`max_bytes`), counted after decompression while streaming, is an
    error: a gzip bomb stops at the cap, it never fills the memory.
    """
    cap = max_bytes() if limit is None else limit
    too_large = fail(
        path,
        f"larger than {_size(cap)} (after decompression): not read;"
        f" set {MAX_BYTES_ENV} to raise the limit",
    )
    try:
        with open_regular(path) as file:
            head = os.pread(file.fileno(), 2, 0)
            if path.name.endswith(".gz") and head and head != GZIP_MAGIC:
                raise fail(path, "bad gzip: the name ends in .gz but the content is not gzip")
            found = _gunzip(path, file, cap) if head == GZIP_MAGIC else _plain(file, cap)
            if found is None:
                raise too_large
            raw = found
    except OSError as exc:
        raise fail(path, f"cannot read the file: {exc.strerror or exc}") from exc
    if len(raw) > cap:
        raise too_large
    if not raw.strip():
        raise fail(
            path, "empty file: dbt writes artifacts at the end of a command; was it cut short?"
        )
    return raw


def _plain(file: BinaryIO, cap: int) -> bytes | None:
    """The whole of an uncompressed file, read in one allocation; None past ``cap`` bytes.

    Sized by ``fstat`` (as :meth:`pathlib.Path.read_bytes` is): a 21 MB
    manifest reads in about half the time of a buffered read and a copy.
    """
    if os.fstat(file.fileno()).st_size > cap:
        return None
    with open(file.fileno(), "rb", buffering=0, closefd=False) as whole:
        return whole.readall()


def read_head(path: Path, size: int) -> bytes:
    """Up to ``size`` JSON bytes from the start of ``path`` (gunzipped as needed).

    Problems that show in the first bytes (unreadable, not a regular file,
    empty, not gzip) raise like :func:`read_bytes`; a gzip stream cut short
    is not one here.
    """
    try:
        with open_regular(path) as file:
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


def _gunzip(path: Path, rest: BinaryIO, cap: int) -> bytes | None:
    """Decompress a gzip stream (members may follow each other); None past ``cap`` bytes."""
    out = bytearray()
    pending = b""
    decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        while len(out) <= cap:
            if not pending:
                pending = rest.read(_CHUNK)
                if not pending:
                    out += decompressor.flush()
                    break
            out += decompressor.decompress(pending, min(_CHUNK * 8, cap + 1 - len(out)))
            pending = decompressor.unconsumed_tail
            if decompressor.eof:
                pending = decompressor.unused_data
                if not pending:
                    pending = rest.read(_CHUNK)
                if not pending.strip(b"\0"):
                    return bytes(out)
                decompressor = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    except zlib.error as exc:
        raise fail(path, f"bad gzip: {exc}") from exc
    if len(out) > cap:
        return None
    if not decompressor.eof:
        raise fail(path, "bad gzip: the compressed stream ends early (was it cut short?)")
    return bytes(out)


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
    except RecursionError:
        raise fail(path, TOO_DEEP) from None
    except msgspec.ValidationError as exc:
        raise fail(path, f"not a valid {what} file: {exc}") from exc
    except msgspec.DecodeError as exc:
        raise fail(path, describe_decode_error(raw, exc)) from exc
