"""Text that came from artifacts, made safe for the place it is printed.

dbt copies database messages, node names, labels and ``metadata.env`` values
into the artifacts verbatim, so any of them may carry terminal escape
sequences, bidi overrides, characters XML forbids or markdown that would
become HTML. Each output gets one function here:

- :func:`for_terminal`: no C0/C1 control characters (LF and TAB kept), no
  escape sequences (colours, OSC-8 hyperlinks, title changes) and no bidi
  controls (U+202E and friends reorder what the reader sees).
- :func:`for_xml`: only the characters XML 1.0 allows, escape sequences gone.
- :func:`markdown_cell`: one table cell of GitHub markdown, every character
  that could start markup escaped, on one line.
"""

from __future__ import annotations

import functools
import html
import re

_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC (hyperlinks, titles) to BEL or ST
    | \x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # the same, 8-bit introducer
    | \x1b[P^_X][^\x1b\x9c]*(?:\x1b\\|\x9c)?      # DCS, PM, APC, SOS strings
    | (?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?           # CSI (colours, cursor moves)
    | \x1b[ -/]*[0-~]?                            # any other two-character escape
    """,
    re.VERBOSE,
)
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""Arabic letter mark, LRM/RLM, the embeddings and overrides, the isolates."""

_TERMINAL_UNSAFE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")


@functools.cache
def _xml_forbidden() -> re.Pattern[str]:
    """Compiled on first use: the astral range alone takes ~8 ms, paid by every command."""
    return re.compile("[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


_MARKDOWN_SPECIAL = re.compile(r"([\\`*\[\]|~$]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
"""Markdown's active characters; ``_`` inside a word (``fct_orders``) starts nothing."""


def for_terminal(text: str) -> str:
    """``text`` without escape sequences, control characters (but LF, TAB) or bidi controls."""
    if text.isprintable():  # the common case: nothing to strip
        return text
    return _TERMINAL_UNSAFE.sub("", _ESCAPE_SEQUENCE.sub("", text))


def for_xml(text: str) -> str:
    """``text`` with only characters XML 1.0 allows (escape sequences and bidi controls gone)."""
    return _xml_forbidden().sub("", for_terminal(text))


def markdown_cell(text: str) -> str:
    """``text`` as literal text in a GitHub markdown table cell: no markup, no HTML, one line.

    ``<``, ``>`` and ``&`` become entities (no raw HTML or autolinks), the
    characters that open links, emphasis, code and math are backslash-escaped,
    ``|`` cannot end the cell and line breaks become spaces (no headings).
    """
    one_line = " ".join(for_terminal(text).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(one_line, quote=False))
