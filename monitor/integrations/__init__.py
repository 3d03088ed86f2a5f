"""Where dbt runs: wrappers and schedulers at the edge of the pipeline, like ``cli/``.

``wrap`` runs a dbt command and finds the artifacts it wrote (``dbt-monitor
exec``); ``dagster`` (optional extra ``dagster``) turns a dagster-dbt
invocation into history rows and Dagster asset check results.
"""
