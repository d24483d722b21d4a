"""Random small IR models: the generated-code engine against a tree interpreter.

The reference here walks the IR expression trees directly (slow, obvious),
and explores with a plain BFS.  Both must agree on the reachable states,
transition and level counts, and on every safety verdict and the length of
its shortest trace; every trace must replay.
"""

from __future__ import annotations

import math
import random
from collections import deque

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.explicit import ExplicitOptions, check, reachable_states, replay
from checker.result import Verdict
from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    CheckKind,
    Const,
    DomainKind,
    Expr,
    Ite,
    Model,
    PropKind,
    Select,
    Transition,
    Unary,
    UnOp,
    VarRef,
)

from .irbuild import Builder, and_, chk

ARITH = [BinOp.ADD, BinOp.SUB, BinOp.MUL, BinOp.DIV, BinOp.MOD]
CMP = [BinOp.EQ, BinOp.NE, BinOp.LT, BinOp.LE, BinOp.GT, BinOp.GE]


def _trunc_div(x: int, y: int) -> int:
    """C division written independently of the engine's (via math.trunc): 0 by 0."""
    return math.trunc(x / y) if y else 0


def ev(e: Expr, s: tuple[int, ...]) -> int:
    match e:
        case Const(value=v):
            return v
        case VarRef(var=v):
            return s[v]
        case Select(vars=vs, index=ix):
            i = ev(ix, s)
            return s[vs[i]] if 0 <= i < len(vs) else 0
        case Unary(op=op, arg=a):
            return int(not ev(a, s)) if op is UnOp.NOT else -ev(a, s)
        case Binary(op=op, lhs=a, rhs=b):
            x, y = ev(a, s), ev(b, s)
            table = {
                BinOp.ADD: lambda: x + y,
                BinOp.SUB: lambda: x - y,
                BinOp.MUL: lambda: x * y,
                BinOp.DIV: lambda: _trunc_div(x, y),
                BinOp.MOD: lambda: x - y * _trunc_div(x, y) if y else 0,
                BinOp.EQ: lambda: int(x == y),
                BinOp.NE: lambda: int(x != y),
                BinOp.LT: lambda: int(x < y),
                BinOp.LE: lambda: int(x <= y),
                BinOp.GT: lambda: int(x > y),
                BinOp.GE: lambda: int(x >= y),
                BinOp.AND: lambda: int(bool(x) and bool(y)),
                BinOp.OR: lambda: int(bool(x) or bool(y)),
                BinOp.IMPLIES: lambda: int((not x) or bool(y)),
            }
            return table[op]()
        case Ite(cond=c, then=t, else_=f):
            return ev(t, s) if ev(c, s) else ev(f, s)
    raise AssertionError(e)


class Gen:
    def __init__(self, rnd: random.Random, ints: list[int], arr: tuple[int, ...], bools: list[int]):
        self.r, self.ints, self.arr, self.bools = rnd, ints, arr, bools

    def int_expr(self, depth: int) -> Expr:
        r = self.r
        k = r.randrange(5 if depth > 0 else 3)
        if k == 0:
            return Const(r.randint(-1, 3))
        if k == 1:
            return VarRef(r.choice(self.ints))
        if k == 2:
            return Select(self.arr, VarRef(r.choice(self.ints)))
        if k == 3:
            return Binary(r.choice(ARITH), self.int_expr(depth - 1), self.int_expr(depth - 1))
        return Ite(self.bool_expr(depth - 1), self.int_expr(depth - 1), self.int_expr(depth - 1))

    def bool_expr(self, depth: int) -> Expr:
        r = self.r
        k = r.randrange(5 if depth > 0 else 2)
        if k == 0:
            return VarRef(r.choice(self.bools))
        if k == 1:
            return Binary(r.choice(CMP), self.int_expr(0), self.int_expr(0))
        if k == 2:
            return Unary(UnOp.NOT, self.bool_expr(depth - 1))
        op = r.choice([BinOp.AND, BinOp.OR, BinOp.IMPLIES])
        return Binary(op, self.bool_expr(depth - 1), self.bool_expr(depth - 1))


def random_model(seed: int) -> Model:
    rnd = random.Random(seed)
    b = Builder()
    x = b.var("x", 0, 2, (0, 1) if rnd.random() < 0.3 else (0,))
    y = b.var("y", -1, 2, (0,))
    z = b.var("z", 0, 0)  # a one-value domain: no bits
    flag = b.var("flag", 0, 1, kind=DomainKind.BOOL)
    w = b.var("w", 0, 40)  # narrowed to a few bits, widened on overflow
    arr = b.array("a", 3, 0, 2)
    procs = [b.proc(f"P{n}", ["l0", "l1", "l2"], end=("l0",) if rnd.random() < 0.5 else ()) for n in range(2)]
    g = Gen(rnd, [x, y, z, w], arr, [flag])
    doms = {x: (0, 2), y: (-1, 2), z: (0, 0), flag: (0, 1), w: (0, 40)}
    for p in procs:
        for n in range(rnd.randint(3, 6)):
            writes: list[Assign | AssignElem] = []
            checks = []
            for _ in range(rnd.randint(0, 2)):
                if rnd.random() < 0.3:
                    idx = g.int_expr(0)
                    val = g.int_expr(1) if rnd.random() < 0.5 else Const(rnd.randint(0, 2))
                    writes.append(AssignElem(arr, idx, val))
                    ok_idx = and_(Binary(BinOp.GE, idx, Const(0)), Binary(BinOp.LE, idx, Const(2)))
                    checks.append(chk(ok_idx, kind=CheckKind.INDEX))
                    ok = and_(Binary(BinOp.GE, val, Const(0)), Binary(BinOp.LE, val, Const(2)))
                    checks.append(chk(ok, kind=CheckKind.RANGE))
                else:
                    v = rnd.choice([x, y, z, flag, w])
                    lo, hi = doms[v]
                    k = rnd.random()
                    if v == flag:
                        val = g.bool_expr(1)
                    elif v == w:
                        val = Binary(rnd.choice(ARITH[:3]), VarRef(w), Const(rnd.randint(1, 3)))
                    elif k < 0.4:
                        val = Const(rnd.randint(lo, hi))
                    elif k < 0.7:
                        c1, c2 = Const(rnd.randint(lo, hi)), Const(rnd.randint(lo, hi))
                        val = Ite(g.bool_expr(1), c1, c2)
                    else:
                        val = g.int_expr(1)
                    writes.append(Assign(v, val))
                    ok = and_(Binary(BinOp.GE, val, Const(lo)), Binary(BinOp.LE, val, Const(hi)))
                    checks.append(chk(ok, kind=CheckKind.RANGE))
            if rnd.random() < 0.2:
                checks.insert(0, chk(g.bool_expr(1), prop="asserts", kind=CheckKind.ASSERT))
            frm, to = ["l0", "l1", "l2"][n % 3], rnd.choice(["l0", "l1", "l2"])
            guard = g.bool_expr(2) if rnd.random() < 0.4 else Const(1, True)
            b.trans(p, frm, to, guard, tuple(writes), tuple(checks))
    b.prop("inv", PropKind.INVARIANT, g.bool_expr(2))
    b.prop("target", PropKind.REACHABLE, g.bool_expr(2))
    b.prop("runtime", PropKind.ASSERTION)
    b.prop("asserts", PropKind.ASSERTION)
    b.prop("deadlock", PropKind.DEADLOCK)
    return b.build()


def post_state(tr: Transition, pc: int, s: tuple[int, ...]) -> tuple[int, ...]:
    """The state after `tr` from `s`: every right-hand side and index read in `s`, then written."""
    t = list(s)
    vals = []
    for w in tr.writes:
        if isinstance(w, Assign):
            vals.append((w.var, ev(w.value, s)))
        else:
            vals.append((w.vars[ev(w.index, s)], ev(w.value, s)))
    for v, val in vals:
        t[v] = val
    t[pc] = tr.pc_to
    return tuple(t)


class TooManyStates(Exception):
    """The reference BFS passed its `limit` (a caller that bounds its time skips such a model)."""


def reference(m: Model, limit: int | None = None) -> dict[str, object]:
    """Plain BFS over IR semantics: states, transitions, levels, first hit depths.

    Raises TooManyStates when more than `limit` states are found.
    """
    depth: dict[tuple[int, ...], int] = {}
    queue: deque[tuple[int, ...]] = deque()
    for s0 in m.initial_states():
        if s0 not in depth:
            depth[s0] = 0
            queue.append(s0)
    order: list[tuple[int, ...]] = []
    transitions = 0
    hits: dict[str, int] = {}
    inv, target = m.properties[0].expr, m.properties[1].expr
    assert inv is not None and target is not None

    def note(name: str, d: int) -> None:
        hits.setdefault(name, d)

    for s0 in list(queue):
        if not ev(inv, s0):
            note("inv", 0)
        if ev(target, s0):
            note("target", 0)
    while queue:
        s = queue.popleft()
        order.append(s)
        d = depth[s]
        enabled = False
        for tr in m.transitions:
            pc = m.processes[tr.process].pc_var
            if s[pc] != tr.pc_from or not ev(tr.guard, s):
                continue
            enabled = True
            failed = next((c for c in tr.checks if not ev(c.cond, s)), None)
            if failed is not None:
                note(failed.prop, d + 1)
                continue
            nt = post_state(tr, pc, s)
            transitions += 1
            if nt not in depth:
                depth[nt] = d + 1
                queue.append(nt)
                if limit is not None and len(depth) > limit:
                    raise TooManyStates(len(depth))
                if not ev(inv, nt):
                    note("inv", d + 1)
                if ev(target, nt):
                    note("target", d + 1)
        if not enabled and not all(s[p.pc_var] in p.end_locations for p in m.processes):
            note("deadlock", d)
    levels = max(depth.values()) + 1
    return {"states": set(order), "transitions": transitions, "levels": levels, "hits": hits}


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_random_models_agree_with_reference(seed: int) -> None:
    m = random_model(seed)
    ref = reference(m)
    got = reachable_states(m, 100000)
    assert got is not None and set(got) == ref["states"]
    for sym in (True, False):
        results = {r.property: r for r in check(m, ExplicitOptions(symmetry=sym))}
        hits = ref["hits"]
        assert isinstance(hits, dict)
        for name, r in results.items():
            assert r.stats.states == len(ref["states"])
            assert r.stats.transitions == ref["transitions"]
            assert r.stats.depth == ref["levels"]
            if name in hits:
                assert r.verdict in (Verdict.VIOLATED, Verdict.REACHED), name
                assert r.trace is not None and r.trace.length == hits[name], name
                assert replay(m, r.trace) is None
            else:
                want = Verdict.NOT_REACHED if name == "target" else Verdict.HOLDS
                assert r.verdict is want, name


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_random_models_agree_with_reference_many(seed: int) -> None:
    test_random_models_agree_with_reference.hypothesis.inner_test(seed)  # type: ignore[attr-defined]
