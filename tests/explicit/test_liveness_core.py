"""The liveness graph's trimming before networkx (NOTE(liveness-trim)) on hand-made graphs."""

from __future__ import annotations

from checker.explicit.liveness import Graph, _cyclic_core, _sccs


def graph(edges: dict[int, list[int]], n: int) -> Graph:
    succ = [[(j, 0) for j in edges.get(i, [])] for i in range(n)]
    return Graph(list(range(n)), succ, [0] * n, [0], sum(len(x) for x in succ), 1, 0.0, None)


def test_core_keeps_cycles_and_drops_tails() -> None:
    # 0 -> 1 -> 2 -> 3 -> 1 (cycle 1 2 3), 3 -> 4 -> 5 (tail), 6 -> 6 (self-loop), 7 alone
    g = graph({0: [1], 1: [2], 2: [3], 3: [1, 4], 4: [5], 6: [6]}, 8)
    core = _cyclic_core(g, set(range(8)))
    assert set(core) == {1, 2, 3, 6}
    comps = sorted(sorted(c) for c in _sccs(g, set(range(8))))
    # the stutters 5 and 7 (no successor at all) carry a run forever too
    assert comps == [[1, 2, 3], [5], [6], [7]]


def test_core_inside_a_region_only() -> None:
    # the cycle 1 2 3 is cut by leaving 2 out of the region: no cycle remains
    g = graph({0: [1], 1: [2], 2: [3], 3: [1, 4], 4: [5], 6: [6]}, 8)
    region = {0, 1, 3, 4}
    assert _cyclic_core(g, region) == {}
    assert _sccs(g, region) == []


def test_acyclic_region_never_builds_a_component() -> None:
    n = 50
    g = graph({i: [i + 1] for i in range(n - 1)}, n)
    assert _cyclic_core(g, set(range(n))) == {}
    assert _sccs(g, set(range(n))) == [{n - 1}]  # the last state stutters
