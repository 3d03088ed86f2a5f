"""The simulation against reality: every multi-threaded recorded build, replayed."""

import polars as pl

from monitor.analysis.frames import Frames
from monitor.analysis.schedule.graph import load_build
from monitor.analysis.schedule.simulate import simulate

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
