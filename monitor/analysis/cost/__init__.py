"""What a project costs, per node run, from the artifacts alone.

``settings`` reads the ``[tool.dbt-monitor.cost]`` table; ``attribution``
splits each warehouse's busy seconds among the nodes running in them;
``pricing`` turns a run's node rows into priced rows that say their method;
``summary`` groups them for the ``cost`` command and the report; ``spike``
is the ``cost_spike`` check.
"""
