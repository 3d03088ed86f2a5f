#!/usr/bin/env bash
# The Dagster integration test, in its own venv: dagster, dagster-dbt, dbt-core
# and dbt-duckdb are the `dagster` extra, not test dependencies of the core
# (dbt pins its own dependency versions). `make test` runs this after pytest.
# A skip is a failure here: this script exists to run that test for real.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY="${PY:-python3}"
VENV=.venv-dagster
STAMP="$VENV/.installed"
if [ ! -f "$STAMP" ] || [ pyproject.toml -nt "$STAMP" ] || [ "$0" -nt "$STAMP" ]; then
    echo "run_dagster: installing the dagster extra into $VENV"
    "$PY" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    # pyarrow: the fixtures' loader (generate_data.load) hands DuckDB Arrow tables
    "$VENV/bin/pip" install -q -e '.[dagster]' 'pytest>=8' pyarrow
    touch "$STAMP"
fi
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
status=0
"$VENV/bin/python" -m pytest -q -rs -p no:cacheprovider tests/integrations/test_dagster.py \
    2>&1 | tee "$log" || status=$?
if grep -qE "[0-9]+ skipped|SKIPPED" "$log"; then
    echo "run_dagster: the Dagster test skipped; it must run here (see the reason above)" >&2
    exit 1
fi
exit "$status"
