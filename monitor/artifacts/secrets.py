"""Secrets stay out of the history: secret-looking env keys and ``--vars`` values.

dbt copies ``DBT_ENV_CUSTOM_ENV_*`` variables into ``metadata.env`` (without
the prefix) and the whole command line into ``args.invocation_command``.
Both are stored, so both are cleaned first:

- an env key is dropped when it looks secret: dbt's own ``DBT_ENV_SECRET_*``,
  or a name holding PASSWORD, PASSWD, TOKEN, SECRET, CREDENTIAL(S), APIKEY or
  KEY as a word (``DB_PASSWORD``, ``API_TOKEN``, ``AWS_ACCESS_KEY_ID``; but
  ``MONKEY`` and ``KEYNOTE`` stay), case-insensitively; the file gets one
  warning naming the keys dropped (names, never values);
- in the command line, the value of every secret-looking key inside
  ``--vars`` is replaced by ``***``, in JSON or YAML form.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

SECRET_NAME = re.compile(
    r"^DBT_ENV_SECRET_|(?:^|[_.-])(?:PASSWORD|PASSWD|TOKEN|SECRET|CREDENTIALS?|APIKEY|KEY)"
    r"(?:[_.-]|$)",
    re.IGNORECASE,
)
"""What a secret-looking name matches."""

REDACTED = "***"

_VARS = re.compile(r"""--vars(?:=|\s+)(?P<value>'[^']*'|"(?:[^"\\]|\\.)*"|\S+)""")
_PAIR = re.compile(
    r"""(?P<key>[\\]?["']?(?P<name>[A-Za-z_][\w.-]*)[\\]?["']?\s*:\s*)"""
    r"""(?P<value>\\"(?:[^"\\]|\\[^"])*\\"|"(?:[^"\\]|\\.)*"|'[^']*'|[^,}\s'"]+)"""
)


def is_secret_name(name: str) -> bool:
    """Whether ``name`` looks like it holds a secret."""
    return bool(SECRET_NAME.search(name))


def safe_env(env: object) -> tuple[dict[str, object], list[str]]:
    """``env`` without its secret-looking keys, and the keys dropped (sorted)."""
    if not isinstance(env, Mapping):
        return {}, []
    kept = {str(key): value for key, value in env.items() if not is_secret_name(str(key))}
    dropped = sorted(str(key) for key in env if is_secret_name(str(key)))
    return kept, dropped


def env_warning(path: Path, dropped: list[str]) -> str | None:
    """One line saying which secret-looking env keys were not stored, or None."""
    if not dropped:
        return None
    count = len(dropped)
    return (
        f"{path}: {count} secret-looking metadata.env key{'s' if count != 1 else ''}"
        f" not stored ({', '.join(dropped)})"
    )


def redact_vars(command: str | None) -> str | None:
    """``command`` with the values of secret-looking keys in ``--vars`` replaced by ***."""
    if not command or "--vars" not in command:
        return command
    return _VARS.sub(_redact_argument, command)


def _redact_argument(match: re.Match[str]) -> str:
    whole, value = match[0], match["value"]
    cleaned = _PAIR.sub(_redact_pair, value)
    return whole[: match.start("value") - match.start()] + cleaned


def _redact_pair(match: re.Match[str]) -> str:
    if not is_secret_name(match["name"]):
        return match[0]
    value = match["value"]
    quote = value[:2] if value.startswith('\\"') else value[:1] if value[:1] in "\"'" else ""
    closing = quote[::-1] if quote != '\\"' else '\\"'
    return f"{match['key']}{quote}{REDACTED}{closing}"
