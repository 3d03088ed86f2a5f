import numpy as np
import pytest

from monitor.analysis.schedule.simulate import RunGraph, binding_chain, retime, simulate


def diamond() -> RunGraph:
    #   a -> b -> d
    #   a -> c -> d
    return RunGraph.build(["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("b", "d"), ("c", "d")])


def test_one_thread_runs_nodes_back_to_back_in_dbt_order() -> None:
    graph = diamond()
    schedule = simulate(graph, [1.0, 2.0, 3.0, 4.0], threads=1)
    assert [graph.ids[i] for i in schedule.order] == ["a", "b", "c", "d"]
    assert schedule.span == 10.0


def test_enough_threads_give_the_longest_path() -> None:
    schedule = simulate(diamond(), [1.0, 2.0, 3.0, 4.0], threads=4)
    assert schedule.start == [0.0, 1.0, 1.0, 4.0]
    assert schedule.span == 8.0


def test_ready_nodes_go_by_depth_then_unique_id_not_by_arrival() -> None:
    # z is ready at once (depth 0), y only after x (depth 1); with one thread,
    # after x dbt takes the shallower z before y although y is "older" in the file.
    graph = RunGraph.build(["x", "y", "z"], [("x", "y")])
    schedule = simulate(graph, [1.0, 1.0, 1.0], threads=1)
    assert [graph.ids[i] for i in schedule.order] == ["x", "z", "y"]


def test_nodes_outside_the_graph_edges_are_ignored_and_cycles_do_not_hang() -> None:
    graph = RunGraph.build(["a", "b"], [("a", "b"), ("b", "a"), ("source.x", "a")])
    assert simulate(graph, [1.0, 1.0], threads=2).span == 1.0  # the cycle's edges are dropped


def test_binding_chain_follows_parents_and_busy_threads() -> None:
    graph = diamond()
    # two threads: c is the long branch, d waits for it
    schedule = simulate(graph, [1.0, 1.0, 5.0, 1.0], threads=2)
    assert [graph.ids[i] for i in binding_chain(schedule)] == ["a", "c", "d"]
    # one thread: d waits for the thread, which ran b then c
    schedule = simulate(graph, [1.0, 1.0, 5.0, 1.0], threads=1)
    assert [graph.ids[i] for i in binding_chain(schedule)] == ["a", "b", "c", "d"]


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_retime_reproduces_the_simulation_it_took_its_order_from(threads: int) -> None:
    ids = [f"n{i:02d}" for i in range(30)]
    rng = np.random.default_rng(7)
    edges = [(ids[p], ids[c]) for c in range(1, 30) for p in rng.choice(c, size=2) if p != c]
    graph = RunGraph.build(ids, edges)
    durations = rng.uniform(0.1, 5.0, size=30)
    schedule = simulate(graph, durations.tolist(), threads)
    ends = retime(graph, schedule.order, durations[:, None], threads)
    assert ends[:, 0] == pytest.approx(schedule.end)
