"""Standard output that a closed pipe cannot turn into a crash or a wrong exit code.

``dbt-monitor runs | head -2`` closes the pipe while the command still
writes. Python then raises ``BrokenPipeError`` at the next flush, and the
command would stop half-way with an exit code that means something else
(1 is "findings reached --fail-on"). Here the first broken write points
standard output at the null device, as the Python documentation advises for
SIGPIPE, and the command finishes its work with its own exit code.
"""

from __future__ import annotations

import io
import os
from typing import TextIO


class ClosedPipeSafe(io.TextIOBase):
    """A text stream writing through to ``stream`` until its reader goes away, then nowhere."""

    def __init__(self, stream: TextIO) -> None:
        """Wrap ``stream``."""
        super().__init__()
        self._stream = stream
        self._gone = False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The wrapped stream's encoding."""
        return self._stream.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        """The wrapped stream's error handler."""
        return self._stream.errors

    @property
    def buffer(self) -> object:
        """The wrapped stream's binary buffer (click writes bytes through it)."""
        return self._stream.buffer

    def writable(self) -> bool:
        """Always: writes after the reader left go nowhere."""
        return True

    def isatty(self) -> bool:
        """Whether the wrapped stream is a terminal."""
        return self._stream.isatty()

    def fileno(self) -> int:
        """The wrapped stream's file descriptor."""
        return self._stream.fileno()

    def write(self, text: str) -> int:
        """Write ``text``, or drop it once the reader has gone."""
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        """Flush, or do nothing once the reader has gone."""
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        """From now on, write to the null device (also what is still buffered)."""
        self._gone = True
        try:
            fd = self._stream.fileno()
        except (OSError, ValueError):
            return
        null = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(null, fd)
        finally:
            os.close(null)
