"""The ``cost`` table of the configuration: currency, per-adapter methods and rates.

::

    [tool.dbt-monitor.cost]
    currency = "USD"
    bigquery = { method = "bytes_billed", price_per_tib = 6.25 }
    # or       { method = "slot_ms", price_per_slot_hour = 0.06 }
    snowflake = { price_per_credit = 3.0, default_size = "X-Small",
                  warehouses = { TRANSFORMING = "Medium" } }
    databricks = { price_per_dbu = 0.70, default_size = "Small" }
    rate_per_hour = { postgres = 1.5 }   # any adapter: price of one warehouse-hour
    spike_ratio = 2.0                    # cost_spike: this run >= ratio x baseline median
    spike_floor = 1.0                    # ... and above this (currency, or compute seconds)

The figures above are the public list prices as examples; nothing here is a
default for money: an adapter without a configured price is measured in
compute seconds, with no currency. Credits (Snowflake) and DBUs (Databricks)
per hour by warehouse size are the vendors' published sizing, overridable
with ``credits_per_hour`` / ``dbu_per_hour``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from monitor.errors import MonitorError

SNOWFLAKE_CREDITS_PER_HOUR = {
    "X-Small": 1.0,
    "Small": 2.0,
    "Medium": 4.0,
    "Large": 8.0,
    "X-Large": 16.0,
    "2X-Large": 32.0,
    "3X-Large": 64.0,
    "4X-Large": 128.0,
    "5X-Large": 256.0,
    "6X-Large": 512.0,
}
"""Credits per hour of a standard Snowflake warehouse by size (Snowflake's documentation)."""

DATABRICKS_DBU_PER_HOUR = {
    "2X-Small": 4.0,
    "X-Small": 6.0,
    "Small": 12.0,
    "Medium": 24.0,
    "Large": 40.0,
    "X-Large": 80.0,
    "2X-Large": 144.0,
    "3X-Large": 272.0,
    "4X-Large": 528.0,
}
"""DBUs per hour of a Databricks SQL warehouse by size (Databricks' documentation)."""

METHODS = ("bytes_billed", "slot_ms", "warehouse_time", "compute_seconds")


@dataclass(frozen=True)
class WarehouseRate:
    """A warehouse-hour's price by warehouse (name -> price per busy hour)."""

    default: float
    by_warehouse: dict[str, float] = field(default_factory=dict)

    def per_hour(self, warehouse: str | None) -> float:
        """The price of one busy hour of ``warehouse`` (the default warehouse for None)."""
        if warehouse is None:
            return self.default
        return self.by_warehouse.get(warehouse, self.default)


@dataclass(frozen=True)
class AdapterCost:
    """How one adapter's runs are priced."""

    method: str
    price: float = 0.0
    """Per TiB billed (bytes_billed), per slot-hour (slot_ms); unused for warehouse_time."""
    rate: WarehouseRate | None = None


@dataclass(frozen=True)
class CostConfig:
    """The whole ``cost`` table."""

    currency: str | None = None
    adapters: dict[str, AdapterCost] = field(default_factory=dict)
    spike_ratio: float = 2.0
    spike_floor: float = 0.0

    def for_adapter(self, adapter: str | None) -> AdapterCost:
        """The pricing of ``adapter``: configured, else compute seconds."""
        found = self.adapters.get((adapter or "").lower())
        return found or AdapterCost("compute_seconds")

    def unit(self, method: str) -> str:
        """What a figure of ``method`` is counted in."""
        if method == "compute_seconds" or not self.currency:
            return "compute_seconds"
        return self.currency


def parse_cost(data: Any, source: str) -> CostConfig:
    """Check and read the ``cost`` table; every mistake names its key."""
    table = _table(data, "cost", source)
    known = {
        "currency",
        "bigquery",
        "snowflake",
        "databricks",
        "rate_per_hour",
        "spike_ratio",
        "spike_floor",
    }
    for key in table:
        if key not in known:
            raise MonitorError(
                f"{source}: unknown key cost.{key} (known: {', '.join(sorted(known))})"
            )
    adapters: dict[str, AdapterCost] = {}
    for adapter, rate in _table(
        table.get("rate_per_hour", {}), "cost.rate_per_hour", source
    ).items():
        price = _number(rate, f"cost.rate_per_hour.{adapter}", source)
        adapters[adapter.lower()] = AdapterCost("warehouse_time", rate=WarehouseRate(price))
    if "bigquery" in table:
        adapters["bigquery"] = _bigquery(table["bigquery"], source)
    for adapter, sizes, price_key in (
        ("snowflake", SNOWFLAKE_CREDITS_PER_HOUR, "price_per_credit"),
        ("databricks", DATABRICKS_DBU_PER_HOUR, "price_per_dbu"),
    ):
        if adapter in table:
            adapters[adapter] = _sized(table[adapter], adapter, sizes, price_key, source)
    currency = table.get("currency")
    if currency is not None and not (isinstance(currency, str) and currency.strip()):
        raise MonitorError(f'{source}: cost.currency must be a currency code such as "USD"')
    priced = [a for a in adapters.values() if a.method != "compute_seconds"]
    if priced and currency is None:
        raise MonitorError(f'{source}: cost.currency is needed with prices (e.g. currency = "USD")')
    return CostConfig(
        currency=currency,
        adapters=adapters,
        spike_ratio=_number(table.get("spike_ratio", 2.0), "cost.spike_ratio", source),
        spike_floor=_number(table.get("spike_floor", 0.0), "cost.spike_floor", source),
    )


def _bigquery(data: Any, source: str) -> AdapterCost:
    table = _table(data, "cost.bigquery", source)
    method = table.get("method", "bytes_billed")
    keys = {"bytes_billed": "price_per_tib", "slot_ms": "price_per_slot_hour"}
    if method not in keys:
        raise MonitorError(
            f"{source}: cost.bigquery.method must be bytes_billed or slot_ms, got {method!r}"
        )
    price_key = keys[method]
    _only(table, {"method", price_key}, "cost.bigquery", source)
    if price_key not in table:
        raise MonitorError(f"{source}: cost.bigquery needs {price_key} with method {method}")
    return AdapterCost(
        method, price=_number(table[price_key], f"cost.bigquery.{price_key}", source)
    )


def _sized(
    data: Any, adapter: str, sizes: dict[str, float], price_key: str, source: str
) -> AdapterCost:
    name = f"cost.{adapter}"
    table = _table(data, name, source)
    units = "credits_per_hour" if adapter == "snowflake" else "dbu_per_hour"
    _only(table, {price_key, "default_size", "warehouses", units}, name, source)
    if price_key not in table:
        raise MonitorError(f"{source}: {name} needs {price_key}")
    price = _number(table[price_key], f"{name}.{price_key}", source)
    per_size = dict(sizes)
    for size, value in _table(table.get(units, {}), f"{name}.{units}", source).items():
        per_size[size] = _number(value, f"{name}.{units}.{size}", source)

    def hourly(size: Any, key: str) -> float:
        if size not in per_size:
            raise MonitorError(
                f"{source}: {key}: unknown size {size!r} (known: {', '.join(per_size)})"
            )
        return per_size[size] * price

    default_size = table.get("default_size", "X-Small" if adapter == "snowflake" else "Small")
    default = hourly(default_size, f"{name}.default_size")
    warehouses = {
        str(warehouse): hourly(size, f"{name}.warehouses.{warehouse}")
        for warehouse, size in _table(
            table.get("warehouses", {}), f"{name}.warehouses", source
        ).items()
    }
    return AdapterCost("warehouse_time", rate=WarehouseRate(default, warehouses))


def _table(value: Any, key: str, source: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise MonitorError(f"{source}: {key} must be a table, got {value!r}")
    return value


def _only(table: dict[str, Any], allowed: set[str], key: str, source: str) -> None:
    for name in table:
        if name not in allowed:
            raise MonitorError(
                f"{source}: unknown key {key}.{name} (known: {', '.join(sorted(allowed))})"
            )


def _number(value: Any, key: str, source: str) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0:
        return float(value)
    raise MonitorError(f"{source}: {key} must be a number >= 0, got {value!r}")
