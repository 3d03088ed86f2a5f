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
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from monitor.artifacts.detect import RUN_KINDS, peek_header, read_header
from monitor.artifacts.invocation import manifest_only
from monitor.artifacts.load import decode
from monitor.artifacts.model import (
    Bundle,
    CatalogArtifact,
    Discovery,
    Header,
    ManifestArtifact,
    RunArtifact,
)
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


def discover(
    paths: Sequence[Path], progress: Progress | None = None, *, validate: bool = True
) -> Discovery:
    """Find, check, decode and pair every artifact under ``paths``.

    Problems with single files are collected in :attr:`Discovery.errors`
    (``<path>: <problem>``), so one bad file never hides the others.
    ``progress(done, total)`` is called as files are handled. ``validate``
    also checks each run file against dbt-artifacts-parser's model (a
    mismatch is a warning); it costs about twice the decode of a large
    run_results.json.
    """
    found = Discovery()
    candidates = _candidates(paths, found.errors)
    ticker = _Ticker(len(candidates), progress)
    runs: list[RunArtifact] = []
    sides: list[_Side] = []
    for candidate in candidates:
        side = _read(candidate, runs, found.errors, validate=validate)
        if side is None:
            ticker.tick()
        else:
            sides.append(side)  # ticked once decoded, or once known unused
    runs = _unique_invocations(runs, found.warnings)
    manifests, catalogs = _Index(sides, "manifest"), _Index(sides, "catalog")
    pairs = {id(run): (manifests.pair(run), catalogs.pair(run)) for run in runs}
    run_ids = {run.invocation_id for run in runs}
    for side in sides:
        # a manifest no run file claims is an invocation of its own (dbt parse, ls)
        if side.header.kind == "manifest" and not side.used:
            side.used = side.header.invocation_id not in run_ids
    decoded = _decode_used(sides, found, ticker)
    for side in sides:
        artifact = decoded.get(side.header.path)
        if isinstance(artifact, ManifestArtifact) and not any(
            pair[0] is side for pair in pairs.values()
        ):
            found.bundles.append(Bundle(manifest_only(artifact), artifact))
    marts = _Marts()
    for run in runs:
        manifest_side, catalog_side = pairs[id(run)]
        manifest = decoded.get(manifest_side.header.path) if manifest_side else None
        catalog = decoded.get(catalog_side.header.path) if catalog_side else None
        assert manifest is None or isinstance(manifest, ManifestArtifact)
        assert catalog is None or isinstance(catalog, CatalogArtifact)
        found.bundles.append(Bundle(run, manifest, catalog, marts.beside(run.header.path)))
        found.warnings.extend(run.warnings)
    found.bundles.sort(key=_started)
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


def _read(
    candidate: _Candidate, runs: list[RunArtifact], errors: list[str], *, validate: bool
) -> _Side | None:
    """Check one file: decode a run file now, keep a manifest or catalog for later.

    A file named like a manifest or catalog is first only peeked at: its
    metadata is enough to pair it, and it is read whole only if a bundle uses it.
    """
    try:
        if _SIDE_NAME.match(candidate.path.name):
            peeked = peek_header(candidate.path)
            if peeked is not None and peeked.kind not in RUN_KINDS:
                return _Side(peeked, candidate.explicit)
        header, raw = read_header(candidate.path)
        if header.kind not in RUN_KINDS:
            return _Side(header, candidate.explicit)
        run = decode(header, raw, validate=validate)
    except MonitorError as exc:
        errors.append(str(exc))
        return None
    assert isinstance(run, RunArtifact)
    runs.append(run)
    return None


def _unique_invocations(runs: list[RunArtifact], warnings: list[str]) -> list[RunArtifact]:
    """One run file per invocation_id (a sources.json wins over a run_results.json)."""
    kept: dict[str, RunArtifact] = {}
    for run in sorted(runs, key=lambda run: (run.header.kind != "sources", str(run.header.path))):
        first = kept.setdefault(run.invocation_id, run)
        if first is not run:
            warnings.append(
                f"{run.header.path}: invocation {run.invocation_id} is also in"
                f" {first.header.path}; using that one"
            )
    return list(kept.values())


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

    def pair(self, run: RunArtifact) -> _Side | None:
        """The one that goes with ``run``: same invocation_id, else same folder.

        Among several with the same id, the one beside the run; among several
        in the run's folder, the one written closest in time to the run.
        """
        folder = run.header.path.parent
        same_id = self.by_id.get(run.header.invocation_id or "", [])
        same_folder = self.by_folder.get(folder, [])
        chosen = None
        if same_id:
            chosen = min(same_id, key=lambda side: (side.header.path.parent != folder, _key(side)))
        elif same_folder:
            chosen = min(same_folder, key=lambda side: (_gap(run, side.header), _key(side)))
        if chosen is not None:
            chosen.used = True
        return chosen


def _key(side: _Side) -> str:
    return str(side.header.path)


def _gap(run: RunArtifact, header: Header) -> float:
    """Seconds between a run and a manifest written near it (unknown: far)."""
    started = run.invocation["started_at"][0]
    try:
        written = dt.datetime.fromisoformat(header.generated_at or "")
    except ValueError:
        return float("inf")
    if written.tzinfo is None:
        written = written.replace(tzinfo=dt.UTC)
    return (
        abs((written - started).total_seconds())
        if isinstance(started, dt.datetime)
        else float("inf")
    )


def _decode_used(
    sides: list[_Side], found: Discovery, ticker: _Ticker
) -> dict[Path, ManifestArtifact | CatalogArtifact]:
    """Decode each manifest and catalog a bundle uses, once; report the others."""
    decoded: dict[Path, ManifestArtifact | CatalogArtifact] = {}
    unused = [side for side in sides if not side.used]
    for side in unused:
        if side.explicit and side.header.kind == "catalog":
            found.errors.append(
                f"{side.header.path}: a catalog.json needs the run_results.json of its"
                " `dbt docs generate` beside it"
            )
        elif side.explicit:
            found.errors.append(
                f"{side.header.path}: invocation {side.header.invocation_id} already has"
                " the manifest beside its run file"
            )
    ticker.tick(len(unused))
    for side in sides:
        if not side.used:
            continue
        try:
            artifact = decode(side.header, read_bytes(side.header.path))
        except MonitorError as exc:
            found.errors.append(str(exc))
        else:
            assert isinstance(artifact, ManifestArtifact | CatalogArtifact)
            decoded[side.header.path] = artifact
            found.warnings.extend(artifact.warnings)
        ticker.tick()
    return decoded


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
