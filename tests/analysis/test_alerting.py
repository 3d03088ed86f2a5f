"""The alerts table of the configuration: the fixed shape, and one-line errors naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.analysis.alerting import Alerts, Destination, Route
from monitor.analysis.config import load_config
from monitor.errors import MonitorError

SHAPE = """
[tool.dbt-monitor.alerts]
report_url = "https://reports.example.com/dbt/"

[tool.dbt-monitor.alerts.destinations.data_team]
type = "slack"
url_env = "SLACK_WEBHOOK_URL"

[[tool.dbt-monitor.alerts.routes]]
severity = ["error", "warn"]
to = ["data_team"]
"""


def test_the_documented_shape_in_pyproject(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text(SHAPE)
    assert load_config(explicit=path).alerts == Alerts(
        report_url="https://reports.example.com/dbt/",
        destinations={"data_team": Destination("data_team", "slack",
                                                {"url_env": "SLACK_WEBHOOK_URL"})},
        routes=(Route(("data_team",), {"severity": ("error", "warn")}),),
    )  # fmt: skip


def test_without_alerts_nothing_is_configured(tmp_path: Path) -> None:
    path = tmp_path / "dbt-monitor.toml"
    path.write_text("fail_on = 'warn'\n")
    assert load_config(explicit=path).alerts == Alerts()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[alerts]\ncolour = 1", "alerts: unknown key 'colour'"),
        ("[alerts.destinations.x]\ntype = 'fax'",
         "alerts.destinations.x.type: expected one of slack, teams, pagerduty, webhook, email, "
         "got 'fax'"),
        ("[alerts.destinations.x]\ntype = 'teams'\nurl_env = 'T'\nurl = 'https://x'",
         "alerts.destinations.x: unknown key 'url' for teams (url_env)"),
        ("[alerts.destinations.x]\ntype = 'teams'", "alerts.destinations.x: teams needs 'url_env'"),
        ("[alerts.destinations.x]\ntype = 'webhook'\nurl_env = 'https://hooks.example.com/1'",
         "alerts.destinations.x.url_env names an environment variable (the secret stays there)"),
        ("[alerts.destinations.x]\ntype = 'slack'\nbot_token_env = 'T'",
         "alerts.destinations.x: slack with bot_token_env needs a channel"),
        ("[[alerts.routes]]\nto = ['nobody']",
         "alerts.routes[0].to: no destination 'nobody' in alerts.destinations"),
        ("[[alerts.routes]]\nwhen = 'always'\nto = []", "alerts.routes[0]: unknown key 'when'"),
    ],
)  # fmt: skip
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "dbt-monitor.toml"
    path.write_text(text)
    with pytest.raises(MonitorError) as caught:
        load_config(explicit=path)
    assert str(caught.value).startswith(f"{path}: {message}")
