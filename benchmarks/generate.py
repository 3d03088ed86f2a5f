"""Write the artifacts of a large synthetic dbt project, for benchmarks.

The project is shaped like a real one and its files like the ones dbt 1.11
writes (manifest v12, run-results v6, sources v3, field for field, modelled on
the jaffle_shop files in ``artifacts-corpus/``), so that sizes and parse times
are realistic:

* a layered DAG: one staging model per source table (sources are ~10 % of the
  models), intermediate models joining 1-5 parents, marts joining 2-6, with
  preferential attachment so a few core models have a large fan-out; seeds, a
  few snapshots and exposures;
* generic tests (unique, not_null, relationships, accepted_values) on model
  columns, with ``attached_node`` and ``test_metadata``;
* one nightly ``dbt source freshness`` + ``dbt build`` per invocation on a
  BigQuery target with 4 threads: per-thread sequential compile/execute
  timings, a stable log-normal execution time per node with run-to-run noise,
  slow growth and a few step regressions; mostly success/pass with a few
  fail/warn/error and the skips dbt build cascades from them.

Each invocation gets a folder ``OUT/<NNNN>/`` (0000 is 2024-01-01 02:00 UTC,
the next one ``days_per_invocation`` later) holding ``manifest.json``,
``run_results.json`` and ``sources.json``. The project does not change between
invocations, so the manifest is written once and hard-linked into every folder
(copied where links are not possible): its ``invocation_id`` is that of
invocation 0000 and differs from the run_results' own ones, so a tool must pair
a manifest with its run by folder, not by ``invocation_id``.

Run ``python benchmarks/generate.py OUT_DIR --help`` for the options, or call
:func:`generate`. The same arguments and seed always give the same bytes.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import click

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run as a script, too

# The work is split by job: the project (DAG, columns, tests), its manifest,
# its SQL, and how it runs night after night. These names are this module's API.
from benchmarks.synth_manifest import manifest_dict
from benchmarks.synth_project import (
    FIRST_RUN,
    GenerateError,
    Project,
    build_project,
    first_run,
)
from benchmarks.synth_runs import Invocation, invocation

__all__ = [
    "FIRST_RUN",
    "GenerateError",
    "Invocation",
    "Project",
    "build_project",
    "first_run",
    "generate",
    "invocation",
    "main",
    "manifest_dict",
]

# ------------------------------------------------------------ API and CLI


def generate(
    out_dir: Path | str,
    *,
    models: int = 3000,
    tests: int = 3000,
    invocations: int = 1,
    days_per_invocation: float = 1.0,
    seed: int = 0,
    compiled_code: bool = True,
) -> list[Path]:
    """Write ``invocations`` folders ``out_dir/<NNNN>/`` and return them in order.

    ``out_dir`` must be empty or absent. Raises :class:`GenerateError` on bad
    arguments.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise GenerateError(f"{out} is not an empty folder; choose a new one")
    if invocations < 1 or days_per_invocation <= 0 or tests < 0:
        raise GenerateError("--invocations must be >= 1, --days-per-invocation > 0, --tests >= 0")
    project = build_project(models, tests, seed)
    width = max(4, len(str(invocations - 1)))
    folders: list[Path] = []
    manifest: Path | None = None
    start = first_run(invocations, days_per_invocation)
    for index in range(invocations):
        night = invocation(project, index, days_per_invocation, compiled_code, start)
        folder = out / f"{index:0{width}d}"
        folder.mkdir(parents=True)
        if manifest is None:
            manifest = folder / "manifest.json"
            body = manifest_dict(project, night.build_id, night.build_started)
            manifest.write_text(json.dumps(body), encoding="utf-8")
        else:
            _link(manifest, folder / "manifest.json")
        (folder / "run_results.json").write_bytes(night.run_results)
        (folder / "sources.json").write_bytes(night.sources)
        folders.append(folder)
    return folders


def _link(existing: Path, new: Path) -> None:
    try:
        os.link(existing, new)
    except OSError:  # a filesystem without hard links
        shutil.copyfile(existing, new)


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--models",
    default=3000,
    show_default=True,
    type=click.IntRange(min=10),
    help="Models in the project; sources (10 %), seeds and snapshots scale with it.",
)
@click.option(
    "--tests", default=3000, show_default=True, type=click.IntRange(min=0), help="Data tests."
)
@click.option(
    "--invocations",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Nightly runs, one folder each.",
)
@click.option(
    "--days-per-invocation",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Time between two invocations (0.25 = every 6 hours).",
)
@click.option("--seed", default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--compiled-code/--no-compiled-code",
    default=True,
    show_default=True,
    help="Write compiled_code in run_results (off: much smaller files for long histories).",
)
def main(
    out_dir: Path,
    models: int,
    tests: int,
    invocations: int,
    days_per_invocation: float,
    seed: int,
    compiled_code: bool,
) -> None:
    """Write a synthetic dbt project's artifacts into OUT_DIR/<NNNN>/, one folder per night."""
    began = time.perf_counter()
    try:
        folders = generate(
            out_dir,
            models=models,
            tests=tests,
            invocations=invocations,
            days_per_invocation=days_per_invocation,
            seed=seed,
            compiled_code=compiled_code,
        )
    except GenerateError as error:
        raise click.UsageError(str(error)) from None
    first = folders[0]
    seconds = time.perf_counter() - began
    click.echo(
        f"wrote {len(folders)} invocation folder(s) to {out_dir} in {seconds:.1f} s: "
        f"manifest.json {_megabytes(first / 'manifest.json')}, "
        f"run_results.json {_megabytes(first / 'run_results.json')}, "
        f"sources.json {_megabytes(first / 'sources.json')} (first folder)"
    )


if __name__ == "__main__":
    main()
