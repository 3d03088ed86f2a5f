"""Node names and detail cards: every node the report mentions gets a card to link to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from monitor.analysis.frames import Frames, as_of
from monitor.analysis.words import name_of
from monitor.render.report.context import NodeRef
from monitor.render.report.formats import anchor

MAX_CARDS = 300
"""More cards than this is a report nobody reads; later mentions link to nothing."""


class Nodes:
    """The project's nodes as they stood at the newest invocation."""

    def __init__(self, frames: Frames, at: dt.datetime | None) -> None:
        versions = frames.nodes
        if at is not None and versions.height:
            versions = as_of(versions, at)
        self._rows: dict[str, dict[str, Any]] = {
            row["unique_id"]: row for row in versions.iter_rows(named=True)
        }
        self.mentioned: dict[str, NodeRef] = {}

    def row(self, unique_id: str) -> dict[str, Any] | None:
        """The node's manifest attributes, if the history has them."""
        return self._rows.get(unique_id)

    def ref(self, unique_id: str, *, card: bool = True) -> NodeRef:
        """How the report names ``unique_id``; with ``card``, it gets a detail card.

        Without ``card`` the name still links to a card some other mention earned.
        """
        known = self.mentioned.get(unique_id)
        if known is not None:
            return known
        row = self._rows.get(unique_id)
        resource_type = (row or {}).get("resource_type") or unique_id.split(".")[0]
        linked = card and len(self.mentioned) < MAX_CARDS
        ref = NodeRef(
            unique_id, name_of(unique_id), resource_type, anchor(unique_id) if linked else None
        )
        if linked:
            self.mentioned[unique_id] = ref
        return ref

    def tested(self, unique_id: str) -> str | None:
        """``fct_orders.order_id`` for a test on that column."""
        row = self._rows.get(unique_id)
        if not row or not row.get("test_node"):
            return None
        column = row.get("test_column")
        return name_of(row["test_node"]) + (f".{column}" if column else "")
