"""Random small models: the liveness verdicts against an independent reference.

The engine decides `eventually`, `always eventually` and `leads_to` by
Emerson-Lei refinement of networkx SCCs (NOTE(liveness-semantics) in
checker/explicit/liveness.py).  The reference here shares none of that
code: it explores with the tree interpreter of test_random.py, finds
strongly connected sets by plain reachability closure, and decides fairness
by guessing, for every subset D of the strong-fair processes, that exactly
those are disabled for good (a Streett condition turned into 2^k plain SCC
tests):

  a fair run stays, from some point on, in a strongly connected set S; with
  D = the strong processes that never step in S, every one of them is
  disabled throughout S, so S lies in one SCC C of the states where no D
  process is enabled.  C's covering cycle steps every process S steps,
  visits every state S visits, and keeps D disabled: it is fair too.  So a
  fair run exists iff, for some D, such a C steps every strong process not
  in D and, for every weak process, steps it or visits a state where it is
  disabled.  A state with no successor stutters forever, fairly iff no
  fair process is enabled in it.

Every counterexample lasso is then checked step by step with the same
interpreter: a real path, a closing loop, a fair cycle, the property false
on it.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections import deque
from collections.abc import Callable, Iterable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.explicit import ExplicitOptions, check
from checker.result import PropertyResult, Trace, Verdict
from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Check,
    CheckKind,
    Const,
    DomainKind,
    Expr,
    Fairness,
    Ite,
    Model,
    Property,
    PropKind,
    VarRef,
)

from .irbuild import Builder, and_, chk, or_
from .test_random import Gen, ev, post_state

State = tuple[int, ...]


# --------------------------------------------------------------------------
# Random models


def live_model(seed: int) -> Model:
    """2-3 processes of random fairness, with locals, guards, failing checks and self-loops."""
    rnd = random.Random(seed)
    b = Builder()
    x = b.var("x", 0, 2, (0, 1) if rnd.random() < 0.3 else (0,))
    flag = b.var("flag", 0, 1, kind=DomainKind.BOOL)
    arr = b.array("a", 2, 0, 1)
    fairs = list(Fairness)
    labels = ["l0", "l1", "l2"]
    procs = []
    for n in range(rnd.randint(2, 3)):
        end = ("l0",) if rnd.random() < 0.5 else ()
        procs.append(b.proc(f"P{n}", labels, end=end, fairness=rnd.choice(fairs)))
    locs = [b.local(p, "k", 0, 2) for p in procs]
    ints = [x, *locs]
    doms = {x: (0, 2), flag: (0, 1), **{v: (0, 2) for v in locs}}
    g = Gen(rnd, ints, arr, [flag])
    for n, p in enumerate(procs):
        for t in range(rnd.randint(3, 5)):
            writes: list[Assign | AssignElem] = []
            checks: list[Check] = []
            for _ in range(rnd.randint(0, 2)):
                v = rnd.choice([x, flag, locs[n], locs[n]])
                lo, hi = doms[v]
                val: Expr
                if v == flag:
                    val = g.bool_expr(1)
                elif (k := rnd.random()) < 0.4:
                    val = Const(rnd.randint(lo, hi))
                elif k < 0.8:
                    val = Ite(g.bool_expr(1), Const(rnd.randint(lo, hi)), Const(rnd.randint(lo, hi)))
                else:
                    val = g.int_expr(1)
                writes.append(Assign(v, val))
                ok = and_(Binary(BinOp.GE, val, Const(lo)), Binary(BinOp.LE, val, Const(hi)))
                checks.append(chk(ok, kind=CheckKind.RANGE))
            if rnd.random() < 0.15:
                checks.insert(0, chk(g.bool_expr(1), prop="asserts", kind=CheckKind.ASSERT))
            if rnd.random() < 0.25:
                idx = VarRef(rnd.choice(ints))
                writes.append(AssignElem(arr, idx, Const(rnd.randint(0, 1))))
                ok_idx = and_(Binary(BinOp.GE, idx, Const(0)), Binary(BinOp.LE, idx, Const(1)))
                checks.append(chk(ok_idx, kind=CheckKind.INDEX))
            frm = labels[t % 3]
            to = labels[(t + 1) % 3] if rnd.random() < 0.6 else rnd.choice(labels)
            guard = g.bool_expr(1) if rnd.random() < 0.4 else Const(1, True)
            b.trans(p, frm, to, guard, tuple(writes), tuple(checks))

    def atom() -> Expr:
        if rnd.random() < 0.5:
            p = rnd.choice(procs)
            return b.at(p, rnd.choice(labels))
        return g.bool_expr(1)

    def pred() -> Expr:
        k = rnd.random()
        if k < 0.6:
            return atom()
        if k < 0.8:
            return or_(atom(), atom())
        return and_(atom(), atom())

    b.prop("ev", PropKind.EVENTUALLY, pred())
    b.prop("ae", PropKind.ALWAYS_EVENTUALLY, pred())
    b.prop("lt", PropKind.LEADS_TO, pred(), pred())
    b.prop("ev_at", PropKind.EVENTUALLY, b.at(procs[0], rnd.choice(labels)))
    b.prop("lt_at", PropKind.LEADS_TO, b.at(procs[-1], "l1"), b.at(procs[-1], rnd.choice(["l0", "l2"])))
    return b.build()


# --------------------------------------------------------------------------
# The reference: tree interpreter, reachability closure, guessed fairness


@dataclasses.dataclass
class RefGraph:
    states: list[State]
    index: dict[State, int]
    succ: list[list[tuple[int, int]]]  # (target, process)
    enabled: list[int]  # bitmask of processes with an enabled step (checks may fail)
    initial: list[int]


def steps(m: Model, s: State) -> tuple[list[tuple[int, State]], int]:
    """(transition, successor) of every step that passes its checks; enabled processes."""
    out: list[tuple[int, State]] = []
    enabled = 0
    for tr in m.transitions:
        pc = m.processes[tr.process].pc_var
        if s[pc] != tr.pc_from or not ev(tr.guard, s):
            continue
        enabled |= 1 << tr.process
        if not all(ev(c.cond, s) for c in tr.checks):
            continue
        out.append((tr.index, post_state(tr, pc, s)))
    return out, enabled


def explore(m: Model) -> RefGraph:
    g = RefGraph([], {}, [], [], [])
    queue: deque[State] = deque()
    for s in m.initial_states():
        if s not in g.index:
            g.index[s] = len(g.states)
            g.states.append(s)
            g.initial.append(g.index[s])
            queue.append(s)
    while queue:
        s = queue.popleft()
        out, en = steps(m, s)
        edges = []
        for tr, t in out:
            if t not in g.index:
                g.index[t] = len(g.states)
                g.states.append(t)
                queue.append(t)
            edges.append((g.index[t], m.transitions[tr].process))
        g.succ.append(edges)
        g.enabled.append(en)
    return g


def reach(g: RefGraph, sources: Iterable[int], inside: Callable[[int], bool]) -> set[int]:
    seen = {s for s in sources if inside(s)}
    stack = list(seen)
    while stack:
        i = stack.pop()
        for j, _ in g.succ[i]:
            if j not in seen and inside(j):
                seen.add(j)
                stack.append(j)
    return seen


def components(g: RefGraph, nodes: set[int]) -> list[set[int]]:
    """SCCs of the subgraph on `nodes` that contain an edge, by mutual reachability."""
    fwd = {i: reach(g, [j for j, _ in g.succ[i]], nodes.__contains__) for i in nodes}
    out: list[set[int]] = []
    done: set[int] = set()
    for i in sorted(nodes):
        if i in done or i not in fwd[i]:
            continue
        comp = {j for j in fwd[i] if i in fwd[j]}
        done |= comp
        out.append(comp)
    return out


def fair_run_inside(m: Model, g: RefGraph, nodes: set[int]) -> bool:
    """Whether some fair run can stay in `nodes` forever (see the module docstring)."""
    weak = [p.index for p in m.processes if p.fairness is Fairness.WEAK]
    strong = [p.index for p in m.processes if p.fairness is Fairness.STRONG]
    fair_mask = sum(1 << p for p in weak + strong)
    if any(not g.succ[i] and not g.enabled[i] & fair_mask for i in nodes):
        return True
    for r in range(len(strong) + 1):
        for dead in itertools.combinations(strong, r):
            dmask = sum(1 << p for p in dead)
            allowed = {i for i in nodes if not g.enabled[i] & dmask}
            for comp in components(g, allowed):
                taken = {p for i in comp for j, p in g.succ[i] if j in comp}
                if not all(p in taken for p in strong if p not in dead):
                    continue
                if all(p in taken or any(not g.enabled[i] >> p & 1 for i in comp) for p in weak):
                    return True
    return False


def reference_violated(m: Model, g: RefGraph, prop: Property) -> bool:
    assert prop.expr is not None
    p_val = [bool(ev(prop.expr, s)) for s in g.states]
    n = len(g.states)
    match prop.kind:
        case PropKind.EVENTUALLY:
            region = reach(g, g.initial, lambda i: not p_val[i])
            return fair_run_inside(m, g, region)
        case PropKind.ALWAYS_EVENTUALLY:
            return fair_run_inside(m, g, {i for i in range(n) if not p_val[i]})
        case PropKind.LEADS_TO:
            assert prop.expr2 is not None
            q_val = [bool(ev(prop.expr2, s)) for s in g.states]
            for i in range(n):
                if p_val[i] and not q_val[i]:
                    region = reach(g, [i], lambda k: not q_val[k])
                    if fair_run_inside(m, g, region):
                        return True
            return False
        case _:
            raise AssertionError(prop.kind)


def lasso_problem(m: Model, prop: Property, trace: Trace) -> str | None:
    """Why `trace` is not a fair run of `m` violating `prop` (None: it is one)."""
    states = [tuple(s) for s in trace.states]
    if trace.loop_start is None or trace.failed_check is not None:
        return "not a lasso"
    if not all(x in allowed for x, allowed in zip(states[0], m.initial, strict=True)):
        return "does not start in an initial state"
    stutter = len(trace.transitions) == len(states) - 1
    if stutter:
        if trace.loop_start != len(states) - 1:
            return "a stutter must be at the end"
    elif len(trace.transitions) != len(states):
        return "wrong number of steps"
    for k, tr in enumerate(trace.transitions):
        target = states[k + 1] if k + 1 < len(states) else states[trace.loop_start]
        if (tr, target) not in steps(m, states[k])[0]:
            return f"step {k} is not a step of the model"
    cycle = states[trace.loop_start :]
    enabled = [steps(m, s)[1] for s in cycle]
    for p in m.processes:
        bit = 1 << p.index
        if stutter:
            if p.fairness is not Fairness.NONE and enabled[-1] & bit:
                return f"unfair stutter: {p.name} is enabled"
            if steps(m, cycle[-1])[0]:
                return "stutters in a state with a successor"
            continue
        stepped = any(m.transitions[tr].process == p.index for tr in trace.transitions[trace.loop_start :])
        if p.fairness is Fairness.WEAK and all(e & bit for e in enabled) and not stepped:
            return f"unfair cycle: weak {p.name}"
        if p.fairness is Fairness.STRONG and any(e & bit for e in enabled) and not stepped:
            return f"unfair cycle: strong {p.name}"
    assert prop.expr is not None
    holds = [bool(ev(prop.expr, s)) for s in states]
    match prop.kind:
        case PropKind.EVENTUALLY:
            return "meets the goal" if any(holds) else None
        case PropKind.ALWAYS_EVENTUALLY:
            return "the cycle meets the goal" if any(holds[trace.loop_start :]) else None
        case PropKind.LEADS_TO:
            assert prop.expr2 is not None
            q = [bool(ev(prop.expr2, s)) for s in states]
            if any(q[trace.loop_start :]):
                return "the cycle meets the goal"
            opened = any(holds[k] and not any(q[k:]) for k in range(len(states)))
            return None if opened else "no obligation stays open"
        case _:
            raise AssertionError(prop.kind)


def agree(m: Model, results: tuple[PropertyResult, ...]) -> None:
    g = explore(m)
    for prop, r in zip(m.properties, results, strict=True):
        assert r.stats.states == len(g.states), prop.name
        want = reference_violated(m, g, prop)
        got = r.verdict
        assert got in (Verdict.HOLDS, Verdict.VIOLATED), (prop.name, got)
        assert (got is Verdict.VIOLATED) == want, (prop.name, got, want)
        if want:
            assert r.trace is not None
            problem = lasso_problem(m, prop, r.trace)
            assert problem is None, (prop.name, problem)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_liveness_agrees_with_reference(seed: int) -> None:
    m = live_model(seed)
    agree(m, check(m, ExplicitOptions(symmetry=False)))


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_liveness_agrees_with_reference_many(seed: int) -> None:
    test_liveness_agrees_with_reference.hypothesis.inner_test(seed)  # type: ignore[attr-defined]


def test_reference_sees_both_verdicts() -> None:
    """The generator is not degenerate: both verdicts and every fairness kind occur."""
    verdicts: set[tuple[PropKind, bool]] = set()
    fairness: set[Fairness] = set()
    for seed in range(40):
        m = live_model(seed)
        g = explore(m)
        fairness |= {p.fairness for p in m.processes}
        for prop in m.properties:
            verdicts.add((prop.kind, reference_violated(m, g, prop)))
    assert fairness == set(Fairness)
    kinds = (PropKind.EVENTUALLY, PropKind.ALWAYS_EVENTUALLY, PropKind.LEADS_TO)
    assert verdicts == {(k, v) for k in kinds for v in (True, False)}
