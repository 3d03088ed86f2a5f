"""Read run_results.json ``args``: dbt's command words, selector, target, threads."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from typing import Any

from monitor.artifacts import coerce
from monitor.artifacts.invocation import Args
from monitor.artifacts.secrets import redact_vars

_COMMAND_WORDS: dict[str, str] = {
    "generate": "docs generate",
    "docs.generate": "docs generate",
    "serve": "docs serve",
    "freshness": "source freshness",
    "source-freshness": "source freshness",
    "snapshot-freshness": "source freshness",
    "source freshness": "source freshness",
    "source snapshot-freshness": "source freshness",
    "ls": "list",
    "run_operation": "run-operation",
    "run-operation": "run-operation",
}
"""``args.which`` / ``rpc_method`` values that are not already dbt's command words."""

_TWO_WORD = {"docs", "source"}


def parse_args(args: Mapping[str, Any] | None) -> Args:
    """The :class:`Args` of a run_results.json ``args`` object (may be empty)."""
    args = args or {}
    invocation_command = redact_vars(coerce.text(args.get("invocation_command")))
    threads = coerce.integer(args.get("threads"))
    full_refresh = args.get("full_refresh")
    return Args(
        command=command_word(args.get("which"), args.get("rpc_method"), invocation_command),
        invocation_command=invocation_command,
        target=coerce.text(args.get("target")),
        selector=_selector(args.get("select"), args.get("models")),
        full_refresh=full_refresh if isinstance(full_refresh, bool) else None,
        threads=threads if threads is not None and abs(threads) < 2**31 else None,
    )


def command_word(which: object, rpc_method: object, invocation_command: str | None) -> str | None:
    """The dbt command words ("build", "docs generate", "source freshness", ...)."""
    for value in (which, rpc_method):
        if isinstance(value, str) and value.strip():
            word = value.strip().lower()
            return _COMMAND_WORDS.get(word, word.replace(".", " "))
    return _from_command_line(invocation_command)


def _from_command_line(line: str | None) -> str | None:
    """``dbt source freshness -s x`` -> ``source freshness``."""
    if not line:
        return None
    try:
        words = shlex.split(line)
    except ValueError:
        words = line.split()
    words = [word for word in words if not word.startswith("-")]
    if len(words) < 2:
        return None
    verb = words[1].lower()
    if verb in _TWO_WORD and len(words) > 2:
        verb = f"{verb} {words[2].lower()}"
    return _COMMAND_WORDS.get(verb, verb)


def _selector(select: object, models: object) -> str | None:
    """``--select`` (or the old ``--models``) as one space-separated string."""
    for value in (select, models):
        if isinstance(value, str) and value.strip():
            return value.strip()
        if isinstance(value, list | tuple):
            words = [str(item) for item in value if item not in (None, "")]
            if words:
                return " ".join(words)
    return None
