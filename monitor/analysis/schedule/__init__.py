"""When a build finishes: dbt's scheduler replayed, what-if, readiness, SLAs, forecasts.

``graph`` turns one invocation into the graph dbt scheduled (the nodes it
ran, their dependencies and test gates, each node's duration); ``simulate``
replays it the way dbt's graph queue hands out ready nodes; ``whatif``,
``readiness``, ``sla`` and ``forecast`` ask questions of those replays.
"""
