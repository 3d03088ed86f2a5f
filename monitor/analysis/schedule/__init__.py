"""When a build finishes: dbt's scheduler replayed, what-if, readiness, SLAs, forecasts.

``graph`` turns one invocation into the graph dbt scheduled (the nodes it
ran, their dependencies and test gates, each node's duration); ``simulate``
replays it the way dbt's graph queue hands out ready nodes; ``whatif``,
``readiness``, ``sla`` and ``forecast`` ask questions of those replays.

numpy is imported inside the functions that use it (here and in
``monitor.analysis.cost``): ``check`` imports these modules, and without an
SLA or a price configured it never needs numpy, so it does not pay for it.
"""
