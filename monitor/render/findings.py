"""Check results as text (terminal, CI log), markdown (PR comment), JSON and JUnit XML."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from xml.etree import ElementTree as ET

import click

from monitor.analysis.check import CheckResult
from monitor.analysis.finding import SEVERITIES

_MARK = {"error": "✖", "warn": "▲", "info": "·"}
_COLOR = {"error": "red", "warn": "yellow", "info": "blue"}


def headline(result: CheckResult) -> str:
    """``build on prod at 2021-02-14 02:00 (invocation 3f2a1b2c)``."""
    info = result.invocation
    started = info["started_at"]
    when = started.strftime("%Y-%m-%d %H:%M UTC") if isinstance(started, dt.datetime) else "?"
    env = info.get("env_key") or "default"
    return f"{info['command']} on {env} at {when} (invocation {result.invocation_id[:8]})"


def tally(result: CheckResult) -> str:
    """``2 errors, 1 warning, 3 info`` or ``no findings``."""
    if not result.findings:
        return "no findings"
    words = {
        "error": ("error", "errors"),
        "warn": ("warning", "warnings"),
        "info": ("info", "info"),
    }
    parts = []
    for severity in SEVERITIES:
        n = result.count(severity)
        if n:
            parts.append(f"{n} {words[severity][n != 1]}")
    return ", ".join(parts)


def as_text(result: CheckResult, *, color: bool = False) -> str:
    """One line per finding, most severe first, for a terminal or a CI log."""
    lines = [f"dbt-monitor check: {headline(result)}: {tally(result)}"]
    width = max((len(f.kind) for f in result.findings), default=0)
    for finding in result.findings:
        label = f"{_MARK[finding.severity]} {finding.severity:<5}"
        if color:
            label = click.style(
                label, fg=_COLOR[finding.severity], bold=finding.severity == "error"
            )
        lines.append(f"{label}  {finding.kind:<{width}}  {finding.message}")
    verdict = "FAILED" if result.failed else "passed"
    lines.append(f"check {verdict} (fail on: {result.fail_on})")
    return "\n".join(lines) + "\n"


def as_markdown(result: CheckResult) -> str:
    """A summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``."""
    icon = "❌" if result.failed else "✅"
    lines = [f"### {icon} dbt-monitor: {tally(result)}", "", f"`{headline(result)}`", ""]
    if result.findings:
        lines += ["| severity | kind | node | finding |", "| --- | --- | --- | --- |"]
        for f in result.findings:
            node = f"`{f.unique_id}`" if f.unique_id else ""
            lines.append(
                f"| {_MARK[f.severity]} {f.severity} | {f.kind} | {node} | {_md(f.message)} |"
            )
        lines.append("")
    return "\n".join(lines) + "\n"


def as_json(results: Sequence[CheckResult]) -> str:
    """A JSON array of finding objects.

    Keys: kind, severity, unique_id, invocation_id, message, evidence.
    """
    return json.dumps([f.as_dict() for r in results for f in r.findings], indent=2) + "\n"


def as_junit(results: Sequence[CheckResult]) -> str:
    """JUnit XML: one test case per finding; errors and warnings are failed cases."""
    suites = ET.Element("testsuites", name="dbt-monitor")
    for result in results:
        cases = result.findings
        failing = [f for f in cases if f.severity != "info"]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=f"dbt-monitor {headline(result)}",
            tests=str(max(len(cases), 1)),
            failures=str(len(failing)),
            errors="0",
        )
        if not cases:
            ET.SubElement(suite, "testcase", classname="dbt-monitor", name="no findings")
        for f in cases:
            case = ET.SubElement(
                suite, "testcase", classname=f"dbt-monitor.{f.kind}", name=f.unique_id or f.kind
            )
            if f in failing:
                failure = ET.SubElement(case, "failure", message=f.message, type=f.severity)
                failure.text = json.dumps(f.evidence, indent=2)
            else:
                ET.SubElement(case, "system-out").text = f"{f.severity}: {f.message}"
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
