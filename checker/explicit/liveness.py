"""Liveness on the explicit state graph: fair cycles found with networkx SCCs.

Stage: the liveness half of the explicit engine.  `build_graph` explores
the unreduced state graph once, storing every edge with its transition and
the set of processes enabled in each state; `explore_graph` does the same
and also gives the safety BFS's `Outcome` (NOTE(shared-exploration)), so a
model with both kinds of property is explored once; `liveness_results`
(`graph_results` on a graph already built) decides every `eventually`,
`always eventually` and `leads_to` property on it and returns lasso
counterexamples (`Trace.loop_start`).

NOTE(liveness-semantics):
* A run is an infinite path.  A state with no successor stutters forever
  (the run stays in it); that stutter is fair when no fair process is
  enabled there (a process whose only enabled steps fail a runtime check
  is enabled but cannot move).
* Weak fairness of a process: if it is enabled in every state of a cycle
  it must take a step in that cycle.  Strong fairness: if it is enabled in
  some state of the cycle it must take a step in it.  A fair cycle exists
  in a strongly connected set C iff (Emerson-Lei refinement): no
  strong-fair process is enabled in C without stepping inside C, and no
  weak-fair process is enabled in all of C without stepping inside C; if a
  strong-fair process violates this, the states where it is enabled are
  removed and the SCCs of the rest are tried again.
* `eventually P` fails iff some fair run from an initial state never meets
  P; `always eventually P` iff some reachable fair cycle avoids P;
  `P leads_to Q` iff from some reachable P-state a fair run avoids Q
  (that state included).
* Symmetry reduction is never used here: the graph is unreduced, so
  verdicts are the same with and without `symmetry`.
"""

from __future__ import annotations

import itertools
import time
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from operator import itemgetter

import networkx as nx

from checker.explicit.search import (
    ENGINE,
    Engine,
    Hit,
    Limits,
    Outcome,
    Progress,
    _rss_mb,
    default_memory_mb,
    run_levels,
    without_gc,
)
from checker.result import PropertyResult, Stats, StopReason, Trace, Verdict
from model.ir import Fairness, Model, Property, PropKind


@dataclass(slots=True)
class Graph:
    states: list[int]  # packed, in BFS order
    succ: list[list[tuple[int, int]]]  # per state: (target index, transition)
    enabled: list[int]  # per state: bitmask of enabled processes
    initial: list[int]  # indices of the initial states
    transitions: int
    levels: int
    seconds: float
    stop: StopReason | None
    # fair components per region: properties over the same region share them
    fair_cache: dict[frozenset[int], dict[int, set[int]]] = field(default_factory=dict)


@without_gc
def build_graph(eng: Engine, limits: Limits) -> Graph:
    start = time.monotonic()
    deadline = start + limits.timeout if limits.timeout is not None else None
    mem_limit = limits.memory_mb if limits.memory_mb is not None else default_memory_mb()
    index: dict[int, int] = {}
    g = Graph([], [], [], [], 0, 0, 0.0, None)
    succ_fn = eng.code.succ
    progress = Progress(limits.progress)
    try:
        for values in eng.model.initial_states():
            s = eng.layout.pack(values)
            if s not in index:
                index[s] = len(g.states)
                g.states.append(s)
                g.initial.append(index[s])
        level_start = 0
        while level_start < len(g.states) and g.stop is None:
            level_end = len(g.states)
            g.levels += 1
            if limits.max_depth is not None and g.levels > limits.max_depth:
                g.stop = StopReason.MAX_DEPTH
                break
            for i in range(level_start, level_end):
                out, _, en = succ_fn(g.states[i])
                edges: list[tuple[int, int]] = []
                for tr, t in out:
                    j = index.get(t)
                    if j is None:
                        j = index[t] = len(g.states)
                        g.states.append(t)
                    edges.append((j, tr))
                g.succ.append(edges)
                g.enabled.append(en)
                g.transitions += len(edges)
                # the clock after every state (a state of a wide model takes 0.1 s: NOTE(limits)
                # in search.py), the rest every 1,024 states
                if deadline is not None and time.monotonic() > deadline:
                    g.stop = StopReason.TIMEOUT
                elif i % 1024 == 1023:
                    if limits.max_states is not None and len(g.states) > limits.max_states:
                        g.stop = StopReason.MAX_STATES
                    elif i % 16384 == 16383 and _rss_mb() > mem_limit:
                        g.stop = StopReason.MEMORY
                    progress.update(len(g.states), g.levels)
                if g.stop is not None:
                    break
            level_start = level_end
        if g.stop is None and limits.max_states is not None and len(g.states) > limits.max_states:
            g.stop = StopReason.MAX_STATES
    except KeyboardInterrupt:
        g.stop = StopReason.INTERRUPTED
    finally:
        progress.done()
    g.seconds = time.monotonic() - start
    return g


@without_gc
def explore_graph(eng: Engine, limits: Limits) -> tuple[Outcome, Graph]:
    """One BFS giving both the safety `Outcome` and the liveness `Graph`.

    NOTE(shared-exploration): `check` uses this instead of `explore` then
    `build_graph` when a model has safety and liveness properties and no
    symmetry reduction applies (`eng` must have no permutations).  It
    mirrors `explore` (search.py) step for step: the same initial states,
    the same level-by-level order with successors in `succ` order (the
    transition order `expand` uses too), so the same BFS indices and
    first-discovery parents; the same chunks and the same limit tests
    between them (NOTE(limits)), so a limit stops it after the same state;
    the same first hits: an assertion or deadlock when its state is
    expanded (the first failing check of a step, as `expand` reports it),
    an invariant or reachable target on the first stored state that hits
    it, found after the search by testing every stored state in BFS order
    (what `explore` tests as each is stored).  The figures are therefore
    those `explore` gives, and `safety_results` gives the same results and
    traces.  The graph shares the state list with the outcome; when the
    search stops early it is only good for the figures (the liveness
    properties are then INCOMPLETE, with these figures).

    Limits apply to the one search: a time limit covers safety and
    liveness together (the two searches had one each), so a run cut by
    it may leave safety properties INCOMPLETE that the faster narrowed
    safety search alone would have decided.  When the memory guard stops
    it, `check` drops the graph and decides the safety properties by the
    narrowed safety search, as it did before the sharing: the full-width
    graph needs several times the memory of the narrowed BFS.
    """
    assert not eng.perms, "internal error: the shared exploration is unreduced"
    model, code, slots = eng.model, eng.code, eng.slots
    start = time.monotonic()
    g = Graph([], [], [], [], 0, 0, 0.0, None)
    states = g.states
    index: dict[int, int] = {}
    parent: array[int] = array("i")
    out = Outcome(states, parent, 0, 0, 0.0)
    hits = out.hits
    # (transition, check) -> the assertion slot it reports to
    check_slot: dict[tuple[int, int], int] = {}
    for tr in model.transitions:
        for c, chk in enumerate(tr.checks):
            slot = slots.checks.get(chk.prop)
            if slot is not None:
                check_slot[(tr.index, c)] = slot
    open_checks = len(set(check_slot.values()))
    dead = slots.deadlock
    ends = [(p.pc_var, frozenset(p.end_locations)) for p in model.processes]
    fields = eng.layout.fields
    pcs = [(fields[pc].offset, fields[pc].mask, fields[pc].lo, at) for pc, at in ends]
    succ_fn = code.succ
    setdefault, add_state, add_parent = index.setdefault, states.append, parent.append
    add_succ, add_enabled = g.succ.append, g.enabled.append

    def expand(lo: int, hi: int) -> int:
        nonlocal open_checks, dead
        n = 0
        count = len(states)
        for i in range(lo, hi):
            s = states[i]
            succ, fails, en = succ_fn(s)
            edges: list[tuple[int, int]] = []
            add_edge = edges.append
            for tr, t in succ:
                j = setdefault(t, count)
                if j == count:
                    add_state(t)
                    add_parent(i)
                    count += 1
                add_edge((j, tr))
            add_succ(edges)
            add_enabled(en)
            n += len(edges)
            if fails and open_checks:
                for f in fails:
                    slot = check_slot.get(f)
                    if slot is not None and slot not in hits:
                        hits[slot] = Hit(i, f[0], f[1])
                        open_checks -= 1
            # deadlock: nothing enabled and some process not at an end location (as `expand`)
            if not en and dead is not None and not all((s >> o & m) + b in at for o, m, b, at in pcs):
                hits[dead] = Hit(i)
                dead = None
        return n

    progress = Progress(limits.progress)
    try:
        for values in model.initial_states():
            s = eng.layout.pack(values)
            if s in index:
                continue
            index[s] = len(states)
            states.append(s)
            parent.append(-1)
            g.initial.append(index[s])
        run_levels(out, states, limits, start, progress, expand)
    except KeyboardInterrupt:
        out.stop = StopReason.INTERRUPTED
        del states[len(parent) :]
    finally:
        progress.done()
    if out.stop is None and limits.max_depth is not None and out.levels > limits.max_depth:
        out.stop = StopReason.MAX_DEPTH
    # invariants and reachable targets: the first stored state that hits each (scanned in
    # BFS order, so a scan cut by Ctrl-C leaves only later hits undecided)
    pending = {k for k, _ in slots.invariants + slots.reachables}
    try:
        if pending:
            for i, got in enumerate(map(code.state_hits, states)):
                for k in got:
                    if k in pending:
                        pending.discard(k)
                        hits[k] = Hit(i)
                if not pending:
                    break
    except KeyboardInterrupt:
        out.stop = StopReason.INTERRUPTED
    out.seconds = time.monotonic() - start
    g.transitions, g.levels, g.seconds, g.stop = out.transitions, out.levels, out.seconds, out.stop
    return out, g


class _Fairness:
    def __init__(self, model: Model, g: Graph) -> None:
        self.g = g
        self.proc_of = [tr.process for tr in model.transitions]
        self.weak = sum(1 << p.index for p in model.processes if p.fairness is Fairness.WEAK)
        self.strong = sum(1 << p.index for p in model.processes if p.fairness is Fairness.STRONG)

    def taken(self, comp: set[int]) -> int:
        mask = 0
        for i in comp:
            for j, tr in self.g.succ[i]:
                if j in comp:
                    mask |= 1 << self.proc_of[tr]
        return mask

    def fair_parts(self, comp: set[int]) -> Iterable[set[int]]:
        """Strongly connected subsets of `comp` that carry a fair cycle."""
        g = self.g
        if len(comp) == 1:
            (i,) = comp
            if not g.succ[i]:  # NOTE(liveness-semantics): a stutter
                if g.enabled[i] & (self.weak | self.strong) == 0:
                    yield comp
                return
            if not any(j == i for j, _ in g.succ[i]):
                return
        taken = self.taken(comp)
        en_any = 0
        en_all = -1
        for i in comp:
            en_any |= g.enabled[i]
            en_all &= g.enabled[i]
        strong_bad = self.strong & en_any & ~taken
        if strong_bad:
            rest = {i for i in comp if not g.enabled[i] & strong_bad}
            for sub in _sccs(g, rest):
                yield from self.fair_parts(sub)
            return
        if self.weak & en_all & ~taken:
            return
        yield comp

    def requirements(self, comp: set[int]) -> list[tuple[str, int]]:
        """What a fair cycle through `comp` must include: edges and states."""
        g = self.g
        if len(comp) == 1 and not g.succ[next(iter(comp))]:
            return []
        need: list[tuple[str, int]] = []
        fair = self.weak | self.strong
        taken = self.taken(comp)
        for p in range(fair.bit_length()):
            if not fair >> p & 1:
                continue
            if taken >> p & 1:
                need.append(("proc", p))
            elif self.weak >> p & 1:
                need.append(("disabled", p))
        return need


def _sccs(g: Graph, nodes: set[int]) -> list[set[int]]:
    """The SCCs of the subgraph on `nodes` that can carry a run forever.

    That is every SCC with an edge inside it, and every state with no
    successor at all (a stutter, NOTE(liveness-semantics)); the graph given
    to networkx holds only the edges inside `nodes` between the states
    that `_cyclic_core` keeps.
    """
    core = _cyclic_core(g, nodes)
    dg = nx.DiGraph()
    dg.add_edges_from((i, j) for i, js in core.items() for j in js if j in core)
    out = [{i} for i in nodes if not g.succ[i]]
    for comp in nx.strongly_connected_components(dg):
        if len(comp) > 1 or dg.has_edge(*(2 * tuple(comp))):
            out.append(set(comp))
    return out


def _cyclic_core(g: Graph, nodes: set[int]) -> dict[int, list[int]]:
    """Successors inside `nodes` of the states of `nodes` that may lie on a cycle in it.

    NOTE(liveness-trim): a state with no predecessor, or no successor,
    inside `nodes` lies on no cycle there; removing it may leave others
    so, and so on (one pass forwards from the sources, one backwards from
    the sinks).  What remains holds every cycle, so networkx finds the
    same SCCs with an edge inside them on a smaller graph; a region
    without cycles (a property that holds) never reaches networkx at all.
    Successor lists may still name removed states: `_sccs` skips them.
    """
    # the successor lists and in-degrees by C-level iteration (filter, map, Counter): the
    # Python-level loop over every edge was most of the time of a property that holds
    inside, target, edges = nodes.__contains__, itemgetter(0), g.succ
    succ = {i: list(filter(inside, map(target, edges[i]))) for i in nodes}
    indeg = dict.fromkeys(nodes, 0)
    indeg.update(Counter(itertools.chain.from_iterable(succ.values())))
    stack = [i for i, d in indeg.items() if d == 0]
    while stack:
        for j in succ.pop(stack.pop()):
            indeg[j] -= 1
            if indeg[j] == 0:
                stack.append(j)
    # every successor of a kept state is kept: it has that predecessor left
    pred: dict[int, list[int]] = {i: [] for i in succ}
    for i, js in succ.items():
        for j in js:
            pred[j].append(i)
    outdeg = {i: len(js) for i, js in succ.items()}
    stack = [i for i, d in outdeg.items() if d == 0]
    while stack:
        j = stack.pop()
        del succ[j]
        for i in pred[j]:
            outdeg[i] -= 1
            if outdeg[i] == 0:
                stack.append(i)
    return succ


def _bfs(
    g: Graph, sources: Iterable[int], allowed: Callable[[int], bool], goal: Callable[[int], bool]
) -> list[tuple[int, int]] | None:
    """Shortest path inside `allowed` from a source to a goal: [(state, step in)]."""
    prev: dict[int, tuple[int, int]] = {}
    queue: deque[int] = deque()
    for s in sources:
        if allowed(s) and s not in prev:
            prev[s] = (-1, -1)
            queue.append(s)
    while queue:
        i = queue.popleft()
        if goal(i):
            path = [(i, prev[i][1])]
            while prev[path[-1][0]][0] >= 0:
                k = prev[path[-1][0]][0]
                path.append((k, prev[k][1]))
            path.reverse()
            return path
        for j, tr in g.succ[i]:
            if j not in prev and allowed(j):
                prev[j] = (i, tr)
                queue.append(j)
    return None


def _cycle(g: Graph, fair: _Fairness, comp: set[int], entry: int) -> list[tuple[int, int]]:
    """A cycle from `entry` inside `comp` meeting the fairness needs: [(state, step out)]."""
    inside = comp.__contains__
    steps: list[tuple[int, int]] = []
    cur = entry

    def walk(goal: Callable[[int], bool]) -> None:
        nonlocal cur
        path = _bfs(g, [cur], inside, goal)
        assert path is not None, "internal error: SCC not strongly connected"
        for (a, _), (_, tr) in itertools.pairwise(path):
            steps.append((a, tr))
        cur = path[-1][0]

    def take(i: int, tr: int, j: int) -> None:
        nonlocal cur
        steps.append((i, tr))
        cur = j

    for what, p in fair.requirements(comp):
        if what == "proc":
            edge = next(
                (i, tr, j) for i in sorted(comp) for j, tr in g.succ[i] if j in comp and fair.proc_of[tr] == p
            )
            walk(lambda s, e=edge: s == e[0])  # type: ignore[misc]
            take(*edge)
        else:
            walk(lambda s, p=p: not g.enabled[s] >> p & 1)  # type: ignore[misc]
    if not steps:  # no fairness needs: any step inside comp starts the loop
        first = next((j, tr) for j, tr in g.succ[cur] if j in comp)
        take(cur, first[1], first[0])
    if cur != entry:
        walk(lambda s: s == entry)
    return steps


def _lasso(
    eng: Engine,
    g: Graph,
    fair: _Fairness,
    prefix: list[tuple[int, int]],
    comp: set[int],
) -> Trace:
    entry = prefix[-1][0]
    states = [g.states[i] for i, _ in prefix]
    trs = [tr for _, tr in prefix[1:]]
    if len(comp) == 1 and not g.succ[entry]:
        unpacked = tuple(eng.layout.unpack(s) for s in states)
        return Trace(unpacked, tuple(trs), loop_start=len(states) - 1)
    loop_start = len(states) - 1
    cyc = _cycle(g, fair, comp, entry)
    for k, (i, tr) in enumerate(cyc):
        if k > 0:
            states.append(g.states[i])
        trs.append(tr)
    unpacked = tuple(eng.layout.unpack(s) for s in states)
    return Trace(unpacked, tuple(trs), loop_start=loop_start)


def _find(g: Graph, fair: _Fairness, region: set[int]) -> dict[int, set[int]]:
    key = frozenset(region)
    cached = g.fair_cache.get(key)
    if cached is None:
        cached = g.fair_cache[key] = _find_uncached(g, fair, region)
    return cached


def _find_uncached(g: Graph, fair: _Fairness, region: set[int]) -> dict[int, set[int]]:
    """state -> the fair component it belongs to, over every fair part of `region`."""
    owner: dict[int, set[int]] = {}
    for comp in _sccs(g, region):
        for part in fair.fair_parts(comp):
            for i in part:
                owner[i] = part
    return owner


@without_gc
def decide(eng: Engine, g: Graph, prop: Property) -> tuple[Verdict, Trace | None]:
    fair = _Fairness(eng.model, g)
    code = eng.code
    n = len(g.states)
    assert prop.expr is not None
    p = code.pred(prop.expr)
    everything = range(n)
    match prop.kind:
        case PropKind.EVENTUALLY:
            p_val = [bool(p(s)) for s in g.states]
            bad = [not v for v in p_val]
            region_path = _reach(g, g.initial, lambda i: bad[i])
            owner = _find(g, fair, region_path)
            if not owner:
                return Verdict.HOLDS, None
            prefix = _bfs(g, g.initial, lambda i: bad[i], owner.__contains__)
        case PropKind.ALWAYS_EVENTUALLY:
            p_val = [bool(p(s)) for s in g.states]
            region = {i for i in everything if not p_val[i]}
            owner = _find(g, fair, region)
            if not owner:
                return Verdict.HOLDS, None
            prefix = _bfs(g, g.initial, lambda i: True, owner.__contains__)
        case PropKind.LEADS_TO:
            assert prop.expr2 is not None
            q = code.pred(prop.expr2)
            bad = [not q(s) for s in g.states]
            region = {i for i in everything if bad[i]}
            owner = _find(g, fair, region)
            if not owner:  # no fair run avoids Q forever: nothing is doomed
                return Verdict.HOLDS, None
            p_val = [bool(p(s)) for s in g.states]
            doomed = _back_reach(g, set(owner), region)
            start = _bfs(g, g.initial, lambda i: True, lambda i: p_val[i] and i in doomed)
            if start is None:
                return Verdict.HOLDS, None
            tail = _bfs(g, [start[-1][0]], lambda i: bad[i], owner.__contains__)
            assert tail is not None
            prefix = start + tail[1:]
        case _:
            raise AssertionError(f"not a liveness property: {prop.kind}")
    assert prefix is not None
    return Verdict.VIOLATED, _lasso(eng, g, fair, prefix, owner[prefix[-1][0]])


def _reach(g: Graph, sources: Iterable[int], allowed: Callable[[int], bool]) -> set[int]:
    seen = {s for s in sources if allowed(s)}
    stack = list(seen)
    while stack:
        i = stack.pop()
        for j, _ in g.succ[i]:
            if j not in seen and allowed(j):
                seen.add(j)
                stack.append(j)
    return seen


def _back_reach(g: Graph, targets: set[int], region: set[int]) -> set[int]:
    pred: dict[int, list[int]] = {}
    for i in region:
        for j, _ in g.succ[i]:
            if j in region:
                pred.setdefault(j, []).append(i)
    seen = set(targets)
    stack = list(targets)
    while stack:
        j = stack.pop()
        for i in pred.get(j, ()):
            if i not in seen:
                seen.add(i)
                stack.append(i)
    return seen


def liveness_results(eng: Engine, limits: Limits, note: str) -> dict[int, PropertyResult]:
    """Build the unreduced state graph of `eng` and decide every liveness property on it."""
    if not any(p.kind.is_liveness for p in eng.model.properties):
        return {}
    started = time.monotonic()
    g = build_graph(eng, limits)
    return graph_results(eng, g, limits, note, started)


def graph_results(
    eng: Engine, g: Graph, limits: Limits, note: str, started: float
) -> dict[int, PropertyResult]:
    """Decide every liveness property on `g` (INCOMPLETE if it was cut short).

    `started` is when the exploration began: the time limit holds for the
    exploration and the decisions together.
    """
    model = eng.model
    props = [(k, p) for k, p in enumerate(model.properties) if p.kind.is_liveness]
    stats = Stats(len(g.states), g.transitions, g.levels, g.seconds)
    out: dict[int, PropertyResult] = {}
    for k, prop in props:
        # the time limit holds for the decisions too: a property not begun by then is not decided
        if g.stop is None and limits.timeout is not None and time.monotonic() - started > limits.timeout:
            g.stop = StopReason.TIMEOUT
        if g.stop is not None:
            out[k] = PropertyResult(
                prop.name,
                prop.kind,
                Verdict.INCOMPLETE,
                ENGINE,
                stats,
                prop.expect_violation,
                None,
                g.stop,
                g.stop.description,
            )
            continue
        t0 = time.monotonic()
        verdict, trace = decide(eng, g, prop)
        st = Stats(stats.states, stats.transitions, stats.depth, stats.seconds + time.monotonic() - t0)
        out[k] = PropertyResult(
            prop.name, prop.kind, verdict, ENGINE, st, prop.expect_violation, trace, None, note
        )
    return out
