"""Fuzzing the artifact readers with mutated real files: clean errors or clean ingests.

A short budget here (``make test``); ``benchmarks/fuzz_artifacts.py`` runs a
long one and prints how many inputs it tried.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from tests.artifacts.fuzzing import SEEDS, artifact_bytes, check_clean

BUDGET = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,  # the same inputs on every run: a test that fails, fails again
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def test_every_seed_ingests_unmutated() -> None:
    for name, path in SEEDS.items():
        with tempfile.TemporaryDirectory() as folder:
            raw = path.read_bytes()
            target = name.replace("_v1", "") + (".gz" if path.name.endswith(".gz") else "")
            assert check_clean(Path(folder), target, raw) == "ingested", name


@BUDGET
@given(artifact_bytes())
def test_mutated_artifacts_fail_cleanly_or_ingest(case: tuple[str, bytes]) -> None:
    name, raw = case
    with tempfile.TemporaryDirectory() as folder:
        check_clean(Path(folder), name, raw)
