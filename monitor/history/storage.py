"""Where history files live: a local folder, or object storage (S3, GCS, Azure).

Both kinds offer the same few operations on paths relative to the history's
root: list, read, write a whole file atomically (optionally only if absent),
delete, and the location Polars should scan. Object storage goes through
obstore; credentials come from the usual environment variables
(``AWS_ACCESS_KEY_ID``, ``GOOGLE_APPLICATION_CREDENTIALS``, ``AZURE_STORAGE_*``
…) and ``AWS_ENDPOINT_URL`` points at an S3-compatible store.
"""

from __future__ import annotations

import builtins
import contextlib
import os
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

from monitor.errors import MonitorError, redact

REMOTE_SCHEMES = ("s3://", "s3a://", "gs://", "gcs://", "az://", "abfs://", "abfss://")


class Storage(ABC):
    """The operations the history needs from where its files live."""

    location: str
    """The root as a user wrote it, for messages."""

    storage_options: dict[str, str] | None = None
    """What Polars needs to scan the files (None for local files)."""

    @abstractmethod
    def list(self, prefix: str, *, since: str | None = None) -> list[str]:
        """Every file under ``prefix`` (relative paths, sorted).

        ``since`` (``YYYY-MM-DD``) skips ``date=`` partitions before it without
        listing them.
        """

    @abstractmethod
    def partitions(self, prefix: str) -> builtins.list[str]:
        """The ``date=…`` folder names right under ``prefix`` (no files listed)."""

    @abstractmethod
    def exists(self, path: str) -> bool:
        """Whether a file exists."""

    @abstractmethod
    def read(self, path: str) -> bytes:
        """A whole file."""

    @abstractmethod
    def write(self, path: str, data: bytes, *, only_if_absent: bool = False) -> bool:
        """Write a whole file atomically; False when ``only_if_absent`` and it exists."""

    @abstractmethod
    def delete(self, paths: Iterable[str]) -> None:
        """Delete files (missing ones are fine)."""

    @abstractmethod
    def source(self, path: str) -> str:
        """What Polars opens to read ``path``."""

    def remove_empty_folders(self) -> int:
        """Remove partition folders left empty (object stores have none); how many."""
        return 0


def open_storage(location: str | Path) -> Storage:
    """The storage for a ``--history`` value: a folder, or a URL like ``s3://bucket/prefix``."""
    text = str(location)
    if text.startswith(REMOTE_SCHEMES):
        return ObjectStorage(text)
    if "://" in text:
        raise MonitorError(
            f"{text}: unsupported history URL (use a folder, or one of "
            f"{', '.join(s.removesuffix('://') for s in REMOTE_SCHEMES)})"
        )
    return LocalStorage(Path(text))


class LocalStorage(Storage):
    """A folder on this machine. Writes go to a hidden temporary file, then a rename."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def list(self, prefix: str, *, since: str | None = None) -> list[str]:
        """See :meth:`Storage.list`."""
        # plain strings, not Path objects: a big history lists tens of thousands of files
        base = os.path.join(self.root, prefix)  # noqa: PTH118
        if not os.path.isdir(base):  # noqa: PTH112
            return []
        skip_before = f"date={since}" if since else None
        cut = len(str(self.root)) + 1
        found: list[str] = []
        for folder, dirs, files in os.walk(base, onerror=_unlistable):
            if skip_before:
                dirs[:] = [d for d in dirs if not (d.startswith("date=") and d < skip_before)]
            found.extend(f"{folder}/{name}"[cut:] for name in files if not name.startswith("."))
        return sorted(found)

    def partitions(self, prefix: str) -> builtins.list[str]:
        """See :meth:`Storage.partitions`."""
        base = self.root / prefix
        if not base.is_dir():
            return []
        return sorted(entry.name for entry in base.iterdir() if entry.name.startswith("date="))

    def exists(self, path: str) -> bool:
        """See :meth:`Storage.exists`."""
        return (self.root / path).is_file()

    def read(self, path: str) -> bytes:
        """See :meth:`Storage.read`."""
        try:
            return (self.root / path).read_bytes()
        except FileNotFoundError as err:
            raise MonitorError(f"{self.root / path}: vanished while reading the history") from err
        except OSError as err:
            raise MonitorError(f"{self.root / path}: cannot read: {_reason(err)}") from err

    def write(self, path: str, data: bytes, *, only_if_absent: bool = False) -> bool:
        """See :meth:`Storage.write`."""
        target = self.root / path
        tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(data)
            if only_if_absent:
                try:
                    os.link(tmp, target)  # atomic, and fails if the target exists
                except FileExistsError:
                    return False
            else:
                tmp.replace(target)
            return True
        except OSError as err:
            raise MonitorError(f"{target}: cannot write to the history: {_reason(err)}") from err
        finally:
            # a folder that refuses writes made no temporary file either
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)

    def delete(self, paths: Iterable[str]) -> None:
        """See :meth:`Storage.delete`."""
        for path in paths:
            try:
                (self.root / path).unlink(missing_ok=True)
            except OSError as err:
                raise MonitorError(f"{self.root / path}: cannot delete: {_reason(err)}") from err

    def source(self, path: str) -> str:
        """See :meth:`Storage.source`."""
        return str(self.root / path)

    def remove_empty_folders(self) -> int:
        """See :meth:`Storage.remove_empty_folders`."""
        removed = 0
        for folder, _dirs, files in os.walk(self.root, topdown=False):
            path = Path(folder)
            if not path.name.startswith("date=") or files:
                continue
            try:
                path.rmdir()  # fails when not empty (a writer just arrived)
            except OSError:
                continue  # not empty after all (a writer just arrived), or not ours
            removed += 1
        return removed


class ObjectStorage(Storage):
    """An object store bucket and prefix. A single PUT is atomic; creates are conditional."""

    def __init__(self, url: str) -> None:
        from obstore.store import from_url

        self.url = url.rstrip("/")
        self.location = redact(self.url)
        endpoint = os.environ.get("AWS_ENDPOINT_URL") or os.environ.get("AWS_ENDPOINT")
        client: dict[str, Any] = {}
        options: dict[str, str] = {}
        if endpoint and url.startswith(("s3://", "s3a://")):
            options["aws_endpoint_url"] = endpoint
            if endpoint.startswith("http://"):
                client["allow_http"] = True
                options["aws_allow_http"] = "true"
        region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
        if region and url.startswith(("s3://", "s3a://")):
            options["aws_region"] = region
        from obstore.exceptions import BaseError

        try:
            self._store = from_url(self.url, client_options=cast(Any, client) or None)
        except (BaseError, ValueError) as err:
            raise MonitorError(f"{self.location}: cannot open this history: {_brief(err)}") from err
        self.storage_options = options or None

    def list(self, prefix: str, *, since: str | None = None) -> list[str]:
        """See :meth:`Storage.list`."""
        import obstore
        from obstore.exceptions import BaseError

        base = prefix.rstrip("/")
        # keys sort by their date partition, so listing after date=<since> prunes
        offset = f"{base}/date={since}" if since else None
        try:
            return sorted(
                meta["path"]
                for batch in obstore.list(self._store, prefix=f"{base}/", offset=offset)
                for meta in batch
            )
        except (BaseError, OSError) as err:
            raise MonitorError(f"{self.location}: cannot list {prefix}: {_brief(err)}") from err

    def partitions(self, prefix: str) -> builtins.list[str]:
        """See :meth:`Storage.partitions`."""
        import obstore
        from obstore.exceptions import BaseError

        try:
            listed = obstore.list_with_delimiter(self._store, prefix=f"{prefix.rstrip('/')}/")
        except (BaseError, OSError) as err:
            raise MonitorError(f"{self.location}: cannot list {prefix}: {_brief(err)}") from err
        names = [folder.rstrip("/").rsplit("/", 1)[-1] for folder in listed["common_prefixes"]]
        return sorted(name for name in names if name.startswith("date="))

    def exists(self, path: str) -> bool:
        """See :meth:`Storage.exists`."""
        import obstore
        from obstore.exceptions import BaseError

        try:
            obstore.head(self._store, path)
        except FileNotFoundError:  # what obstore raises for a missing object
            return False
        except (BaseError, OSError) as err:
            raise MonitorError(f"{self.location}/{path}: cannot look up: {_brief(err)}") from err
        return True

    def read(self, path: str) -> bytes:
        """See :meth:`Storage.read`."""
        import obstore
        from obstore.exceptions import BaseError

        try:
            return bytes(obstore.get(self._store, path).bytes())
        except FileNotFoundError as err:
            raise MonitorError(f"{self.location}/{path}: vanished while reading") from err
        except (BaseError, OSError) as err:
            raise MonitorError(f"{self.location}/{path}: cannot read: {_brief(err)}") from err

    def write(self, path: str, data: bytes, *, only_if_absent: bool = False) -> bool:
        """See :meth:`Storage.write`."""
        import obstore
        from obstore.exceptions import AlreadyExistsError, BaseError

        try:
            obstore.put(self._store, path, data, mode="create" if only_if_absent else "overwrite")
        except AlreadyExistsError:
            return False
        except (BaseError, OSError) as err:
            raise MonitorError(f"{self.location}/{path}: cannot write: {_brief(err)}") from err
        return True

    def delete(self, paths: Iterable[str]) -> None:
        """See :meth:`Storage.delete`."""
        import obstore
        from obstore.exceptions import BaseError

        batch = list(paths)
        if batch:
            try:
                obstore.delete(self._store, batch)
            except (BaseError, OSError) as err:
                raise MonitorError(f"{self.location}: cannot delete: {_brief(err)}") from err

    def source(self, path: str) -> str:
        """See :meth:`Storage.source`."""
        return f"{self.url}/{path}"


def _brief(err: BaseException) -> str:
    """The first line of an object-store error (they carry a long debug dump), no credentials."""
    lines = str(err).strip().splitlines()
    return redact(lines[0]) if lines else type(err).__name__


def _reason(err: OSError) -> str:
    """What the operating system said (``Permission denied``, ``No space left on device``)."""
    return err.strerror or type(err).__name__


def _unlistable(err: OSError) -> None:
    """``os.walk`` skips folders it cannot list; a history must not (rows would go missing)."""
    raise MonitorError(f"{err.filename}: cannot list the history: {_reason(err)}") from err


class DryRun(Storage):
    """Another storage seen through an overlay: writes and deletes stay in memory.

    Compaction run over it reports exactly what it would do, and changes nothing.
    """

    def __init__(self, real: Storage) -> None:
        self.real = real
        self.location = real.location
        self.storage_options = real.storage_options
        self.written: dict[str, bytes] = {}
        self.deleted: set[str] = set()

    def list(self, prefix: str, *, since: str | None = None) -> list[str]:
        """See :meth:`Storage.list`."""
        found = set(self.real.list(prefix, since=since)) - self.deleted
        base = prefix.rstrip("/") + "/"
        found |= {path for path in self.written if path.startswith(base)}
        return sorted(found)

    def partitions(self, prefix: str) -> builtins.list[str]:
        """See :meth:`Storage.partitions`."""
        return self.real.partitions(prefix)

    def exists(self, path: str) -> bool:
        """See :meth:`Storage.exists`."""
        if path in self.written:
            return True
        return path not in self.deleted and self.real.exists(path)

    def read(self, path: str) -> bytes:
        """See :meth:`Storage.read`."""
        if path in self.written:
            return self.written[path]
        return self.real.read(path)

    def write(self, path: str, data: bytes, *, only_if_absent: bool = False) -> bool:
        """See :meth:`Storage.write`."""
        if only_if_absent and self.exists(path):
            return False
        self.written[path] = data
        self.deleted.discard(path)
        return True

    def delete(self, paths: Iterable[str]) -> None:
        """See :meth:`Storage.delete`."""
        for path in paths:
            self.written.pop(path, None)
            self.deleted.add(path)

    def source(self, path: str) -> str:
        """See :meth:`Storage.source`."""
        return self.real.source(path)
