"""Artifact text made safe for terminals, XML and markdown."""

from __future__ import annotations

from xml.etree import ElementTree as ET

import pytest

from monitor.render.safe_text import for_terminal, for_xml, markdown_cell

OSC8 = "\x1b]8;;http://evil.example/\x07click me\x1b]8;;\x07"
RLO = "invoice_\u202eexe.sql"
COLOURED = "\x1b[31mred\x1b[0m"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (OSC8, "click me"),
        (RLO, "invoice_exe.sql"),
        (COLOURED, "red"),
        ("bell\x07 and nul\x00 and c1\x9b31m", "bell and nul and c1"),
        ("title\x1b]0;owned\x1b\\ done", "title done"),
        ("line one\nline\ttwo", "line one\nline\ttwo"),
        ("✓ pass, ✗ fail, é, 数据", "✓ pass, ✗ fail, é, 数据"),
    ],
)
def test_terminal_text_has_no_controls_escapes_or_bidi_overrides(text: str, expected: str) -> None:
    assert for_terminal(text) == expected


def test_xml_text_parses_whatever_the_artifact_held() -> None:
    hostile = f"{OSC8} {RLO} \x00\x08\x0b\x0c\ufffe\ud800 ok"
    cleaned = for_xml(hostile)
    element = ET.Element("failure", message=cleaned)
    element.text = cleaned
    parsed = ET.fromstring(ET.tostring(element, encoding="unicode"))
    assert parsed.get("message") == parsed.text == "click me invoice_exe.sql  ok"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
        ("<svg onload=alert(1)>", "&lt;svg onload=alert(1)&gt;"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("a | b", "a \\| b"),
        ("first\n## heading\n- item", "first ## heading - item"),
        ("`code` *em* _em_ ~del~ $x$", "\\`code\\` \\*em\\* \\_em\\_ \\~del\\~ \\$x\\$"),
        ("back\\slash &amp;", "back\\\\slash &amp;amp;"),
    ],
)
def test_markdown_cell_is_literal_text_on_one_line(text: str, expected: str) -> None:
    assert markdown_cell(text) == expected
