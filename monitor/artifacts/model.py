"""What the artifacts stage hands to the history stage.

Every artifact is decoded once, here, into frames with the schemas declared in
:mod:`monitor.schema`. Nothing downstream sees raw JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import polars as pl

from monitor import schema

Kind = Literal["run_results", "sources", "manifest", "catalog"]

CATALOG_STATS = pl.Schema(
    {name: dtype for name, dtype in schema.CATALOG.items() if name != "invocation_id"}
)
"""The schema of :attr:`CatalogArtifact.stats`: :data:`monitor.schema.CATALOG`
without ``invocation_id`` (the ingest step adds it). One row per catalog entry."""


@dataclass(frozen=True)
class Header:
    """What ``metadata`` says about one artifact file, read before trusting it."""

    path: Path
    kind: Kind
    schema_version: int  # the N of ".../run-results/vN.json"
    dbt_version: str | None
    invocation_id: str | None
    generated_at: str | None


@dataclass(frozen=True)
class RunArtifact:
    """A decoded ``run_results.json`` or ``sources.json``: one invocation.

    ``invocation`` has one row with the :data:`monitor.schema.INVOCATIONS`
    schema; the manifest columns (project, adapter, manifest schema) and
    ``labels`` / ``ingested_at`` are left null for the ingest step to fill.
    ``results`` has the NODE_RUNS schema for run_results and the FRESHNESS
    schema for sources.
    ``code`` holds compiled SQL (it can hold secrets: never shown by default).
    """

    header: Header
    invocation: pl.DataFrame
    results: pl.DataFrame
    warnings: tuple[str, ...] = ()
    code: pl.DataFrame | None = None
    """The COMPILED_CODE rows of a run_results file that carries compiled SQL."""

    @property
    def invocation_id(self) -> str:
        """The invocation this file describes."""
        value = self.invocation["invocation_id"][0]
        assert isinstance(value, str)
        return value


@dataclass(frozen=True)
class ManifestArtifact:
    """A decoded ``manifest.json``.

    ``nodes`` has the NODES schema and ``exposures`` the EXPOSURES schema,
    with ``first_seen_invocation`` / ``first_seen_at`` left null for the
    ingest step.
    """

    header: Header
    project_name: str | None
    project_id: str | None
    adapter_type: str | None
    nodes: pl.DataFrame
    exposures: pl.DataFrame
    warnings: tuple[str, ...] = ()
    adapter_version: str | None = None


@dataclass(frozen=True)
class CatalogArtifact:
    """A decoded ``catalog.json``: ``stats`` has the :data:`CATALOG_STATS` schema."""

    header: Header
    stats: pl.DataFrame
    warnings: tuple[str, ...] = ()


@dataclass
class Bundle:
    """The files of one dbt invocation, found together.

    ``run`` is the run_results or sources artifact that defines the
    invocation; ``manifest`` and ``catalog`` are paired with it by
    invocation_id, or by sitting in the same folder. ``marts`` are Parquet
    exports of mart tables found beside the run (name -> path).
    """

    run: RunArtifact
    manifest: ManifestArtifact | None = None
    catalog: CatalogArtifact | None = None
    marts: dict[str, Path] = field(default_factory=dict)
