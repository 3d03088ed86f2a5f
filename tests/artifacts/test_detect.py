import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from monitor.artifacts.detect import FUSION, SUPPORTED, parse_header, peek_header, read_header
from monitor.errors import MonitorError
from tests.artifacts.samples import CORPUS, corpus_files, metadata, write_json

KINDS = {"run_results": "run_results", "manifest": "manifest", "catalog": "catalog"}


@pytest.mark.parametrize(
    "path",
    corpus_files("run_results") + corpus_files("manifest") + corpus_files("catalog"),
)
def test_every_corpus_file_has_a_header(path: Path) -> None:
    header, raw = read_header(path)
    kind, version = path.relative_to(CORPUS).parts[:2]
    assert header.kind == KINDS[kind]
    assert header.schema_version == int(version.removeprefix("v"))
    assert header.path == path
    assert header.dbt_version and header.generated_at and header.invocation_id
    assert raw == path.read_bytes()


@pytest.mark.parametrize(
    ("url", "kind", "version"),
    [
        ("https://schemas.getdbt.com/dbt/run-results/v6.json", "run_results", 6),
        ("http://schemas.getdbt.com/dbt/manifest/v12.json", "manifest", 12),
        ("https://schemas.getdbt.com/dbt/sources/v3/index.html", "sources", 3),
        ("https://schemas.fusion.example/dbt/catalog/v1.json", "catalog", 1),
        ("dbt/run_results/v4.json", "run_results", 4),
        (" https://schemas.getdbt.com/dbt/Manifest/v5.json ", "manifest", 5),
    ],
)
def test_lenient_on_the_url_strict_on_kind_and_version(
    tmp_path: Path, url: str, kind: str, version: int
) -> None:
    doc = {"metadata": {"dbt_schema_version": url, "generated_at": "2026-01-01T00:00:00Z"}}
    header = parse_header(tmp_path / "x.json", json.dumps(doc).encode())
    assert (header.kind, header.schema_version) == (kind, version)


def _problem(tmp_path: Path, doc: Any) -> str:
    path = write_json(tmp_path / "run_results.json", doc)
    with pytest.raises(MonitorError) as caught:
        read_header(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert "\n" not in message
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize(
    ("doc", "problem"),
    [
        ([1, 2], "not a dbt artifact: the JSON is not an object"),
        ("metadata", "not a dbt artifact: the JSON is not an object"),
        ({"nodes": {}}, "not a dbt artifact: it has no metadata object"),
        ({"metadata": [1]}, "not a dbt artifact: it has no metadata object"),
        (
            {"metadata": {"dbt_version": "1.8.0"}},
            "not a dbt artifact: metadata has no dbt_schema_version",
        ),
        (
            {"metadata": {"dbt_schema_version": 6}},
            "not a dbt artifact: metadata has no dbt_schema_version",
        ),
        (
            {"metadata": {"dbt_schema_version": "version six"}},
            "not a dbt artifact: cannot read the schema URL 'version six'",
        ),
        (
            {
                "metadata": {
                    "dbt_schema_version": "https://schemas.getdbt.com/dbt/semantic-manifest/v1.json"
                }
            },
            "unknown artifact kind 'semantic-manifest' "
            "(https://schemas.getdbt.com/dbt/semantic-manifest/v1.json): "
            "dbt-monitor reads run-results, sources, manifest, catalog",
        ),
        (
            {"metadata": metadata("run-results", 7, dbt_version="1.13.0")},
            "unsupported schema version: expected run-results v1–v6 or v20 (dbt Fusion), found v7 "
            "(written by dbt 1.13.0); a newer dbt-monitor may read it",
        ),
        (
            {"metadata": metadata("run-results", 0, dbt_version="0.18.0")},
            "unsupported schema version: expected run-results v1–v6 or v20 (dbt Fusion), found v0 "
            "(written by dbt 0.18.0); re-run with dbt ≥ 0.19",
        ),
        (
            {"metadata": metadata("manifest", 13, dbt_version=None)},
            "unsupported schema version: expected manifest v1–v12 or v20 (dbt Fusion), found v13; "
            "a newer dbt-monitor may read it",
        ),
        (
            {"metadata": metadata("sources", 4, dbt_version="2.0.0")},
            "unsupported schema version: expected sources v1–v3, found v4 "
            "(written by dbt 2.0.0); a newer dbt-monitor may read it",
        ),
        (
            {"metadata": metadata("catalog", 2, dbt_version="2.0.0")},
            "unsupported schema version: expected catalog v1, found v2 "
            "(written by dbt 2.0.0); a newer dbt-monitor may read it",
        ),
        (
            {"metadata": metadata("run-results", 6, generated_at=None)},
            "missing required metadata: metadata.generated_at",
        ),
        (
            {"metadata": metadata("sources", 3, generated_at="")},
            "missing required metadata: metadata.generated_at",
        ),
    ],
)
def test_problems(tmp_path: Path, doc: Any, problem: str) -> None:
    assert _problem(tmp_path, doc) == problem


def test_manifest_needs_no_generated_at(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "manifest.json", {"metadata": metadata("manifest", 12, generated_at=None)}
    )
    header, _ = read_header(path)
    assert header.kind == "manifest"
    assert header.generated_at is None


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (
            b'{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v1',
            "truncated JSON",
        ),
        (b"\x00\x01\x02\x03binary\xff\xfe" * 50, "binary data, not JSON"),
        (b"this is not json", "not JSON: "),
    ],
)
def test_not_json(tmp_path: Path, raw: bytes, problem: str) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(raw)
    with pytest.raises(MonitorError) as caught:
        read_header(path)
    assert str(caught.value).startswith(f"{path}: {problem}")


def test_supported_versions() -> None:
    assert {kind: (r[0], r[-1]) for kind, r in SUPPORTED.items()} == {
        "run_results": (1, 6),
        "sources": (1, 3),
        "manifest": (1, 12),
        "catalog": (1, 1),
    }
    assert FUSION == {"run_results": 20, "manifest": 20}


@pytest.mark.parametrize(
    "path", corpus_files("manifest") + corpus_files("catalog") + corpus_files("run_results")
)
def test_peeking_reads_the_same_header(tmp_path: Path, path: Path) -> None:
    header, raw = read_header(path)
    assert peek_header(path) == header
    gz = tmp_path / (path.name + ".gz")
    gz.write_bytes(gzip.compress(raw))
    assert peek_header(gz) == read_header(gz)[0]


def test_peeking_needs_metadata_first(tmp_path: Path) -> None:
    doc = {"nodes": {}, "metadata": metadata("manifest", 12)}
    path = write_json(tmp_path / "manifest.json", doc)
    assert peek_header(path) is None
    assert read_header(path)[0].kind == "manifest"


def test_peeking_only_checks_the_metadata(tmp_path: Path) -> None:
    path = write_json(
        tmp_path / "manifest.json", {"metadata": metadata("manifest", 12), "nodes": {}}
    )
    path.write_bytes(path.read_bytes()[:-3])
    assert peek_header(path) is not None
    with pytest.raises(MonitorError, match="truncated JSON"):
        read_header(path)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty file"),
        (b"plain text", None),
        (b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage", "bad gzip: "),
    ],
)
def test_peeking_at_bad_files(tmp_path: Path, content: bytes, problem: str | None) -> None:
    path = tmp_path / "manifest.json"
    path.write_bytes(content)
    if problem is None:
        assert peek_header(path) is None
    else:
        with pytest.raises(MonitorError, match=f"^{re.escape(str(path))}: {problem}"):
            peek_header(path)
