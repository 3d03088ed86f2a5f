from monitor.analysis.explain.facts import Facts, build_facts
from monitor.analysis.volume import VolumeLimits, volume_anomalies
from tests.analysis.builder import HistoryBuilder

M = "model.p.m"


def night_rows(
    rows: list[int], adapter: str = "postgres", materialized: str = "table"
) -> tuple[Facts, list[str]]:
    b = HistoryBuilder()
    ids = []
    for day, count in enumerate(rows):
        inv = b.invocation(day)
        b.invocations[-1]["adapter_type"] = adapter
        b.run(inv, M, 1.0, rows_affected=count)
        ids.append(inv)
    b.node(M, materialized=materialized)
    return build_facts(b.frames()), ids


def test_spike_is_a_warning() -> None:
    facts, ids = night_rows([1000, 1100, 900, 1000, 5000])
    [finding] = volume_anomalies(facts, ids[-1])
    assert (finding.kind, finding.severity) == ("volume_anomaly", "warn")
    assert finding.message == "m wrote 5,000 rows, 5.0× its median of 1,000 over the last 4 runs"
    assert finding.evidence["ratio"] == 5.0


def test_drop_is_a_warning() -> None:
    facts, ids = night_rows([1000, 1100, 900, 1000, 200])
    [finding] = volume_anomalies(facts, ids[-1])
    assert finding.severity == "warn"
    assert "20% of its median" in finding.message


def test_zero_rows_from_a_model_that_writes_rows_is_an_error() -> None:
    facts, ids = night_rows([1000, 1100, 900, 1000, 0])
    [finding] = volume_anomalies(facts, ids[-1])
    assert finding.severity == "error"
    assert finding.message == "m wrote 0 rows; it usually writes about 1,000 over the last 4 runs"


def test_incremental_drops_and_zeros_are_not_anomalies() -> None:
    for last in (0, 50):
        facts, ids = night_rows([1000, 1100, 900, 1000, last], materialized="incremental")
        assert volume_anomalies(facts, ids[-1]) == []
    facts, ids = night_rows([1000, 1100, 900, 1000, 9000], materialized="incremental")
    assert len(volume_anomalies(facts, ids[-1])) == 1


def test_nothing_without_row_counts() -> None:
    for adapter in ("duckdb", "snowflake", "databricks"):
        facts, ids = night_rows([1, 1, 1, 1, 0], adapter=adapter)
        assert volume_anomalies(facts, ids[-1]) == []
    facts, ids = night_rows([-1, -1, -1, -1, -1])  # a postgres view
    assert volume_anomalies(facts, ids[-1]) == []


def test_small_moves_and_short_histories_are_not_anomalies() -> None:
    facts, ids = night_rows([10, 12, 11, 10, 60])  # 6x but +50 rows
    assert volume_anomalies(facts, ids[-1]) == []
    facts, ids = night_rows([1000, 1000, 9000])  # two runs before
    assert volume_anomalies(facts, ids[-1]) == []
    facts, ids = night_rows([1000, 1000, 9000])
    assert len(volume_anomalies(facts, ids[-1], VolumeLimits(min_runs=2))) == 1
