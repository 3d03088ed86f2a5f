"""Find dbt artifacts under some paths and bundle them, one bundle per invocation.

A path may be a dbt ``target/`` folder, single artifact files (also
``.json.gz``) or a folder holding many run folders, searched recursively.
Each run_results.json or sources.json makes a :class:`Bundle`; its manifest
and catalog are the ones with the same invocation_id, else the ones in the
same folder. Parquet files beside a run file are its mart exports.

Files that are not named like artifacts (semantic_manifest.json, logs, SQL,
partial_parse.msgpack) are skipped silently. A file named like an artifact
that cannot be read, or any file named on the command line, is an error, and
errors never stop the other files. Manifests are the expensive part: pairing
needs only their metadata (their first bytes), and each one a bundle uses is
read and decoded once.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.artifacts.detect import RUN_KINDS, peek_header, read_header
from monitor.artifacts.invocation import manifest_only
from monitor.artifacts.load import decode
from monitor.artifacts.mart_files import usable_marts
from monitor.artifacts.model import Bundle, CatalogArtifact, Header, ManifestArtifact, RunArtifact
from monitor.artifacts.read import read_bytes
from monitor.errors import MonitorError

__all__ = ["Discovery", "discover", "is_artifact_name"]

_ARTIFACT_NAME = re.compile(
    r"^(?:run_results|sources|manifest|catalog)(?:[._-][^/]*?)?\.json(?:\.gz)?$"
)
_SIDE_NAME = re.compile(r"^(?:manifest|catalog)")
_SKIP_DIRS = {"dbt_packages", "dbt_modules", "node_modules", "logs", "__pycache__"}
_TARGET_ONLY_DIRS = {"run", "compiled"}
"""dbt's folders of rendered SQL: skipped inside a folder that holds artifacts."""
_TARGET_MARKERS = {"partial_parse.msgpack", "graph.gpickle", "graph_summary.json"}

Progress = Callable[[int, int], None]


def is_artifact_name(name: str) -> bool:
    """Whether a file is named like a dbt artifact (``manifest.json``, ``sources.json.gz``)."""
    return bool(_ARTIFACT_NAME.match(name))


@dataclass(frozen=True)
class _Candidate:
    path: Path
    explicit: bool


@dataclass
class _Side:
    """A manifest or catalog: its metadata checked; decoded only if a bundle uses it."""

    header: Header
    explicit: bool
    used: bool = False


class _Ticker:
    def __init__(self, total: int, progress: Progress | None) -> None:
        self.done, self.total, self.progress = 0, total, progress
        self.tick(0)

    def tick(self, count: int = 1) -> None:
        self.done += count
        if self.progress is not None:
            self.progress(self.done, self.total)


@dataclass(frozen=True)
class Pending:
    """One invocation's files, paired but not decoded yet.

    ``run`` is its run_results or sources file (None for a manifest that is
    an invocation of its own).
    """

    run: Header | None
    manifest: Header | None
    catalog: Header | None
    marts: dict[str, Path]
    duplicate_of: Path | None = None
    """Set on a second copy of an invocation's run file: checked, not ingested."""

    def order(self) -> tuple[str, str]:
        """Roughly when the invocation ran, then its path (a stable order)."""
        header = self.run or self.manifest
        assert header is not None
        return header.generated_at or "", str(header.path)


class Discovery:
    """What :func:`discover` found: invocations to decode, and the problems met.

    ``errors`` and ``warnings`` are one line each, ``<path>: <problem>``;
    decoding adds to them.
    """

    def __init__(self, *, validate: bool = True) -> None:
        self.pending: list[Pending] = []
        self.errors: list[str] = []
        self.warnings: list[str] = []
        self.validate = validate
        self.ticker = _Ticker(0, None)
        self._manifests: OrderedDict[tuple[int, int, int], ManifestArtifact | None] = OrderedDict()
        self._bundles: list[Bundle] | None = None

    def each(self) -> Iterator[Bundle]:
        """Decode and yield one bundle at a time, in the order the invocations ran."""
        for pending in self.pending:
            bundle = self._decode(pending)
            self.ticker.tick()
            if bundle is not None:
                yield bundle

    @property
    def bundles(self) -> list[Bundle]:
        """Every bundle, decoded and sorted by start (all in memory: small inputs, tests)."""
        if self._bundles is None:
            self._bundles = sorted(self.each(), key=_started)
        return self._bundles

    def _decode(self, pending: Pending) -> Bundle | None:
        manifest = self._manifest(pending.manifest) if pending.manifest else None
        catalog = None
        try:
            if pending.catalog is not None:
                decoded = decode(pending.catalog, read_bytes(pending.catalog.path))
                assert isinstance(decoded, CatalogArtifact)
                catalog = decoded
            if pending.run is None:
                return Bundle(manifest_only(manifest), manifest) if manifest else None
            run = decode(pending.run, read_bytes(pending.run.path), validate=self.validate)
        except MonitorError as exc:
            self.errors.append(str(exc))
            return None
        assert isinstance(run, RunArtifact)
        if pending.duplicate_of is not None:
            self.warnings.append(
                f"{pending.run.path}: invocation {run.invocation_id} is also in"
                f" {pending.duplicate_of}; using that one"
            )
            return None
        self.warnings.extend(run.warnings)
        return Bundle(run, manifest, catalog, usable_marts(pending.marts, self.errors))

    def _manifest(self, header: Header) -> ManifestArtifact | None:
        """Decode a manifest once, however many runs share it (a few kept at a time)."""
        info = header.path.stat()
        key = (info.st_dev, info.st_ino, info.st_mtime_ns)
        if key in self._manifests:
            self._manifests.move_to_end(key)
            return self._manifests[key]
        try:
            decoded = decode(header, read_bytes(header.path))
        except MonitorError as exc:
            self.errors.append(str(exc))
            decoded = None
        if isinstance(decoded, ManifestArtifact):
            self.warnings.extend(decoded.warnings)
        else:
            decoded = None
        self._manifests[key] = decoded
        while len(self._manifests) > MANIFESTS_KEPT:
            self._manifests.popitem(last=False)
        return decoded


MANIFESTS_KEPT = 4
"""Decoded manifests kept for runs that share them (nightly folders often do)."""


def discover(
    paths: Sequence[Path], progress: Progress | None = None, *, validate: bool = True
) -> Discovery:
    """Find, check and pair every artifact under ``paths``; decode lazily.

    Pairing needs only each file's metadata, so a folder of a thousand runs
    is paired before anything is decoded, and :meth:`Discovery.each` then
    decodes one bundle at a time (memory stays flat however many runs there
    are). Problems with single files are collected in
    :attr:`Discovery.errors` (``<path>: <problem>``), so one bad file never
    hides the others. ``progress(done, total)`` is called as files are
    handled. ``validate`` also checks each run file against
    dbt-artifacts-parser's model (a mismatch is a warning).
    """
    found = Discovery(validate=validate)
    candidates = _candidates(paths, found.errors)
    sides = [side for c in candidates if (side := _read(c, found.errors)) is not None]
    runs, copies = _unique_invocations([s for s in sides if s.header.kind in RUN_KINDS])
    for copy, original in copies:  # a second copy still gets its file checked
        found.pending.append(Pending(copy.header, None, None, {}, duplicate_of=original))
    others = [side for side in sides if side.header.kind not in RUN_KINDS]
    manifests, catalogs = _Index(others, "manifest"), _Index(others, "catalog")
    marts = _Marts()
    for run in runs:
        found.pending.append(
            Pending(
                run.header,
                manifests.pair(run.header),
                catalogs.pair(run.header),
                marts.beside(run.header.path),
            )
        )
    run_ids = {run.header.invocation_id for run in runs}
    for side in others:
        # a manifest no run file claims is an invocation of its own (dbt parse, ls)
        lone = side.header.kind == "manifest" and not side.used
        if lone and side.header.invocation_id not in run_ids:
            side.used = True
            found.pending.append(Pending(None, side.header, None, {}))
    _report_unused(others, found.errors)
    found.pending.sort(key=Pending.order)
    found.ticker = _Ticker(len(candidates), progress)
    found.ticker.tick(len(candidates) - len(found.pending))
    return found


def _candidates(paths: Sequence[Path], errors: list[str]) -> list[_Candidate]:
    """Every file to look at, each once, in a stable order."""
    seen: dict[Path, _Candidate] = {}
    for path in paths:
        if path.is_dir():
            files = list(_walk(path))
            if not files:
                errors.append(
                    f"{path}: no dbt artifacts here (looked for run_results.json, "
                    "sources.json, manifest.json and catalog.json, also .json.gz)"
                )
            for file in files:
                seen.setdefault(file.resolve(), _Candidate(file, explicit=False))
        elif path.exists():
            seen[path.resolve()] = _Candidate(path, explicit=True)
        else:
            errors.append(f"{path}: no such file or folder")
    return sorted(seen.values(), key=lambda candidate: str(candidate.path))


def _walk(root: Path) -> Iterator[Path]:
    """Files named like artifacts under ``root``, skipping folders that hold none."""
    for folder, dirs, files in os.walk(root):
        names = set(files)
        in_target = any(is_artifact_name(name) for name in names) or bool(names & _TARGET_MARKERS)
        dirs[:] = sorted(
            name
            for name in dirs
            if not name.startswith(".")
            and name not in _SKIP_DIRS
            and not (in_target and name in _TARGET_ONLY_DIRS)
        )
        for name in sorted(files):
            if is_artifact_name(name):
                yield Path(folder, name)


def _read(candidate: _Candidate, errors: list[str]) -> _Side | None:
    """Check one file's metadata (its first bytes when they hold it)."""
    try:
        header = peek_header(candidate.path)
        if header is None:
            header, _ = read_header(candidate.path)
    except MonitorError as exc:
        errors.append(str(exc))
        return None
    return _Side(header, candidate.explicit)


def _unique_invocations(runs: list[_Side]) -> tuple[list[_Side], list[tuple[_Side, Path]]]:
    """One run file per invocation_id (a sources.json wins), and the other copies."""
    kept: dict[str, _Side] = {}
    copies = []
    ordered = sorted(runs, key=lambda run: (run.header.kind != "sources", str(run.header.path)))
    for run in ordered:
        first = kept.setdefault(run.header.invocation_id or str(run.header.path), run)
        if first is not run:
            copies.append((run, first.header.path))
    return list(kept.values()), copies


class _Index:
    """The manifests (or catalogs) found, by invocation_id and by folder."""

    def __init__(self, sides: list[_Side], kind: str) -> None:
        self.by_id: dict[str, list[_Side]] = defaultdict(list)
        self.by_folder: dict[Path, list[_Side]] = defaultdict(list)
        for side in sides:
            if side.header.kind == kind:
                if side.header.invocation_id:
                    self.by_id[side.header.invocation_id].append(side)
                self.by_folder[side.header.path.parent].append(side)

    def pair(self, run: Header) -> Header | None:
        """The one that goes with ``run``: same invocation_id, else same folder.

        Among several with the same id, the one beside the run; among several
        in the run's folder, the one written closest in time to the run.
        """
        folder = run.path.parent
        same_id = self.by_id.get(run.invocation_id or "", [])
        same_folder = self.by_folder.get(folder, [])
        chosen = None
        if same_id:
            chosen = min(same_id, key=lambda side: (side.header.path.parent != folder, _key(side)))
        elif same_folder:
            chosen = min(same_folder, key=lambda side: (_gap(run, side.header), _key(side)))
        if chosen is None:
            return None
        chosen.used = True
        return chosen.header


def _key(side: _Side) -> str:
    return str(side.header.path)


def _gap(run: Header, header: Header) -> float:
    """Seconds between a run file and a manifest written near it (unknown: far)."""
    written, ran = _moment(header), _moment(run)
    if written is None or ran is None:
        return float("inf")
    return abs((written - ran).total_seconds())


def _moment(header: Header) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(header.generated_at or "")
    except ValueError:
        return None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


def _report_unused(sides: list[_Side], errors: list[str]) -> None:
    """A manifest or catalog named on the command line that nothing uses is an error."""
    for side in sides:
        if side.used or not side.explicit:
            continue
        if side.header.kind == "catalog":
            errors.append(
                f"{side.header.path}: a catalog.json needs the run_results.json of its"
                " `dbt docs generate` beside it"
            )
        else:
            errors.append(
                f"{side.header.path}: invocation {side.header.invocation_id} already has"
                " the manifest beside its run file"
            )


class _Marts:
    """Parquet mart exports beside a run file, looked up once per folder."""

    def __init__(self) -> None:
        self._folders: dict[Path, dict[str, Path]] = defaultdict(dict)
        self._looked: set[Path] = set()

    def beside(self, path: Path) -> dict[str, Path]:
        folder = path.parent
        if folder not in self._looked:
            self._looked.add(folder)
            for parquet in sorted(folder.glob("*.parquet")):
                self._folders[folder][parquet.name.removesuffix(".parquet")] = parquet
        return dict(self._folders[folder])


def _started(bundle: Bundle) -> tuple[dt.datetime, str]:
    started = bundle.run.invocation["started_at"][0]
    assert isinstance(started, dt.datetime)
    return started, str(bundle.run.header.path)
