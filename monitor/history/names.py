"""File names in the history: derived from invocation ids, never the ids themselves.

An invocation id comes from an artifact, so it is data: it may hold ``/``,
``..``, ``*``, ``[`` or anything else a crafted file puts there. Ids that look
like what dbt writes (a uuid, or any short run of letters, digits, ``-`` and
``_``) are used as they are, which keeps the layout readable; every other id is
stored under ``x-`` and a hash of it (the id itself is inside the file). Ids
dbt could never write (empty, control characters, very long) are refused.

Each file name also says which part of an invocation it belongs to: the
``run`` (run_results.json or sources.json, with its mart exports), the
``manifest`` or the ``catalog``. A commit marker names the parts it commits::

    invocations/date=D/<name>.run-manifest.parquet   (a marker: these two parts)
    node_runs/date=D/<name>.run.parquet              (data of the run part)
    nodes/date=D/<name>.manifest.parquet             (data of the manifest part)

Files of histories written before parts existed are ``<name>.parquet``: their
marker commits every part of the invocation.
"""

from __future__ import annotations

import hashlib
import re

from monitor.errors import MonitorError

PARTS = ("run", "manifest", "catalog")
"""The parts of an invocation, each committed once, in this order in marker names."""

TABLE_PART = {
    "node_runs": "run",
    "freshness": "run",
    "compiled_code": "run",
    "nodes": "manifest",
    "exposures": "manifest",
    "catalog": "catalog",
}
"""Which part each data table's rows belong to (mart exports belong to the run)."""

LEGACY = "*"
"""The parts a marker without part names commits: all of them."""

MAX_ID_LENGTH = 128

_PLAIN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$")
_MART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_$-]{0,99}$")
_RESERVED = ("x-", "compacted-")


def check_id(invocation_id: str) -> None:
    """Refuse an id dbt could never have written (dbt writes uuids)."""
    if not invocation_id.strip():
        raise MonitorError("metadata.invocation_id is empty")
    if len(invocation_id) > MAX_ID_LENGTH:
        raise MonitorError(
            f"metadata.invocation_id is {len(invocation_id)} characters long;"
            f" dbt writes 36 (at most {MAX_ID_LENGTH} accepted)"
        )
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in invocation_id):
        raise MonitorError(
            f"metadata.invocation_id {invocation_id!r} holds control characters; dbt writes a uuid"
        )


def file_name(invocation_id: str) -> str:
    """The name an invocation's files carry: the id when plain, else ``x-`` + its hash."""
    if _PLAIN.match(invocation_id) and not invocation_id.startswith(_RESERVED):
        return invocation_id
    return "x-" + hashlib.sha256(invocation_id.encode("utf-8", "surrogatepass")).hexdigest()[:40]


def mart_name_ok(name: str) -> bool:
    """Whether a mart export's name can be a folder name (no dots, slashes or globs)."""
    return bool(_MART.match(name))


def marker_stem(name: str, parts: tuple[str, ...]) -> str:
    """The stem of a marker committing ``parts`` of the invocation stored as ``name``."""
    ordered = [part for part in PARTS if part in parts]
    return f"{name}.{'-'.join(ordered)}"


def split_stem(stem: str) -> tuple[str, frozenset[str]]:
    """A marker's or data file's stem as (name, parts); a legacy stem commits every part."""
    name, dot, rest = stem.partition(".")
    if not dot:
        return name, frozenset({LEGACY})
    return name, frozenset(rest.split("-"))


def covers(parts: frozenset[str], part: str) -> bool:
    """Whether committed ``parts`` include ``part``."""
    return part in parts or LEGACY in parts
