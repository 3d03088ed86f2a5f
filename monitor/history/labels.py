"""Labels attached to an invocation: the user's, the CI system's, dbt's own.

Precedence, lowest first: what dbt recorded in ``metadata.env``
(``DBT_CLOUD_*`` and ``DBT_ENV_CUSTOM_ENV_*``), the CI system's variables,
then ``--label KEY=VALUE`` from the command line.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from monitor.errors import MonitorError

CI_VARIABLES = (
    # GitHub Actions
    "GITHUB_SHA",
    "GITHUB_REF",
    "GITHUB_HEAD_REF",
    "GITHUB_RUN_ID",
    "GITHUB_RUN_ATTEMPT",
    "GITHUB_REPOSITORY",
    "GITHUB_WORKFLOW",
    "GITHUB_JOB",
    "GITHUB_EVENT_NAME",
    # GitLab CI
    "CI_COMMIT_SHA",
    "CI_COMMIT_REF_NAME",
    "CI_PIPELINE_ID",
    "CI_JOB_NAME",
    "CI_MERGE_REQUEST_IID",
    # CircleCI, Buildkite, Azure Pipelines
    "CIRCLE_SHA1",
    "CIRCLE_BUILD_NUM",
    "BUILDKITE_COMMIT",
    "BUILDKITE_BUILD_NUMBER",
    "BUILD_SOURCEVERSION",
    "BUILD_BUILDID",
)
"""CI variables recorded as labels when ``CI`` is set in the environment."""

CI_RECENT = dt.timedelta(hours=24)
"""CI labels only describe invocations this recent: re-ingesting an old
history from a CI job must not stamp last year's runs with today's commit."""

_DBT_ENV_PREFIXES = ("DBT_CLOUD_", "DBT_ENV_CUSTOM_ENV_")


def parse_labels(pairs: Iterable[str]) -> dict[str, str]:
    """Parse ``KEY=VALUE`` options; a bad one is a usage error."""
    labels: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise MonitorError(f"--label {pair!r}: expected KEY=VALUE, e.g. --label env=prod")
        labels[key.strip()] = value
    return labels


def ci_labels(environ: Mapping[str, str]) -> dict[str, str]:
    """The CI system's variables, when running inside CI."""
    if not environ.get("CI"):
        return {}
    return {name: environ[name] for name in CI_VARIABLES if environ.get(name)}


def dbt_env_labels(env: Iterable[tuple[str, str]]) -> dict[str, str]:
    """What dbt itself recorded in ``metadata.env`` about the job."""
    labels: dict[str, str] = {}
    for key, value in env:
        if key.startswith("DBT_ENV_CUSTOM_ENV_"):
            labels[key.removeprefix("DBT_ENV_CUSTOM_ENV_")] = value
        elif key.startswith("DBT_CLOUD_"):
            labels[key] = value
    return labels


def merge_labels(
    dbt_env: Iterable[tuple[str, str]],
    ci: Mapping[str, str],
    user: Mapping[str, str],
) -> list[dict[str, str]]:
    """Merge the three sources into sorted key/value rows."""
    merged = {**dbt_env_labels(dbt_env), **ci, **user}
    return [{"key": key, "value": merged[key]} for key in sorted(merged)]
