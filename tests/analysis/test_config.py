from pathlib import Path

import pytest

from monitor.analysis.config import Config, config_from_dict, load_config
from monitor.errors import MonitorError


def test_defaults_when_no_file(tmp_path: Path) -> None:
    assert load_config(start=tmp_path) == Config()


def test_reads_pyproject_tool_table(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.dbt-monitor]\nslow_ratio = 3\nfail_on = "warn"\nignore = ["tag:noisy"]\n'
    )
    config = load_config(start=tmp_path / "sub" / "dir")
    assert (config.slow_ratio, config.fail_on, config.ignore) == (3.0, "warn", ("tag:noisy",))


def test_dbt_monitor_toml_wins_in_the_same_folder(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.dbt-monitor]\nslow_ratio = 3\n")
    (tmp_path / "dbt-monitor.toml").write_text("slow-ratio = 5\n")
    assert load_config(start=tmp_path).slow_ratio == 5.0


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"slow_ratoi": 2}, "unknown key 'slow_ratoi'"),
        ({"slow_ratio": "fast"}, "slow_ratio must be a number >= 0"),
        ({"slow_min_runs": -1}, "slow_min_runs must be a whole number >= 0"),
        ({"fail_on": "sometimes"}, "fail_on: expected one of error, warn, never"),
        ({"severity": {"slow_modle": "warn"}}, "severity.slow_modle: unknown finding kind"),
        (
            {"severity": {"slow_model": "loud"}},
            "severity.slow_model: expected error, warn, info or off",
        ),
        ({"ignore": "model.*"}, "ignore must be a list of strings"),
    ],
)
def test_bad_keys_and_values_name_the_key(data: dict[str, object], message: str) -> None:
    with pytest.raises(MonitorError, match=message):
        config_from_dict(data, source="dbt-monitor.toml")


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dbt-monitor.toml"
    path.write_text("slow_ratio = = 2\n")
    with pytest.raises(MonitorError, match="dbt-monitor.toml: cannot read configuration"):
        load_config(explicit=path)
