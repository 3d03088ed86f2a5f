"""Check results as text (terminal, CI log), markdown (PR comment), JSON and JUnit XML."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from xml.etree import ElementTree as ET

import click

from monitor.analysis.check import CheckResult
from monitor.analysis.finding import RANK, SEVERITIES
from monitor.render.safe_text import for_terminal, for_xml, markdown_cell

_MARK = {"error": "✖", "warn": "▲", "info": "·"}
_COLOR = {"error": "red", "warn": "yellow", "info": "blue"}


def headline(result: CheckResult) -> str:
    """``build on prod at 2021-02-14 02:00 (invocation 3f2a1b2c)``."""
    info = result.invocation
    started = info["started_at"]
    when = started.strftime("%Y-%m-%d %H:%M UTC") if isinstance(started, dt.datetime) else "?"
    env = info.get("env_key") or "default"
    return for_terminal(
        f"{info['command']} on {env} at {when} (invocation {result.invocation_id[:8]})"
    )


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
    """One line per finding, most severe first, for a terminal or a CI log.

    Artifact text is stripped of escape sequences and bidi controls.
    """
    lines = [f"dbt-monitor check: {headline(result)}: {tally(result)}"]
    width = max((len(f.kind) for f in result.findings), default=0)
    for finding in result.findings:
        label = f"{_MARK[finding.severity]} {finding.severity:<5}"
        if color:
            label = click.style(
                label, fg=_COLOR[finding.severity], bold=finding.severity == "error"
            )
        lines.append(f"{label}  {finding.kind:<{width}}  {for_terminal(finding.message)}")
    verdict = "FAILED" if result.failed else "passed"
    lines.append(f"check {verdict} (fail on: {result.fail_on})")
    return "\n".join(lines) + "\n"


def as_markdown(result: CheckResult) -> str:
    """A summary for a pull-request comment or ``$GITHUB_STEP_SUMMARY``.

    Every piece of artifact text is escaped: no HTML, links, code or line
    breaks get through to the rendered comment.
    """
    icon = "❌" if result.failed else "✅"
    lines = [f"### {icon} dbt-monitor: {tally(result)}", "", markdown_cell(headline(result)), ""]
    if result.findings:
        lines += ["| severity | kind | node | finding |", "| --- | --- | --- | --- |"]
        for f in result.findings:
            cells = [
                f"{_MARK[f.severity]} {f.severity}",
                markdown_cell(f.kind),
                markdown_cell(f.unique_id or ""),
                markdown_cell(f.message),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines) + "\n"


def as_json(results: Sequence[CheckResult]) -> str:
    """A JSON array of finding objects.

    Keys: kind, severity, unique_id, invocation_id, message, evidence.
    """
    return json.dumps([f.as_dict() for r in results for f in r.findings], indent=2) + "\n"


def as_junit(results: Sequence[CheckResult]) -> str:
    """JUnit XML: one test case per finding; those that fail the check are ``<failure>``.

    A finding below ``--fail-on`` (a warning under the default ``error``) is a
    passing case with the finding in ``<system-out>``: a passing check never
    turns a CI test tab red. Characters XML 1.0 forbids are left out.
    """
    suites = ET.Element("testsuites", name="dbt-monitor")
    for result in results:
        cases = result.findings
        failing = [f for f in cases if _fails(f.severity, result.fail_on)]
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=for_xml(f"dbt-monitor {headline(result)}"),
            tests=str(max(len(cases), 1)),
            failures=str(len(failing)),
            errors="0",
        )
        if not cases:
            ET.SubElement(suite, "testcase", classname="dbt-monitor", name="no findings")
        for f in cases:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=for_xml(f"dbt-monitor.{f.kind}"),
                name=for_xml(f.unique_id or f.kind),
            )
            if f in failing:
                failure = ET.SubElement(
                    case, "failure", message=for_xml(f.message), type=f.severity
                )
                failure.text = for_xml(json.dumps(f.evidence, indent=2, ensure_ascii=False))
            else:
                ET.SubElement(case, "system-out").text = for_xml(f"{f.severity}: {f.message}")
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _fails(severity: str, fail_on: str) -> bool:
    return fail_on != "never" and RANK[severity] >= RANK[fail_on]


NOTHING_TO_JUDGE = "nothing to judge"


def nothing_to_judge(reason: str, output_format: str) -> str:
    """What ``check`` says, in ``output_format``, when no invocation executed anything."""
    if output_format == "json":
        return "[]\n"
    if output_format == "junit":
        suites = ET.Element("testsuites", name="dbt-monitor")
        suite = ET.SubElement(
            suites, "testsuite", name="dbt-monitor", tests="0", failures="0", errors="0"
        )
        ET.SubElement(suite, "system-out").text = for_xml(f"{NOTHING_TO_JUDGE}: {reason}")
        ET.indent(suites)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            + ET.tostring(suites, encoding="unicode")
            + "\n"
        )
    if output_format == "markdown":
        return f"### ✅ dbt-monitor: {NOTHING_TO_JUDGE}\n\n{markdown_cell(reason)}\n"
    return f"dbt-monitor check: {NOTHING_TO_JUDGE}: {reason}\n"
