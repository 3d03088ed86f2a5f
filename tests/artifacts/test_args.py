from typing import Any

import pytest

from monitor.artifacts.args import command_word, parse_args
from monitor.artifacts.invocation import Args


@pytest.mark.parametrize(
    ("args", "command"),
    [
        ({"which": "run", "rpc_method": "run"}, "run"),
        ({"which": "generate", "rpc_method": "docs.generate"}, "docs generate"),
        ({"rpc_method": "docs.generate"}, "docs generate"),
        ({"which": "freshness"}, "source freshness"),
        ({"which": "source-freshness"}, "source freshness"),
        ({"which": "snapshot-freshness"}, "source freshness"),
        ({"which": "seed"}, "seed"),
        ({"which": "snapshot"}, "snapshot"),
        ({"which": "run-operation"}, "run-operation"),
        ({"invocation_command": "dbt source freshness --select source:raw"}, "source freshness"),
        ({"invocation_command": "dbt --debug test -s orders"}, "test"),
        ({"invocation_command": "dbt docs generate"}, "docs generate"),
        ({"invocation_command": "dbt"}, None),
        ({}, None),
    ],
)
def test_command_words(args: dict[str, str], command: str | None) -> None:
    assert (
        command_word(args.get("which"), args.get("rpc_method"), args.get("invocation_command"))
        == command
    )


def test_parse_args() -> None:
    args = {
        "which": "build",
        "invocation_command": "dbt build --target prod --full-refresh --threads 8 -s tag:x",
        "target": "prod",
        "full_refresh": True,
        "threads": 8,
        "select": ["tag:x"],
        "vars": {"anything": ["goes"]},
    }
    assert parse_args(args) == Args(
        command="build",
        invocation_command="dbt build --target prod --full-refresh --threads 8 -s tag:x",
        target="prod",
        selector="tag:x",
        full_refresh=True,
        threads=8,
    )


@pytest.mark.parametrize(
    "args", [None, {}, {"threads": "many", "full_refresh": "yes", "target": 3}]
)
def test_parse_args_is_lenient(args: dict[str, Any] | None) -> None:
    parsed = parse_args(args)
    assert (parsed.threads, parsed.full_refresh) == (None, None)
