"""Hypothesis strategies that mutate real artifact files, and the property they must keep.

The seeds are real files (the vendored corpus and the recorded fixture runs).
A mutation is structural (delete a key, swap a value's type, huge or negative
numbers, odd unicode, deep nesting) or on the bytes (truncation, a flipped
byte, gzip). The property: reading the file, and ingesting it, either works
(frames with the declared schemas) or fails with one clean line naming the
file; never a traceback. ``tests/artifacts/test_fuzz.py`` runs a short
budget; ``benchmarks/fuzz_artifacts.py`` a long one.
"""

from __future__ import annotations

import copy
import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from monitor import schema
from monitor.artifacts.load import load
from monitor.artifacts.model import CATALOG_STATS, CatalogArtifact, ManifestArtifact, RunArtifact
from monitor.errors import MonitorError
from monitor.history.ingest import ingest
from monitor.history.store import History
from tests.artifacts.samples import CORPUS, RUNS, load_json

SEEDS: dict[str, Path] = {
    "run_results.json": CORPUS / "run_results/v6/jaffle_shop/run_results_1.12.json",
    "run_results_v1.json": CORPUS / "run_results/v1/jaffle_shop/run_results.json",
    "manifest.json": CORPUS / "manifest/v12/jaffle_shop/manifest_1.12.json",
    "catalog.json": CORPUS / "catalog/v1/jaffle_shop/catalog.json",
    "sources.json": RUNS / "2021-02-01/01-source-freshness/sources.json.gz",
}
"""One real file per kind, by the name it is written under."""

_DOCS: dict[str, Any] = {}

NEST = "\u0000nest here\u0000"
"""Marks a value replaced by deeply nested arrays once the document is bytes."""


def seed(name: str) -> Any:
    """The parsed seed document (cached; copy before changing)."""
    if name not in _DOCS:
        _DOCS[name] = load_json(SEEDS[name])
    return _DOCS[name]


ODD_TEXT = st.sampled_from(
    ["", " ", "\x00", "\u202e", "\x1b[31m", "😀" * 3, "a" * 10_000, "NaN", "-1", "1e400"]
)
ODD_NUMBERS = st.sampled_from([0, -1, -5.5, 1e308, -1e308, 2**63, 2**70, -(2**64), 1e-320])
ODD_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    ODD_NUMBERS,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    ODD_TEXT,
    st.just([]),
    st.just({}),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.just("9999-12-31T23:59:59Z"),
    st.just("0001-01-01T00:00:00+05:00"),
)


def _containers(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Paths to every dict and list in ``doc`` (bounded: the first items of each)."""
    found = [path]
    items = list(doc.items())[:40] if isinstance(doc, dict) else list(enumerate(doc))[:40]
    for key, value in items:
        if isinstance(value, dict | list) and value:
            found.extend(_containers(value, (*path, key)))
    return found


def _at(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


@st.composite
def mutated_doc(draw: st.DrawFn, name: str) -> Any:
    """The seed ``name`` with one to three structural mutations."""
    doc = copy.deepcopy(seed(name))
    for _ in range(draw(st.integers(1, 3))):
        paths = _containers(doc)
        target = _at(doc, draw(st.sampled_from(paths)))
        if not target:
            continue
        keys = list(target) if isinstance(target, dict) else list(range(len(target)))
        key = draw(st.sampled_from(keys[:200]))
        action = draw(st.sampled_from(["delete", "replace", "replace", "nest", "duplicate"]))
        if action == "delete":
            del target[key]
        elif action == "replace":
            target[key] = draw(ODD_VALUES)
        elif action == "nest":  # filled in on the bytes: deep objects break deepcopy
            target[key] = NEST
        elif isinstance(target, list):
            target.append(copy.deepcopy(target[key]))
        else:
            target[f"{key}_copy"] = copy.deepcopy(target[key])
    return doc


@st.composite
def artifact_bytes(draw: st.DrawFn) -> tuple[str, bytes]:
    """A file name and its bytes: a mutated seed, maybe cut, flipped or gzipped."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    doc = draw(mutated_doc(name))
    depth = draw(st.sampled_from([2, 50, 100_000]))
    nested = b"[" * depth + b"]" * depth
    raw = json.dumps(doc).encode().replace(json.dumps(NEST).encode(), nested)
    damage = draw(st.sampled_from(["none", "none", "truncate", "flip", "garbage"]))
    if damage == "truncate":
        raw = raw[: draw(st.integers(0, len(raw)))]
    elif damage == "flip":
        index = draw(st.integers(0, max(0, len(raw) - 1)))
        raw = raw[:index] + bytes([raw[index] ^ draw(st.integers(1, 255))]) + raw[index + 1 :]
    elif damage == "garbage":
        raw = raw + draw(st.binary(min_size=1, max_size=20))
    file_name = name.replace("_v1", "")
    if draw(st.booleans()):
        raw = gzip.compress(raw)
        if draw(st.booleans()):
            raw = raw[: draw(st.integers(0, len(raw)))]
        file_name += ".gz"
    return file_name, raw


def check_clean(folder: Path, name: str, raw: bytes) -> str:
    """Write, read and ingest one file; assert the outcome is clean; say which it was."""
    path = folder / name
    path.write_bytes(raw)
    try:
        artifact = load(path)
    except MonitorError as exc:
        message = str(exc)
        assert message.startswith(f"{path}: "), message
        assert "\n" not in message and "Traceback" not in message
        return "error"
    _check_frames(artifact)
    with tempfile.TemporaryDirectory() as history:
        report = ingest([folder], History(history))
    for line in report.errors + report.warnings:
        assert "\n" not in line and "Traceback" not in line, line
    return "ingested"


def _check_frames(artifact: object) -> None:
    if isinstance(artifact, RunArtifact):
        assert artifact.invocation.schema == schema.INVOCATIONS
        assert artifact.results.schema in (schema.NODE_RUNS, schema.FRESHNESS)
        assert artifact.invocation["started_at"][0] is not None
    elif isinstance(artifact, ManifestArtifact):
        assert artifact.nodes.schema == schema.NODES
        assert artifact.exposures.schema == schema.EXPOSURES
    elif isinstance(artifact, CatalogArtifact):
        assert artifact.stats.schema == CATALOG_STATS
    for line in getattr(artifact, "warnings", ()):
        assert "\n" not in line, line
