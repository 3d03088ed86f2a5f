"""Explain every change: change points in a node's runtime and rows, and their likely causes.

* :mod:`~monitor.analysis.explain.rows`: which ``rows_affected`` values are
  row counts (per adapter; everything else is unknown, never 0);
* :mod:`~monitor.analysis.explain.changes`: the step/spike detector on one
  series (median/MAD, no model fitting);
* :mod:`~monitor.analysis.explain.facts`: the view of the history the causes
  read, built once per judged run;
* :mod:`~monitor.analysis.explain.causes`: the fixed cause vocabulary, each
  cause with its evidence and a confidence, ranked;
* :mod:`~monitor.analysis.explain.explain`: a node's change points with their
  causes (``dbt-monitor explain``, ``model``, the report).
"""
