"""dbt Cloud runs as an artifact source: ``dbt-cloud://ACCOUNT/runs/RUN`` and ``…/jobs/JOB?last=N``.

The dbt Cloud Administrative API v2 (the paths the public clients use: the
Apache Airflow provider's ``DbtCloudHook``, prefect-dbt, dbt-labs' dbt-mcp):

- ``GET /api/v2/accounts/{account}/runs/{run}/?include_related=[...]``: one
  run, with its ``trigger``, ``job`` and ``run_steps``;
- ``GET /api/v2/accounts/{account}/runs/?job_definition_id=J&order_by=-id&limit=L&offset=O``:
  a job's runs, newest first, a page at a time (``extra.pagination.count`` /
  ``total_count``);
- ``GET /api/v2/accounts/{account}/runs/{run}/artifacts/{path}?step=N``: an
  artifact a step wrote under ``target/`` (404 when the step wrote none).

The token comes from ``DBT_CLOUD_API_TOKEN`` (sent as ``Authorization: Token
…``); the host from ``DBT_CLOUD_HOST`` (default ``cloud.getdbt.com``; another
region, a single-tenant or cell host, or ``http://127.0.0.1:PORT``). Each step
with artifacts becomes a folder of the files it wrote, ready for the usual
decoders, and the labels to record with it (job, trigger, git SHA).
"""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.errors import MonitorError

SCHEME = "dbt-cloud://"
DEFAULT_HOST = "cloud.getdbt.com"
DEFAULT_LAST = 30
PAGE_SIZE = 100
"""The most runs dbt Cloud returns in one page."""
ARTIFACTS = ("run_results.json", "sources.json", "manifest.json")
DOCS_ARTIFACTS = ("catalog.json",)
"""Also fetched for a ``dbt docs generate`` step."""
RETRIES = 5
"""Attempts per request on 429 (rate limited) and 5xx, with backoff between them."""
COMPLETE = {10: "success", 20: "error", 30: "cancelled"}
"""dbt Cloud's run statuses that are final (1 queued, 2 starting, 3 running)."""

STEP_LABEL = "DBT_CLOUD_RUN_STEP"
RUN_LABEL = "DBT_CLOUD_RUN_ID"


@dataclass(frozen=True)
class Source:
    """A parsed ``dbt-cloud://`` address: one run, or the last runs of a job."""

    text: str
    account: int
    run: int | None = None
    job: int | None = None
    last: int = DEFAULT_LAST

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True)
class Step:
    """One step of a run that wrote artifacts, downloaded into ``folder``."""

    run: int
    index: int
    name: str
    folder: Path
    labels: dict[str, str]


@dataclass
class Fetched:
    """What a source gave: the steps downloaded, what was skipped, and why."""

    steps: list[Step] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    requests: int = 0


def parse(text: str) -> Source:
    """Parse ``dbt-cloud://ACCOUNT/runs/RUN`` or ``dbt-cloud://ACCOUNT/jobs/JOB?last=N``."""
    usage = (
        f"{text}: expected dbt-cloud://ACCOUNT_ID/runs/RUN_ID or"
        f" dbt-cloud://ACCOUNT_ID/jobs/JOB_ID?last={DEFAULT_LAST}"
    )
    parts = urllib.parse.urlsplit(text)
    segments = [part for part in parts.path.split("/") if part]
    query = urllib.parse.parse_qs(parts.query)
    if not parts.netloc.isdigit() or len(segments) != 2 or not segments[1].isdigit():
        raise MonitorError(usage)
    kind, number = segments[0], int(segments[1])
    unknown = set(query) - ({"last"} if kind == "jobs" else set())
    if kind not in ("runs", "jobs") or unknown:
        raise MonitorError(usage)
    if kind == "runs":
        return Source(text, int(parts.netloc), run=number)
    last_text = query.get("last", [str(DEFAULT_LAST)])[-1]
    if not last_text.isdigit() or int(last_text) < 1:
        raise MonitorError(f"{text}: last= must be a positive number of runs, not {last_text!r}")
    return Source(text, int(parts.netloc), job=number, last=int(last_text))


class Client:
    """The few Administrative API v2 calls dbt-monitor needs, with retries on 429 and 5xx."""

    def __init__(
        self,
        environ: Mapping[str, str],
        *,
        sleep: Callable[[float], None] = time.sleep,
        timeout: float = 60.0,
    ) -> None:
        token = environ.get("DBT_CLOUD_API_TOKEN", "").strip()
        if not token:
            raise MonitorError(
                "dbt Cloud: set DBT_CLOUD_API_TOKEN to an API token (a service token with"
                " read access to the account's runs)"
            )
        host = environ.get("DBT_CLOUD_HOST", "").strip() or DEFAULT_HOST
        self.base = (host if "://" in host else f"https://{host}").rstrip("/")
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.sleep, self.timeout, self.requests = sleep, timeout, 0

    def get(self, path: str, params: Mapping[str, object] | None = None) -> bytes | None:
        """The body of ``GET path`` (None on 404); a clear error for everything else."""
        import urllib.error  # with http.client and ssl: only a fetch pays for them
        import urllib.request

        url = f"{self.base}/api/v2/accounts/{path}"  # as errors name it
        query = "?" + urllib.parse.urlencode(params) if params else ""
        for attempt in range(RETRIES):
            self.requests += 1
            request = urllib.request.Request(url + query, headers=self.headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    body: bytes = response.read()
                    return body
            except urllib.error.HTTPError as err:
                if err.code == 404:
                    return None
                if err.code in (401, 403):
                    raise _refused(err.code, url) from err
                if (err.code == 429 or err.code >= 500) and attempt + 1 < RETRIES:
                    self.sleep(_backoff(err.headers.get("Retry-After"), attempt))
                    continue
                raise MonitorError(f"dbt Cloud: {url}: HTTP {err.code} {err.reason}") from err
            except (urllib.error.URLError, TimeoutError, ConnectionError) as err:
                if attempt + 1 < RETRIES:
                    self.sleep(_backoff(None, attempt))
                    continue
                reason = getattr(err, "reason", err)
                raise MonitorError(f"dbt Cloud: cannot reach {url}: {reason}") from err
        raise AssertionError("unreachable")  # pragma: no cover

    def json(self, path: str, params: Mapping[str, object] | None = None) -> Any:
        """The decoded ``GET`` answer (404 is an error here: the run or job must exist)."""
        body = self.get(path, params)
        url = f"{self.base}/api/v2/accounts/{path}"
        if body is None:
            raise MonitorError(f"dbt Cloud: {url}: not found (HTTP 404); check the ids")
        try:
            return json.loads(body)
        except ValueError as err:
            raise MonitorError(f"dbt Cloud: {url}: the answer is not JSON") from err


def _refused(code: int, url: str) -> MonitorError:
    what = "did not accept the token" if code == 401 else "refused access with this token"
    return MonitorError(
        f"dbt Cloud {what} (HTTP {code}) for {url}: check DBT_CLOUD_API_TOKEN (a service"
        " token with read access to this account's runs) and DBT_CLOUD_HOST (your region or"
        " cell's access URL)"
    )


def _backoff(retry_after: str | None, attempt: int) -> float:
    """Seconds to wait: the server's Retry-After when given, else 1, 2, 4, 8 s."""
    if retry_after is not None and retry_after.strip().isdigit():
        return min(float(retry_after), 300.0)
    return float(2**attempt)


INCLUDE = json.dumps(["trigger", "job", "run_steps"])


def runs(client: Client, source: Source) -> Iterator[dict[str, Any]]:
    """The run objects a source names (a job's newest ``last`` finished runs)."""
    if source.run is not None:
        answer = client.json(f"{source.account}/runs/{source.run}/", {"include_related": INCLUDE})
        yield _data(answer, source)
        return
    offset, wanted = 0, source.last
    while wanted > 0:
        params = {
            "job_definition_id": source.job,
            "order_by": "-id",
            "limit": min(PAGE_SIZE, wanted),
            "offset": offset,
            "include_related": INCLUDE,
        }
        answer = client.json(f"{source.account}/runs/", params)
        page = answer.get("data") if isinstance(answer, dict) else None
        if not isinstance(page, list):
            raise MonitorError(f"{source}: dbt Cloud's list of runs has no data")
        yield from page[:wanted]
        wanted -= min(len(page), wanted)
        offset += len(page)
        total = (answer.get("extra") or {}).get("pagination", {}).get("total_count")
        if not page or (isinstance(total, int) and offset >= total):
            return


def _data(answer: Any, source: Source) -> dict[str, Any]:
    data = answer.get("data") if isinstance(answer, dict) else None
    if not isinstance(data, dict):
        raise MonitorError(f"{source}: dbt Cloud's answer has no run data")
    return data


def labels(run: Mapping[str, Any]) -> dict[str, str]:
    """What a run says about where it came from, with dbt Cloud's own variable names."""
    trigger = run.get("trigger") or {}
    job = run.get("job") or {}
    found = {
        RUN_LABEL: run.get("id"),
        "DBT_CLOUD_JOB_ID": run.get("job_definition_id") or run.get("job_id"),
        "DBT_CLOUD_JOB_NAME": job.get("name"),
        "DBT_CLOUD_PROJECT_ID": run.get("project_id"),
        "DBT_CLOUD_ENVIRONMENT_ID": run.get("environment_id"),
        "DBT_CLOUD_RUN_REASON": trigger.get("cause"),
        "DBT_CLOUD_GIT_SHA": run.get("git_sha") or trigger.get("git_sha"),
        "DBT_CLOUD_GIT_BRANCH": run.get("git_branch") or trigger.get("git_branch"),
        "DBT_CLOUD_PR_ID": trigger.get("github_pull_request_id")
        or trigger.get("gitlab_merge_request_id")
        or trigger.get("azure_pull_request_id"),
    }
    return {key: str(value) for key, value in found.items() if value not in (None, "")}


def download(
    client: Client,
    source: Source,
    dest: Path,
    present: Callable[[int], set[int]],
) -> Fetched:
    """Download the steps' artifacts under ``dest``, skipping what the history holds.

    ``present(run)`` is the steps of ``run`` already in the history. Steps
    up to the last of those are not asked for again: the ones in between
    wrote no artifacts (or failed to decode, which that ingest reported).
    """
    fetched = Fetched()
    for run in reversed(list(runs(client, source))):  # oldest first, as they ran
        run_id = int(run["id"])
        status = run.get("status")
        if status not in COMPLETE:
            fetched.skipped.append(f"run {run_id}: not finished yet (status {status}); skipped")
            continue
        steps = sorted(run.get("run_steps") or [], key=lambda step: int(step.get("index", 0)))
        done = max(present(run_id), default=0)
        if done:
            fetched.skipped.append(f"run {run_id}: already in the history (steps 1-{done})")
        elif not steps:
            fetched.skipped.append(f"run {run_id}: dbt Cloud lists no steps for it")
        for step in steps:
            index, name = int(step["index"]), str(step.get("name") or "")
            if index <= done:
                continue
            folder = dest / str(run_id) / f"step-{index:02d}"
            if _download_step(client, source.account, run_id, index, name, folder):
                step_labels = labels(run) | {STEP_LABEL: str(index)}
                fetched.steps.append(Step(run_id, index, name, folder, step_labels))
    fetched.requests = client.requests
    return fetched


def _download_step(
    client: Client, account: int, run: int, index: int, name: str, folder: Path
) -> bool:
    """Fetch one step's artifacts into ``folder``; False when it wrote none."""
    wanted = ARTIFACTS + (DOCS_ARTIFACTS if "docs generate" in name else ())
    got = False
    for artifact in wanted:
        if artifact == "manifest.json" and not got:
            return False  # no run_results.json, no sources.json: not a dbt step
        body = client.get(f"{account}/runs/{run}/artifacts/{artifact}", {"step": index})
        if body is None:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        (folder / artifact).write_bytes(body)
        got = True
    return got
