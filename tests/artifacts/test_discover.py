import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest

from monitor.artifacts import discover as discover_module
from monitor.artifacts.discover import discover, is_artifact_name
from monitor.artifacts.model import Bundle, Header
from tests.artifacts.samples import (
    CORPUS,
    RUNS,
    metadata,
    run_result,
    run_results,
    sources,
    write_json,
)


def _run(
    folder: Path,
    invocation_id: str,
    start: str = "2026-03-01T06:00:00Z",
    name: str = "run_results.json",
) -> Path:
    doc = run_results([run_result("model.shop.orders")])
    doc["metadata"] |= {"invocation_id": invocation_id, "invocation_started_at": start}
    return write_json(folder / name, doc)


def _manifest(
    folder: Path, invocation_id: str | None, name: str = "manifest.json", **meta: Any
) -> Path:
    doc = {
        "metadata": metadata(
            "manifest", 12, invocation_id=invocation_id, project_name="shop", **meta
        ),
        "nodes": {"model.shop.orders": {"unique_id": "model.shop.orders", "name": "orders"}},
    }
    return write_json(folder / name, doc)


def _catalog(folder: Path, invocation_id: str, name: str = "catalog.json") -> Path:
    doc = {
        "metadata": metadata("catalog", 1, invocation_id=invocation_id),
        "nodes": {},
        "sources": {},
    }
    return write_json(folder / name, doc)


def _paths(bundle: Bundle) -> tuple[str, str | None, str | None]:
    def name(header: Header | None) -> str | None:
        return None if header is None else str(header.path)

    return (
        str(bundle.run.header.path),
        name(bundle.manifest.header if bundle.manifest else None),
        name(bundle.catalog.header if bundle.catalog else None),
    )


def test_a_dbt_target_folder(tmp_path: Path) -> None:
    target = tmp_path / "target"
    run = _run(target, "aaa")
    manifest = _manifest(target, "aaa")
    catalog = _catalog(target, "older-docs-run")
    (target / "semantic_manifest.json").write_text('{"semantic_models": []}')
    (target / "graph_summary.json").write_text('{"_invocation_id": "aaa"}')
    (target / "perf_info.json").write_text("{}")
    (target / "partial_parse.msgpack").write_bytes(b"\x85\xa4data\x00\x01")
    (target / "graph.gpickle").write_bytes(b"\x80\x04garbage")
    for folder in ("run", "compiled"):
        (target / folder / "shop" / "models").mkdir(parents=True)
        (target / folder / "shop" / "models" / "orders.sql").write_text("select 1")
        # dbt never writes these here; a broken one proves the folder is not searched
        (target / folder / "shop" / "manifest.json").write_text("{broken")
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "dbt.log").write_text("log")
    (target / "orders.parquet").write_bytes(b"PAR1")
    found = discover([target])
    assert found.errors == []
    assert found.warnings == []
    (bundle,) = found.bundles
    assert _paths(bundle) == (str(run), str(manifest), str(catalog))
    assert bundle.marts == {"orders": target / "orders.parquet"}
    assert bundle.manifest is not None and bundle.manifest.project_name == "shop"


def _runs(found: Any) -> list[Any]:
    """The bundles of run files (not the manifest-only invocations)."""
    return [b for b in found.bundles if b.run.header.kind != "manifest"]


def test_pairing_by_invocation_id_across_folders(tmp_path: Path) -> None:
    run_a = _run(tmp_path / "runs" / "a", "inv-a", "2026-03-02T06:00:00Z")
    run_b = _run(tmp_path / "runs" / "b", "inv-b", "2026-03-01T06:00:00Z")
    manifest_a = _manifest(tmp_path / "manifests" / "x", "inv-a")
    manifest_b = _manifest(tmp_path / "manifests" / "y", "inv-b")
    other = _manifest(tmp_path / "runs" / "a", "someone-else")  # beside run a, another invocation
    found = discover([tmp_path])
    assert found.errors == []
    assert [_paths(b) for b in _runs(found)] == [  # sorted by started_at
        (str(run_b), str(manifest_b), None),
        (str(run_a), str(manifest_a), None),
    ]
    # the manifest no run claims is an invocation of its own (dbt parse, dbt ls)
    [alone] = [b for b in found.bundles if b.run.header.kind == "manifest"]
    assert _paths(alone) == (str(other), str(other), None)
    assert alone.run.invocation["command"][0] == "manifest only"
    assert alone.run.results.is_empty()


def test_pairing_by_folder_picks_the_nearest_in_time(tmp_path: Path) -> None:
    run = _run(tmp_path, "inv", "2026-03-01T06:00:00Z")
    _manifest(tmp_path, "m1", name="manifest_old.json", generated_at="2026-02-01T00:00:00Z")
    near = _manifest(tmp_path, "m2", name="manifest.json", generated_at="2026-03-01T06:00:30Z")
    found = discover([tmp_path])
    (bundle,) = _runs(found)
    assert _paths(bundle) == (str(run), str(near), None)


def test_docs_generate_pairs_with_its_catalog(tmp_path: Path) -> None:
    build = _run(tmp_path / "build", "inv-build", "2026-03-01T06:00:00Z")
    docs_doc = run_results([run_result("model.shop.orders")], which="generate")
    docs_doc["metadata"] |= {
        "invocation_id": "inv-docs",
        "invocation_started_at": "2026-03-01T07:00:00Z",
    }
    docs = write_json(tmp_path / "docs" / "run_results.json.gz", docs_doc)
    catalog = _catalog(tmp_path / "docs" / "elsewhere", "inv-docs", name="catalog.json.gz")
    found = discover([tmp_path])
    assert found.errors == []
    assert [_paths(b) for b in found.bundles] == [
        (str(build), None, None),
        (str(docs), None, str(catalog)),
    ]
    assert found.bundles[1].run.invocation["command"][0] == "docs generate"


def test_sources_json_makes_a_bundle(tmp_path: Path) -> None:
    path = write_json(tmp_path / "sources.json", sources(3))
    _manifest(tmp_path, "11111111-2222-3333-4444-555555555555")
    (bundle,) = discover([tmp_path]).bundles
    assert bundle.run.header.path == path
    assert bundle.run.header.kind == "sources"
    assert bundle.manifest is not None


def test_explicit_files(tmp_path: Path) -> None:
    run = _run(tmp_path / "a", "inv")
    manifest = _manifest(tmp_path / "b", "inv")
    found = discover([run, manifest])
    assert found.errors == []
    assert [_paths(b) for b in found.bundles] == [(str(run), str(manifest), None)]


def test_bad_files_are_errors_but_the_rest_still_decodes(tmp_path: Path) -> None:
    good = _run(tmp_path / "good", "inv-good")
    (tmp_path / "bad").mkdir()
    bad = tmp_path / "bad" / "run_results.json"
    bad.write_text('{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run')
    empty = tmp_path / "bad" / "sources.json.gz"
    empty.write_bytes(b"")
    (tmp_path / "bad" / "notes.json").write_text("{not json")  # not named like an artifact
    found = discover([tmp_path])
    assert [_paths(b) for b in found.bundles] == [(str(good), None, None)]
    assert found.errors == [
        f"{bad}: truncated JSON: the file ends before the JSON does (was it still being written?)",
        f"{empty}: empty file: dbt writes artifacts at the end of a command; was it cut short?",
    ]


def test_an_explicit_file_that_is_not_an_artifact_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "semantic_manifest.json"
    path.write_text('{"semantic_models": [], "metrics": []}')
    found = discover([path])
    assert found.bundles == []
    assert found.errors == [f"{path}: not a dbt artifact: it has no metadata object"]


def test_a_broken_manifest_leaves_the_run_without_one(tmp_path: Path) -> None:
    run = _run(tmp_path, "inv")
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        '{"metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v99.json"}}'
    )
    found = discover([tmp_path])
    assert [_paths(b) for b in found.bundles] == [(str(run), None, None)]
    assert found.errors == [
        f"{manifest}: unsupported schema version: expected manifest v1–v12"
        " or v20 (dbt Fusion), found v99; a newer dbt-monitor may read it"
    ]


def test_a_manifest_alone_is_an_invocation_and_a_catalog_alone_is_not(tmp_path: Path) -> None:
    manifest = _manifest(tmp_path, "inv")
    catalog = _catalog(tmp_path, "inv")
    in_folder = discover([tmp_path])
    assert in_folder.errors == []  # the lone catalog found in a folder: skipped silently
    assert [_paths(b) for b in in_folder.bundles] == [(str(manifest), str(manifest), None)]
    found = discover([manifest, catalog])
    assert [b.run.invocation_id for b in found.bundles] == ["inv"]
    assert found.errors == [
        f"{catalog}: a catalog.json needs the run_results.json of its `dbt docs generate` beside it"
    ]


def test_folder_without_artifacts(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "semantic_manifest.json").write_text("{}")
    found = discover([tmp_path / "empty", tmp_path / "other", tmp_path / "missing"])
    assert found.bundles == []
    assert found.errors == [
        f"{tmp_path / 'empty'}: no dbt artifacts here (looked for run_results.json, "
        "sources.json, manifest.json and catalog.json, also .json.gz)",
        f"{tmp_path / 'other'}: no dbt artifacts here (looked for run_results.json, "
        "sources.json, manifest.json and catalog.json, also .json.gz)",
        f"{tmp_path / 'missing'}: no such file or folder",
    ]


def test_each_manifest_is_decoded_once_and_only_when_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = _manifest(tmp_path / "manifests", "inv-1")
    _run(tmp_path / "r1", "inv-1")
    doc = run_results([run_result("model.shop.orders")])
    doc["metadata"]["invocation_id"] = "inv-1"  # the same invocation again: one bundle, a warning
    write_json(tmp_path / "r2" / "run_results.json.gz", doc)
    lone = _manifest(tmp_path / "unused", "inv-9")
    decoded: list[Path] = []
    real = discover_module.decode

    def counting(header: Header, raw: bytes, *, validate: bool = True) -> Any:
        decoded.append(header.path)
        return real(header, raw, validate=validate)

    monkeypatch.setattr(discover_module, "decode", counting)
    found = discover([tmp_path])
    assert decoded == []  # pairing reads metadata only; decoding waits for the bundles
    assert len(found.bundles) == 2  # the lone manifest is an invocation of its own
    assert found.errors == []
    assert sorted(path for path in decoded if path.name.startswith("manifest")) == [shared, lone]
    assert len(_runs(found)) == 1
    assert found.warnings == [
        f"{tmp_path / 'r2' / 'run_results.json.gz'}: invocation inv-1 is also in "
        f"{tmp_path / 'r1' / 'run_results.json'}; using that one"
    ]


def test_progress_counts_every_file(tmp_path: Path) -> None:
    _run(tmp_path / "a", "inv-a")
    _manifest(tmp_path / "a", "inv-a")
    _manifest(tmp_path / "b", "unused")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "run_results.json").write_text("")
    calls: list[tuple[int, int]] = []
    found = discover([tmp_path], progress=lambda done, total: calls.append((done, total)))
    assert len(found.bundles) == 2
    assert calls[0] == (0, 4)
    assert calls[-1] == (4, 4)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_schema_warnings_are_passed_on(tmp_path: Path) -> None:
    doc = run_results([run_result("model.shop.orders", status="Success")])
    path = write_json(tmp_path / "run_results.json", doc)
    found = discover([tmp_path])
    assert len(found.bundles) == 1
    (warning,) = found.warnings
    assert warning.startswith(f"{path}: differs from dbt's run-results v6 schema")
    unchecked = discover([tmp_path], validate=False)
    assert (len(unchecked.bundles), unchecked.warnings) == (1, [])


@pytest.mark.parametrize(
    ("name", "artifact"),
    [
        ("run_results.json", True),
        ("run_results.json.gz", True),
        ("sources.json", True),
        ("manifest.json", True),
        ("manifest_1.12.json", True),
        ("catalog-prod.json.gz", True),
        ("semantic_manifest.json", False),
        ("graph_summary.json", False),
        ("perf_info.json", False),
        ("manifest.json.bak", False),
        ("manifests.json", False),
        ("run_results.parquet", False),
    ],
)
def test_artifact_names(name: str, artifact: bool) -> None:
    assert is_artifact_name(name) is artifact


def test_the_corpus(tmp_path: Path) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    found = discover([CORPUS])
    assert found.errors == []
    assert found.warnings == []
    relative = [
        tuple(None if p is None else str(Path(p).relative_to(CORPUS)) for p in _paths(b))
        for b in _runs(found)
    ]
    # every manifest ingests: paired with its run, or as an invocation of its own
    in_bundles = {b.manifest.header.path for b in found.bundles if b.manifest is not None}
    assert in_bundles == set(CORPUS.rglob("manifest*.json"))
    assert relative == [
        ("run_results/v1/jaffle_shop/run_results.json", None, None),
        ("run_results/v2/jaffle_shop/run_results.json", None, None),
        ("run_results/v3/jaffle_shop/run_results.json", None, None),
        ("run_results/v4/jaffle_shop/run_results.json", None, None),
        (
            "run_results/v5/jaffle_shop/run_results.json",
            "manifest/v11/jaffle_shop/manifest.json",
            None,
        ),
        (
            "run_results/v6/jaffle_shop/run_results.json",
            "manifest/v12/jaffle_shop/manifest_1.9.json",
            None,
        ),
        (
            "run_results/v6/jaffle_shop/run_results_1.11.json",
            None,
            "catalog/v1/jaffle_shop/catalog_1.11.json",
        ),
        (
            "run_results/v6/jaffle_shop/run_results_1.12.json",
            "manifest/v12/jaffle_shop/manifest_1.12.json",
            "catalog/v1/jaffle_shop/catalog_1.12.json",
        ),
    ]
    started = [b.run.invocation["started_at"][0] for b in found.bundles]
    assert started == sorted(started)
    assert all(isinstance(when, dt.datetime) for when in started)


def test_recorded_runs(tmp_path: Path) -> None:
    if not RUNS.is_dir() or not any(RUNS.rglob("*.json.gz")):
        pytest.skip(f"no recorded runs in {RUNS}")
    copy = tmp_path / "runs"
    shutil.copytree(RUNS, copy)
    found = discover([copy])
    assert found.errors == []
    assert found.warnings == []
    assert found.bundles
    for bundle in found.bundles:
        assert bundle.manifest is not None
        assert bundle.run.header.path.parent == bundle.manifest.header.path.parent
        if bundle.run.invocation["command"][0] == "docs generate":
            assert bundle.catalog is not None


def test_a_cut_short_manifest_is_an_error_the_run_still_lands(tmp_path: Path) -> None:
    run = _run(tmp_path / "a", "inv-a")
    lone = _manifest(tmp_path / "b", "inv-b")
    lone.write_bytes(lone.read_bytes()[:-20])  # cut short after its metadata
    used = _manifest(tmp_path / "a", "inv-a", name="manifest.json.gz")
    used.write_bytes(used.read_bytes()[:-20])
    found = discover([tmp_path])
    assert [_paths(b) for b in found.bundles] == [(str(run), None, None)]
    assert len(found.errors) == 2
    assert found.errors[0].startswith(f"{used}: bad gzip: ")
    assert found.errors[1].startswith(f"{lone}: truncated JSON")
