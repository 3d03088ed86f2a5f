"""``runs``: recent invocations with their counts per status and their finding counts.

Statuses are counted in four columns: ``ok`` (success, pass), ``warn``,
``fail`` (fail, error, runtime error) and ``skip``.
"""

from __future__ import annotations

import polars as pl

from monitor.analysis.queries.findings_table import finding_counts
from monitor.engine import ENGINE

LEVELS = ("error", "warn", "info")


def recent_invocations(invocations: pl.LazyFrame, *, limit: int | None = None) -> pl.DataFrame:
    """The invocations of ``invocations``, newest first, in their display columns.

    ``found_*`` columns are left empty; :func:`with_finding_counts` fills them.
    """
    recent = invocations.unique("invocation_id", keep="first").sort(
        "started_at", "invocation_id", descending=True
    )
    if limit:
        recent = recent.head(limit)
    labels = pl.col("labels").list.eval(
        pl.concat_str(
            pl.element().struct.field("key"), pl.element().struct.field("value"), separator="="
        )
    )
    # the columns that matter first: a narrow table keeps them and leaves out the rest
    return recent.select(
        "started_at",
        "command",
        (pl.col("n_success").fill_null(0) + pl.col("n_pass").fill_null(0)).alias("ok"),
        pl.col("n_warn").fill_null(0).alias("warn"),
        (
            pl.col("n_fail").fill_null(0)
            + pl.col("n_error").fill_null(0)
            + pl.col("n_runtime_error").fill_null(0)
        ).alias("fail"),
        pl.col("n_skipped").fill_null(0).alias("skip"),
        pl.col("n_results").alias("results"),
        *(pl.lit(None, dtype=pl.Int64).alias(f"found_{level}") for level in LEVELS),
        pl.col("elapsed_time").alias("elapsed_s"),
        "target",
        "invocation_id",
        labels.list.join(" ").alias("labels"),
    ).collect(engine=ENGINE)


def with_finding_counts(
    runs: pl.DataFrame, findings: pl.DataFrame, judged: list[str]
) -> pl.DataFrame:
    """``runs`` with the finding counts of the ``judged`` invocations (0 when none found)."""
    counts = finding_counts(findings).rename({level: f"found_{level}" for level in LEVELS})
    was_judged = pl.col("invocation_id").is_in(judged)
    return (
        runs.drop(f"found_{level}" for level in LEVELS)
        .join(counts, on="invocation_id", how="left", maintain_order="left")
        .with_columns(
            pl.when(was_judged).then(pl.col(f"found_{level}").fill_null(0)) for level in LEVELS
        )
        .select(runs.columns)
    )
