"""Every command has --help text with an example."""

import click
import pytest
from click.testing import CliRunner

from monitor.cli import cli

CTX = click.Context(cli)
COMMANDS = cli.list_commands(CTX)


def command_named(name: str) -> click.Command:
    command = cli.get_command(CTX, name)
    assert command is not None, f"{name} is listed but its module does not define it"
    return command


def test_the_commands_are_registered() -> None:
    assert all(command_named(name).name == name for name in COMMANDS)
    assert {
        "compact",
        "report",
        "ingest",
        "check",
        "runs",
        "slowest",
        "failures",
        "flaky",
        "freshness",
        "model",
        "sql",
    } <= set(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_with_an_example(name: str) -> None:
    command = command_named(name)
    assert command.help and command.help.strip(), f"{name} has no help text"
    result = CliRunner().invoke(cli, [name, "--help"], prog_name="dbt-monitor")
    assert result.exit_code == 0
    assert result.stdout.startswith(f"Usage: dbt-monitor {name} ")
    assert "Example" in result.stdout, f"{name} --help shows no example"
    assert f"dbt-monitor {name}" in result.stdout.split("Example", 1)[1]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_is_explained(name: str) -> None:
    command = command_named(name)
    for param in command.params:
        if isinstance(param, click.Option) and param.name != "help":
            assert param.help, f"{name} {param.opts[0]} has no help text"


def test_the_group_lists_every_command_with_its_summary() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f"  {name} " in result.stdout
