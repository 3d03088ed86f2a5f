"""The simulation against reality: every multi-threaded recorded build, replayed."""

from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from monitor.analysis.frames import Frames, prepare
from monitor.analysis.schedule.graph import load_build
from monitor.analysis.schedule.runs import node_invocations
from monitor.analysis.schedule.simulate import simulate
from monitor.cli import cli
from monitor.history.store import History
from monitor.history.tables import read_tables

TOLERANCE = 0.10


def test_simulated_span_is_within_ten_percent_of_every_recorded_build(
    threads_frames: Frames,
) -> None:
    builds = threads_frames.invocations.filter(pl.col("command") == "build")
    assert builds.height == 5
    errors = {}
    for invocation_id in builds["invocation_id"]:
        build = load_build(threads_frames, invocation_id)
        assert build.threads > 1
        span = simulate(build.graph, build.slots, build.threads).span
        error = (span - build.recorded_span) / build.recorded_span
        errors[invocation_id] = error
        print(
            f"{build.started_at:%Y-%m-%d} {invocation_id[:8]} threads={build.threads} "
            f"nodes={len(build.graph)} recorded={build.recorded_span:.2f}s "
            f"simulated={span:.2f}s error={error:+.1%} (overhead {build.overhead:.3f}s/node)"
        )
    assert all(abs(e) <= TOLERANCE for e in errors.values()), errors


def test_a_build_gates_children_on_their_parents_tests(threads_frames: Frames) -> None:
    first = threads_frames.invocations["invocation_id"][0]
    build = load_build(threads_frames, first)
    index = {uid: i for i, uid in enumerate(build.graph.ids)}
    parents = {build.graph.ids[p] for p in build.graph.parents[index["model.greenery.dim_users"]]}
    assert "model.greenery.stg_users" in parents
    assert any(p.startswith("test.greenery.unique_stg_users") for p in parents)


POSTGRES_RUNS = Path(__file__).resolve().parents[3] / "fixtures" / "runs-postgres"


@pytest.mark.skipif(not POSTGRES_RUNS.is_dir(), reason="fixtures/runs-postgres not recorded yet")
def test_every_multi_threaded_postgres_night_replays_within_ten_percent(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    history = tmp_path_factory.mktemp("postgres") / "history"
    result = CliRunner().invoke(cli, ["ingest", str(POSTGRES_RUNS), "--history", str(history)])
    assert result.exit_code == 0, result.output
    frames = prepare(read_tables(History(str(history))))
    builds = node_invocations(frames.invocations).filter(pl.col("threads") > 1)
    assert builds.height > 0
    errors = {}
    for invocation_id in builds["invocation_id"]:
        build = load_build(frames, invocation_id)
        span = simulate(build.graph, build.slots, build.threads).span
        if build.recorded_span:
            errors[invocation_id] = (span - build.recorded_span) / build.recorded_span
            print(
                f"postgres {build.started_at:%Y-%m-%d %H:%M} {invocation_id[:8]} "
                f"threads={build.threads} nodes={len(build.graph)} "
                f"recorded={build.recorded_span:.2f}s simulated={span:.2f}s "
                f"error={errors[invocation_id]:+.1%}"
            )
    assert all(abs(e) <= TOLERANCE for e in errors.values()), errors
