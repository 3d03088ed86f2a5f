"""A stand-in for dbt in the ``exec`` tests: prints, writes real artifacts, exits as told.

    python fake_dbt.py RUN_FOLDER EXIT [--target-path DIR] [--mode MODE]

It copies the recorded artifacts of ``RUN_FOLDER`` (a ``fixtures/runs``
invocation) into the target path with a fresh invocation_id and timestamps of
now, as a new dbt run would, prints a few lines on stdout and stderr, and
exits with EXIT. Modes:

- ``write`` (default): write the artifacts, then exit;
- ``none``: write nothing (dbt died before writing);
- ``old``: copy the recorded artifacts unchanged (generated in 2021);
- ``killed``: write the artifacts, then kill itself with SIGKILL;
- ``wait``: touch ``<target>/.ready``, wait for SIGTERM, then write the
  artifacts and die of that SIGTERM (as dbt cancels and writes on a signal).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import signal
import sys
import time
import uuid
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("run_folder", type=Path)
    parser.add_argument("exit", type=int)
    parser.add_argument("--target-path", type=Path, default=Path("target"))
    parser.add_argument("--project-dir", type=Path, default=Path())
    parser.add_argument("--mode", default="write")
    args = parser.parse_args()
    target = args.project_dir / args.target_path  # an absolute target path wins
    print("Running with dbt=1.11.16 (a stand-in)")
    print("Found 18 models, 45 data tests", flush=True)
    print("a line on stderr", file=sys.stderr, flush=True)
    if args.mode == "wait":
        signal.signal(signal.SIGTERM, lambda *_: _die_of_sigterm(args.run_folder, target))
        target.mkdir(parents=True, exist_ok=True)
        (target / ".ready").touch()
        while True:
            time.sleep(0.05)
    if args.mode != "none":
        write(args.run_folder, target, fresh=args.mode != "old")
    print("Done.", flush=True)
    if args.mode == "killed":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.exit(args.exit)


def _die_of_sigterm(run_folder: Path, target: Path) -> None:
    write(run_folder, target, fresh=True)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.kill(os.getpid(), signal.SIGTERM)


def write(run_folder: Path, target: Path, *, fresh: bool) -> None:
    """Every artifact of ``run_folder`` into ``target``, as one new invocation."""
    target.mkdir(parents=True, exist_ok=True)
    invocation_id = str(uuid.uuid4())
    now = dt.datetime.now(dt.UTC)
    for path in sorted(run_folder.glob("*.json.gz")):
        doc: dict[str, Any] = json.loads(gzip.decompress(path.read_bytes()))
        if fresh:
            meta = doc["metadata"]
            meta["invocation_id"] = invocation_id
            meta["generated_at"] = now.isoformat().replace("+00:00", "Z")
            if "invocation_started_at" in meta:
                meta["invocation_started_at"] = meta["generated_at"]
        (target / path.name.removesuffix(".gz")).write_text(json.dumps(doc))


if __name__ == "__main__":
    main()
