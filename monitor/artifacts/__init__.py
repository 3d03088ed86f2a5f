"""The artifacts stage: detect, decode and bundle the JSON files dbt writes.

:func:`monitor.artifacts.discover.discover` is the entry point: it finds
run_results.json, sources.json, manifest.json and catalog.json files (plain
or ``.json.gz``), checks each one's ``metadata.dbt_schema_version`` before
trusting it, decodes them into frames with the schemas of
:mod:`monitor.schema` and pairs them into one
:class:`~monitor.artifacts.model.Bundle` per dbt invocation.
:func:`monitor.artifacts.load.load` decodes one file. Nothing past this stage
sees raw JSON.

(Nothing is re-exported here: ``monitor.artifacts.discover`` stays the
module, so it can be imported and patched by its name.)
"""
