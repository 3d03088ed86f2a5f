"""The strict msgspec check never passes a file dbt-artifacts-parser refuses.

Run on every real run-results v6 and sources v3 file (corpus and recorded
fixtures) and on mutations of one, each placed in the last result, where
checking only the first results (as before) would miss it.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic
import pytest

from monitor.artifacts.detect import parse_header
from monitor.artifacts.strict import strictly_valid
from monitor.artifacts.validate import parser_model, schema_warning
from tests.artifacts.samples import CORPUS, load_json, recorded_files

V6 = sorted((CORPUS / "run_results" / "v6").rglob("*.json"))


def _pydantic_accepts(raw: bytes) -> bool:
    header = parse_header(Path("x.json"), raw)
    try:
        parser_model(header).model_validate_json(raw)
    except pydantic.ValidationError:
        return False
    return True


def _check(raw: bytes) -> tuple[bool, bool]:
    header = parse_header(Path("x.json"), raw)
    strict, lax = strictly_valid(header, raw), _pydantic_accepts(raw)
    assert not strict or lax, "strict accepted what dbt-artifacts-parser refuses"
    assert (schema_warning(header, raw) is None) == lax
    return strict, lax


@pytest.mark.parametrize(
    "path",
    [pytest.param(p, id=str(p.relative_to(CORPUS))) for p in V6] + recorded_files("run_results"),
)
def test_real_files_agree(path: Path) -> None:
    raw = json.dumps(load_json(path)).encode()
    header = parse_header(path, raw)
    strict, lax = _check(raw)
    if header.schema_version == 6:
        assert strict == lax


def _last(change: Callable[[dict[str, Any]], None]) -> Callable[[dict[str, Any]], None]:
    def apply(doc: dict[str, Any]) -> None:
        change(doc["results"][-1])

    return apply


MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], bool]] = {
    # name: (mutation, does dbt-artifacts-parser still accept it?)
    "unknown result field": (_last(lambda r: r.update(new_field=1)), False),
    "bad status": (_last(lambda r: r.update(status="exploded")), False),
    "no thread_id": (_last(lambda r: r.pop("thread_id")), False),
    "thread_id a number": (_last(lambda r: r.update(thread_id=3)), False),
    "execution_time a numeric string": (_last(lambda r: r.update(execution_time="2.5")), True),
    "execution_time text": (_last(lambda r: r.update(execution_time="slow")), False),
    "failures a whole float": (_last(lambda r: r.update(failures=3.0)), True),
    "failures a fraction": (_last(lambda r: r.update(failures=3.5)), False),
    "adapter_response a list": (_last(lambda r: r.update(adapter_response=[])), False),
    "unknown timing field": (_last(lambda r: r["timing"].append({"name": "x", "at": 1})), False),
    "timing without a name": (_last(lambda r: r["timing"].append({})), False),
    "unknown metadata field": (lambda d: d["metadata"].update(surprise=True), False),
    "env not text": (lambda d: d["metadata"].update(env={"A": 1}), False),
    "no elapsed_time": (lambda d: d.pop("elapsed_time"), False),
    "message null": (_last(lambda r: r.update(message=None)), True),
    "batch results": (_last(lambda r: r.update(batch_results={"successful": [[1, 2]]})), True),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_mutations_of_the_last_result_agree(name: str) -> None:
    change, accepted = MUTATIONS[name]
    doc = copy.deepcopy(load_json(CORPUS / "run_results/v6/jaffle_shop/run_results_1.12.json"))
    change(doc)
    strict, lax = _check(json.dumps(doc).encode())
    assert lax == accepted
    if not accepted:
        assert not strict


@pytest.mark.parametrize("path", recorded_files("sources"))
def test_real_sources_files_agree(path: Path) -> None:
    raw = json.dumps(load_json(path)).encode()
    strict, lax = _check(raw)
    assert strict and lax  # real dbt output: the fast check answers alone


def _errored(result: dict[str, Any]) -> None:
    """The last result as dbt writes a source whose check could not run."""
    unique_id = result["unique_id"]
    result.clear()
    result.update(unique_id=unique_id, status="runtime error", error="relation does not exist")


SOURCE_MUTATIONS: dict[str, tuple[Callable[[dict[str, Any]], None], bool]] = {
    # name: (mutation, does dbt-artifacts-parser still accept it?)
    "a source that errored": (_last(_errored), True),
    "an error given as a number": (_last(lambda r: (_errored(r), r.update(error=3))), True),
    "an error result without its error": (_last(lambda r: (_errored(r), r.pop("error"))), True),
    "an error result with a thread": (
        _last(lambda r: (_errored(r), r.update(thread_id="Thread-1"))),
        False,
    ),
    "an error result of status warn": (
        _last(lambda r: (_errored(r), r.update(status="warn"))),
        False,
    ),
    "an error field on a check": (_last(lambda r: r.update(error="x")), False),
    "a check of status runtime error": (_last(lambda r: r.update(status="runtime error")), True),
    "unknown result field": (_last(lambda r: r.update(new_field=1)), False),
    "bad status": (_last(lambda r: r.update(status="stale")), False),
    "no snapshotted_at": (_last(lambda r: r.pop("snapshotted_at")), False),
    "age a numeric string": (_last(lambda r: r.update(max_loaded_at_time_ago_in_s="60")), True),
    "a period of weeks": (
        _last(lambda r: r["criteria"].update(warn_after={"count": 1, "period": "week"})),
        False,
    ),
    "a whole float count": (
        _last(lambda r: r["criteria"].update(warn_after={"count": 12.0, "period": "hour"})),
        True,
    ),
    "unknown criteria field": (_last(lambda r: r["criteria"].update(extra=1)), False),
    "no elapsed_time": (lambda d: d.pop("elapsed_time"), False),
}


@pytest.mark.parametrize("name", list(SOURCE_MUTATIONS))
def test_mutations_of_the_last_source_agree(name: str) -> None:
    change, accepted = SOURCE_MUTATIONS[name]
    (first, *_) = [p.values[0] for p in recorded_files("sources")]
    doc = copy.deepcopy(load_json(first))
    change(doc)
    strict, lax = _check(json.dumps(doc).encode())
    assert lax == accepted
    # only pydantic's coercions (a numeric string, 12.0 for 12) need pydantic's word
    assert strict == (accepted and name not in LAX_ONLY)


LAX_ONLY = {"age a numeric string", "a whole float count"}
