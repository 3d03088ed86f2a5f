"""dbt-monitor: run history, findings and reports from dbt's own artifacts."""

__version__ = "0.1.0"
