"""How each synthetic node runs night after night: ``run_results.json`` and ``sources.json``."""

from __future__ import annotations

import heapq
import json
import math
import random
from dataclasses import dataclass, field

from benchmarks.synth_project import (
    DATABASE,
    DAY,
    DBT_VERSION,
    FIRST_RUN,
    LOCATION,
    PROJECT,
    THREADS,
    Project,
    Resource,
    Test,
    format_ts,
)
from benchmarks.synth_sql import model_sql, snapshot_sql, test_sql

# ------------------------------------------------------ how each node runs


@dataclass(eq=False, slots=True)
class Behaviour:
    """What stays the same about a node from run to run, and its static JSON."""

    index: int
    uid: str
    kind: str  # model | test | seed | snapshot
    materialized: str
    level: int  # dbt's queue priority: nodes of lower level are picked first
    deps: list[int]  # build-graph parents (a model also waits for its parents' tests)
    base: float  # median execute seconds
    sigma: float  # run-to-run noise
    rows: float  # rows written (models, seeds) or bytes scanned (tests) at day 0
    growth: float  # relative daily growth of rows and bytes
    regression_day: float  # from this day on execution takes ``regression`` x longer
    regression: float
    p_bad: float  # chance of error (models) / failures (tests) in one run
    severity: str
    error: str  # the message when a model fails
    tail: str  # '"unique_id": ..., "batch_results": null}' with compiled code
    tail_bare: str  # the same without compiled code
    tail_skipped: str  # a skipped node was never compiled
    children: list[int] = field(default_factory=list)


def behaviours(rng: random.Random, project: Project) -> dict[str, Behaviour]:
    order: list[Resource | Test] = [*project.seeds, *project.snapshots, *project.models]
    tests_of: dict[int, list[Test]] = {}
    for test in project.tests:
        tests_of.setdefault(id(test.model), []).append(test)
    order.extend(project.tests)
    index = {id(item): i for i, item in enumerate(order)}
    out: list[Behaviour] = []
    for i, item in enumerate(order):
        if isinstance(item, Test):
            deps = [index[id(p)] for p in item.parents]
            out.append(_test_behaviour(rng, i, item, deps, out[index[id(item.model)]]))
        else:
            deps = [index[id(p)] for p in item.parents if p.kind != "source"]
            for parent in item.parents:
                deps.extend(index[id(t)] for t in tests_of.get(id(parent), ()))
            out.append(_node_behaviour(rng, i, item, deps))
    _levels(out)
    return {b.uid: b for b in out}


def _tail(uid: str, compiled: bool | None, code: str | None, relation: str | None) -> str:
    return (
        f'"unique_id": "{uid}", "compiled": {json.dumps(compiled)}, '
        f'"compiled_code": {json.dumps(code)}, "relation_name": {json.dumps(relation)}, '
        '"batch_results": null}'
    )


def _node_behaviour(rng: random.Random, i: int, res: Resource, deps: list[int]) -> Behaviour:
    median = {"view": 1.2, "table": 9.0, "incremental": 14.0, "seed": 3.0, "snapshot": 12.0}
    fragile = res.layer == "marts" and rng.random() < 0.01
    regress = res.kind == "model" and rng.random() < 0.02
    if res.kind == "seed":
        tail = bare = skipped = _tail(res.uid, None, "", None)
    else:
        code = snapshot_sql(res, True) if res.kind == "snapshot" else model_sql(res, True)
        tail = _tail(res.uid, True, code, res.relation)
        bare = _tail(res.uid, True, None, res.relation)
        skipped = _tail(res.uid, False, None, res.relation)
    path = "/".join(res.folder) + f"/{res.name}.sql"
    return Behaviour(
        index=i,
        uid=res.uid,
        kind=res.kind,
        materialized=res.materialized,
        level=0,
        deps=deps,
        base=median[res.materialized] * rng.lognormvariate(0, 0.9),
        sigma=rng.uniform(0.05, 0.3),
        rows=rng.lognormvariate(math.log(200_000 if res.kind != "seed" else 300), 2.0),
        growth=rng.uniform(0, 0.002) if res.materialized != "view" else 0.0,
        regression_day=rng.uniform(5, 400) if regress else math.inf,
        regression=rng.uniform(2, 5),
        p_bad=0.1 if fragile else 0.0,
        severity="ERROR",
        error=(
            f"Database Error in model {res.name} (models/{path})\n  Resources exceeded during "
            "query execution: Not enough resources for query planning - too many subqueries "
            f"or query is too complex.\n  compiled code at target/run/{PROJECT}/models/{path}"
        ),
        tail=tail,
        tail_bare=bare,
        tail_skipped=skipped,
    )


def _test_behaviour(
    rng: random.Random, i: int, test: Test, deps: list[int], model: Behaviour
) -> Behaviour:
    if test.severity == "warn":
        p_bad = rng.choice((0.0, 0.0, 0.0, 0.3, 0.9))  # some warn most nights
    else:
        p_bad = 0.1 if test.model.layer == "marts" and rng.random() < 0.02 else 0.0
    return Behaviour(
        index=i,
        uid=test.uid,
        kind="test",
        materialized="test",
        level=0,
        deps=deps,
        base=1.5 * rng.lognormvariate(0, 0.6),
        sigma=rng.uniform(0.05, 0.3),
        rows=model.rows * rng.uniform(8, 40),  # one or two columns scanned
        growth=model.growth,
        regression_day=math.inf,
        regression=1.0,
        p_bad=p_bad,
        severity=test.severity,
        error="",
        tail=_tail(test.uid, True, test_sql(test), None),
        tail_bare=_tail(test.uid, True, None, None),
        tail_skipped=_tail(test.uid, False, None, None),
    )


def _levels(nodes: list[Behaviour]) -> None:
    """Longest path from a root, the order dbt's graph queue hands nodes out in."""
    for node in nodes:
        for dep in node.deps:
            nodes[dep].children.append(node.index)
    remaining = [len(n.deps) for n in nodes]
    ready = [n.index for n in nodes if not n.deps]
    while ready:
        current = nodes[ready.pop()]
        for child in current.children:
            nodes[child].level = max(nodes[child].level, current.level + 1)
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    if any(remaining):
        raise AssertionError("the build graph has a cycle")


# ------------------------------------------------------------ one invocation


def _uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128) & ~(0xF << 76) & ~(0xC << 60) | (4 << 76) | (8 << 60):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _bytes_text(n: float) -> str:
    for unit in ("Bytes", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024.0:
            return f"{n:3.1f} {unit}"
        n /= 1024.0
    return f"{n:3.1f} PiB"


def _rows_text(n: float) -> str:
    for unit in ("", "k", "m", "b"):
        if abs(n) < 1000.0:
            return f"{n:3.1f}{unit}".strip()
        n /= 1000.0
    return f"{n:3.1f}t"


def _bigquery_response(rng: random.Random, code: str, rows: int | None, scanned: int) -> str:
    """``adapter_response`` as dbt-bigquery fills it, already JSON-encoded."""
    if rows is None:
        message = f"{code} ({_bytes_text(scanned)} processed)"
        rows_part = ""
    else:
        message = f"{code} ({_rows_text(rows)} rows, {_bytes_text(scanned)} processed)"
        rows_part = f'"rows_affected": {rows}, '
    billed = 0 if code == "CREATE VIEW" else max(10_485_760, -(-scanned // 1_048_576) * 1_048_576)
    slots = int(scanned / 2e5) + rng.randrange(20, 400) if billed else 0
    return (
        f'{{"_message": "{message}", "code": "{code}", {rows_part}"bytes_processed": {scanned}, '
        f'"bytes_billed": {billed}, "location": "{LOCATION}", "project_id": "{DATABASE}", '
        f'"job_id": "{_uuid4(rng)}", "slot_ms": {slots}}}'
    ), message


@dataclass(slots=True)
class _Outcome:
    status: str
    message: str | None
    failures: int | None
    response: str


def _outcome(rng: random.Random, node: Behaviour, day: float) -> _Outcome:
    if node.kind == "test":
        failed = rng.random() < node.p_bad
        count = int(rng.lognormvariate(1.5, 1.2)) + 1 if failed else 0
        scanned = int(node.rows * (1 + node.growth) ** day * rng.uniform(0.98, 1.02))
        response, _ = _bigquery_response(rng, "SELECT", 1, scanned)
        if not failed:
            return _Outcome("pass", None, 0, response)
        verb = "warn" if node.severity == "warn" else "fail"
        message = f"Got {count} result{'s' * (count != 1)}, configured to {verb} if != 0"
        return _Outcome(verb, message, count, response)
    if node.p_bad and rng.random() < node.p_bad:
        return _Outcome("error", node.error, None, "{}")
    rows = int(node.rows * (1 + node.growth) ** day)
    if node.kind == "seed":
        message = f"INSERT {rows}"
        return _Outcome(
            "success",
            message,
            None,
            json.dumps({"_message": message, "code": "INSERT", "rows_affected": rows}),
        )
    code, written = {
        "view": ("CREATE VIEW", None),
        "table": ("CREATE TABLE", rows),
        "incremental": ("MERGE", max(0, int(rows * rng.uniform(0.001, 0.02)))),
        "snapshot": ("MERGE", max(0, int(rows * rng.uniform(0.0, 0.01)))),
    }[node.materialized]
    scanned = 0 if written is None else int(rows * rng.uniform(150, 400))
    response, message = _bigquery_response(rng, code, written, scanned)
    return _Outcome("success", message, None, response)


@dataclass(slots=True)
class _Slot:
    """One node's place in the run: which worker thread, when, and how it ended."""

    node: Behaviour
    thread: int
    end: float
    timing: str
    execution_time: float
    outcome: _Outcome


def _simulate(project: Project, rng: random.Random, day: float, start: float) -> list[_Slot]:
    """Run the build on THREADS workers the way dbt's graph queue hands out nodes.

    A node is dispatched once all its build parents are done, lowest level first;
    it is skipped when one of them errored, failed or was skipped itself.
    """
    nodes = list(project.behaviour.values())
    load = rng.lognormvariate(0, 0.05)  # how busy the warehouse is tonight
    remaining = [len(n.deps) for n in nodes]
    blocked = [False] * len(nodes)
    ready = [(n.level, n.index) for n in nodes if not n.deps]
    heapq.heapify(ready)
    free = list(range(THREADS, 0, -1))
    running: list[tuple[float, int, _Slot]] = []
    now, slots = start, []
    while ready or running:
        while ready and free:
            _, i = heapq.heappop(ready)
            slot = _run_node(rng, nodes[i], free.pop(), now, day, load, blocked[i])
            slots.append(slot)
            heapq.heappush(running, (slot.end, i, slot))
        now, i, slot = heapq.heappop(running)
        free.append(slot.thread)
        stop = slot.outcome.status in {"error", "fail", "skipped"}
        for child in nodes[i].children:
            blocked[child] |= stop
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, (nodes[child].level, child))
    slots.sort(key=lambda s: s.end)
    return slots


_SKIPPED = _Outcome("skipped", None, None, "{}")


def _run_node(
    rng: random.Random,
    node: Behaviour,
    thread: int,
    now: float,
    day: float,
    load: float,
    skipped: bool,
) -> _Slot:
    begin = now + rng.uniform(0.0005, 0.004)
    if skipped:
        return _Slot(node, thread, begin + rng.uniform(0.0002, 0.002), "", 0.0, _SKIPPED)
    outcome = _outcome(rng, node, day)
    compile_start = begin + rng.uniform(0.002, 0.02)
    compile_end = compile_start + rng.uniform(0.003, 0.08)
    execute_start = compile_end + rng.uniform(0.0002, 0.03)
    seconds = node.base * load * math.exp(rng.gauss(0, node.sigma))
    seconds *= math.sqrt((1 + node.growth) ** day)
    if day >= node.regression_day:
        seconds *= node.regression
    if outcome.status == "error":
        seconds *= rng.uniform(0.05, 0.5)
    execute_end = execute_start + seconds
    end = execute_end + rng.uniform(0.01, 0.12)
    timing = (
        f'{{"name": "compile", "started_at": "{format_ts(compile_start)}", '
        f'"completed_at": "{format_ts(compile_end)}"}}'
    )
    if outcome.status != "error":  # dbt records no execute timing for a node that raised
        timing += (
            f', {{"name": "execute", "started_at": "{format_ts(execute_start)}", '
            f'"completed_at": "{format_ts(execute_end)}"}}'
        )
    return _Slot(node, thread, end, timing, end - begin, outcome)


def _result_json(slot: _Slot, compiled_code: bool) -> str:
    outcome = slot.outcome
    message = "null" if outcome.message is None else json.dumps(outcome.message)
    failures = "null" if outcome.failures is None else str(outcome.failures)
    return (
        f'{{"status": "{outcome.status}", "timing": [{slot.timing}], '
        f'"thread_id": "Thread-{slot.thread} (worker)", '
        f'"execution_time": {slot.execution_time!r}, '
        f'"adapter_response": {outcome.response}, "message": {message}, '
        f'"failures": {failures}, ' + _tail_of(slot, compiled_code)
    )


def _tail_of(slot: _Slot, compiled_code: bool) -> str:
    if slot.outcome is _SKIPPED:
        return slot.node.tail_skipped
    return slot.node.tail if compiled_code else slot.node.tail_bare


def _args(command: str, which: str) -> str:
    return json.dumps(
        {
            "which": which,
            "invocation_command": command,
            "target": "prod",
            "threads": THREADS,
            "select": [],
            "exclude": [],
            "resource_types": [],
            "exclude_resource_types": [],
            "indirect_selection": "eager",
            "full_refresh": False,
            "fail_fast": False,
            "empty": False,
            "defer": False,
            "favor_state": False,
            "store_failures": False,
            "vars": {},
            "warn_error_options": {"error": [], "warn": [], "silence": []},
            "project_dir": "/usr/app/dbt",
            "profiles_dir": "/usr/app/dbt",
            "log_path": "/usr/app/dbt/logs",
            "log_format": "json",
            "log_level": "info",
            "partial_parse": True,
            "static_parser": True,
            "write_json": True,
            "populate_cache": True,
            "introspect": True,
            "send_anonymous_usage_stats": False,
            "version_check": True,
        }
    )


def _metadata(kind: str, invocation_id: str, started: float, ended: float) -> str:
    return (
        f'{{"dbt_schema_version": "https://schemas.getdbt.com/dbt/{kind}.json", '
        f'"dbt_version": "{DBT_VERSION}", "generated_at": "{format_ts(ended)}", '
        f'"invocation_id": "{invocation_id}", "invocation_started_at": "{format_ts(started)}", '
        '"env": {}}'
    )


def _freshness(project: Project, rng: random.Random, started: float) -> tuple[list[str], float]:
    """``dbt source freshness`` results for the sources that declare a freshness."""
    threads = [(started + 1.2 + rng.uniform(0, 0.5), n) for n in range(1, THREADS + 1)]
    results, end = [], started
    for src in project.sources:
        if src.freshness is None:
            continue
        begin, thread = heapq.heappop(threads)
        seconds = rng.lognormvariate(math.log(0.9), 0.4)
        done = begin + seconds + 0.02
        heapq.heappush(threads, (done + rng.uniform(0.0005, 0.003), thread))
        end = max(end, done)
        if rng.random() < 0.003:
            error = f"Runtime Error in source {src.name}: 403 Access Denied: Table {src.relation}"
            results.append(
                f'{{"unique_id": "{src.uid}", "error": {json.dumps(error)}, '
                '"status": "runtime error"}'
            )
            continue
        results.append(_freshness_result(rng, src, thread, begin, seconds))
    return results, end


def _freshness_result(
    rng: random.Random, src: Resource, thread: int, begin: float, seconds: float
) -> str:
    assert src.freshness is not None
    warn_n, warn_p, err_n, err_p = src.freshness
    unit = {"minute": 60, "hour": 3600, "day": 86_400}
    hourly = warn_p == "hour" and warn_n <= 12
    snapshotted = begin + seconds
    age = rng.uniform(300, 3900) if hourly else rng.uniform(4000, 12_000)
    if rng.random() < 0.02:  # a loader missed its slot
        age += rng.choice((6, 24, 30)) * 3600.0
    status = "pass"
    if age > err_n * unit[err_p]:
        status = "error"
    elif age > warn_n * unit[warn_p]:
        status = "warn"
    response, _ = _bigquery_response(rng, "SELECT", 1, rng.randrange(10_000, 5_000_000))
    compile_end = begin + rng.uniform(0.002, 0.01)
    return (
        f'{{"unique_id": "{src.uid}", "max_loaded_at": "{format_ts(snapshotted - age, "+00:00")}", '
        f'"snapshotted_at": "{format_ts(snapshotted, "+00:00")}", '
        f'"max_loaded_at_time_ago_in_s": {age!r}, "status": "{status}", '
        f'"criteria": {{"warn_after": {{"count": {warn_n}, "period": "{warn_p}"}}, '
        f'"error_after": {{"count": {err_n}, "period": "{err_p}"}}, "filter": null}}, '
        f'"adapter_response": {response}, "timing": [{{"name": "compile", "started_at": '
        f'"{format_ts(begin)}", "completed_at": "{format_ts(compile_end)}"}}, '
        f'{{"name": "execute", "started_at": "{format_ts(compile_end)}", '
        f'"completed_at": "{format_ts(begin + seconds)}"}}], '
        f'"thread_id": "Thread-{thread} (worker)", "execution_time": {seconds + 0.02!r}}}'
    )


@dataclass(slots=True)
class Invocation:
    """The two files one nightly job writes, and when its build started."""

    build_id: str
    build_started: float
    run_results: bytes
    sources: bytes


def invocation(
    project: Project,
    index: int,
    days_per_invocation: float = 1.0,
    compiled_code: bool = True,
    start: float = FIRST_RUN,
) -> Invocation:
    """Night ``index``: ``dbt source freshness`` at 02:00 (+ jitter), then ``dbt build``.

    ``start`` is night 0's (see :func:`first_run`).
    """
    rng = random.Random(project.seed * 1_000_003 + index)
    day = index * days_per_invocation
    started = start + day * DAY + rng.uniform(0, 20)
    fresh_id, build_id = _uuid4(rng), _uuid4(rng)
    fresh, fresh_end = _freshness(project, rng, started)
    sources = (
        f'{{"metadata": {_metadata("sources/v3", fresh_id, started, fresh_end + 0.05)}, '
        f'"results": [{", ".join(fresh)}], "elapsed_time": {fresh_end - started + 0.05!r}}}'
    )
    build_started = fresh_end + rng.uniform(3, 12)
    slots = _simulate(project, rng, day, build_started + rng.uniform(8, 15))
    ended = slots[-1].end + rng.uniform(0.2, 1.0) if slots else build_started + 10
    results = ", ".join([_result_json(slot, compiled_code) for slot in slots])
    run_results = (
        f'{{"metadata": {_metadata("run-results/v6", build_id, build_started, ended)}, '
        f'"results": [{results}], "elapsed_time": {ended - build_started!r}, '
        f'"args": {_args("dbt build --target prod", "build")}}}'
    )
    return Invocation(build_id, build_started, run_results.encode(), sources.encode())
