# dbt-monitor: the two set-up commands are `make demo` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HISTORY := demo/history

.PHONY: demo test lint fixtures fixtures-duckdb fixtures-postgres bench clean

# Two installs into one .venv: `make demo` needs only the runtime dependencies
# (`pip install .`); `make test` adds the dev extra (linters, pytest, moto,
# Playwright, DuckDB, pyspark, ...). Stamp files remember which one is there.
$(VENV)/.runtime: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev: $(VENV)/.runtime
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

# Ingest the recorded Greenery runs into a fresh history, print the check of
# the latest run (findings do not fail the demo) and write the HTML report.
demo: $(VENV)/.runtime
	rm -rf demo
	$(BIN)/dbt-monitor ingest fixtures/runs --history $(HISTORY)
	$(BIN)/dbt-monitor check --history $(HISTORY) --fail-on never
	$(BIN)/dbt-monitor report --history $(HISTORY) -o demo/report.html
	@echo "demo: history in $(HISTORY)/, report in demo/report.html"

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# The Dagster test needs the `dagster` extra, in its own .venv-dagster (made
# by the script on first use, about a minute); the main run leaves it to the
# script instead of skipping it.
test: lint
	$(BIN)/pytest -q --ignore=tests/integrations/test_dagster.py
	bash tests/integrations/run_dagster.sh

# Re-record fixtures/runs with real dbt-core + dbt-duckdb (needs the [dbt] extra,
# installed into its own venv because dbt pins its own dependency versions), and
# fixtures/runs-postgres with dbt-postgres on a throwaway PostgreSQL 15 cluster
# (needs the Debian package postgresql; `make fixtures-duckdb` skips it).
fixtures: fixtures-duckdb fixtures-postgres

fixtures-duckdb:
	$(PY) -m venv .venv-dbt
	.venv-dbt/bin/pip install -q -e '.[dbt]'
	.venv-dbt/bin/python fixtures/record.py

fixtures-postgres:
	$(PY) -m venv .venv-dbt
	.venv-dbt/bin/pip install -q -e '.[dbt]'
	.venv-dbt/bin/python fixtures/record_postgres.py

bench: $(VENV)/.dev
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf demo .venv .venv-dbt .venv-dagster dist build .mypy_cache .ruff_cache .pytest_cache
