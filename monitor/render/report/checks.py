"""Section 5, tests: failing now with their streak, flaky tests as strips, pass rate."""

from __future__ import annotations

import datetime as dt

from monitor.analysis.pass_rates import flip_history, pass_rate
from monitor.render.report.context import Cell, FailingTest, FlakyTest, Tests
from monitor.render.report.formats import when
from monitor.render.report.inputs import Inputs
from monitor.render.report.runs import epoch_ms


def build_tests(inputs: Inputs) -> Tests:
    """The tests section from the latest findings and the window's test runs."""
    rates = pass_rate(inputs.frames, inputs.since)
    chart = None
    if rates.height:
        chart = inputs.charts.add(
            "passrate",
            "passrate",
            t=[epoch_ms(v) for v in rates["started_at"].to_list()],
            id=[v[:8] for v in rates["invocation_id"].to_list()],
            env=rates["env_key"].to_list(),
            rate=rates["pass_rate"].to_list(),
            tests=rates["tests"].to_list(),
            warned=rates["warned"].to_list(),
            failed=rates["failed"].to_list(),
        )
    env = None
    if inputs.latest_build is not None:
        env = str(inputs.frames.invocation(inputs.latest_build)["env_key"])
    flagged = {f.unique_id for f in inputs.findings if f.kind == "flaky_test"}
    flaky = [
        FlakyTest(
            node=inputs.nodes.ref(row["unique_id"]),
            pass_to_fail=row["pass_to_fail"],
            runs=row["runs"],
            failures=row["failures"],
            cells=[
                Cell(
                    cell["status"],
                    f"{when(cell['started_at'])} · {cell['status']} · {cell['invocation_id'][:8]}",
                )
                for cell in row["history"]
            ],
            flagged=row["unique_id"] in flagged,
        )
        for row in flip_history(
            inputs.frames, inputs.since, env, min_flips=inputs.config.flaky_min_flips
        ).iter_rows(named=True)
    ]
    latest = rates.filter(rates["invocation_id"].is_in(inputs.latest_run)).tail(1)
    return Tests(
        chart=chart,
        latest_rate=latest["pass_rate"][0] if latest.height else None,
        latest_tests=latest["tests"][0] if latest.height else 0,
        failing=_failing(inputs),
        flaky=flaky,
    )


def _failing(inputs: Inputs) -> list[FailingTest]:
    failing = []
    for finding in inputs.findings:
        if finding.kind != "test_failure" or not finding.unique_id:
            continue
        evidence = finding.evidence
        since = evidence.get("failing_since")
        failures = evidence.get("failures")
        streak = evidence.get("streak_runs")
        message = evidence.get("dbt_message")
        failing.append(
            FailingTest(
                node=inputs.nodes.ref(finding.unique_id),
                status=str(evidence.get("status") or finding.severity),
                severity=finding.severity,
                failures=failures if isinstance(failures, int) else None,
                tested=inputs.nodes.tested(finding.unique_id),
                since=dt.datetime.fromisoformat(since) if isinstance(since, str) else None,
                streak_runs=streak if isinstance(streak, int) else 1,
                message=str(message) if message else finding.message,
            )
        )
    return failing
