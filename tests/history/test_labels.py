import pytest

from monitor.errors import MonitorError
from monitor.history.labels import ci_labels, dbt_env_labels, merge_labels, parse_labels


def test_parse_labels_splits_on_first_equals() -> None:
    assert parse_labels(["env=prod", "query=a=b"]) == {"env": "prod", "query": "a=b"}


@pytest.mark.parametrize("bad", ["env", "=prod", " =x"])
def test_parse_labels_rejects_pairs_without_key(bad: str) -> None:
    with pytest.raises(MonitorError, match="expected KEY=VALUE"):
        parse_labels([bad])


def test_ci_labels_only_inside_ci() -> None:
    environ = {"GITHUB_SHA": "abc", "HOME": "/root"}
    assert ci_labels(environ) == {}
    assert ci_labels({**environ, "CI": "true"}) == {"GITHUB_SHA": "abc"}


def test_dbt_env_labels_strip_custom_prefix_and_keep_cloud_names() -> None:
    env = [("DBT_ENV_CUSTOM_ENV_team", "growth"), ("DBT_CLOUD_JOB_ID", "42"), ("PATH", "/bin")]
    assert dbt_env_labels(env) == {"team": "growth", "DBT_CLOUD_JOB_ID": "42"}


def test_user_labels_win_over_ci_and_dbt_env() -> None:
    merged = merge_labels(
        [("DBT_ENV_CUSTOM_ENV_env", "dbt")], {"env": "ci", "GITHUB_SHA": "s"}, {"env": "user"}
    )
    assert merged == [{"key": "GITHUB_SHA", "value": "s"}, {"key": "env", "value": "user"}]
