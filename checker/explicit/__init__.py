"""The explicit-state engine: breadth-first search over every interleaving.

Stage: an engine (DESIGN.md §4).  Input: one configuration's IR `Model`;
output: one `PropertyResult` per `model.properties`, in order.  Nothing
here reads source text.

Pipeline of one `check`:
  layout.py   IR variables -> bit fields of one packed int per state
  symmetry.py symmetric index types -> permutations of variables and values
  codegen.py  IR transitions/properties -> generated Python (compiled once)
  search.py   BFS with parent links, safety verdicts, shortest traces
  liveness.py unreduced state graph, networkx SCCs, fairness, lasso traces;
              with no reduction, one BFS for both (NOTE(shared-exploration))
  replay.py   checks that a trace (from either engine) is a real path

Public API: `ExplicitOptions`, `check`, `replay`, `reachable_states`,
`state_graph`.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from dataclasses import dataclass

import networkx as nx

from checker.explicit.liveness import build_graph, explore_graph, graph_results, liveness_results
from checker.explicit.replay import lasso_problem, replay_trace
from checker.explicit.search import (
    ENGINE,
    Engine,
    Limits,
    compile_model,
    explore,
    explore_adaptive,
    safety_results,
)
from checker.explicit.symmetry import SymmetryError, permutations
from checker.result import PropertyResult, Stats, StopReason, Trace, Verdict
from model.ir import Model, Property

__all__ = ["ExplicitOptions", "check", "reachable_states", "replay", "replay_lasso", "state_graph"]


@dataclass(frozen=True, slots=True)
class ExplicitOptions:
    """Limits and switches of one explicit run (None: no limit).

    `memory_mb` None means 60% of physical memory.  `progress` prints
    states, depth and states/s on stderr for runs over a second, only when
    stderr is a terminal.
    """

    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    memory_mb: int | None = None
    symmetry: bool = True
    progress: bool = False

    def limits(self) -> Limits:
        return Limits(self.max_states, self.max_depth, self.timeout, self.memory_mb, self.progress)


def check(
    model: Model, options: ExplicitOptions | None = None, *, _shared: bool = True
) -> tuple[PropertyResult, ...]:
    """Decide every property of `model`; one result per property, same order.

    Safety properties (invariant, reachable, assertion groups, deadlock)
    come from one BFS, with symmetry reduction when asked and the model
    declares symmetric types; liveness properties from the unreduced state
    graph (NOTE(liveness-semantics) in liveness.py).  When no reduction
    applies and the model has both kinds, one exploration gives both
    (NOTE(shared-exploration) in liveness.py); `_shared=False` (for tests
    and benchmarks) asks for the two separate explorations instead, which
    give the same results except the figures of liveness results cut
    short by a limit (those of the graph's own search).  Ctrl-C gives
    INCOMPLETE (INTERRUPTED) results with the figures so far.

    Figures (`Stats`) are those of the exploration that decided the
    property: distinct states, transitions as BEEM counts them (every
    enabled step that yields a state, from every reachable state,
    duplicates included; a step failing a runtime check yields none), depth
    as the number of BFS levels (BEEM's "levels": the initial states are
    level 1), and seconds.  With symmetry reduction the safety figures
    count orbit representatives.
    """
    opts = options if options is not None else ExplicitOptions()
    limits = opts.limits()
    results: dict[int, PropertyResult] = {}
    note = ""
    stop: StopReason | None = None
    stats = Stats()
    try:
        symmetric = opts.symmetry and _reduction_applies(model)
        if not symmetric and opts.symmetry and model.symmetric_types:
            note = "symmetry reduction not applied (too many permutations or unmapped variables)"
        has_safety = any(not p.kind.is_liveness for p in model.properties)
        has_liveness = any(p.kind.is_liveness for p in model.properties)
        if _shared and has_safety and has_liveness and not symmetric:
            # NOTE(shared-exploration): one full-width exploration for both kinds
            started = time.monotonic()
            eng = compile_model(model, False, expand=False)
            out, graph = explore_graph(eng, _remaining(limits, started))
            out.seconds = graph.seconds = time.monotonic() - started
            stats = Stats(len(out.order), out.transitions, out.levels, out.seconds)
            stop = out.stop
            if stop is StopReason.MEMORY:
                # the graph did not fit: the liveness properties are INCOMPLETE, and the safety
                # ones are decided by the narrowed safety search alone, as without the sharing
                results.update(graph_results(eng, graph, limits, "", started))
                del eng, out, graph
                has_liveness = False
                limits = _remaining(limits, started)
            else:
                results.update(_noted(safety_results(eng, out), note))
                if stop is StopReason.INTERRUPTED:
                    raise KeyboardInterrupt
                results.update(graph_results(eng, graph, limits, "", started))
                has_safety = has_liveness = False
        if has_safety:
            eng, out = explore_adaptive(model, symmetric, limits)
            stats = Stats(len(out.order), out.transitions, out.levels, out.seconds)
            stop = out.stop
            results.update(_noted(safety_results(eng, out), note))
        if has_liveness:
            if stop is StopReason.INTERRUPTED:
                raise KeyboardInterrupt
            # full-width fields and no reduction (NOTE(liveness-semantics))
            live_eng = compile_model(model, False)
            live_note = "decided on the unreduced state graph" if symmetric else ""
            results.update(liveness_results(live_eng, limits, live_note))
    except KeyboardInterrupt:
        stop = StopReason.INTERRUPTED
    out_list: list[PropertyResult] = []
    for k, prop in enumerate(model.properties):
        r = results.get(k)
        if r is None:
            reason = stop if stop is not None else StopReason.INTERRUPTED
            r = PropertyResult(
                prop.name,
                prop.kind,
                Verdict.INCOMPLETE,
                ENGINE,
                stats,
                prop.expect_violation,
                None,
                reason,
                reason.description,
            )
        out_list.append(r)
    return tuple(out_list)


def _remaining(limits: Limits, started: float) -> Limits:
    """`limits` with the time limit less the time since `started` (compilation counts)."""
    if limits.timeout is None:
        return limits
    return dataclasses.replace(limits, timeout=max(0.0, limits.timeout - (time.monotonic() - started)))


def _reduction_applies(model: Model) -> bool:
    """True when the model declares symmetry and the reduction can be built (NOTE(perm-cost))."""
    if not model.symmetric_types:
        return False
    try:
        return bool(permutations(model))
    except SymmetryError:
        return False


def _noted(results: dict[int, PropertyResult], note: str) -> dict[int, PropertyResult]:
    return {k: _with_detail(r, note) for k, r in results.items()} if note else results


def _with_detail(r: PropertyResult, note: str) -> PropertyResult:
    detail = f"{r.detail}; {note}" if r.detail else note
    return PropertyResult(
        r.property,
        r.kind,
        r.verdict,
        r.engine,
        r.stats,
        r.expect_violation,
        r.trace,
        r.reason,
        detail,
        r.invariant,
    )


@functools.lru_cache(maxsize=8)
def _plain_engine(model: Model) -> Engine:
    """Full-width fields, no reduction: for replay and state listings."""
    return compile_model(model, False)


def replay(model: Model, trace: Trace) -> str | None:
    """None if `trace` is a real path of `model`, else the reason in plain words."""
    return replay_trace(_plain_engine(model), trace)


def replay_lasso(model: Model, prop: Property, trace: Trace) -> str | None:
    """None if `trace` is a fair run of `model` violating the liveness property `prop`."""
    return lasso_problem(_plain_engine(model), prop, trace)


def reachable_states(model: Model, limit: int, timeout: float | None = None) -> list[tuple[int, ...]] | None:
    """Every reachable state in BFS order, or None if there are more than `limit` (or `timeout` s ran out)."""
    eng = _plain_engine(model)
    out = explore(eng, Limits(max_states=limit, timeout=timeout))
    if out.stop is not None or len(out.order) > limit:
        return None
    return eng.layout.unpack_all(out.order)


def state_graph(model: Model, options: ExplicitOptions | None = None) -> nx.DiGraph:
    """The unreduced state graph, for DOT export and analyses of small models.

    Nodes are BFS indices with attributes `state` (the value tuple) and
    `initial`; an edge carries `transitions`, the IR transitions joining the
    two states.  `graph.graph["complete"]` is False when a limit cut it.
    """
    opts = options if options is not None else ExplicitOptions()
    eng = compile_model(model, False)
    g = build_graph(eng, opts.limits())
    dg = nx.DiGraph(complete=g.stop is None)
    initial = set(g.initial)
    for i, s in enumerate(g.states):
        dg.add_node(i, state=eng.layout.unpack(s), initial=i in initial)
    for i, edges in enumerate(g.succ):
        for j, tr in edges:
            if dg.has_edge(i, j):
                dg.edges[i, j]["transitions"].append(tr)
            else:
                dg.add_edge(i, j, transitions=[tr])
    return dg
