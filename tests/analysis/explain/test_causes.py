from monitor.analysis.explain.causes import Cause, Question, code_diff, likely_cause, rank_causes
from monitor.analysis.explain.facts import build_facts
from tests.analysis.builder import HistoryBuilder
from tests.analysis.explain.history import BYSTANDERS, INCIDENT, PARENT, STG, M, Night, history


def causes(
    incident: Night, metric: str = "execution_time", direction: int = 1, **kw: object
) -> list[Cause]:
    facts, ids = history(incident, **kw)  # type: ignore[arg-type]
    question = Question(M, ids[INCIDENT], ids[INCIDENT - 1], metric, direction)  # type: ignore[arg-type]
    return rank_causes(facts, question)


def kinds(found: list[Cause]) -> list[tuple[str, str]]:
    return [(c.kind, c.confidence) for c in found]


def test_own_sql_change_is_code() -> None:
    found = causes(Night(seconds=12.0, node_checksums={M: "c1"}))
    assert kinds(found) == [("code", "high")]
    assert found[0].message == "its SQL changed in this run"
    assert found[0].evidence == {"checksum_before": "c0", "checksum_after": "c1"}


def test_parent_sql_change_is_upstream_code() -> None:
    found = causes(Night(seconds=12.0, node_checksums={PARENT: "c1"}))
    assert kinds(found) == [("upstream_code", "medium")]
    assert found[0].evidence == {"parents": [PARENT]}
    assert "parent parent changed" in found[0].message


def test_own_rows_rising_with_runtime_is_data() -> None:
    found = causes(Night(seconds=12.0, rows=5000))
    assert kinds(found) == [("data", "high")]
    assert found[0].message == "its rows grew 5.0× (1,000 → 5,000) with the runtime"


def test_parent_rows_rising_is_upstream_data() -> None:
    found = causes(Night(seconds=12.0, parent_rows=25000))
    assert kinds(found) == [("upstream_data", "medium")]
    assert found[0].evidence == {"upstream": {PARENT: 5.0}}


def test_own_and_parent_rows_rising_rank_data_first() -> None:
    found = causes(Night(seconds=12.0, rows=5000, parent_rows=25000))
    assert kinds(found) == [("data", "high"), ("upstream_data", "medium")]


def test_many_nodes_slower_is_contention() -> None:
    found = causes(Night(seconds=12.0, bystander_seconds=3.0))
    assert kinds(found) == [("contention", "high")]
    assert found[0].evidence["slower_nodes"] == len(BYSTANDERS)
    assert found[0].evidence["overlapping_invocations"] == []
    assert "no other invocation in the history overlapped it" in found[0].message


def test_each_question_of_one_invocation_leaves_its_own_node_out_of_the_crowd() -> None:
    facts, ids = history(Night(seconds=12.0, bystander_seconds=3.0))
    asked = {
        node: rank_causes(facts, Question(node, ids[INCIDENT], ids[INCIDENT - 1]))
        for node in (M, PARENT)  # the same facts: the crowd is counted once for both
    }
    crowds = {
        node: next(c.evidence for c in found if c.kind == "contention")
        for node, found in asked.items()
    }
    assert crowds[M]["slower_nodes"] == len(BYSTANDERS)
    assert crowds[PARENT]["slower_nodes"] == len(BYSTANDERS) + 1  # M ran slower too
    assert crowds[PARENT]["compared_nodes"] == crowds[M]["compared_nodes"]


def test_a_crowd_is_only_medium_next_to_a_cause_of_the_node_itself() -> None:
    found = causes(Night(seconds=12.0, rows=5000, bystander_seconds=3.0))
    assert kinds(found) == [("data", "high"), ("contention", "medium")]


def test_two_slower_nodes_are_not_a_crowd() -> None:
    facts, ids = history(Night(seconds=12.0, bystander_seconds=1.0))
    # slow two bystanders by hand: below the crowd of three
    slower = facts.runs.with_columns(
        facts.runs["execution_time"].scatter(
            [
                i
                for i, (inv, uid) in enumerate(
                    facts.runs.select("invocation_id", "unique_id").iter_rows()
                )
                if inv == ids[INCIDENT] and uid in BYSTANDERS[:2]
            ],
            5.0,
        )
    )
    facts = type(facts)(slower, facts.invocations, facts.versions, facts.adapters)
    found = rank_causes(facts, Question(M, ids[INCIDENT], ids[INCIDENT - 1]))
    assert kinds(found) == [("unknown", "low")]


def test_thread_change_is_threads() -> None:
    found = causes(Night(seconds=12.0, threads=1))
    assert kinds(found) == [("threads", "high")]
    assert found[0].message == "the run used 1 thread instead of 4 (whole run 30.0 s → 120.0 s)"


def test_dbt_upgrade_is_environment() -> None:
    found = causes(Night(seconds=12.0, dbt_version="1.12.0"))
    assert kinds(found) == [("environment", "medium")]
    assert found[0].message == "the environment changed: dbt_version 1.11.16 → 1.12.0"


def test_full_refresh() -> None:
    found = causes(Night(seconds=12.0, full_refresh=True))
    assert kinds(found)[0] == ("full_refresh", "high")


def test_an_incremental_model_writing_many_times_its_rows_looks_rebuilt_in_full() -> None:
    rebuilt = Night(seconds=12.0, rows=50_000)

    found = causes(rebuilt, materialized="incremental")

    refresh = [c for c in found if c.kind == "full_refresh"]
    assert [c.confidence for c in refresh] == ["medium"]
    assert "the incremental model wrote 50× its usual rows" in refresh[0].message
    assert "full_refresh" not in [c.kind for c in causes(rebuilt)]  # a table: just more data


def test_tie_between_high_causes_follows_the_vocabulary_order() -> None:
    found = causes(Night(seconds=12.0, threads=8, node_checksums={M: "c1"}))
    assert kinds(found) == [("code", "high"), ("threads", "high")]


def test_nothing_explains_it_is_unknown() -> None:
    [cause] = causes(Night(seconds=12.0))
    assert cause.kind == "unknown"
    assert cause.evidence == {"missing": []}
    assert likely_cause([cause]).startswith("; likely cause: nothing recorded explains it")


def test_adapter_without_row_counts_says_so_instead_of_blaming_data() -> None:
    [cause] = causes(Night(seconds=12.0, rows=5000, parent_rows=25000), adapter="duckdb")
    assert cause.kind == "unknown"
    assert cause.evidence["missing"] == ["row counts are not reported by the duckdb adapter"]


def test_snowflake_constant_one_is_not_a_row_count() -> None:
    [cause] = causes(Night(seconds=12.0, rows=5000), adapter="snowflake")
    assert "rows_affected is always 1" in cause.message


def test_missing_manifest_is_named() -> None:
    [cause] = causes(Night(seconds=12.0), manifest=False)
    assert cause.kind == "unknown"
    assert cause.evidence["missing"] == [
        "no manifest version of the node before and after the change"
    ]


def test_rows_change_without_upstream_is_data_and_with_it_upstream_data() -> None:
    own = causes(Night(rows=5000), metric="rows_affected")
    assert kinds(own) == [("data", "medium")]
    upstream = causes(Night(rows=5000, parent_rows=25000), metric="rows_affected")
    assert kinds(upstream) == [("upstream_data", "high")]


def test_view_without_rows_is_skipped_on_the_way_up() -> None:
    # stg is a view (-1): the parent's rows are still found through it
    facts, ids = history(Night(seconds=12.0, parent_rows=25000))
    assert facts.runs.filter(facts.runs["unique_id"] == STG)["rows"].null_count() == len(ids)


def test_runtime_drop_with_rows_drop_is_data() -> None:
    found = causes(Night(seconds=1.0, rows=100), direction=-1)
    assert kinds(found) == [("data", "high")]
    assert "shrank to 10%" in found[0].message


def test_code_diff_counts_lines() -> None:
    diff = code_diff("select 1\nfrom a\n", "select 1, 2\nfrom a\nwhere x\n", "model.p.m")
    assert diff is not None
    assert diff.splitlines()[:2] == ["--- m (before)", "+++ m (after)"]
    assert code_diff(None, "select 1", "model.p.m") is None


def test_code_change_with_stored_sql_carries_a_diff() -> None:
    b = HistoryBuilder()
    ids = []
    for day in range(5):
        ids.append(b.invocation(day))
        b.run(ids[-1], M, 12.0 if day == 4 else 4.0)
    b.node(M, checksum="c0", raw_code="select 1\nfrom a\n")
    b.node(M, day=4, checksum="c1", raw_code="select 1\nfrom a\njoin b using (id)\n")
    [cause] = rank_causes(build_facts(b.frames()), Question(M, ids[4], ids[3]))
    assert cause.message == "its SQL changed in this run (+1/−0 lines)"
    assert cause.evidence["diff"].splitlines()[-1] == "+join b using (id)"
