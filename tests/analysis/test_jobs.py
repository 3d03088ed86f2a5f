import polars as pl

from monitor.analysis.jobs import job, job_name
from monitor.schema import LABEL


def _jobs(rows: list[dict[str, object]]) -> list[str]:
    frame = pl.DataFrame(
        rows,
        schema={
            "command": pl.String(),
            "target": pl.String(),
            "labels": pl.List(LABEL),
            "env": pl.List(LABEL),
        },
    )
    return frame.select(job())["job"].to_list()


def test_job_label_wins_over_dbt_env_and_target():
    kv = [{"key": "job", "value": "ci"}]
    env = [{"key": "JOB", "value": "nightly"}]
    assert _jobs([{"command": "build", "target": "prod", "labels": kv, "env": env}]) == ["ci build"]


def test_dbt_env_job_then_cloud_job_then_target_then_default():
    env_job = [{"key": "JOB", "value": "nightly"}]
    cloud = [{"key": "DBT_CLOUD_JOB_ID", "value": "42"}]
    rows = [
        {"command": "source freshness", "target": "prod", "labels": [], "env": env_job},
        {"command": "build", "target": "prod", "labels": [], "env": cloud},
        {"command": "build", "target": "prod", "labels": [], "env": []},
        {"command": "run", "target": None, "labels": None, "env": None},
    ]
    assert _jobs(rows) == [
        "nightly source freshness",
        "dbt-cloud-job-42 build",
        "prod build",
        "default run",
    ]


def test_freshness_and_build_of_one_schedule_are_two_jobs_with_one_name():
    env = [{"key": "JOB", "value": "nightly"}]
    frame = pl.DataFrame(
        {
            "command": ["source freshness", "build"],
            "target": ["prod", "prod"],
            "labels": [[], []],
            "env": [env, env],
        },
        schema={
            "command": pl.String(),
            "target": pl.String(),
            "labels": pl.List(LABEL),
            "env": pl.List(LABEL),
        },
    )
    out = frame.select(job_name(), job())
    assert out["job_name"].to_list() == ["nightly", "nightly"]
    assert out["job"].n_unique() == 2
