"""The synthetic project of ``generate.py``: its resources, tests, exposures and DAG."""

from __future__ import annotations

import hashlib
import math
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from benchmarks.synth_runs import Behaviour


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
    from benchmarks.synth_runs import behaviours

    project.behaviour = behaviours(rng, project)
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
