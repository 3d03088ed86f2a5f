"""`dbt-monitor check --invocation` on every recorded invocation, against the
scenario table of fixtures/README.md (the detectors' acceptance spec)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

REPO = Path(__file__).resolve().parents[2]
RUNS = REPO / "fixtures" / "runs"

FLAKY = (
    "test.greenery.relationships_dim_users_address_id__address_id__ref_stg_addresses_.6db02f0384"
)
WARN_TEST = "test.greenery.accepted_values_stg_promos_status__active__inactive.857c27c89e"
PRODUCTS = "source.greenery.greenery.products"
EVENTS = "source.greenery.greenery.events"
SLOW = "model.greenery.int_product_page_views"
CREEPING = "model.greenery.int_session_events"
BROKEN = "model.greenery.int_user_funnel_steps"
DASHBOARD = "exposure.greenery.product_funnel_dashboard"
UNMONITORED = ("freshness_unmonitored", "info", "source.greenery.greenery.addresses")

# (day, folder) -> what must be flagged, beyond the recurring findings below.
SCENARIO: dict[tuple[str, str], set[tuple[str, str, str | None]]] = {
    ("2021-02-03", "02-build"): {("test_failure", "error", FLAKY)},
    ("2021-02-04", "01-source-freshness"): {("source_stale", "warn", PRODUCTS)},
    ("2021-02-05", "01-source-freshness"): {("source_stale", "warn", PRODUCTS)},
    ("2021-02-05", "02-build"): {("slow_model", "error", SLOW)},
    ("2021-02-06", "01-source-freshness"): {("source_stale", "warn", PRODUCTS)},
    ("2021-02-06", "02-build"): {("slow_model", "error", SLOW)},
    ("2021-02-07", "02-build"): {("test_failure", "error", FLAKY)},
    ("2021-02-08", "01-source-freshness"): {
        ("source_stale", "error", EVENTS),
        ("exposure_at_risk", "error", DASHBOARD),
    },
    ("2021-02-09", "01-source-freshness"): {
        ("source_stale", "error", EVENTS),
        ("exposure_at_risk", "error", DASHBOARD),
    },
    ("2021-02-11", "01-source-freshness"): {("run_gap", "warn", None)},
    ("2021-02-11", "02-build"): {("run_gap", "warn", None)},
    ("2021-02-12", "02-build"): {
        ("model_error", "error", BROKEN),
        ("exposure_at_risk", "error", DASHBOARD),
    },
    ("2021-02-13", "02-build"): {("test_failure", "warn", WARN_TEST)},
    ("2021-02-14", "02-build"): {("test_failure", "error", FLAKY)},
}
FLAKY_FROM = "2021-02-07"
CREEP_MUST = {("2021-02-17", "02-build")}
CREEP_NEVER_BEFORE = "2021-02-05"


def _invocation_id(folder: Path) -> str:
    for name in ("run_results.json.gz", "sources.json.gz"):
        path = folder / name
        if path.exists():
            return str(json.loads(gzip.decompress(path.read_bytes()))["metadata"]["invocation_id"])
    raise AssertionError(f"no run file in {folder}")


INVOCATIONS = sorted(
    (folder.parent.name, folder.name) for folder in RUNS.glob("*/*") if folder.is_dir()
)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scenario") / "history"
    result = CliRunner().invoke(cli, ["ingest", str(RUNS), "--history", str(path)], env={"CI": ""})
    assert result.exit_code == 0, result.output
    return path


def findings_of(history: Path, day: str, folder: str) -> set[tuple[str, str, str | None]]:
    invocation = _invocation_id(RUNS / day / folder)
    result = CliRunner().invoke(
        cli,
        ["check", "--history", str(history), "--invocation", invocation, "--format", "json"],
        env={"CI": "", "GITHUB_STEP_SUMMARY": ""},
    )
    assert result.exit_code in (0, 1), result.output
    found = {(f["kind"], f["severity"], f["unique_id"]) for f in json.loads(result.stdout)}
    errors = any(severity == "error" for _, severity, _ in found)
    assert result.exit_code == (1 if errors else 0)
    return found


def test_the_recording_has_every_invocation_of_the_table() -> None:
    assert len(INVOCATIONS) == 51
    assert set(SCENARIO) <= set(INVOCATIONS)


@pytest.mark.parametrize(("day", "folder"), INVOCATIONS, ids=["/".join(i) for i in INVOCATIONS])
def test_check_flags_exactly_the_scenario(history: Path, day: str, folder: str) -> None:
    found = findings_of(history, day, folder)
    expected = set(SCENARIO.get((day, folder), set()))
    if folder == "01-source-freshness":
        expected.add(UNMONITORED)
    if folder == "02-build" and day >= FLAKY_FROM:
        expected.add(("flaky_test", "warn", FLAKY))
    creeping = ("creeping_model", "warn", CREEPING)
    if (day, folder) in CREEP_MUST:
        expected.add(creeping)
    elif creeping in found:
        # allowed once a trend can be seen, never on the first nights
        assert folder == "02-build" and day >= CREEP_NEVER_BEFORE
        found.discard(creeping)
    assert found == expected
