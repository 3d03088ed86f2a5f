"""Run a dbt command as a child process and find the artifacts it wrote.

The command's output is not touched (it inherits the terminal, the log
file, the scheduler's pipes). Signals sent to the wrapper (a scheduler's
SIGTERM, a terminal's SIGINT) are passed on to the command, so it can stop
cleanly and the wrapper still ingests what it wrote.

An artifact counts as written by the command only when its invocation_id is
not the one that was there before the command started and its
``generated_at`` is not older than the start: a dbt that died before writing
must never make the previous run's files look new.
"""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from monitor.artifacts.detect import peek_header, read_header
from monitor.artifacts.discover import is_artifact_name
from monitor.artifacts.model import Header
from monitor.errors import MonitorError

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals passed on to the command while it runs."""

CLOCK_SLACK = dt.timedelta(seconds=1)
"""``generated_at`` has dbt's clock and rounding; allow this much before the start."""

EXIT_NOT_FOUND = 127
EXIT_NOT_EXECUTABLE = 126
"""What a shell exits with when the command is missing or cannot run."""


@dataclass(frozen=True)
class Finished:
    """How the command ended: its exit code, or the signal that killed it."""

    returncode: int
    started_at: dt.datetime

    @property
    def signal(self) -> int | None:
        """The signal that killed the command, if one did."""
        return -self.returncode if self.returncode < 0 else None

    @property
    def exit_code(self) -> int:
        """The code a shell would report: the command's, or 128 + the signal."""
        return 128 + -self.returncode if self.returncode < 0 else self.returncode


@dataclass(frozen=True)
class Seen:
    """One artifact file as it was before the command ran."""

    invocation_id: str | None
    generated_at: str | None


@dataclass
class Fresh:
    """The artifact files the command wrote, and why the others were left out."""

    files: list[Path] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)


def target_path(command: Sequence[str], environ: Mapping[str, str], cwd: Path) -> Path:
    """Where dbt writes its artifacts for ``command``, as dbt decides it.

    ``--target-path`` in the command, else ``DBT_TARGET_PATH``, else
    ``target``; a relative one is under ``--project-dir`` (or
    ``DBT_PROJECT_DIR``, else the working directory).
    """
    target = _option(command, "--target-path") or environ.get("DBT_TARGET_PATH") or "target"
    project = _option(command, "--project-dir") or environ.get("DBT_PROJECT_DIR") or "."
    return cwd / project / target


def _option(command: Sequence[str], name: str) -> str | None:
    for index, arg in enumerate(command):
        if arg == name and index + 1 < len(command):
            return command[index + 1]
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
    return None


def snapshot(target: Path) -> dict[Path, Seen]:
    """The artifact files in ``target`` now, with what their metadata says."""
    seen = {}
    for path in _artifacts(target):
        header = _header(path)
        if header is not None:
            seen[path] = Seen(header.invocation_id, header.generated_at)
    return seen


def run(command: Sequence[str], cwd: Path | None = None) -> Finished:
    """Run ``command`` with inherited stdin/stdout/stderr; pass signals on; wait."""
    started_at = dt.datetime.now(dt.UTC)
    try:
        child = subprocess.Popen(list(command), cwd=cwd)
    except FileNotFoundError as exc:
        raise CommandFailed(f"{command[0]}: command not found", EXIT_NOT_FOUND) from exc
    except PermissionError as exc:
        raise CommandFailed(f"{command[0]}: permission denied", EXIT_NOT_EXECUTABLE) from exc
    except OSError as exc:
        raise CommandFailed(
            f"{command[0]}: cannot run: {exc.strerror}", EXIT_NOT_EXECUTABLE
        ) from exc
    with _forwarding(child):
        returncode = child.wait()
    return Finished(returncode, started_at)


class CommandFailed(MonitorError):
    """The command could not be started; ``exit_code`` is what a shell would exit with."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@contextmanager
def _forwarding(child: subprocess.Popen[bytes]) -> Iterator[None]:
    def forward(signum: int, frame: FrameType | None) -> None:
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def fresh_artifacts(target: Path, before: Mapping[Path, Seen], started_at: dt.datetime) -> Fresh:
    """The artifact files in ``target`` written by the command that started at ``started_at``.

    A file is left out (and ``stale`` says why) when its invocation_id is the
    one it had before the command, or when it was generated before the
    command started.
    """
    fresh = Fresh()
    for path in _artifacts(target):
        header = _header(path)
        if header is None:
            fresh.files.append(path)  # unreadable: let ingest name the problem
            continue
        old = before.get(path)
        when = _timestamp(header.generated_at)
        if old is not None and _same(old, header):
            fresh.stale.append(
                f"{path}: not rewritten by this command (still invocation"
                f" {header.invocation_id}, generated {header.generated_at}); not ingested"
            )
        elif when is not None and when < started_at - CLOCK_SLACK:
            fresh.stale.append(
                f"{path}: generated {header.generated_at}, before this command started"
                f" ({started_at.isoformat(timespec='seconds')}); not ingested"
            )
        else:
            fresh.files.append(path)
    return fresh


def _same(old: Seen, header: Header) -> bool:
    if old.invocation_id is not None:
        return old.invocation_id == header.invocation_id
    return old.generated_at == header.generated_at


def _artifacts(target: Path) -> list[Path]:
    if not target.is_dir():
        return []
    return sorted(
        path for path in target.iterdir() if path.is_file() and is_artifact_name(path.name)
    )


def _header(path: Path) -> Header | None:
    try:
        return peek_header(path) or read_header(path)[0]
    except MonitorError:
        return None


def _timestamp(text: str | None) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(text or "")
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
