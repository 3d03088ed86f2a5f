"""Where the real artifacts live, and small hand-written artifacts for the tests.

The corpus is vendored in ``fixtures/corpus`` (gzipped; see its README) and
unpacked once per machine into a temporary folder, so tests read plain
``.json`` files laid out as ``<artifact>/<schema version>/<project>/<file>``.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
VENDORED = REPO / "fixtures" / "corpus"


def _unpack(vendored: Path) -> Path:
    """Unpack the gzipped corpus once into a folder named for its content."""
    files = sorted(vendored.rglob("*.json.gz"))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(vendored)).encode())
        digest.update(path.read_bytes())
    target = Path(tempfile.gettempdir()) / f"dbt-monitor-corpus-{digest.hexdigest()[:16]}"
    if (target / ".complete").is_file():
        return target
    staging = Path(tempfile.mkdtemp(prefix="dbt-monitor-corpus-"))
    for path in files:
        out = staging / path.relative_to(vendored).with_suffix("")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(gzip.decompress(path.read_bytes()))
    (staging / ".complete").touch()
    try:
        staging.rename(target)
    except OSError:  # another test process unpacked it first
        shutil.rmtree(staging, ignore_errors=True)
    return target


CORPUS = _unpack(VENDORED)
RUNS = REPO / "fixtures" / "runs"

SCHEMA = "https://schemas.getdbt.com/dbt/{slug}/v{version}.json"


def corpus_files(kind: str) -> list[Any]:
    """``pytest.param`` per corpus file of ``kind`` (one skipped param if absent)."""
    files = sorted((CORPUS / kind).rglob("*.json")) if CORPUS.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no {kind} in {CORPUS}"))]
    return [pytest.param(path, id=str(path.relative_to(CORPUS / kind))) for path in files]


def recorded_files(name: str) -> list[Any]:
    """``pytest.param`` per recorded fixture file named ``name`` (.json or .json.gz)."""
    files = sorted(RUNS.rglob(f"{name}.json*")) if RUNS.is_dir() else []
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no {name} in {RUNS}"))]
    return [pytest.param(path, id=str(path.relative_to(RUNS))) for path in files]


def load_json(path: Path) -> Any:
    """The JSON in ``path`` (plain or gzip)."""
    data = path.read_bytes()
    return json.loads(gzip.decompress(data) if path.name.endswith(".gz") else data)


def write_json(path: Path, doc: Any) -> Path:
    """Write ``doc`` to ``path`` (gzip when the name ends in .gz); return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.dumps(doc).encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def metadata(slug: str, version: int, **extra: Any) -> dict[str, Any]:
    """A ``metadata`` object for a ``slug`` (e.g. ``run-results``) file."""
    meta: dict[str, Any] = {
        "dbt_schema_version": SCHEMA.format(slug=slug, version=version),
        "dbt_version": "1.11.2",
        "generated_at": "2026-03-01T06:00:10.000000Z",
        "invocation_id": "11111111-2222-3333-4444-555555555555",
        "env": {},
    }
    meta.update(extra)
    return meta


def timing(start: str, end: str, name: str = "execute") -> dict[str, str]:
    """One timing entry."""
    return {"name": name, "started_at": start, "completed_at": end}


def run_result(unique_id: str, status: str = "success", **extra: Any) -> dict[str, Any]:
    """One run_results.json v6 result, with dbt Core's fields."""
    result: dict[str, Any] = {
        "status": status,
        "timing": [
            timing("2026-03-01T06:00:01.000000Z", "2026-03-01T06:00:01.500000Z", "compile"),
            timing("2026-03-01T06:00:01.500000Z", "2026-03-01T06:00:03.000000Z"),
        ],
        "thread_id": "Thread-1 (worker)",
        "execution_time": 2.0,
        "adapter_response": {"_message": "OK", "code": "SELECT", "rows_affected": 7},
        "message": "OK",
        "failures": None,
        "unique_id": unique_id,
        "compiled": True,
        "compiled_code": "select 1",
        "relation_name": None,
        "batch_results": None,
    }
    result.update(extra)
    return result


def run_results(results: list[dict[str, Any]], version: int = 6, **args: Any) -> dict[str, Any]:
    """A run_results.json with these results and ``args`` (default: a build)."""
    return {
        "metadata": metadata("run-results", version),
        "results": results,
        "elapsed_time": 9.5,
        "args": {"which": "build", "invocation_command": "dbt build"} | args,
    }


# sources.json, one per schema version, each shaped after dbt-artifacts-parser's
# model of that version (sources_v1.py .. sources_v3.py).

_FRESH = {
    "unique_id": "source.shop.raw.orders",
    "max_loaded_at": "2026-03-01T05:30:00+00:00",
    "snapshotted_at": "2026-03-01T06:00:00+00:00",
    "max_loaded_at_time_ago_in_s": 1800.0,
    "status": "pass",
    "criteria": {
        "warn_after": {"count": 12, "period": "hour"},
        "error_after": {"count": 1, "period": "day"},
        "filter": None,
    },
    "adapter_response": {"_message": "SELECT 1", "code": "SELECT", "rows_affected": 1},
}
_STALE = {
    "unique_id": "source.shop.raw.customers",
    "max_loaded_at": "2026-02-27T06:00:00+00:00",
    "snapshotted_at": "2026-03-01T06:00:01+00:00",
    "max_loaded_at_time_ago_in_s": 172801.0,
    "status": "error",
    "criteria": {
        "warn_after": {"count": 30, "period": "minute"},
        "error_after": {"count": 2, "period": "day"},
        "filter": "_loaded_at > current_date - 7",
    },
    "adapter_response": {},
}
_BROKEN = {
    "unique_id": "source.shop.raw.payments",
    "error": "Database Error: relation raw.payments does not exist",
    "status": "runtime error",
}


def sources(version: int) -> dict[str, Any]:
    """A small, valid sources.json of ``version`` (1-3): pass, error, runtime error."""
    fresh, stale = copy.deepcopy(_FRESH), copy.deepcopy(_STALE)
    meta = metadata("sources", version)
    if version >= 2:
        fresh |= {
            "timing": [
                timing("2026-03-01T05:59:58.000000Z", "2026-03-01T05:59:58.100000Z", "compile"),
                timing("2026-03-01T05:59:58.100000Z", "2026-03-01T05:59:59.000000Z"),
            ],
            "thread_id": "Thread-1",
            "execution_time": 1.0,
        }
        stale |= {"timing": [], "thread_id": "Thread-2", "execution_time": 0.25}
    if version >= 3:
        meta["invocation_started_at"] = "2026-03-01T05:59:50.000000Z"
    return {
        "metadata": meta,
        "results": [fresh, stale, copy.deepcopy(_BROKEN)],
        "elapsed_time": 3.5,
    }


def enriched_manifest(doc: dict[str, Any]) -> dict[str, Any]:
    """A corpus manifest v12 plus what jaffle_shop lacks: an exposure, a group
    with an owner, an owner in meta and freshness criteria on two sources (one
    only in ``config.freshness``, as dbt ≥ 1.10 may write it). Still valid
    against dbt-artifacts-parser's ManifestV12.
    """
    doc = copy.deepcopy(doc)
    package = "jaffle_shop"
    doc["groups"] = {
        "group.jaffle_shop.finance": {
            "name": "finance",
            "resource_type": "group",
            "package_name": package,
            "path": "groups.yml",
            "original_file_path": "models/groups.yml",
            "unique_id": "group.jaffle_shop.finance",
            "owner": {"email": ["fin@example.com", "cfo@example.com"], "name": None},
        }
    }
    doc["nodes"]["model.jaffle_shop.orders"]["group"] = "finance"
    customers = doc["nodes"]["model.jaffle_shop.customers"]
    customers["meta"] = {"owner": "data-team", "tier": 1}
    customers["config"]["meta"] = {"owner": "someone-else", "pii": True}
    raw_orders = doc["sources"]["source.jaffle_shop.ecom.raw_orders"]
    raw_orders["freshness"] = {
        "warn_after": {"count": 12, "period": "hour"},
        "error_after": {"count": 1, "period": "day"},
        "filter": None,
    }
    raw_items = doc["sources"]["source.jaffle_shop.ecom.raw_items"]
    raw_items["config"]["freshness"] = {
        "warn_after": {"count": 90, "period": "minute"},
        "error_after": {"count": None, "period": None},
        "filter": None,
    }
    raw_items["loaded_at_field"] = None
    raw_items["config"]["loaded_at_field"] = "_loaded_at"
    doc["exposures"] = {
        "exposure.jaffle_shop.weekly_kpis": {
            "name": "weekly_kpis",
            "resource_type": "exposure",
            "package_name": package,
            "path": "exposures.yml",
            "original_file_path": "models/exposures.yml",
            "unique_id": "exposure.jaffle_shop.weekly_kpis",
            "fqn": [package, "weekly_kpis"],
            "type": "dashboard",
            "owner": {"email": "ana@example.com", "name": "Ana"},
            "description": "KPIs the board reads every Monday",
            "label": "Weekly KPIs",
            "maturity": "high",
            "meta": {},
            "tags": [],
            "url": "https://bi.example.com/kpis",
            "depends_on": {
                "macros": [],
                "nodes": ["model.jaffle_shop.orders", "model.jaffle_shop.customers"],
            },
            "refs": [],
            "sources": [],
            "metrics": [],
        }
    }
    return doc
