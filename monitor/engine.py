"""The Polars engine every query of dbt-monitor is collected on.

Polars' default (``auto``) hands most lazy queries to its streaming engine,
made for data larger than memory: it starts an async executor, cuts frames
into morsels and wakes its threads for each. dbt-monitor's queries read at
most a few hundred megabytes (a check reads 35 nights: 218,000 runs), where
the in-memory engine answers sooner and with less memory. On the 365-night
benchmark history (2 cores), ``check`` went from 0.78 s to 0.73 s median in
the same slow hour, ``slowest`` from 0.37 s to 0.33 s and its peak memory from
134 MB to 117 MB (``benchmarks/README.md``).

Named at every ``collect`` (never set process-wide), so a host process that
embeds dbt-monitor keeps its own Polars settings.
"""

from __future__ import annotations

from typing import Final, Literal

ENGINE: Final[Literal["in-memory"]] = "in-memory"
"""Pass as ``collect(engine=ENGINE)`` and ``pl.collect_all(..., engine=ENGINE)``."""
