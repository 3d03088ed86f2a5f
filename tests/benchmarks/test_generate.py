"""benchmarks/generate.py writes artifacts dbt-artifacts-parser accepts, with a sane run."""

from __future__ import annotations

import importlib.util
import itertools
import json
import math
import statistics
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner
from dbt_artifacts_parser.parser import parse_manifest, parse_run_results, parse_sources
from dbt_artifacts_parser.parsers.manifest.manifest_v12 import ManifestV12
from dbt_artifacts_parser.parsers.run_results.run_results_v6 import RunResultsV6
from dbt_artifacts_parser.parsers.sources.sources_v3 import SourcesV3

SCRIPT = Path(__file__).parents[2] / "benchmarks" / "generate.py"
BUILT = ("model", "test", "seed", "snapshot")


def _load() -> ModuleType:
    # benchmarks/ is a folder of scripts, not a package: load the file itself.
    spec = importlib.util.spec_from_file_location("benchmarks_generate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


gen = _load()


def _json(path: Path) -> dict:
    return json.loads(path.read_bytes())


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("small") / "out"
    return gen.generate(out, models=50, tests=50, invocations=2, seed=7)


@pytest.fixture(scope="module")
def manifest(folders: list[Path]) -> dict:
    return _json(folders[0] / "manifest.json")


def test_one_folder_per_invocation_sharing_one_manifest_file(folders: list[Path]) -> None:
    assert [f.name for f in folders] == ["0000", "0001"]
    for folder in folders:
        assert sorted(p.name for p in folder.iterdir()) == [
            "manifest.json",
            "run_results.json",
            "sources.json",
        ]
    first, second = (f / "manifest.json" for f in folders)
    assert first.stat().st_ino == second.stat().st_ino


def test_manifest_is_v12_with_the_requested_counts(manifest: dict) -> None:
    assert isinstance(parse_manifest(manifest), ManifestV12)
    kinds = defaultdict(int)
    for node in manifest["nodes"].values():
        kinds[node["resource_type"]] += 1
    assert dict(kinds) == {"model": 50, "test": 50, "seed": 2, "snapshot": 2}
    assert len(manifest["sources"]) == 5
    assert len(manifest["exposures"]) == 2
    assert manifest["metadata"]["adapter_type"] == "bigquery"


def test_tests_are_attached_generic_tests_on_model_columns(manifest: dict) -> None:
    nodes = manifest["nodes"]
    tests = [n for n in nodes.values() if n["resource_type"] == "test"]
    for test in tests:
        model = nodes[test["attached_node"]]
        assert model["resource_type"] == "model"
        assert test["column_name"] in model["columns"]
        assert test["test_metadata"]["name"] in {
            "unique",
            "not_null",
            "relationships",
            "accepted_values",
        }
        assert set(test["depends_on"]["nodes"]) == set(manifest["parent_map"][test["unique_id"]])
    assert {"unique", "not_null"} <= {t["test_metadata"]["name"] for t in tests}


def test_every_model_reads_from_something_upstream(manifest: dict) -> None:
    nodes = manifest["nodes"]
    for uid, node in nodes.items():
        if node["resource_type"] != "model":
            continue
        parents = node["depends_on"]["nodes"]
        assert parents, uid
        assert all(p in nodes or p in manifest["sources"] for p in parents)
        assert manifest["parent_map"][uid] == sorted(parents)


def test_run_results_are_v6_and_cover_every_built_node(folders: list[Path], manifest: dict) -> None:
    built = {uid for uid, n in manifest["nodes"].items() if n["resource_type"] in BUILT}
    ids = set()
    for folder in folders:
        run = _json(folder / "run_results.json")
        assert isinstance(parse_run_results(run), RunResultsV6)
        assert {r["unique_id"] for r in run["results"]} == built
        assert len(run["results"]) == len(built)
        assert {r["thread_id"] for r in run["results"]} <= {
            f"Thread-{n} (worker)" for n in range(1, 5)
        }
        statuses = {r["status"] for r in run["results"]}
        assert statuses <= {"success", "pass", "fail", "warn", "error", "skipped"}
        ids.add(run["metadata"]["invocation_id"])
    assert len(ids) == 2


def test_sources_are_v3_results_for_sources_with_a_freshness(
    folders: list[Path], manifest: dict
) -> None:
    checked = {
        uid for uid, s in manifest["sources"].items() if s["freshness"]["warn_after"]["count"]
    }
    for folder in folders:
        fresh = _json(folder / "sources.json")
        assert isinstance(parse_sources(fresh), SourcesV3)
        assert {r["unique_id"] for r in fresh["results"]} == checked


def test_invocations_are_nightly_from_2024_01_01(folders: list[Path]) -> None:
    starts = [
        _json(f / name)["metadata"]["invocation_started_at"]
        for f in folders
        for name in ("sources.json", "run_results.json")
    ]
    assert [s[:15] for s in starts] == ["2024-01-01T02:0"] * 2 + ["2024-01-02T02:0"] * 2
    assert starts == sorted(starts)


def _timings(run: dict) -> list[tuple[str, str, str, str]]:
    """(thread, unique_id, first start, last end) of every node that ran."""
    return [
        (
            r["thread_id"],
            r["unique_id"],
            r["timing"][0]["started_at"],
            r["timing"][-1]["completed_at"],
        )
        for r in run["results"]
        if r["timing"]
    ]


def test_each_thread_runs_one_node_at_a_time(folders: list[Path]) -> None:
    by_thread = defaultdict(list)
    for thread, _, start, end in _timings(_json(folders[0] / "run_results.json")):
        by_thread[thread].append((start, end))
    assert len(by_thread) == 4
    for spans in by_thread.values():
        spans.sort()
        for (_, end), (next_start, _) in itertools.pairwise(spans):
            assert end < next_start


def test_nodes_start_after_their_parents_and_the_parents_tests_finish(
    folders: list[Path], manifest: dict
) -> None:
    nodes = manifest["nodes"]
    tests_of = defaultdict(list)
    for uid, node in nodes.items():
        if node["resource_type"] == "test":
            tests_of[node["attached_node"]].append(uid)
    run = _json(folders[0] / "run_results.json")
    spans = {uid: (start, end) for _, uid, start, end in _timings(run)}
    for uid, (start, _) in spans.items():
        parents = nodes[uid]["depends_on"].get("nodes", [])
        if nodes[uid]["resource_type"] == "model":  # dbt build: tests gate the children
            parents = parents + [t for p in parents for t in tests_of[p]]
        for parent in parents:
            if parent in spans:
                assert spans[parent][1] < start, (parent, uid)


def test_execution_time_is_stable_per_node_and_varies_across_nodes(
    folders: list[Path],
) -> None:
    runs = [_json(f / "run_results.json")["results"] for f in folders]
    nights = [{r["unique_id"]: r["execution_time"] for r in run if r["timing"]} for run in runs]
    both = [uid for uid in nights[0] if uid in nights[1] and uid.startswith("model.")]
    run_to_run = statistics.stdev(math.log(nights[1][u] / nights[0][u]) for u in both)
    node_to_node = statistics.stdev(math.log(nights[0][u]) for u in both)
    assert run_to_run < node_to_node / 3


def test_a_failing_model_skips_everything_downstream_of_it() -> None:
    project = gen.build_project(models=30, tests=30, seed=3)
    staging = project.models[0]
    project.behaviour[staging.uid].p_bad = 1.0
    run = json.loads(gen.invocation(project, 0).run_results)
    status = {r["unique_id"]: r for r in run["results"]}
    failed = status[staging.uid]
    assert failed["status"] == "error"
    assert failed["adapter_response"] == {}
    assert [t["name"] for t in failed["timing"]] == ["compile"]
    assert "Database Error in model" in failed["message"]
    downstream = {t.uid for t in project.tests if staging in t.parents}
    downstream |= {m.uid for m in project.models if staging in m.parents}
    assert downstream
    for uid in downstream:
        assert status[uid]["status"] == "skipped"
        assert status[uid]["compiled"] is False
        assert status[uid]["compiled_code"] is None


def test_same_seed_same_bytes_and_no_compiled_code_option(tmp_path: Path) -> None:
    first = gen.generate(tmp_path / "a", models=20, tests=20, seed=1)[0]
    again = gen.generate(tmp_path / "b", models=20, tests=20, seed=1)[0]
    bare = gen.generate(tmp_path / "c", models=20, tests=20, seed=1, compiled_code=False)[0]
    for name in ("manifest.json", "run_results.json", "sources.json"):
        assert (first / name).read_bytes() == (again / name).read_bytes()
    results = _json(bare / "run_results.json")["results"]
    assert all(r["compiled_code"] in (None, "") for r in results)
    assert (bare / "run_results.json").stat().st_size < (first / "run_results.json").stat().st_size


def test_cli_writes_folders_and_reports_sizes(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        gen.main, [str(tmp_path / "out"), "--models", "20", "--tests", "20", "--invocations", "3"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote 3 invocation folder(s) to {tmp_path / 'out'} in ")
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["0000", "0001", "0002"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--models", "5"], "5 is not in the range x>=10"),
        (["--models", "10", "--tests", "1000"], "more than the"),
        (["--days-per-invocation", "0"], "0.0 is not in the range x>0"),
    ],
)
def test_cli_bad_usage_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = CliRunner().invoke(gen.main, [str(tmp_path / "out"), *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    result = CliRunner().invoke(gen.main, [str(tmp_path), "--models", "10", "--tests", "5"])
    assert result.exit_code == 2
    assert f"{tmp_path} is not an empty folder; choose a new one" in result.output


def test_cli_has_help() -> None:
    result = CliRunner().invoke(gen.main, ["--help"])
    assert result.exit_code == 0
    assert "--no-compiled-code" in result.output
