"""The builder's hand-built history as lazy tables, the way the queries read it."""

from __future__ import annotations

from monitor import schema
from monitor.history.tables import Tables
from tests.analysis.builder import HistoryBuilder, _frame


def tables_of(builder: HistoryBuilder) -> Tables:
    return Tables(
        invocations=_frame(builder.invocations, schema.INVOCATIONS).lazy(),
        node_runs=_frame(builder.node_runs, schema.NODE_RUNS).lazy(),
        freshness=_frame(builder.freshness, schema.FRESHNESS).lazy(),
        nodes=_frame(builder.nodes, schema.NODES).lazy(),
        exposures=_frame(builder.exposures, schema.EXPOSURES).lazy(),
    )
