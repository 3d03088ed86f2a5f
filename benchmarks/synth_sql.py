"""The raw and compiled SQL of the synthetic models, snapshots and tests."""

from __future__ import annotations

from benchmarks.synth_project import Resource, Test, _unique

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
