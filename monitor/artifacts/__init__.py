"""The artifacts stage: detect, decode and bundle the JSON files dbt writes.

``discover(paths)`` is the entry point: it finds run_results.json,
sources.json, manifest.json and catalog.json files (plain or ``.json.gz``),
checks each one's ``metadata.dbt_schema_version`` before trusting it, decodes
them into frames with the schemas of :mod:`monitor.schema` and pairs them into
one :class:`Bundle` per dbt invocation. ``load(path)`` decodes one file.
Nothing past this stage sees raw JSON.
"""

from monitor.artifacts.discover import discover
from monitor.artifacts.load import Artifact, load
from monitor.artifacts.model import (
    Bundle,
    CatalogArtifact,
    Discovery,
    Header,
    ManifestArtifact,
    RunArtifact,
)

__all__ = [
    "Artifact",
    "Bundle",
    "CatalogArtifact",
    "Discovery",
    "Header",
    "ManifestArtifact",
    "RunArtifact",
    "discover",
    "load",
]
