"""Check results rendered with hostile artifact text: JUnit stays XML, markdown stays text."""

from __future__ import annotations

import datetime as dt
from xml.etree import ElementTree as ET

from monitor.analysis.check import CheckResult
from monitor.analysis.finding import Finding
from monitor.render.findings import as_junit, as_markdown, as_text

HOSTILE = (
    "boom \x1b[31mred\x1b[0m \x07 \x1b]8;;http://evil.example/\x07link\x1b]8;;\x07 "
    "\u202eexe.sql <script>alert(1)</script> <img src=x onerror=alert(1)> "
    "<svg onload=alert(1)> [x](javascript:alert(1)) a|b\n## injected"
)
NODE = "model.shop.orders<script>"


def result(fail_on: str = "error") -> CheckResult:
    findings = [
        Finding("model_error", "error", NODE, "inv-1", HOSTILE, {"dbt_message": HOSTILE}),
        Finding("slow_model", "warn", "model.shop.items", "inv-1", "items took 9 s", {}),
    ]
    info: dict[str, object] = {
        "command": "build\x1b[2J",
        "env_key": "prod\u202e",
        "started_at": dt.datetime(2021, 2, 1, 2, tzinfo=dt.UTC),
    }
    return CheckResult("inv-1", info, findings, fail_on)


def test_junit_is_well_formed_xml_without_control_characters() -> None:
    rendered = as_junit([result()])
    assert not any(ord(c) < 32 and c not in "\n\t" for c in rendered)
    root = ET.fromstring(rendered)
    failure = root.find("testsuite/testcase/failure")
    assert failure is not None
    assert failure.get("message", "").startswith("boom red  link exe.sql <script>")


def test_junit_warnings_are_failures_only_when_they_fail_the_check() -> None:
    for fail_on, failing in (("error", ["model_error"]), ("warn", ["model_error", "slow_model"])):
        suite = ET.fromstring(as_junit([result(fail_on)])).find("testsuite")
        assert suite is not None
        failed = [
            str(case.get("classname")).removeprefix("dbt-monitor.")
            for case in suite
            if case.find("failure") is not None
        ]
        assert (failed, suite.get("failures")) == (failing, str(len(failing)))
    suite = ET.fromstring(as_junit([result("error")])).find("testsuite")
    assert suite is not None
    assert suite[1].findtext("system-out") == "warn: items took 9 s"


def test_markdown_lets_no_html_link_or_line_break_through() -> None:
    rendered = as_markdown(result())
    for raw in ("<script", "<img", "<svg", "[x](", "\n## injected", "\x1b", "\u202e"):
        assert raw not in rendered
    rows = [line for line in rendered.splitlines() if line.startswith("| ✖")]
    assert len(rows) == 1
    cells = rows[0].replace("\\|", "").split("|")
    assert len(cells) == 6  # 4 cells between the outer pipes: `a|b` did not add one
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rows[0]
    assert "\\[x\\](javascript:alert(1))" in rows[0]


def test_terminal_text_strips_escapes_and_bidi_overrides() -> None:
    rendered = as_text(result())
    assert "\x1b" not in rendered and "\x07" not in rendered and "\u202e" not in rendered
    assert rendered.splitlines()[0] == (
        "dbt-monitor check: build on prod at 2021-02-01 02:00 UTC (invocation inv-1): "
        "1 error, 1 warning"
    )
