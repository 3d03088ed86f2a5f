"""The synthetic project's ``manifest.json`` (v12, field for field as dbt 1.11 writes it)."""

from __future__ import annotations

import hashlib
import itertools
import random

from benchmarks.synth_project import (
    DATABASE,
    DBT_VERSION,
    PROJECT,
    RAW_DATABASE,
    TARGET_SCHEMA,
    TEAMS,
    Project,
    Resource,
    Test,
    _words,
    format_ts,
)
from benchmarks.synth_sql import model_sql, snapshot_sql

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
