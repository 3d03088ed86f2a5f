"""Thresholds and policy, from ``[tool.dbt-monitor]`` or ``dbt-monitor.toml``.

Every key is optional; unknown keys and bad values are errors naming the key.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from monitor.analysis.alerting import Alerts, parse_alerts
from monitor.analysis.cost.settings import CostConfig, parse_cost
from monitor.analysis.finding import FAIL_ON
from monitor.analysis.schedule.deadline import Deadline, parse_sla
from monitor.errors import MonitorError

KINDS = (
    "slow_model",
    "creeping_model",
    "model_error",
    "test_failure",
    "flaky_test",
    "source_stale",
    "source_not_advancing",
    "freshness_unmonitored",
    "run_gap",
    "exposure_at_risk",
    "volume_anomaly",
    "sla_missed",
    "sla_at_risk",
    "cost_spike",
)


@dataclass(frozen=True)
class Config:
    """Every knob the detectors and the CI gate have, with its default."""

    # slow_model: ratio and absolute increase over the median of the previous runs
    slow_baseline_runs: int = 14
    slow_min_runs: int = 3
    slow_ratio: float = 2.0
    slow_min_increase: float = 5.0
    slow_error_ratio: float = 4.0
    slow_mad_factor: float = 3.0
    # creeping_model: a robust slope over a window
    creep_window_days: int = 14
    creep_min_runs: int = 7
    creep_min_weekly_growth: float = 0.2
    creep_min_increase: float = 1.0
    creep_min_consistency: float = 0.75
    # flaky_test: pass -> fail transitions within the window
    flaky_window_days: int = 14
    flaky_min_flips: int = 2
    # source_not_advancing
    not_advancing_checks: int = 3
    # run_gap: "auto" infers the schedule; otherwise hours between runs
    schedule_hours: float | None = None
    gap_tolerance: float = 1.5
    # how far back a check reads the history
    lookback_days: int = 35
    # policy
    fail_on: str = "error"
    ignore: tuple[str, ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    # cost per node run and cost_spike (see monitor.analysis.cost.settings)
    cost: CostConfig = field(default_factory=CostConfig)
    # SLA deadlines by exposure or model name (see monitor.analysis.schedule.deadline)
    sla: dict[str, Deadline] = field(default_factory=dict)
    # alerts: destinations and routes (monitor.analysis.alerting)
    alerts: Alerts = field(default_factory=Alerts)

    def __post_init__(self) -> None:
        if self.fail_on not in FAIL_ON:
            raise MonitorError(
                f"fail_on: expected one of {', '.join(FAIL_ON)}, got {self.fail_on!r}"
            )
        for kind, level in self.severity.items():
            if kind not in KINDS:
                raise MonitorError(
                    f"severity.{kind}: unknown finding kind (known: {', '.join(KINDS)})"
                )
            if level not in ("error", "warn", "info", "off"):
                raise MonitorError(
                    f"severity.{kind}: expected error, warn, info or off, got {level!r}"
                )


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """Read the configuration from ``explicit``, or the nearest file above ``start``."""
    path = explicit or _find_config(start or Path.cwd())
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as err:
        raise MonitorError(f"{path}: cannot read configuration: {err}") from err
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("dbt-monitor", {})
    return config_from_dict(data, source=str(path))


def config_from_dict(data: dict[str, Any], source: str = "configuration") -> Config:
    """Build a Config, checking every key and value's type."""
    fields = {f.name: f for f in dataclasses.fields(Config)}
    values: dict[str, Any] = {}
    for key, value in data.items():
        name = key.replace("-", "_")
        if name not in fields:
            raise MonitorError(f"{source}: unknown key {key!r}")
        if name == "alerts":
            values[name] = parse_alerts(value, source)
            continue
        default = getattr(Config(), name)
        values[name] = _checked(source, key, value, default, name)
    try:
        return Config(**values)
    except MonitorError as err:
        raise MonitorError(f"{source}: {err}") from err


def _checked(source: str, key: str, value: Any, default: Any, name: str) -> Any:
    if name == "cost":
        return parse_cost(value, source)
    if name == "sla":
        return parse_sla(value, source)
    if name == "schedule_hours":
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            return float(value)
        raise MonitorError(f"{source}: {key} must be a positive number of hours")
    if isinstance(default, bool | str):
        if isinstance(value, type(default)):
            return value
    elif isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value
    elif isinstance(default, float):
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
            return float(value)
    elif isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value)
    elif isinstance(default, dict) and isinstance(value, dict):
        return {str(k): v for k, v in value.items()}
    expected = _EXPECTED[type(default).__name__]
    raise MonitorError(f"{source}: {key} must be {expected}, got {value!r}")


_EXPECTED = {
    "bool": "true or false",
    "str": "a string",
    "int": "a whole number >= 0",
    "float": "a number >= 0",
    "tuple": "a list of strings",
    "dict": "a table",
}


def _find_config(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / "dbt-monitor.toml"
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(path: Path) -> bool:
    try:
        return "dbt-monitor" in tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
