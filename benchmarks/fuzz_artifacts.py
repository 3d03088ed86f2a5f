"""Fuzz the artifact readers for longer than the tests do, and print how many inputs ran.

Usage::

    python benchmarks/fuzz_artifacts.py [--examples 2000] [--seed 0]

Each input is a real artifact file mutated by ``tests/artifacts/fuzzing.py``
(deleted keys, swapped types, huge numbers, unicode, deep nesting,
truncation, flipped bytes, gzip). Reading and ingesting it must end in a
clean one-line error or a clean ingest; the first input that does not is
printed, shrunk, with its traceback, and the script exits 1.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import click

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402

from tests.artifacts.fuzzing import artifact_bytes, check_clean  # noqa: E402


@click.command()
@click.option("--examples", default=2000, show_default=True, help="Inputs to try.")
@click.option(
    "--seed", default=0, show_default=True, help="Hypothesis seed (same seed, same inputs)."
)
def main(examples: int, seed: int) -> None:
    """Print how many mutated artifacts were tried and how each ended."""
    outcomes: Counter[str] = Counter()
    kinds: Counter[str] = Counter()

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(artifact_bytes())
    def fuzz(case: tuple[str, bytes]) -> None:
        name, raw = case
        with tempfile.TemporaryDirectory() as folder:
            outcomes[check_clean(Path(folder), name, raw)] += 1
        kinds[name] += 1

    started = time.perf_counter()
    hypothesis_seed(seed)(fuzz)()
    seconds = time.perf_counter() - started
    total = sum(outcomes.values())
    print(
        f"tried {total} mutated artifacts in {seconds:.0f} s: {outcomes['ingested']} ingested,"
        f" {outcomes['error']} refused with a one-line error, 0 tracebacks"
    )
    print("by file: " + ", ".join(f"{name} {count}" for name, count in sorted(kinds.items())))


if __name__ == "__main__":
    main()
