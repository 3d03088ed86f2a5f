"""A dbt Cloud Administrative API v2 stand-in on 127.0.0.1 serving the recorded Greenery runs.

Account 7 has job 42 (the nightly: one run per recorded night, steps clone,
profile, deps, source freshness, build, docs generate, plus a newest run
still running) and job 43 (pull-request builds). Only the paths and answer
shapes the public clients use are served (see monitor/artifacts/dbt_cloud.py);
everything else is a 404. Account 8 answers 403, a wrong token 401; the
``throttle`` set makes the first request to a path answer 429.
"""

from __future__ import annotations

import gzip
import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RUNS = Path(__file__).resolve().parents[2] / "fixtures" / "runs"
TOKEN = "dbtc_test_token"
ACCOUNT = 7
NIGHTLY, PULL_REQUESTS = 42, 43
RUNNING = 9999
"""The id of the nightly job's newest run, not finished yet."""
MAX_PAGE = 5
"""The server's page size cap (small, so that listing a job paginates)."""

NIGHTLY_STEPS = (
    ("Clone git repository", None),
    ("Create profile from connection Greenery", None),
    ("Invoke dbt with `dbt deps`", None),
    ("Invoke dbt with `dbt source freshness`", "01-source-freshness"),
    ("Invoke dbt with `dbt build`", "02-build"),
    ("Invoke dbt with `dbt docs generate`", "03-docs-generate"),
)
PR_STEPS = (
    ("Clone git repository", None),
    ("Invoke dbt with `dbt build --select state:modified+`", "04-pr-build"),
)


@dataclass
class Run:
    id: int
    job: int
    day: str
    steps: tuple[tuple[str, str | None], ...]
    status: int = 10

    def body(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "account_id": ACCOUNT,
            "job_definition_id": self.job,
            "project_id": 3,
            "environment_id": 5,
            "status": self.status,
            "git_sha": f"{self.id:040x}",
            "git_branch": "main" if self.job == NIGHTLY else f"pr-{self.id}",
            "created_at": f"{self.day} 02:00:00.000000+00:00",
            "trigger": {"id": self.id, "cause": "Scheduled" if self.job == NIGHTLY else "PR"},
            "job": {"id": self.job, "name": "Nightly" if self.job == NIGHTLY else "CI"},
            "run_steps": [
                {"index": index, "name": name, "status": 10}
                for index, (name, _) in enumerate(self.steps, start=1)
            ],
        }


def recorded_runs() -> list[Run]:
    """One nightly run per recorded day, one PR run per recorded PR build, one still running."""
    runs: list[Run] = []
    for day in sorted(path.name for path in RUNS.iterdir() if path.is_dir()):
        runs.append(Run(1000 + len(runs), NIGHTLY, day, NIGHTLY_STEPS))
        if (RUNS / day / "04-pr-build").is_dir():
            runs.append(Run(1000 + len(runs), PULL_REQUESTS, day, PR_STEPS))
    runs.append(Run(RUNNING, NIGHTLY, "2021-02-18", NIGHTLY_STEPS, status=3))
    return runs


@dataclass
class Api:
    """The server's state: its runs, the requests it saw, the paths to throttle once."""

    runs: dict[int, Run] = field(default_factory=lambda: {r.id: r for r in recorded_runs()})
    seen: list[str] = field(default_factory=list)
    throttle: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def artifact_requests(self) -> list[str]:
        return [path for path in self.seen if "/artifacts/" in path]


class Handler(BaseHTTPRequestHandler):
    api: Api

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        query = {key: values[-1] for key, values in urllib.parse.parse_qs(url.query).items()}
        with self.api.lock:
            self.api.seen.append(self.path)
            if url.path in self.api.throttle:
                self.api.throttle.discard(url.path)
                return self._send(429, b'{"status": {"code": 429}}', {"Retry-After": "0"})
        if self.headers.get("Authorization") != f"Token {TOKEN}":
            return self._send(401, b'{"status": {"code": 401, "user_message": "Invalid token"}}')
        parts = [part for part in url.path.split("/") if part]
        if parts[:3] != ["api", "v2", "accounts"] or len(parts) < 5:
            return self._send(404, b"{}")
        if parts[3] != str(ACCOUNT):
            return self._send(403, b'{"status": {"code": 403}}')
        self._route(parts[4:], query)

    def _route(self, parts: list[str], query: dict[str, str]) -> None:
        if parts == ["runs"]:
            return self._json(self._list(query))
        run = (
            self.api.runs.get(int(parts[1])) if parts[0] == "runs" and parts[1].isdigit() else None
        )
        if run is None:
            return self._send(404, b'{"status": {"code": 404}}')
        if len(parts) == 2:
            return self._json({"data": run.body()})
        if len(parts) == 4 and parts[2] == "artifacts":
            return self._artifact(run, parts[3], int(query.get("step", len(run.steps))))
        return self._send(404, b"{}")

    def _list(self, query: dict[str, str]) -> dict[str, Any]:
        job = int(query["job_definition_id"])
        assert query.get("order_by") == "-id"
        runs = sorted((r for r in self.api.runs.values() if r.job == job), key=lambda r: -r.id)
        limit, offset = min(int(query.get("limit", MAX_PAGE)), MAX_PAGE), int(query["offset"])
        page = runs[offset : offset + limit]
        return {
            "data": [run.body() for run in page],
            "extra": {
                "filters": {"limit": limit, "offset": offset},
                "pagination": {"count": len(page), "total_count": len(runs)},
            },
        }

    def _artifact(self, run: Run, name: str, step: int) -> None:
        folder = run.steps[step - 1][1] if 1 <= step <= len(run.steps) else None
        path = RUNS / run.day / folder / f"{name}.gz" if folder else None
        if path is None or not path.is_file():
            return self._send(404, b'{"status": {"code": 404, "user_message": "not found"}}')
        self._send(200, gzip.decompress(path.read_bytes()))

    def _json(self, doc: dict[str, Any]) -> None:
        self._send(200, json.dumps(doc).encode())

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


def serve() -> Iterator[tuple[str, Api]]:
    """Run the server on a free port; yield its base URL and state."""
    api = Api()
    handler = type("BoundHandler", (Handler,), {"api": api})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", api
    finally:
        server.shutdown()
        server.server_close()
