"""The verdict banner and the runs by job, each run with a view of its own."""

from __future__ import annotations

from typing import Any

import polars as pl

from monitor.analysis.job_runs import job_runs, newest_per_job, run_problems, slowest_in_runs
from monitor.analysis.words import duration
from monitor.render.report.attention import finding_view
from monitor.render.report.context import (
    FindingView,
    JobRow,
    JobVerdict,
    ProblemView,
    RunCell,
    Runs,
    RunView,
)
from monitor.render.report.formats import when
from monitor.render.report.inputs import Inputs

MAX_PROBLEMS = 12
"""Problems listed in one run's view; the rest are counted."""

MESSAGE_CHARS = 400
"""dbt's message is cut here in a run view (the node's card has the whole of it)."""

SLOWEST = 5
"""Slowest nodes shown per run."""

SEVERITY_VERDICT = {"error": "failed", "warn": "warn"}
ORDER = {"none": 0, "ok": 1, "warn": 2, "failed": 3}


def run_anchor(invocation_id: str) -> str:
    """The HTML id of a run's view."""
    return "run-" + invocation_id[:12]


def build_runs(inputs: Inputs) -> Runs:
    """Each job's runs in the window as a strip, and a view per executing run."""
    runs = job_runs(inputs.frames, inputs.since)
    executing = runs.filter(pl.col("executes"))
    ids = executing["invocation_id"].to_list()
    problems = _grouped(run_problems(inputs.frames, ids))
    slowest = _grouped(slowest_in_runs(inputs.frames, ids, SLOWEST))
    views = [
        _view(inputs, row, problems.get(row["invocation_id"]), slowest.get(row["invocation_id"]))
        for row in executing.iter_rows(named=True)
    ]
    verdicts = {v.invocation_id: v.verdict for v in views}
    jobs = []
    for (job,), group in runs.group_by("job", maintain_order=True):
        cells = [
            RunCell(
                verdict=verdicts.get(row["invocation_id"], row["verdict"]),
                title=f"{when(row['started_at'])}: {_summary(row)}",
                run=run_anchor(row["invocation_id"]) if row["executes"] else None,
            )
            for row in group.iter_rows(named=True)
        ]
        walls = group["elapsed_time"].drop_nulls()
        jobs.append(
            JobRow(
                job=str(job),
                runs=group.height,
                failed=sum(c.verdict == "failed" for c in cells),
                warned=sum(c.verdict == "warn" for c in cells),
                median_wall=float(walls.median()) if walls.len() else None,  # type: ignore[arg-type]
                executes=bool(group["executes"].any()),
                cells=cells,
            )
        )
    jobs.sort(key=lambda j: (not j.executes, j.job))
    return Runs(jobs=jobs, views=list(reversed(views)))


def build_verdicts(inputs: Inputs) -> list[JobVerdict]:
    """The newest run of each job: OK / WARN / FAILED, and what to look at first."""
    runs = job_runs(inputs.frames, None)
    if runs.is_empty():
        return []
    newest = newest_per_job(runs)
    ids = newest.filter(pl.col("executes"))["invocation_id"].to_list()
    problems = _grouped(run_problems(inputs.frames, ids))
    verdicts = []
    for row in newest.iter_rows(named=True):
        findings = _findings(inputs, row["invocation_id"])
        verdict = _verdict(row["verdict"], findings)
        look = findings[0] if findings and findings[0].severity != "info" else None
        first = problems.get(row["invocation_id"])
        if look is None and first is not None and first.height:
            look = _problem_finding(inputs, first.row(0, named=True))
        verdicts.append(
            JobVerdict(
                job=row["job"],
                verdict=verdict,
                started_at=row["started_at"],
                wall=row["elapsed_time"],
                summary=_summary(row),
                look_first=look,
                run=run_anchor(row["invocation_id"]) if row["executes"] else None,
            )
        )
    return verdicts


def _findings(inputs: Inputs, invocation_id: str) -> list[FindingView]:
    """The run's findings when it is part of the latest run (already judged), else none."""
    if invocation_id not in inputs.latest_run:
        return []
    return [
        finding_view(inputs, f, card=f.severity != "info")
        for f in inputs.findings
        if f.invocation_id == invocation_id
    ]


def _verdict(from_results: str, findings: list[FindingView]) -> str:
    worst = from_results
    for finding in findings:
        word = SEVERITY_VERDICT.get(finding.severity, "ok")
        if ORDER[word] > ORDER[worst]:
            worst = word
    return worst


def _summary(row: dict[str, Any]) -> str:
    if not row["executes"]:
        return f"{row['command']}: nothing to judge"
    parts = [f"{row['results']} results"]
    for key, word in (("failed", "failed"), ("warn", "warned"), ("skipped", "skipped")):
        if row[key]:
            parts.append(f"{row[key]} {word}")
    if row["elapsed_time"] is not None:
        parts.append(f"in {duration(row['elapsed_time'])}")
    return ", ".join(parts)


def _grouped(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {str(key): group for (key,), group in frame.group_by("invocation_id")}


def _problem_finding(inputs: Inputs, row: dict[str, Any]) -> FindingView:
    """A failing result as the banner names it, when no finding was judged for the run."""
    severity = "warn" if row["status"] in ("warn", "skipped") else "error"
    message = row["message"].splitlines()[0] if row["message"] else ""
    node = inputs.nodes.ref(row["unique_id"])
    text = f"{node.name} {row['status']}{': ' + message if message else ''}"
    return FindingView(severity, "result", row["status"], text, node, row["invocation_id"][:8])


def _view(
    inputs: Inputs,
    row: dict[str, Any],
    problems: pl.DataFrame | None,
    slowest: pl.DataFrame | None,
) -> RunView:
    invocation_id = row["invocation_id"]
    findings = _findings(inputs, invocation_id)
    in_latest = invocation_id in inputs.latest_run
    listed = problems.head(MAX_PROBLEMS) if problems is not None else None
    return RunView(
        anchor=run_anchor(invocation_id),
        job=row["job"],
        invocation_id=invocation_id,
        started_at=row["started_at"],
        wall=row["elapsed_time"],
        verdict=_verdict(row["verdict"], findings),
        counts={k: row[k] for k in ("ok", "warn", "failed", "skipped", "results")},
        findings=findings,
        findings_note=""
        if in_latest
        else "Findings of earlier runs are folded per node under Needs attention.",
        problems=[_problem(inputs, p) for p in listed.iter_rows(named=True)]
        if listed is not None
        else [],
        more_problems=max((problems.height if problems is not None else 0) - MAX_PROBLEMS, 0),
        slowest=[
            (inputs.nodes.ref(uid, card=False), seconds)
            for uid, seconds in (
                slowest.select("unique_id", "seconds").iter_rows() if slowest is not None else []
            )
        ],
        latest_build=invocation_id == inputs.latest_build,
    )


def _problem(inputs: Inputs, row: dict[str, Any]) -> ProblemView:
    message = row["message"]
    if message and len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return ProblemView(
        node=inputs.nodes.ref(row["unique_id"], card=row["status"] != "skipped"),
        status=row["status"],
        failures=row["failures"],
        tested=inputs.nodes.tested(row["unique_id"]),
        message=message,
    )
