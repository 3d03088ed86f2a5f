"""The product funnel from a funnel mart: steps, conversion, drop-off, and counts over time.

The mart has one row per step: a name, an order and a user count (by
default the columns ``step``, ``step_order`` and ``users``).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from monitor.errors import MonitorError


@dataclass(frozen=True)
class FunnelColumns:
    """Which mart columns hold the step name, its order and its user count."""

    step: str = "step"
    order: str = "step_order"
    users: str = "users"

    @classmethod
    def parse(cls, text: str) -> FunnelColumns:
        """``STEP,ORDER,USERS`` column names, e.g. ``stage,position,visitors``."""
        parts = [part.strip() for part in text.split(",")]
        if len(parts) != 3 or not all(parts):
            raise MonitorError(
                f"funnel columns {text!r}: expected three names STEP,ORDER,USERS, "
                "e.g. step,step_order,users"
            )
        return cls(*parts)


@dataclass(frozen=True)
class FunnelStep:
    """One step: its users, the share of the previous step kept and lost, and of the first."""

    step: str
    order: int
    users: int
    conversion: float | None
    drop_off: float | None
    of_first: float | None


@dataclass(frozen=True)
class Funnel:
    """The steps in order and the step with the largest drop-off (None for < 2 steps)."""

    steps: list[FunnelStep]
    largest_drop: FunnelStep | None

    def before(self, step: FunnelStep) -> FunnelStep | None:
        """The step preceding ``step``."""
        index = self.steps.index(step)
        return self.steps[index - 1] if index > 0 else None


def _checked(frame: pl.DataFrame, columns: FunnelColumns, what: str) -> pl.DataFrame:
    missing = [c for c in (columns.step, columns.order, columns.users) if c not in frame.columns]
    if missing:
        raise MonitorError(
            f"{what}: no column {', '.join(repr(c) for c in missing)} "
            f"(it has {', '.join(frame.columns)}); name the columns with --funnel-columns"
        )
    return frame.select(
        pl.col(columns.step).cast(pl.String).alias("step"),
        pl.col(columns.order).cast(pl.Int64).alias("order"),
        pl.col(columns.users).cast(pl.Int64).fill_null(0).alias("users"),
        *(["started_at"] if "started_at" in frame.columns else []),
    )


def funnel(frame: pl.DataFrame, columns: FunnelColumns, what: str = "funnel mart") -> Funnel:
    """The funnel of one export of the mart."""
    rows = _checked(frame, columns, what).sort("order").iter_rows(named=True)
    steps: list[FunnelStep] = []
    for row in rows:
        first = steps[0].users if steps else None
        previous = steps[-1].users if steps else None
        conversion = row["users"] / previous if previous else None
        steps.append(
            FunnelStep(
                step=row["step"],
                order=row["order"],
                users=row["users"],
                conversion=conversion,
                drop_off=1 - conversion if conversion is not None else None,
                of_first=row["users"] / first if first else (1.0 if not steps else None),
            )
        )
    drops = [s for s in steps if s.drop_off is not None]
    largest = max(drops, key=lambda s: s.drop_off or 0.0) if drops else None
    return Funnel(steps, largest)


def funnel_over_time(
    exports: pl.DataFrame, columns: FunnelColumns, what: str = "funnel mart"
) -> pl.DataFrame:
    """Each step's users at every export: started_at, step, order, users, oldest first.

    ``exports`` holds every export's rows with its invocation's ``started_at``.
    """
    return _checked(exports, columns, what).sort("started_at", "order")
