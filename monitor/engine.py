"""The Polars engine every query of dbt-monitor is collected on.

Polars' default (``auto``) hands most lazy queries to its streaming engine,
made for data larger than memory: it starts an async executor, cuts frames
into morsels and wakes its threads for each. dbt-monitor's queries read at
most a few hundred megabytes (a check reads 35 nights: 218,000 runs), where
the in-memory engine answers sooner. On the 365-night benchmark history
(2 cores, 20 runs each in turn with the ``auto`` engine): ``check`` 0.51 s
against 0.54 s median; ``slowest`` 0.36 s against 0.37 s, its peak memory
117 MB against 134 MB (``benchmarks/README.md``).

Named at every ``collect`` (never set process-wide), so a host process that
embeds dbt-monitor keeps its own Polars settings.
"""

from __future__ import annotations

from typing import Final, Literal

ENGINE: Final[Literal["in-memory"]] = "in-memory"
"""Pass as ``collect(engine=ENGINE)`` and ``pl.collect_all(..., engine=ENGINE)``."""
