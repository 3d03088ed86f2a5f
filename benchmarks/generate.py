"""Write the artifacts of a large synthetic dbt project, for benchmarks.

The project is shaped like a real one and its files like the ones dbt 1.11
writes (manifest v12, run-results v6, sources v3, field for field, modelled on
the jaffle_shop files in ``artifacts-corpus/``), so that sizes and parse times
are realistic:

* a layered DAG: one staging model per source table (sources are ~10 % of the
  models), intermediate models joining 1-5 parents, marts joining 2-6, with
  preferential attachment so a few core models have a large fan-out; seeds, a
  few snapshots and exposures;
* generic tests (unique, not_null, relationships, accepted_values) on model
  columns, with ``attached_node`` and ``test_metadata``;
* one nightly ``dbt source freshness`` + ``dbt build`` per invocation on a
  BigQuery target with 4 threads: per-thread sequential compile/execute
  timings, a stable log-normal execution time per node with run-to-run noise,
  slow growth and a few step regressions; mostly success/pass with a few
  fail/warn/error and the skips dbt build cascades from them.

Each invocation gets a folder ``OUT/<NNNN>/`` (0000 is 2024-01-01 02:00 UTC,
the next one ``days_per_invocation`` later) holding ``manifest.json``,
``run_results.json`` and ``sources.json``. The project does not change between
invocations, so the manifest is written once and hard-linked into every folder
(copied where links are not possible): its ``invocation_id`` is that of
invocation 0000 and differs from the run_results' own ones, so a tool must pair
a manifest with its run by folder, not by ``invocation_id``.

Run ``python benchmarks/generate.py OUT_DIR --help`` for the options, or call
:func:`generate`. The same arguments and seed always give the same bytes.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import math
import os
import random
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

DBT_VERSION = "1.11.7"
PROJECT = "acme_analytics"
DATABASE = "acme-analytics"  # the BigQuery project models are built in
RAW_DATABASE = "acme-raw"  # where the loaders land source tables
TARGET_SCHEMA = "analytics"
LOCATION = "US"
THREADS = 4
FIRST_RUN = datetime(2024, 1, 1, 2, 0, tzinfo=UTC).timestamp()


def first_run(invocations: int, days_per_invocation: float = 1.0) -> float:
    """When night 0 starts: 2024-01-01 02:00 UTC, or earlier if need be.

    The last night must end before today: dbt-monitor refuses invocations
    dated in the future.
    """
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    latest = (today - timedelta(days=1)).replace(hour=2).timestamp()
    span = (invocations - 1) * days_per_invocation * DAY
    return min(FIRST_RUN, latest - span)


DAY = 86_400.0


def _words(text: str) -> list[str]:
    return text.split()


SYSTEMS = _words(
    "shopify stripe salesforce hubspot zendesk netsuite segment app_db google_ads facebook_ads "
    "braintree intercom jira greenhouse workday marketo mixpanel snowplow quickbooks zuora "
    "recurly adyen klaviyo braze amplitude github linkedin_ads bing_ads iterable freshdesk"
)
# source table : its entity : the business domain it feeds
TABLES = [
    tuple(row.split(":"))
    for row in _words(
        "orders:order:sales customers:customer:sales payments:payment:finance "
        "refunds:refund:finance invoices:invoice:finance subscriptions:subscription:finance "
        "products:product:product line_items:line_item:sales accounts:account:sales "
        "contacts:contact:marketing leads:lead:marketing opportunities:opportunity:sales "
        "tickets:ticket:support users:user:product events:event:product "
        "sessions:session:product campaigns:campaign:marketing ad_groups:ad_group:marketing "
        "ads:ad:marketing clicks:click:marketing impressions:impression:marketing "
        "charges:charge:finance disputes:dispute:finance transfers:transfer:finance "
        "plans:plan:finance coupons:coupon:sales shipments:shipment:operations "
        "inventory_levels:inventory_level:operations locations:location:operations "
        "employees:employee:people departments:department:people vendors:vendor:operations "
        "purchase_orders:purchase_order:operations budgets:budget:finance "
        "journal_entries:journal_entry:finance issues:issue:engineering "
        "pull_requests:pull_request:engineering emails:email_send:marketing "
        "messages:message:support conversations:conversation:support"
    )
]
# column name : BigQuery type
ATTRIBUTES = _words(
    "status:STRING created_at:TIMESTAMP updated_at:TIMESTAMP amount:NUMERIC currency:STRING "
    "name:STRING email:STRING country_code:STRING is_active:BOOL quantity:INT64 "
    "category:STRING channel:STRING description:STRING discount_amount:NUMERIC "
    "tax_amount:NUMERIC region:STRING priority:STRING score:FLOAT64 is_deleted:BOOL "
    "started_at:TIMESTAMP ended_at:TIMESTAMP url:STRING phone:STRING city:STRING "
    "postal_code:STRING unit_price:NUMERIC cost:NUMERIC duration_seconds:INT64 "
    "event_type:STRING plan_type:STRING payment_method:STRING"
)
ENUMS = {
    "status": ["pending", "active", "completed", "cancelled"],
    "currency": ["USD", "EUR", "GBP", "JPY"],
    "channel": ["web", "mobile", "store", "partner"],
    "region": ["amer", "emea", "apac"],
    "priority": ["low", "normal", "high", "urgent"],
    "event_type": ["page_view", "click", "signup", "purchase"],
    "plan_type": ["free", "starter", "pro", "enterprise"],
    "payment_method": ["card", "bank_transfer", "paypal", "gift_card"],
}
SEEDS = _words(
    "country_codes currency_rates holidays product_categories channel_mapping region_mapping "
    "tax_rates employee_roles plan_catalog utm_mapping"
)
VERBS = _words("joined enriched aggregated pivoted deduplicated filtered unioned windowed mapped")
MART_PREFIXES = ["fct", "dim", "agg", "rpt"]
QUALIFIERS = _words(
    "daily weekly monthly by_channel by_region by_product summary history current rollup "
    "ltv cohorts funnel attribution"
)
TEAMS = ["analytics", "finance", "growth", "data-platform", "revenue-ops"]


class GenerateError(Exception):
    """Bad arguments or output folder; the message says what to change."""


# ---------------------------------------------------------------- the project


@dataclass(eq=False, slots=True)
class Resource:
    """A source, seed, snapshot or model: anything a model can select from."""

    kind: str
    name: str
    uid: str
    database: str
    schema: str
    folder: tuple[str, ...]  # under models/ (or seeds/, snapshots/)
    entity: str
    columns: list[tuple[str, str]]  # (name, BigQuery type); columns[0] is the key
    parents: list[Resource] = field(default_factory=list)
    layer: str = ""
    domain: str = ""
    materialized: str = "view"
    system: str = ""
    table: str = ""
    documented: list[str] = field(default_factory=list)  # columns in the yml
    freshness: tuple[int, str, int, str] | None = None  # warn/error count+period

    @property
    def pk(self) -> str:
        return self.columns[0][0]

    @property
    def relation(self) -> str:
        return f"`{self.database}`.`{self.schema}`.`{self.table or self.name}`"

    @property
    def yml_path(self) -> str:
        return "models/" + "/".join(self.folder) + f"/_{self.folder[-1]}__models.yml"


@dataclass(eq=False, slots=True)
class Test:
    """A generic data test on one model column."""

    kind: str  # unique | not_null | relationships | accepted_values
    model: Resource
    column: str
    severity: str = "ERROR"
    to: Resource | None = None
    values: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        base = f"{self.kind}_{self.model.name}_{self.column}"
        if self.kind == "relationships":
            assert self.to is not None
            return f"{base}__{self.to.pk}__ref_{self.to.name}_"
        if self.kind == "accepted_values":
            return base + "__" + "__".join(self.values)
        return base

    @property
    def alias(self) -> str | None:
        """dbt's short name for a test whose full name is 64 characters or more."""
        name = self.name
        if len(name) < 64:
            return None
        digest = hashlib.md5(name.encode()).hexdigest()
        return f"{f'{self.kind}_{self.model.name}'[:30]}_{digest}"

    @property
    def uid(self) -> str:
        digest = hashlib.md5(f"{self.name}.{self.model.uid}".encode()).hexdigest()[:10]
        return f"test.{PROJECT}.{self.name}.{digest}"

    @property
    def parents(self) -> list[Resource]:
        return [self.to, self.model] if self.to else [self.model]


@dataclass(slots=True)
class Project:
    """Everything one ``dbt parse`` would find, plus how each node behaves at run time."""

    seed: int
    sources: list[Resource]
    seeds: list[Resource]
    snapshots: list[Resource]
    models: list[Resource]
    tests: list[Test]
    exposures: list[tuple[str, str, list[Resource]]]  # name, type, depends on
    behaviour: dict[str, Behaviour] = field(default_factory=dict)


def build_project(models: int = 3000, tests: int = 3000, seed: int = 0) -> Project:
    """Lay out the project's DAG, columns and tests; deterministic for a seed."""
    if models < 10:
        raise GenerateError(f"--models must be at least 10, got {models}")
    rng = random.Random(seed)
    sources = _sources(rng, max(2, round(models * 0.1)))
    seeds = _seeds(rng, max(2, models // 100))
    snapshots = _snapshots(rng, sources, max(2, models // 300))
    staging = [_staging_model(src) for src in sources]
    upstream = _layer(rng, "intermediate", round((models - len(staging)) * 0.55), staging, seeds)
    marts = _layer(rng, "marts", models - len(staging) - len(upstream), staging + upstream, [])
    _add_snapshot_refs(rng, marts, snapshots)
    all_models = staging + upstream + marts
    project = Project(
        seed=seed,
        sources=sources,
        seeds=seeds,
        snapshots=snapshots,
        models=all_models,
        tests=_tests(rng, all_models, staging, tests),
        exposures=_exposures(rng, marts, max(2, models // 100)),
    )
    _document(rng, project)
    project.behaviour = _behaviours(rng, project)
    return project


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


def _sources(rng: random.Random, count: int) -> list[Resource]:
    systems = SYSTEMS[: max(1, min(len(SYSTEMS), count // 10))]
    out: list[Resource] = []
    taken: dict[str, set[str]] = {system: set() for system in systems}
    for i in range(count):
        system = systems[i % len(systems)]
        table, entity, domain = TABLES[
            (i // len(systems) + 7 * systems.index(system)) % len(TABLES)
        ]
        name = _unique(table, taken[system])
        attrs = rng.sample(ATTRIBUTES, rng.randint(4, 14))
        fks = [f"{e}_id:STRING" for _, e, _ in rng.sample(TABLES, rng.randint(0, 3)) if e != entity]
        columns = [("id", "STRING")] + [tuple(c.split(":")) for c in fks + attrs]
        res = Resource(
            kind="source",
            name=name,
            uid=f"source.{PROJECT}.{system}.{name}",
            database=RAW_DATABASE,
            schema=system,
            folder=("staging", system),
            entity=entity,
            columns=_dedupe(columns),
            domain=domain,
            system=system,
            table=name,
            freshness=_freshness_criteria(rng.random()),
        )
        out.append(res)
    return out


def _freshness_criteria(draw: float) -> tuple[int, str, int, str] | None:
    """Hourly loaders warn after 12 h, daily ones after 36 h; some sources have none."""
    if draw < 0.55:
        return (12, "hour", 24, "hour")
    if draw < 0.8:
        return (36, "hour", 3, "day")
    return None


def _dedupe(columns: list[tuple[str, ...]]) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for name, type_ in columns:
        seen.setdefault(name, type_)
    return list(seen.items())


def _seeds(rng: random.Random, count: int) -> list[Resource]:
    taken: set[str] = set()
    out = []
    for i in range(count):
        name = _unique(SEEDS[i % len(SEEDS)], taken)
        key = name.split("_")[0] + "_code"
        columns = [(key, "STRING"), ("label", "STRING"), ("sort_order", "INT64")]
        out.append(
            Resource(
                kind="seed",
                name=name,
                uid=f"seed.{PROJECT}.{name}",
                database=DATABASE,
                schema=f"{TARGET_SCHEMA}_seeds",
                folder=("reference",),
                entity=name,
                columns=columns[: rng.randint(2, 3)],
                materialized="seed",
            )
        )
    return out


def _snapshots(rng: random.Random, sources: list[Resource], count: int) -> list[Resource]:
    out = []
    for src in rng.sample(sources, min(count, len(sources))):
        name = f"snap_{src.system}__{src.name}"
        columns = [(f"{src.entity}_id", "STRING"), *src.columns[1:]]
        out.append(
            Resource(
                kind="snapshot",
                name=name,
                uid=f"snapshot.{PROJECT}.{name}",
                database=DATABASE,
                schema=f"{TARGET_SCHEMA}_snapshots",
                folder=(src.system,),
                entity=src.entity,
                columns=[*columns, ("dbt_valid_from", "TIMESTAMP"), ("dbt_valid_to", "TIMESTAMP")],
                parents=[src],
                materialized="snapshot",
                domain=src.domain,
            )
        )
    return out


def _staging_model(src: Resource) -> Resource:
    name = f"stg_{src.system}__{src.name}"
    columns = [(f"{src.entity}_id", "STRING"), *src.columns[1:]]
    return _model(name, "staging", src.folder, src.entity, columns, [src], "view", src.domain)


def _model(
    name: str,
    layer: str,
    folder: tuple[str, ...],
    entity: str,
    columns: list[tuple[str, str]],
    parents: list[Resource],
    materialized: str,
    domain: str,
) -> Resource:
    return Resource(
        kind="model",
        name=name,
        uid=f"model.{PROJECT}.{name}",
        database=DATABASE,
        schema=f"{TARGET_SCHEMA}_{layer}",
        folder=(layer, *folder[1:]) if layer == "staging" else (layer, domain),
        entity=entity,
        columns=columns,
        parents=parents,
        layer=layer,
        domain=domain,
        materialized=materialized,
        system=folder[-1] if layer == "staging" else "",
    )


def _layer(
    rng: random.Random, layer: str, count: int, below: list[Resource], seeds: list[Resource]
) -> list[Resource]:
    """Models that join earlier ones; popular parents get picked more often."""
    taken = {m.name for m in below}
    pool = list(below)  # each pick appends, giving a power-law fan-out
    candidates = list(below)
    out: list[Resource] = []
    fan_in = (1, 2, 2, 3, 3, 4, 5) if layer == "intermediate" else (2, 2, 3, 3, 4, 5, 6)
    for _ in range(count):
        parents: list[Resource] = []
        for _ in range(min(rng.choice(fan_in), len(candidates))):
            pick = rng.choice(pool) if rng.random() < 0.5 else rng.choice(candidates)
            if pick not in parents:
                parents.append(pick)
        if seeds and rng.random() < 0.08:
            parents.append(rng.choice(seeds))
        pool.extend(parents)
        out.append(_joined_model(rng, layer, parents, taken))
        candidates.append(out[-1])
    return out


def _joined_model(
    rng: random.Random, layer: str, parents: list[Resource], taken: set[str]
) -> Resource:
    grain = parents[0]
    table = next((t for t, e, _ in TABLES if e == grain.entity), grain.entity)
    if layer == "intermediate":
        name = f"int_{table}__{rng.choice(VERBS)}"
        materialized = rng.choice(("view", "table"))
    else:
        prefix = rng.choice(MART_PREFIXES)
        name = f"{prefix}_{table if prefix != 'dim' else grain.entity}_{rng.choice(QUALIFIERS)}"
        materialized = "incremental" if rng.random() < 0.4 else "table"
    columns = list(grain.columns[: rng.randint(3, 8)])
    for other in parents[1:]:
        columns.append((other.pk, "STRING"))
        columns.extend((f"{other.entity}_{c}", t) for c, t in other.columns[1 : rng.randint(1, 3)])
    if layer == "marts":
        columns.extend(
            (f"{agg}_{c}", "NUMERIC")
            for agg, (c, t) in zip(("total", "avg"), grain.columns[1:], strict=False)
            if t in {"NUMERIC", "INT64"}
        )
    domain = grain.domain or rng.choice(TABLES)[2]
    name = _unique(name, taken)
    return _model(name, layer, ("",), grain.entity, _dedupe(columns), parents, materialized, domain)


def _add_snapshot_refs(rng: random.Random, marts: list[Resource], snaps: list[Resource]) -> None:
    for snap in snaps:
        mart = rng.choice(marts)
        if snap not in mart.parents:
            mart.parents.append(snap)


def _tests(
    rng: random.Random, models: list[Resource], staging: list[Resource], count: int
) -> list[Test]:
    """Every test the yml files could declare, ranked, the first ``count`` kept."""
    by_entity = {(m.system, m.entity): m for m in staging}
    ranked: list[tuple[float, int, Test]] = []
    layer_cost = {"marts": 0.0, "staging": 0.3, "intermediate": 1.0}
    for model in models:
        for tier, test in _candidate_tests(rng, model, by_entity):
            ranked.append((tier + layer_cost[model.layer] + rng.random() * 1.5, len(ranked), test))
    if count > len(ranked):
        raise GenerateError(
            f"--tests {count} is more than the {len(ranked)} tests {len(models)} models can "
            "carry; ask for more models or fewer tests"
        )
    ranked.sort(key=lambda r: r[:2])
    kept = [t for _, _, t in ranked[:count]]
    order = {id(m): i for i, m in enumerate(models)}
    kept.sort(key=lambda t: order[id(t.model)])
    return kept


def _candidate_tests(
    rng: random.Random, model: Resource, by_entity: dict[tuple[str, str], Resource]
) -> Iterator[tuple[float, Test]]:
    pk = model.pk
    yield 0.0, Test("unique", model, pk)
    yield 0.0, Test("not_null", model, pk)
    parents = {p.pk: p for p in model.parents[1:] if p.kind == "model"}
    for column, _ in model.columns[1:]:
        to = parents.get(column)
        if model.layer == "staging" and column.endswith("_id"):
            to = by_entity.get((model.system, column[:-3]))
        warn = "warn" if rng.random() < 0.25 else "ERROR"
        if to is not None and to is not model:
            yield 1.0, Test("relationships", model, column, warn, to=to)
        elif column in ENUMS:
            yield 1.5, Test("accepted_values", model, column, warn, values=ENUMS[column])
        else:
            yield 2.0, Test("not_null", model, column)


def _exposures(
    rng: random.Random, marts: list[Resource], count: int
) -> list[tuple[str, str, list[Resource]]]:
    kinds = ("dashboard", "dashboard", "notebook", "analysis", "ml", "application")
    taken: set[str] = set()
    out = []
    for _ in range(count):
        deps = rng.sample(marts, min(len(marts), rng.randint(2, 6)))
        kind = rng.choice(kinds)
        name = _unique(f"{deps[0].domain}_{deps[0].entity}_{kind}", taken)
        out.append((name, kind, deps))
    return out


def _document(rng: random.Random, project: Project) -> None:
    """Decide which columns each yml file describes: the tested ones and a few more."""
    tested: dict[int, set[str]] = {}
    for test in project.tests:
        tested.setdefault(id(test.model), set()).add(test.column)
    for model in project.models:
        names = [c for c, _ in model.columns]
        extra = set(rng.sample(names, min(len(names), rng.randint(0, 2))))
        wanted = tested.get(id(model), set()) | extra
        model.documented = [c for c in names if c in wanted]
    for src in project.sources:
        names = [c for c, _ in src.columns]
        src.documented = names[: rng.randint(0, 3)]


# ------------------------------------------------------------- the manifest


def _sentence(rng: random.Random, res: Resource) -> str:
    what = {
        "staging": "Cleaned and renamed {t} from {s}, one row per {e}.",
        "intermediate": "Intermediate {e} model that joins {n} upstream models.",
        "marts": "{E} mart used by the {d} team's reporting, one row per {e}.",
    }[res.layer]
    text = what.format(
        t=res.entity.replace("_", " ") + "s",
        s=res.system,
        e=res.entity.replace("_", " "),
        E=res.entity.replace("_", " ").capitalize(),
        n=len(res.parents),
        d=res.domain,
    )
    return text if rng.random() < 0.7 else text + " Refreshed nightly; see the data contract."


def _column(name: str, description: str, data_type: str | None = None) -> dict[str, object]:
    return {
        "name": name,
        "description": description,
        "meta": {},
        "data_type": data_type,
        "constraints": [],
        "quote": None,
        "config": {"meta": {}, "tags": []},
        "tags": [],
        "granularity": None,
        "doc_blocks": [],
    }


def _columns(res: Resource) -> dict[str, object]:
    noun = res.entity.replace("_", " ")
    out = {}
    for name in res.documented:
        text = (
            f"The unique key for each {noun}."
            if name == res.pk
            else f"The {name.replace('_', ' ')} of the {noun}."
        )
        out[name] = _column(name, text)
    return out


def _node_config(
    materialized: str, schema: str | None, tags: list[str], meta: dict[str, object], **more: object
) -> dict[str, object]:
    config: dict[str, object] = {
        "enabled": True,
        "alias": None,
        "schema": schema,
        "database": None,
        "tags": tags,
        "meta": meta,
        "group": None,
        "materialized": materialized,
        "incremental_strategy": more.pop("incremental_strategy", None),
        "batch_size": None,
        "lookback": 1,
        "begin": None,
        "persist_docs": {},
        "post-hook": [],
        "pre-hook": [],
        "quoting": {},
        "column_types": {},
        "full_refresh": None,
        "unique_key": more.pop("unique_key", None),
        "on_schema_change": more.pop("on_schema_change", "ignore"),
        "on_configuration_change": "apply",
        "grants": {},
        "packages": [],
        "docs": {"show": True, "node_color": None},
        "contract": {"enforced": False, "alias_types": True},
        "event_time": None,
        "concurrent_batches": None,
    }
    config.update(more)
    return config


def _node_head(res: Resource, resource_type: str, path: str, file_path: str) -> dict[str, object]:
    return {
        "database": res.database,
        "schema": res.schema,
        "name": res.name,
        "resource_type": resource_type,
        "package_name": PROJECT,
        "path": path,
        "original_file_path": file_path,
        "unique_id": res.uid,
        "fqn": [PROJECT, *path.split("/")[:-1], res.name],
        "alias": res.name,
    }


def _node_body(res: Resource, config: dict[str, object], rng: random.Random) -> dict[str, object]:
    return {
        "config": config,
        "tags": config["tags"],
        "description": _sentence(rng, res) if res.kind == "model" else "",
        "columns": _columns(res),
        "meta": config["meta"],
        "group": None,
        "docs": {"show": True, "node_color": None},
        "patch_path": f"{PROJECT}://{res.yml_path}" if res.documented else None,
        "build_path": None,
    }


def _refs_and_sources(res: Resource) -> dict[str, object]:
    return {
        "refs": [
            {"name": p.name, "package": None, "version": None}
            for p in res.parents
            if p.kind != "source"
        ],
        "sources": [[p.system, p.name] for p in res.parents if p.kind == "source"],
        "metrics": [],
        "functions": [],
    }


def _model_node(res: Resource, rng: random.Random, created_at: float) -> dict[str, object]:
    path = "/".join(res.folder) + f"/{res.name}.sql"
    raw = model_sql(res, compiled=False)
    more: dict[str, object] = {}
    unrendered: dict[str, object] = {"materialized": res.materialized, "schema": res.layer}
    if res.materialized == "incremental":
        more = {"incremental_strategy": "merge", "unique_key": res.pk}
        more["on_schema_change"] = "append_new_columns"
        unrendered.update(incremental_strategy="merge", unique_key=res.pk)
    tags = ["nightly", res.domain] if res.layer == "marts" else []
    meta = {"owner": TEAMS[hash_index(res.name, len(TEAMS))]} if res.layer == "marts" else {}
    config = _node_config(res.materialized, res.layer, tags, meta, **more)
    config.update(access="protected", freshness=None)
    node = _node_head(res, "model", path, f"models/{path}")
    node["checksum"] = {"name": "sha256", "checksum": hashlib.sha256(raw.encode()).hexdigest()}
    node |= _node_body(res, config, rng)
    node |= {
        "unrendered_config": unrendered,
        "created_at": created_at,
        "relation_name": res.relation,
        "raw_code": raw,
        "doc_blocks": [],
        "language": "sql",
        **_refs_and_sources(res),
        "depends_on": {"macros": _model_macros(res), "nodes": [p.uid for p in res.parents]},
        "compiled_path": None,
        "contract": {"enforced": False, "alias_types": True, "checksum": None},
        "access": "protected",
        "constraints": [],
        "version": None,
        "latest_version": None,
        "deprecation_date": None,
        "primary_key": [res.pk] if res.pk in res.documented else [],
        "time_spine": None,
    }
    return node


def hash_index(text: str, size: int) -> int:
    """A stable bucket for ``text`` (``hash()`` of a str changes per process)."""
    return int(hashlib.md5(text.encode()).hexdigest()[:8], 16) % size


def _model_macros(res: Resource) -> list[str]:
    macros = []
    if res.materialized == "incremental":
        macros.append("macro.dbt.is_incremental")
    if any(t == "NUMERIC" for _, t in res.columns[:12]):
        macros.append(f"macro.{PROJECT}.cents_to_dollars")
    return macros


def _seed_node(res: Resource, rng: random.Random, created_at: float) -> dict[str, object]:
    path = f"{res.folder[0]}/{res.name}.csv"
    config = _node_config("seed", "seeds", [], {}, delimiter=",", quote_columns=None)
    node = _node_head(res, "seed", path, f"seeds/{path}")
    node["checksum"] = {"name": "sha256", "checksum": hashlib.sha256(res.uid.encode()).hexdigest()}
    node |= _node_body(res, config, rng)
    node |= {
        "unrendered_config": {"schema": "seeds"},
        "created_at": created_at,
        "relation_name": res.relation,
        "raw_code": "",
        "doc_blocks": [],
        "root_path": "/usr/app/dbt",
        "depends_on": {"macros": []},
    }
    return node


def _snapshot_node(res: Resource, rng: random.Random, created_at: float) -> dict[str, object]:
    path = f"{res.folder[0]}/{res.name}.sql"
    meta_names = ("dbt_valid_to", "dbt_valid_from", "dbt_scd_id", "dbt_updated_at")
    config = _node_config("snapshot", "snapshots", [], {}, unique_key=res.pk)
    config |= {
        "strategy": "timestamp",
        "target_schema": None,
        "target_database": None,
        "updated_at": "updated_at",
        "check_cols": None,
        "snapshot_meta_column_names": dict.fromkeys((*meta_names, "dbt_is_deleted")),
        "dbt_valid_to_current": None,
    }
    raw = snapshot_sql(res, compiled=False)
    node = _node_head(res, "snapshot", path, f"snapshots/{path}")
    node["checksum"] = {"name": "sha256", "checksum": hashlib.sha256(raw.encode()).hexdigest()}
    node |= _node_body(res, config, rng)
    node |= {
        "unrendered_config": {
            "schema": "snapshots",
            "unique_key": res.pk,
            "strategy": "timestamp",
            "updated_at": "updated_at",
        },
        "created_at": created_at,
        "relation_name": res.relation,
        "raw_code": raw,
        "doc_blocks": [],
        "language": "sql",
        **_refs_and_sources(res),
        "depends_on": {"macros": [], "nodes": [p.uid for p in res.parents]},
        "compiled_path": None,
        "contract": {"enforced": False, "alias_types": True, "checksum": None},
    }
    return node


def _test_node(test: Test, created_at: float) -> dict[str, object]:
    model, name, alias = test.model, test.name, test.alias
    macro = f"macro.dbt.test_{test.kind}"
    raw = f"{{{{ test_{test.kind}(**_dbt_generic_test_kwargs) }}}}"
    if alias:
        raw += f'{{{{ config(alias="{alias}") }}}}'
    kwargs: dict[str, object] = {"column_name": test.column}
    if test.to is not None:
        kwargs = {"to": f"ref('{test.to.name}')", "field": test.to.pk, **kwargs}
    if test.values:
        kwargs = {"values": test.values, **kwargs}
    kwargs["model"] = f"{{{{ get_where_subquery(ref('{model.name}')) }}}}"
    unrendered: dict[str, object] = {"alias": alias} if alias else {}
    if test.severity != "ERROR":
        unrendered["severity"] = test.severity
    return {
        "database": DATABASE,
        "schema": TARGET_SCHEMA,
        "name": name,
        "resource_type": "test",
        "package_name": PROJECT,
        "path": f"{alias or name}.sql",
        "original_file_path": model.yml_path,
        "unique_id": test.uid,
        "fqn": [PROJECT, *model.folder, name],
        "alias": alias or name,
        "checksum": {"name": "none", "checksum": ""},
        "config": {
            "enabled": True,
            "alias": alias,
            "schema": "dbt_test__audit",
            "database": None,
            "tags": [],
            "meta": {},
            "group": None,
            "materialized": "test",
            "severity": test.severity,
            "store_failures": None,
            "store_failures_as": None,
            "where": None,
            "limit": None,
            "fail_calc": "count(*)",
            "warn_if": "!= 0",
            "error_if": "!= 0",
        },
        "tags": [],
        "description": "",
        "columns": {},
        "meta": {},
        "group": None,
        "docs": {"show": True, "node_color": None},
        "patch_path": None,
        "build_path": None,
        "unrendered_config": unrendered,
        "created_at": created_at,
        "relation_name": None,
        "raw_code": raw,
        "doc_blocks": [],
        "language": "sql",
        "refs": [{"name": p.name, "package": None, "version": None} for p in test.parents],
        "sources": [],
        "metrics": [],
        "functions": [],
        "depends_on": {
            "macros": [macro] if test.kind in {"unique", "not_null"} else [macro, _WHERE],
            "nodes": [p.uid for p in test.parents],
        },
        "compiled_path": None,
        "contract": {"enforced": False, "alias_types": True, "checksum": None},
        "column_name": test.column,
        "file_key_name": f"models.{model.name}",
        "attached_node": model.uid,
        "test_metadata": {"name": test.kind, "kwargs": kwargs, "namespace": None},
    }


_WHERE = "macro.dbt.get_where_subquery"


def _source_node(res: Resource, created_at: float) -> dict[str, object]:
    freshness: dict[str, object] = {
        "warn_after": {"count": None, "period": None},
        "error_after": {"count": None, "period": None},
        "filter": None,
    }
    loaded_at = None
    if res.freshness:
        warn_n, warn_p, err_n, err_p = res.freshness
        freshness["warn_after"] = {"count": warn_n, "period": warn_p}
        freshness["error_after"] = {"count": err_n, "period": err_p}
        loaded_at = "_loaded_at"
    unrendered: dict[str, object] = {"loaded_at_field": loaded_at, "loaded_at_query": None}
    if res.freshness:
        unrendered["freshness"] = freshness
    return {
        "database": res.database,
        "schema": res.schema,
        "name": res.name,
        "resource_type": "source",
        "package_name": PROJECT,
        "path": f"models/staging/{res.system}/_{res.system}__sources.yml",
        "original_file_path": f"models/staging/{res.system}/_{res.system}__sources.yml",
        "unique_id": res.uid,
        "fqn": [PROJECT, "staging", res.system, res.system, res.name],
        "source_name": res.system,
        "source_description": f"Raw {res.system} data landed by the ELT loader.",
        "loader": "fivetran",
        "identifier": res.name,
        "quoting": {"database": None, "schema": None, "identifier": None, "column": None},
        "loaded_at_field": loaded_at,
        "loaded_at_query": None,
        "freshness": freshness,
        "external": None,
        "description": f"One record per {res.entity.replace('_', ' ')} in {res.system}.",
        "columns": _columns(res),
        "meta": {},
        "source_meta": {},
        "tags": [],
        "config": {
            "enabled": True,
            "event_time": None,
            "freshness": freshness,
            "loaded_at_field": loaded_at,
            "loaded_at_query": None,
            "meta": {},
            "tags": [],
        },
        "patch_path": None,
        "unrendered_config": unrendered | {"meta": {}, "tags": []},
        "relation_name": res.relation,
        "created_at": created_at,
        "unrendered_database": RAW_DATABASE,
        "unrendered_schema": res.system,
        "doc_blocks": [],
    }


def _exposure_node(
    name: str, kind: str, deps: list[Resource], rng: random.Random, created_at: float
) -> dict[str, object]:
    team = TEAMS[hash_index(name, len(TEAMS))]
    return {
        "name": name,
        "resource_type": "exposure",
        "package_name": PROJECT,
        "path": "marts/_exposures.yml",
        "original_file_path": "models/marts/_exposures.yml",
        "unique_id": f"exposure.{PROJECT}.{name}",
        "fqn": [PROJECT, "marts", name],
        "type": kind,
        "owner": {"email": f"{team}@acme.example", "name": team.replace("-", " ").title()},
        "description": f"{name.replace('_', ' ').capitalize()}, built on {len(deps)} marts.",
        "label": name.replace("_", " ").title(),
        "maturity": rng.choice(("low", "medium", "high")),
        "meta": {},
        "tags": [],
        "config": {"enabled": True, "tags": [], "meta": {}},
        "unrendered_config": {},
        "url": f"https://bi.acme.example/{kind}s/{hash_index(name, 10_000)}",
        "depends_on": {"macros": [], "nodes": [d.uid for d in deps]},
        "refs": [{"name": d.name, "package": None, "version": None} for d in deps],
        "sources": [],
        "metrics": [],
        "created_at": created_at,
    }


def _macros(rng: random.Random, created_at: float) -> dict[str, object]:
    """dbt's, the adapter's, dbt_utils' and the project's macros, synthetic bodies."""
    verbs = _words("get create drop alter rename truncate list check make build render format")
    nouns = _words(
        "relation columns schema table view temp_relation merge_sql insert_sql delete_sql "
        "incremental_predicates partition_by cluster_by grants catalog snapshot_staging "
        "test_sql batch_sql time_filter date_spine surrogate_key pivot unpivot star"
    )
    names = [f"{v}_{n}" for v in verbs for n in nouns]
    rng.shuffle(names)
    needed = ["is_incremental", "get_where_subquery"]
    needed += [f"test_{k}" for k in ("unique", "not_null", "relationships", "accepted_values")]
    packages = [("dbt", needed + names[:180]), ("dbt_bigquery", names[180:230])]
    packages += [
        ("dbt_utils", names[230:290]),
        (PROJECT, ["cents_to_dollars", "generate_schema_name"]),
    ]
    out: dict[str, object] = {}
    for package, macro_names in packages:
        for name in macro_names:
            for variant in (name, f"default__{name}") if package != PROJECT else (name,):
                out[f"macro.{package}.{variant}"] = _macro(package, variant, name, created_at)
    return out


def _macro(package: str, variant: str, name: str, created_at: float) -> dict[str, object]:
    folder = "macros" if package == PROJECT else f"macros/{name.split('_')[0]}"
    if variant == name:
        body = f"    {{{{ return(adapter.dispatch('{name}', '{package}')(relation, **kwargs)) }}}}"
        deps = [f"macro.{package}.default__{name}"] if package != PROJECT else []
    else:
        body = "\n".join(
            f"  {{% set part_{i} = relation.{name.split('_')[-1]} ~ '_{i}' %}}" for i in range(8)
        )
        body += "\n  {% call statement('main', fetch_result=True) %}\n    select 1\n  {% endcall %}"
        deps = []
    path = f"{folder}/{name}.sql"
    return {
        "name": variant,
        "resource_type": "macro",
        "package_name": package,
        "path": path,
        "original_file_path": path,
        "unique_id": f"macro.{package}.{variant}",
        "macro_sql": f"{{% macro {variant}(relation, **kwargs) -%}}\n{body}\n{{%- endmacro %}}",
        "depends_on": {"macros": deps},
        "description": "",
        "meta": {},
        "docs": {"show": True, "node_color": None},
        "patch_path": None,
        "arguments": [],
        "created_at": created_at,
        "supported_languages": None,
    }


def manifest_dict(project: Project, invocation_id: str, started_at: float) -> dict[str, object]:
    """The ``manifest.json`` a ``dbt parse`` of ``project`` would write at ``started_at``."""
    rng = random.Random(project.seed + 1)
    created = (started_at - 60 + i * 0.0005 for i in itertools.count())  # parse order
    nodes: dict[str, object] = {}
    for res in project.models:
        nodes[res.uid] = _model_node(res, rng, next(created))
    for res in project.seeds:
        nodes[res.uid] = _seed_node(res, rng, next(created))
    for res in project.snapshots:
        nodes[res.uid] = _snapshot_node(res, rng, next(created))
    for test in project.tests:
        nodes[test.uid] = _test_node(test, next(created))
    exposures = {
        f"exposure.{PROJECT}.{name}": _exposure_node(name, kind, deps, rng, next(created))
        for name, kind, deps in project.exposures
    }
    parent_map, child_map = _maps(project)
    return {
        "metadata": {
            "dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
            "dbt_version": DBT_VERSION,
            "generated_at": format_ts(started_at + 9.5),
            "invocation_id": invocation_id,
            "invocation_started_at": format_ts(started_at),
            "env": {},
            "project_name": PROJECT,
            "project_id": hashlib.md5(PROJECT.encode()).hexdigest(),
            "user_id": None,
            "send_anonymous_usage_stats": False,
            "adapter_type": "bigquery",
            "quoting": {"database": True, "schema": True, "identifier": True, "column": None},
            "run_started_at": format_ts(started_at, "+00:00"),
        },
        "nodes": nodes,
        "sources": {s.uid: _source_node(s, next(created)) for s in project.sources},
        "macros": _macros(rng, started_at - 61),
        "docs": {"doc.dbt.__overview__": _overview()},
        "exposures": exposures,
        "metrics": {},
        "groups": {},
        "selectors": {},
        "disabled": {},
        "parent_map": parent_map,
        "child_map": child_map,
        "group_map": {},
        "saved_queries": {},
        "semantic_models": {},
        "unit_tests": {},
        "functions": {},
    }


def _overview() -> dict[str, object]:
    return {
        "name": "__overview__",
        "resource_type": "doc",
        "package_name": "dbt",
        "path": "overview.md",
        "original_file_path": "docs/overview.md",
        "unique_id": "doc.dbt.__overview__",
        "block_contents": "### Welcome!\n\nWelcome to the auto-generated documentation for "
        "your dbt project!",
    }


def _maps(project: Project) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    edges: list[tuple[str, str]] = []  # (parent, child)
    for res in project.models + project.snapshots:
        edges.extend((p.uid, res.uid) for p in res.parents)
    for test in project.tests:
        edges.extend((p.uid, test.uid) for p in test.parents)
    for name, _, deps in project.exposures:
        edges.extend((d.uid, f"exposure.{PROJECT}.{name}") for d in deps)
    everything = [r.uid for r in project.models + project.seeds + project.snapshots]
    everything += [t.uid for t in project.tests] + [s.uid for s in project.sources]
    everything += [f"exposure.{PROJECT}.{name}" for name, _, _ in project.exposures]
    parents: dict[str, list[str]] = {uid: [] for uid in everything}
    children: dict[str, list[str]] = {uid: [] for uid in everything}
    for parent, child in edges:
        parents[child].append(parent)
        children[parent].append(child)
    return (
        {k: sorted(v) for k, v in parents.items()},
        {k: sorted(v) for k, v in children.items()},
    )


# --------------------------------------------------------------------- SQL


def _rel_or_ref(res: Resource, compiled: bool) -> str:
    if compiled:
        return res.relation
    if res.kind == "source":
        return f"{{{{ source('{res.system}', '{res.name}') }}}}"
    return f"{{{{ ref('{res.name}') }}}}"


def model_sql(res: Resource, compiled: bool) -> str:
    """The model's raw code, or the compiled code dbt would write for it."""
    if res.layer == "staging":
        return _staging_sql(res, compiled)
    alias = _aliases(res.parents)
    grain = res.parents[0]
    ctes = [
        f"{alias[p.uid]} as (\n\n    select * from {_rel_or_ref(p, compiled)}\n\n)"
        for p in res.parents
    ]
    select = [f"        {_select_expr(res, column, alias)}" for column, _ in res.columns]
    joins = [
        f"    left join {alias[o.uid]} on {alias[grain.uid]}.{o.pk} = {alias[o.uid]}.{o.pk}"
        for o in res.parents[1:]
    ]
    body = ",\n".join(select) + f"\n\n    from {alias[grain.uid]}\n" + "\n".join(joins)
    if res.materialized == "incremental":
        this = res.relation if compiled else "{{ this }}"
        where = f"\n    where {alias[grain.uid]}.updated_at > (select max(updated_at) from {this})"
        body += (
            where if compiled else f"\n    {{% if is_incremental() %}}{where}\n    {{% endif %}}"
        )
    final = f"final as (\n\n    select\n{body}\n\n)"
    return "with\n\n" + ",\n\n".join([*ctes, final]) + "\n\nselect * from final"


def _aliases(parents: list[Resource]) -> dict[str, str]:
    """Short CTE names, as people write them: ``stg_shopify__orders`` -> ``orders``."""
    taken = {"final"}
    return {p.uid: _unique(p.name.split("__")[-1].removeprefix("int_"), taken) for p in parents}


def _select_expr(res: Resource, column: str, alias: dict[str, str]) -> str:
    grain = res.parents[0]
    if column in {c for c, _ in grain.columns}:
        return f"{alias[grain.uid]}.{column}"
    for other in res.parents[1:]:
        if column == other.pk:
            return f"{alias[other.uid]}.{column}"
        prefix = other.entity + "_"
        if column.startswith(prefix):
            return f"{alias[other.uid]}.{column.removeprefix(prefix)} as {column}"
    agg, _, measure = column.partition("_")
    of = alias[grain.uid]
    function = "sum" if agg == "total" else agg
    return f"{function}({of}.{measure}) over (partition by {of}.{grain.pk}) as {column}"


def _staging_sql(res: Resource, compiled: bool) -> str:
    src = res.parents[0]
    renames = [f"        id as {res.pk}"]
    for name, type_ in res.columns[1:]:
        if type_ == "NUMERIC":
            money = f"{{{{ cents_to_dollars('{name}') }}}}" if not compiled else f"({name} / 100)"
            renames.append(f"        cast({money} as numeric) as {name}")
        elif type_ == "TIMESTAMP":
            renames.append(f"        cast({name} as timestamp) as {name}")
        else:
            renames.append(f"        {name}")
    return (
        f"with\n\nsource as (\n\n    select * from {_rel_or_ref(src, compiled)}\n\n),\n\n"
        "renamed as (\n\n    select\n\n        ----------  ids\n"
        + ",\n".join(renames)
        + "\n\n    from source\n\n)\n\nselect * from renamed"
    )


def snapshot_sql(res: Resource, compiled: bool) -> str:
    """The snapshot's select (the config block is in the raw code only)."""
    select = f"\n\nselect * from {_rel_or_ref(res.parents[0], compiled)}\n\n"
    if compiled:
        return select
    return (
        f"\n{{{{\n    config(\n      unique_key='{res.pk}',\n      strategy='timestamp',\n"
        f"      updated_at='updated_at',\n    )\n}}}}\n{select}"
    )


def test_sql(test: Test) -> str:
    """The compiled code of a generic test, as dbt's default macros render it."""
    rel, col = test.model.relation, test.column
    head = "\n    \n    \n\n"
    if test.kind == "not_null":
        return f"{head}\n\nselect {col}\nfrom {rel}\nwhere {col} is null\n\n\n"
    if test.kind == "unique":
        return (
            f"{head}select\n    {col} as unique_field,\n    count(*) as n_records\n\n"
            f"from {rel}\nwhere {col} is not null\ngroup by {col}\nhaving count(*) > 1\n\n\n"
        )
    if test.kind == "accepted_values":
        values = ",".join(f"'{v}'" for v in test.values)
        return (
            f"{head}with all_values as (\n\n    select\n        {col} as value_field,\n"
            f"        count(*) as n_records\n\n    from {rel}\n    group by {col}\n\n)\n\n"
            f"select *\nfrom all_values\nwhere value_field not in (\n    {values}\n)\n\n\n"
        )
    assert test.to is not None
    return (
        f"{head}with child as (\n    select {col} as from_field\n    from {rel}\n"
        f"    where {col} is not null\n),\n\nparent as (\n    select {test.to.pk} as to_field\n"
        f"    from {test.to.relation}\n)\n\nselect\n    from_field\n\nfrom child\n"
        "left join parent\n    on child.from_field = parent.to_field\n\n"
        "where parent.to_field is null\n\n\n"
    )


# ------------------------------------------------------ how each node runs


@dataclass(eq=False, slots=True)
class Behaviour:
    """What stays the same about a node from run to run, and its static JSON."""

    index: int
    uid: str
    kind: str  # model | test | seed | snapshot
    materialized: str
    level: int  # dbt's queue priority: nodes of lower level are picked first
    deps: list[int]  # build-graph parents (a model also waits for its parents' tests)
    base: float  # median execute seconds
    sigma: float  # run-to-run noise
    rows: float  # rows written (models, seeds) or bytes scanned (tests) at day 0
    growth: float  # relative daily growth of rows and bytes
    regression_day: float  # from this day on execution takes ``regression`` x longer
    regression: float
    p_bad: float  # chance of error (models) / failures (tests) in one run
    severity: str
    error: str  # the message when a model fails
    tail: str  # '"unique_id": ..., "batch_results": null}' with compiled code
    tail_bare: str  # the same without compiled code
    tail_skipped: str  # a skipped node was never compiled
    children: list[int] = field(default_factory=list)


def _behaviours(rng: random.Random, project: Project) -> dict[str, Behaviour]:
    order: list[Resource | Test] = [*project.seeds, *project.snapshots, *project.models]
    tests_of: dict[int, list[Test]] = {}
    for test in project.tests:
        tests_of.setdefault(id(test.model), []).append(test)
    order.extend(project.tests)
    index = {id(item): i for i, item in enumerate(order)}
    out: list[Behaviour] = []
    for i, item in enumerate(order):
        if isinstance(item, Test):
            deps = [index[id(p)] for p in item.parents]
            out.append(_test_behaviour(rng, i, item, deps, out[index[id(item.model)]]))
        else:
            deps = [index[id(p)] for p in item.parents if p.kind != "source"]
            for parent in item.parents:
                deps.extend(index[id(t)] for t in tests_of.get(id(parent), ()))
            out.append(_node_behaviour(rng, i, item, deps))
    _levels(out)
    return {b.uid: b for b in out}


def _tail(uid: str, compiled: bool | None, code: str | None, relation: str | None) -> str:
    return (
        f'"unique_id": "{uid}", "compiled": {json.dumps(compiled)}, '
        f'"compiled_code": {json.dumps(code)}, "relation_name": {json.dumps(relation)}, '
        '"batch_results": null}'
    )


def _node_behaviour(rng: random.Random, i: int, res: Resource, deps: list[int]) -> Behaviour:
    median = {"view": 1.2, "table": 9.0, "incremental": 14.0, "seed": 3.0, "snapshot": 12.0}
    fragile = res.layer == "marts" and rng.random() < 0.01
    regress = res.kind == "model" and rng.random() < 0.02
    if res.kind == "seed":
        tail = bare = skipped = _tail(res.uid, None, "", None)
    else:
        code = snapshot_sql(res, True) if res.kind == "snapshot" else model_sql(res, True)
        tail = _tail(res.uid, True, code, res.relation)
        bare = _tail(res.uid, True, None, res.relation)
        skipped = _tail(res.uid, False, None, res.relation)
    path = "/".join(res.folder) + f"/{res.name}.sql"
    return Behaviour(
        index=i,
        uid=res.uid,
        kind=res.kind,
        materialized=res.materialized,
        level=0,
        deps=deps,
        base=median[res.materialized] * rng.lognormvariate(0, 0.9),
        sigma=rng.uniform(0.05, 0.3),
        rows=rng.lognormvariate(math.log(200_000 if res.kind != "seed" else 300), 2.0),
        growth=rng.uniform(0, 0.002) if res.materialized != "view" else 0.0,
        regression_day=rng.uniform(5, 400) if regress else math.inf,
        regression=rng.uniform(2, 5),
        p_bad=0.1 if fragile else 0.0,
        severity="ERROR",
        error=(
            f"Database Error in model {res.name} (models/{path})\n  Resources exceeded during "
            "query execution: Not enough resources for query planning - too many subqueries "
            f"or query is too complex.\n  compiled code at target/run/{PROJECT}/models/{path}"
        ),
        tail=tail,
        tail_bare=bare,
        tail_skipped=skipped,
    )


def _test_behaviour(
    rng: random.Random, i: int, test: Test, deps: list[int], model: Behaviour
) -> Behaviour:
    if test.severity == "warn":
        p_bad = rng.choice((0.0, 0.0, 0.0, 0.3, 0.9))  # some warn most nights
    else:
        p_bad = 0.1 if test.model.layer == "marts" and rng.random() < 0.02 else 0.0
    return Behaviour(
        index=i,
        uid=test.uid,
        kind="test",
        materialized="test",
        level=0,
        deps=deps,
        base=1.5 * rng.lognormvariate(0, 0.6),
        sigma=rng.uniform(0.05, 0.3),
        rows=model.rows * rng.uniform(8, 40),  # one or two columns scanned
        growth=model.growth,
        regression_day=math.inf,
        regression=1.0,
        p_bad=p_bad,
        severity=test.severity,
        error="",
        tail=_tail(test.uid, True, test_sql(test), None),
        tail_bare=_tail(test.uid, True, None, None),
        tail_skipped=_tail(test.uid, False, None, None),
    )


def _levels(nodes: list[Behaviour]) -> None:
    """Longest path from a root, the order dbt's graph queue hands nodes out in."""
    for node in nodes:
        for dep in node.deps:
            nodes[dep].children.append(node.index)
    remaining = [len(n.deps) for n in nodes]
    ready = [n.index for n in nodes if not n.deps]
    while ready:
        current = nodes[ready.pop()]
        for child in current.children:
            nodes[child].level = max(nodes[child].level, current.level + 1)
            remaining[child] -= 1
            if remaining[child] == 0:
                ready.append(child)
    if any(remaining):
        raise AssertionError("the build graph has a cycle")


# ------------------------------------------------------------ one invocation


_SECOND_CACHE: dict[int, str] = {}


def format_ts(t: float, zone: str = "Z") -> str:
    """Epoch seconds as dbt writes them: ``2024-01-01T02:00:03.123456Z``."""
    sec = math.floor(t)
    prefix = _SECOND_CACHE.get(sec)
    if prefix is None:
        prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec))
        if len(_SECOND_CACHE) > 200_000:
            _SECOND_CACHE.clear()
        _SECOND_CACHE[sec] = prefix
    micros = int((t - sec) * 1e6)
    return f"{prefix}.{micros:06d}{zone}" if micros else f"{prefix}{zone}"


def _uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128) & ~(0xF << 76) & ~(0xC << 60) | (4 << 76) | (8 << 60):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _bytes_text(n: float) -> str:
    for unit in ("Bytes", "KiB", "MiB", "GiB", "TiB"):
        if abs(n) < 1024.0:
            return f"{n:3.1f} {unit}"
        n /= 1024.0
    return f"{n:3.1f} PiB"


def _rows_text(n: float) -> str:
    for unit in ("", "k", "m", "b"):
        if abs(n) < 1000.0:
            return f"{n:3.1f}{unit}".strip()
        n /= 1000.0
    return f"{n:3.1f}t"


def _bigquery_response(rng: random.Random, code: str, rows: int | None, scanned: int) -> str:
    """``adapter_response`` as dbt-bigquery fills it, already JSON-encoded."""
    if rows is None:
        message = f"{code} ({_bytes_text(scanned)} processed)"
        rows_part = ""
    else:
        message = f"{code} ({_rows_text(rows)} rows, {_bytes_text(scanned)} processed)"
        rows_part = f'"rows_affected": {rows}, '
    billed = 0 if code == "CREATE VIEW" else max(10_485_760, -(-scanned // 1_048_576) * 1_048_576)
    slots = int(scanned / 2e5) + rng.randrange(20, 400) if billed else 0
    return (
        f'{{"_message": "{message}", "code": "{code}", {rows_part}"bytes_processed": {scanned}, '
        f'"bytes_billed": {billed}, "location": "{LOCATION}", "project_id": "{DATABASE}", '
        f'"job_id": "{_uuid4(rng)}", "slot_ms": {slots}}}'
    ), message


@dataclass(slots=True)
class _Outcome:
    status: str
    message: str | None
    failures: int | None
    response: str


def _outcome(rng: random.Random, node: Behaviour, day: float) -> _Outcome:
    if node.kind == "test":
        failed = rng.random() < node.p_bad
        count = int(rng.lognormvariate(1.5, 1.2)) + 1 if failed else 0
        scanned = int(node.rows * (1 + node.growth) ** day * rng.uniform(0.98, 1.02))
        response, _ = _bigquery_response(rng, "SELECT", 1, scanned)
        if not failed:
            return _Outcome("pass", None, 0, response)
        verb = "warn" if node.severity == "warn" else "fail"
        message = f"Got {count} result{'s' * (count != 1)}, configured to {verb} if != 0"
        return _Outcome(verb, message, count, response)
    if node.p_bad and rng.random() < node.p_bad:
        return _Outcome("error", node.error, None, "{}")
    rows = int(node.rows * (1 + node.growth) ** day)
    if node.kind == "seed":
        message = f"INSERT {rows}"
        return _Outcome(
            "success",
            message,
            None,
            json.dumps({"_message": message, "code": "INSERT", "rows_affected": rows}),
        )
    code, written = {
        "view": ("CREATE VIEW", None),
        "table": ("CREATE TABLE", rows),
        "incremental": ("MERGE", max(0, int(rows * rng.uniform(0.001, 0.02)))),
        "snapshot": ("MERGE", max(0, int(rows * rng.uniform(0.0, 0.01)))),
    }[node.materialized]
    scanned = 0 if written is None else int(rows * rng.uniform(150, 400))
    response, message = _bigquery_response(rng, code, written, scanned)
    return _Outcome("success", message, None, response)


@dataclass(slots=True)
class _Slot:
    """One node's place in the run: which worker thread, when, and how it ended."""

    node: Behaviour
    thread: int
    end: float
    timing: str
    execution_time: float
    outcome: _Outcome


def _simulate(project: Project, rng: random.Random, day: float, start: float) -> list[_Slot]:
    """Run the build on THREADS workers the way dbt's graph queue hands out nodes.

    A node is dispatched once all its build parents are done, lowest level first;
    it is skipped when one of them errored, failed or was skipped itself.
    """
    nodes = list(project.behaviour.values())
    load = rng.lognormvariate(0, 0.05)  # how busy the warehouse is tonight
    remaining = [len(n.deps) for n in nodes]
    blocked = [False] * len(nodes)
    ready = [(n.level, n.index) for n in nodes if not n.deps]
    heapq.heapify(ready)
    free = list(range(THREADS, 0, -1))
    running: list[tuple[float, int, _Slot]] = []
    now, slots = start, []
    while ready or running:
        while ready and free:
            _, i = heapq.heappop(ready)
            slot = _run_node(rng, nodes[i], free.pop(), now, day, load, blocked[i])
            slots.append(slot)
            heapq.heappush(running, (slot.end, i, slot))
        now, i, slot = heapq.heappop(running)
        free.append(slot.thread)
        stop = slot.outcome.status in {"error", "fail", "skipped"}
        for child in nodes[i].children:
            blocked[child] |= stop
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, (nodes[child].level, child))
    slots.sort(key=lambda s: s.end)
    return slots


_SKIPPED = _Outcome("skipped", None, None, "{}")


def _run_node(
    rng: random.Random,
    node: Behaviour,
    thread: int,
    now: float,
    day: float,
    load: float,
    skipped: bool,
) -> _Slot:
    begin = now + rng.uniform(0.0005, 0.004)
    if skipped:
        return _Slot(node, thread, begin + rng.uniform(0.0002, 0.002), "", 0.0, _SKIPPED)
    outcome = _outcome(rng, node, day)
    compile_start = begin + rng.uniform(0.002, 0.02)
    compile_end = compile_start + rng.uniform(0.003, 0.08)
    execute_start = compile_end + rng.uniform(0.0002, 0.03)
    seconds = node.base * load * math.exp(rng.gauss(0, node.sigma))
    seconds *= math.sqrt((1 + node.growth) ** day)
    if day >= node.regression_day:
        seconds *= node.regression
    if outcome.status == "error":
        seconds *= rng.uniform(0.05, 0.5)
    execute_end = execute_start + seconds
    end = execute_end + rng.uniform(0.01, 0.12)
    timing = (
        f'{{"name": "compile", "started_at": "{format_ts(compile_start)}", '
        f'"completed_at": "{format_ts(compile_end)}"}}'
    )
    if outcome.status != "error":  # dbt records no execute timing for a node that raised
        timing += (
            f', {{"name": "execute", "started_at": "{format_ts(execute_start)}", '
            f'"completed_at": "{format_ts(execute_end)}"}}'
        )
    return _Slot(node, thread, end, timing, end - begin, outcome)


def _result_json(slot: _Slot, compiled_code: bool) -> str:
    outcome = slot.outcome
    message = "null" if outcome.message is None else json.dumps(outcome.message)
    failures = "null" if outcome.failures is None else str(outcome.failures)
    return (
        f'{{"status": "{outcome.status}", "timing": [{slot.timing}], '
        f'"thread_id": "Thread-{slot.thread} (worker)", '
        f'"execution_time": {slot.execution_time!r}, '
        f'"adapter_response": {outcome.response}, "message": {message}, '
        f'"failures": {failures}, ' + _tail_of(slot, compiled_code)
    )


def _tail_of(slot: _Slot, compiled_code: bool) -> str:
    if slot.outcome is _SKIPPED:
        return slot.node.tail_skipped
    return slot.node.tail if compiled_code else slot.node.tail_bare


def _args(command: str, which: str) -> str:
    return json.dumps(
        {
            "which": which,
            "invocation_command": command,
            "target": "prod",
            "threads": THREADS,
            "select": [],
            "exclude": [],
            "resource_types": [],
            "exclude_resource_types": [],
            "indirect_selection": "eager",
            "full_refresh": False,
            "fail_fast": False,
            "empty": False,
            "defer": False,
            "favor_state": False,
            "store_failures": False,
            "vars": {},
            "warn_error_options": {"error": [], "warn": [], "silence": []},
            "project_dir": "/usr/app/dbt",
            "profiles_dir": "/usr/app/dbt",
            "log_path": "/usr/app/dbt/logs",
            "log_format": "json",
            "log_level": "info",
            "partial_parse": True,
            "static_parser": True,
            "write_json": True,
            "populate_cache": True,
            "introspect": True,
            "send_anonymous_usage_stats": False,
            "version_check": True,
        }
    )


def _metadata(kind: str, invocation_id: str, started: float, ended: float) -> str:
    return (
        f'{{"dbt_schema_version": "https://schemas.getdbt.com/dbt/{kind}.json", '
        f'"dbt_version": "{DBT_VERSION}", "generated_at": "{format_ts(ended)}", '
        f'"invocation_id": "{invocation_id}", "invocation_started_at": "{format_ts(started)}", '
        '"env": {}}'
    )


def _freshness(project: Project, rng: random.Random, started: float) -> tuple[list[str], float]:
    """``dbt source freshness`` results for the sources that declare a freshness."""
    threads = [(started + 1.2 + rng.uniform(0, 0.5), n) for n in range(1, THREADS + 1)]
    results, end = [], started
    for src in project.sources:
        if src.freshness is None:
            continue
        begin, thread = heapq.heappop(threads)
        seconds = rng.lognormvariate(math.log(0.9), 0.4)
        done = begin + seconds + 0.02
        heapq.heappush(threads, (done + rng.uniform(0.0005, 0.003), thread))
        end = max(end, done)
        if rng.random() < 0.003:
            error = f"Runtime Error in source {src.name}: 403 Access Denied: Table {src.relation}"
            results.append(
                f'{{"unique_id": "{src.uid}", "error": {json.dumps(error)}, '
                '"status": "runtime error"}'
            )
            continue
        results.append(_freshness_result(rng, src, thread, begin, seconds))
    return results, end


def _freshness_result(
    rng: random.Random, src: Resource, thread: int, begin: float, seconds: float
) -> str:
    assert src.freshness is not None
    warn_n, warn_p, err_n, err_p = src.freshness
    unit = {"minute": 60, "hour": 3600, "day": 86_400}
    hourly = warn_p == "hour" and warn_n <= 12
    snapshotted = begin + seconds
    age = rng.uniform(300, 3900) if hourly else rng.uniform(4000, 12_000)
    if rng.random() < 0.02:  # a loader missed its slot
        age += rng.choice((6, 24, 30)) * 3600.0
    status = "pass"
    if age > err_n * unit[err_p]:
        status = "error"
    elif age > warn_n * unit[warn_p]:
        status = "warn"
    response, _ = _bigquery_response(rng, "SELECT", 1, rng.randrange(10_000, 5_000_000))
    compile_end = begin + rng.uniform(0.002, 0.01)
    return (
        f'{{"unique_id": "{src.uid}", "max_loaded_at": "{format_ts(snapshotted - age, "+00:00")}", '
        f'"snapshotted_at": "{format_ts(snapshotted, "+00:00")}", '
        f'"max_loaded_at_time_ago_in_s": {age!r}, "status": "{status}", '
        f'"criteria": {{"warn_after": {{"count": {warn_n}, "period": "{warn_p}"}}, '
        f'"error_after": {{"count": {err_n}, "period": "{err_p}"}}, "filter": null}}, '
        f'"adapter_response": {response}, "timing": [{{"name": "compile", "started_at": '
        f'"{format_ts(begin)}", "completed_at": "{format_ts(compile_end)}"}}, '
        f'{{"name": "execute", "started_at": "{format_ts(compile_end)}", '
        f'"completed_at": "{format_ts(begin + seconds)}"}}], '
        f'"thread_id": "Thread-{thread} (worker)", "execution_time": {seconds + 0.02!r}}}'
    )


@dataclass(slots=True)
class Invocation:
    """The two files one nightly job writes, and when its build started."""

    build_id: str
    build_started: float
    run_results: bytes
    sources: bytes


def invocation(
    project: Project,
    index: int,
    days_per_invocation: float = 1.0,
    compiled_code: bool = True,
    start: float = FIRST_RUN,
) -> Invocation:
    """Night ``index``: ``dbt source freshness`` at 02:00 (+ jitter), then ``dbt build``.

    ``start`` is night 0's (see :func:`first_run`).
    """
    rng = random.Random(project.seed * 1_000_003 + index)
    day = index * days_per_invocation
    started = start + day * DAY + rng.uniform(0, 20)
    fresh_id, build_id = _uuid4(rng), _uuid4(rng)
    fresh, fresh_end = _freshness(project, rng, started)
    sources = (
        f'{{"metadata": {_metadata("sources/v3", fresh_id, started, fresh_end + 0.05)}, '
        f'"results": [{", ".join(fresh)}], "elapsed_time": {fresh_end - started + 0.05!r}}}'
    )
    build_started = fresh_end + rng.uniform(3, 12)
    slots = _simulate(project, rng, day, build_started + rng.uniform(8, 15))
    ended = slots[-1].end + rng.uniform(0.2, 1.0) if slots else build_started + 10
    results = ", ".join([_result_json(slot, compiled_code) for slot in slots])
    run_results = (
        f'{{"metadata": {_metadata("run-results/v6", build_id, build_started, ended)}, '
        f'"results": [{results}], "elapsed_time": {ended - build_started!r}, '
        f'"args": {_args("dbt build --target prod", "build")}}}'
    )
    return Invocation(build_id, build_started, run_results.encode(), sources.encode())


# ------------------------------------------------------------ API and CLI


def generate(
    out_dir: Path | str,
    *,
    models: int = 3000,
    tests: int = 3000,
    invocations: int = 1,
    days_per_invocation: float = 1.0,
    seed: int = 0,
    compiled_code: bool = True,
) -> list[Path]:
    """Write ``invocations`` folders ``out_dir/<NNNN>/`` and return them in order.

    ``out_dir`` must be empty or absent. Raises :class:`GenerateError` on bad
    arguments.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise GenerateError(f"{out} is not an empty folder; choose a new one")
    if invocations < 1 or days_per_invocation <= 0 or tests < 0:
        raise GenerateError("--invocations must be >= 1, --days-per-invocation > 0, --tests >= 0")
    project = build_project(models, tests, seed)
    width = max(4, len(str(invocations - 1)))
    folders: list[Path] = []
    manifest: Path | None = None
    start = first_run(invocations, days_per_invocation)
    for index in range(invocations):
        night = invocation(project, index, days_per_invocation, compiled_code, start)
        folder = out / f"{index:0{width}d}"
        folder.mkdir(parents=True)
        if manifest is None:
            manifest = folder / "manifest.json"
            body = manifest_dict(project, night.build_id, night.build_started)
            manifest.write_text(json.dumps(body), encoding="utf-8")
        else:
            _link(manifest, folder / "manifest.json")
        (folder / "run_results.json").write_bytes(night.run_results)
        (folder / "sources.json").write_bytes(night.sources)
        folders.append(folder)
    return folders


def _link(existing: Path, new: Path) -> None:
    try:
        os.link(existing, new)
    except OSError:  # a filesystem without hard links
        shutil.copyfile(existing, new)


def _megabytes(path: Path) -> str:
    return f"{path.stat().st_size / 1e6:.1f} MB"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--models",
    default=3000,
    show_default=True,
    type=click.IntRange(min=10),
    help="Models in the project; sources (10 %), seeds and snapshots scale with it.",
)
@click.option(
    "--tests", default=3000, show_default=True, type=click.IntRange(min=0), help="Data tests."
)
@click.option(
    "--invocations",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Nightly runs, one folder each.",
)
@click.option(
    "--days-per-invocation",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Time between two invocations (0.25 = every 6 hours).",
)
@click.option("--seed", default=0, show_default=True, help="Same seed, same bytes.")
@click.option(
    "--compiled-code/--no-compiled-code",
    default=True,
    show_default=True,
    help="Write compiled_code in run_results (off: much smaller files for long histories).",
)
def main(
    out_dir: Path,
    models: int,
    tests: int,
    invocations: int,
    days_per_invocation: float,
    seed: int,
    compiled_code: bool,
) -> None:
    """Write a synthetic dbt project's artifacts into OUT_DIR/<NNNN>/, one folder per night."""
    began = time.perf_counter()
    try:
        folders = generate(
            out_dir,
            models=models,
            tests=tests,
            invocations=invocations,
            days_per_invocation=days_per_invocation,
            seed=seed,
            compiled_code=compiled_code,
        )
    except GenerateError as error:
        raise click.UsageError(str(error)) from None
    first = folders[0]
    seconds = time.perf_counter() - began
    click.echo(
        f"wrote {len(folders)} invocation folder(s) to {out_dir} in {seconds:.1f} s: "
        f"manifest.json {_megabytes(first / 'manifest.json')}, "
        f"run_results.json {_megabytes(first / 'run_results.json')}, "
        f"sources.json {_megabytes(first / 'sources.json')} (first folder)"
    )


if __name__ == "__main__":
    main()
