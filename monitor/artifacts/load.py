"""Decode one artifact file of any supported kind."""

from __future__ import annotations

from pathlib import Path

from monitor.artifacts.catalog import decode_catalog
from monitor.artifacts.detect import read_header
from monitor.artifacts.manifest import decode_manifest
from monitor.artifacts.model import CatalogArtifact, Header, ManifestArtifact, RunArtifact
from monitor.artifacts.run_results import decode_run_results
from monitor.artifacts.sources import decode_sources

Artifact = RunArtifact | ManifestArtifact | CatalogArtifact
"""Any decoded artifact."""


def decode(header: Header, raw: bytes, *, validate: bool = True) -> Artifact:
    """Decode ``raw`` as the kind ``header`` says it is.

    ``validate`` checks run_results.json and sources.json against
    dbt-artifacts-parser's model too (a mismatch is a warning, never an error).
    """
    if header.kind == "run_results":
        return decode_run_results(header, raw, validate=validate)
    if header.kind == "sources":
        return decode_sources(header, raw, validate=validate)
    if header.kind == "manifest":
        return decode_manifest(header, raw)
    return decode_catalog(header, raw)


def load(path: Path, *, validate: bool = True) -> Artifact:
    """Read, check and decode the artifact at ``path``.

    Raises :class:`~monitor.errors.MonitorError` naming the file and the
    problem when it is not a supported dbt artifact.
    """
    header, raw = read_header(path)
    return decode(header, raw, validate=validate)
