"""What a *job* is: one definition for run_gap, run views, alerts and forecasts.

A job is a name and a dbt command. The name is, first found wins:

1. the ``job`` label (``dbt-monitor ingest --label job=nightly``);
2. ``JOB`` in dbt's ``metadata.env`` (dbt strips the ``DBT_ENV_CUSTOM_ENV_``
   prefix, so ``DBT_ENV_CUSTOM_ENV_JOB=nightly`` arrives as ``JOB``);
3. dbt Cloud's job id (``DBT_CLOUD_JOB_ID`` in ``metadata.env`` or as a
   label), spelled ``dbt-cloud-job-<id>``;
4. the dbt target (``--target``), else ``default``.

The command makes the nightly ``source freshness`` and the nightly ``build``
two jobs of the same schedule: ``job`` is ``"<name> <command>"``, e.g.
``nightly build`` and ``nightly source freshness``.
"""

from __future__ import annotations

import polars as pl

JOB_LABEL = "job"
JOB_ENV = "JOB"
CLOUD_JOB = "DBT_CLOUD_JOB_ID"


def _lookup(column: str, key: str) -> pl.Expr:
    """The value of ``key`` in a list-of-``{key, value}`` column (null when absent)."""
    return (
        pl.col(column)
        .list.eval(
            pl.element().filter(pl.element().struct.field("key") == key).struct.field("value")
        )
        .list.first()
    )


def job_name() -> pl.Expr:
    """The job's name (see the module docstring for the order), as ``job_name``."""
    cloud = pl.coalesce(_lookup("env", CLOUD_JOB), _lookup("labels", CLOUD_JOB))
    return pl.coalesce(
        _lookup("labels", JOB_LABEL).replace("", None),
        _lookup("env", JOB_ENV).replace("", None),
        pl.lit("dbt-cloud-job-") + cloud,
        pl.col("target"),
        pl.lit("default"),
    ).alias("job_name")


def job() -> pl.Expr:
    """The job: its name and the dbt command, as ``job`` (``nightly build``)."""
    command = pl.col("command").fill_null("run")
    return pl.concat_str([job_name(), command], separator=" ").alias("job")
