"""A real HTTP server on 127.0.0.1 that records requests and answers like a chat service.

Answers come from a script, one per request, then the default: ``200 ok``,
``(429, "1")`` (Retry-After seconds), ``500``, ``404``, or ``"hang"`` (answer
only after :data:`HANG` seconds, longer than the client's timeout). Paths
ending in ``chat.postMessage`` answer like Slack's Web API (``{"ok": true,
"ts": …}``); ``/v2/enqueue`` like PagerDuty (202).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

HANG = 3.0


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder:
    url: str = ""
    requests: list[Request] = field(default_factory=list)
    script: list[Any] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bodies(self) -> list[Any]:
        return [r.json() for r in self.requests]


def _handler(recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            with recorder.lock:
                answer = recorder.script.pop(0) if recorder.script else 200
                recorder.requests.append(Request(self.path, dict(self.headers), body))
                count = len(recorder.requests)
            if answer == "hang":
                time.sleep(HANG)
                answer = 200
            if isinstance(answer, tuple):
                self.send_response(answer[0])
                self.send_header("Retry-After", answer[1])
                self.end_headers()
                self.wfile.write(b"rate_limited")
                return
            if answer != 200:
                self.send_response(answer)
                self.end_headers()
                self.wfile.write(b"no_service")
                return
            if self.path.endswith("chat.postMessage"):
                reply = json.dumps({"ok": True, "ts": f"1700000000.{count:06d}"}).encode()
                self.send_response(200)
            elif self.path.endswith("/v2/enqueue"):
                reply = b'{"status":"success","message":"Event processed"}'
                self.send_response(202)
            else:
                reply = b"ok"
                self.send_response(200)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

    return Handler


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that gave up on a hanging answer is expected here."""


@pytest.fixture
def server() -> Iterator[Recorder]:
    recorder = Recorder()
    httpd = QuietServer(("127.0.0.1", 0), _handler(recorder))
    httpd.daemon_threads = True
    recorder.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        httpd.shutdown()
        httpd.server_close()
