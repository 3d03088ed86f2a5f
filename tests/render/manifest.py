"""What the recorded Greenery manifest says, for tests that check the lineage against it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
NEWEST = RUNS / "2021-02-17" / "02-build" / "manifest.json.gz"
DRAWN = ("model", "seed", "snapshot")


def manifest(path: Path = NEWEST) -> dict[str, Any]:
    """The gzipped manifest as dbt wrote it."""
    document: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
    return document


def drawn_nodes(path: Path = NEWEST) -> set[str]:
    """Models, seeds, snapshots, sources and exposures: what the lineage graph draws."""
    doc = manifest(path)
    nodes = {uid for uid, n in doc["nodes"].items() if n["resource_type"] in DRAWN}
    return nodes | set(doc["sources"]) | set(doc["exposures"])


def upstream(unique_id: str, path: Path = NEWEST) -> set[str]:
    """Every ancestor of ``unique_id`` in the manifest's parent_map, tests left out."""
    parents: dict[str, list[str]] = manifest(path)["parent_map"]
    seen: set[str] = set()
    stack = [unique_id]
    while stack:
        for parent in parents.get(stack.pop(), []):
            if parent not in seen:
                seen.add(parent)
                stack.append(parent)
    return {uid for uid in seen if not uid.startswith(("test.", "unit_test."))}
