"""Narrowed fields (NOTE(narrow-layout)) under element writes, against the tree interpreter.

test_random.py narrows one scalar; here whole arrays are narrowed: an
array over 0..40 whose values stay small, written through dynamic indices
(the table path, NOTE(delta-writes)), through several element writes in one
step, and together with a static write to one of its elements (the
sequential path), with values that are constants, increments, copies of
other elements and functions of one variable (NOTE(value-tables)).  Every
overflow must widen the field and restart, never wrap or drop a bit: the
states, transitions, depth, verdicts and shortest trace lengths must be
those of test_random.py's unnarrowed reference.
"""

from __future__ import annotations

import random

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from checker.explicit import ExplicitOptions, check, reachable_states, replay
from checker.explicit.layout import narrowable
from checker.result import Verdict
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
    Ite,
    Model,
    PropKind,
    Select,
    VarRef,
)

from .irbuild import Builder, and_, chk
from .test_random import Gen, reference

HI = 40


def narrow_model(seed: int) -> Model:
    rnd = random.Random(seed)
    b = Builder()
    i = b.var("i", 0, 3)  # 3 is out of the array's range: index checks fail there
    w = b.var("w", 0, HI)
    flag = b.var("flag", 0, 1, kind=DomainKind.BOOL)
    arr = b.array("a", 3, 0, HI)
    procs = [b.proc(f"P{n}", ["l0", "l1", "l2"], end=("l0",)) for n in range(2)]
    g = Gen(rnd, [i, w], arr, [flag])

    def in_range(val: Expr, lo: int, hi: int, kind: CheckKind = CheckKind.RANGE) -> Check:
        return chk(and_(Binary(BinOp.GE, val, Const(lo)), Binary(BinOp.LE, val, Const(hi))), kind=kind)

    def value() -> Expr:
        k = rnd.randrange(6)
        if k == 0:
            return Const(rnd.randint(0, 3))
        if k == 1:
            return Binary(BinOp.ADD, Select(arr, VarRef(i)), Const(rnd.randint(1, 3)))
        if k == 2:
            return Binary(BinOp.ADD, VarRef(w), Const(rnd.randint(0, 2)))
        if k == 3:
            return Ite(g.bool_expr(1), Const(rnd.randint(0, 5)), VarRef(arr[rnd.randrange(3)]))
        if k == 4:
            return Binary(BinOp.MUL, VarRef(i), Const(rnd.randint(2, 5)))  # a function of one small variable
        return Binary(BinOp.SUB, VarRef(arr[rnd.randrange(3)]), Const(1))

    for p in procs:
        for n in range(rnd.randint(3, 6)):
            writes: list[Assign | AssignElem] = []
            checks: list[Check] = []
            extra_guard: Expr | None = None
            for _ in range(rnd.randint(1, 3)):
                k = rnd.randrange(6)
                if k <= 1:  # a[ix] = v
                    ix: Expr = VarRef(i) if rnd.random() < 0.7 else Binary(BinOp.SUB, VarRef(i), Const(1))
                    val = value()
                    writes.append(AssignElem(arr, ix, val))
                    checks.append(in_range(ix, 0, 2, CheckKind.INDEX))
                    checks.append(in_range(val, 0, HI))
                elif k == 2:  # a[k] = a[k] + c: an increment of one element, bounded by the guard
                    e = arr[rnd.randrange(3)]
                    val = Binary(BinOp.ADD, VarRef(e), Const(rnd.randint(1, 2)))
                    writes.append(Assign(e, val))
                    checks.append(in_range(val, 0, HI))
                    bound = Binary(BinOp.LT, VarRef(e), Const(rnd.randint(2, 6)))
                    extra_guard = bound if extra_guard is None else and_(extra_guard, bound)
                elif k == 3:
                    val = value()
                    writes.append(Assign(w, val))
                    checks.append(in_range(val, 0, HI))
                elif k == 4:
                    val = Ite(
                        g.bool_expr(0), Const(rnd.randint(0, 3)), Binary(BinOp.ADD, VarRef(i), Const(1))
                    )
                    writes.append(Assign(i, val))
                    checks.append(in_range(val, 0, 3))
                else:
                    writes.append(Assign(flag, g.bool_expr(1)))
            frm, to = ["l0", "l1", "l2"][n % 3], rnd.choice(["l0", "l1", "l2"])
            guard = g.bool_expr(1) if rnd.random() < 0.3 else Const(1, True)
            if extra_guard is not None:
                guard = and_(extra_guard, guard)
            b.trans(p, frm, to, guard, tuple(writes), tuple(checks))
    total = Binary(BinOp.ADD, Binary(BinOp.ADD, VarRef(arr[0]), VarRef(arr[1])), VarRef(arr[2]))
    b.prop(
        "inv",
        PropKind.INVARIANT,
        Binary(BinOp.LT, Binary(BinOp.ADD, total, VarRef(w)), Const(rnd.randint(6, 14))),
    )
    b.prop("target", PropKind.REACHABLE, Binary(BinOp.EQ, Select(arr, VarRef(i)), Const(rnd.randint(4, 9))))
    b.prop("runtime", PropKind.ASSERTION)
    b.prop("asserts", PropKind.ASSERTION)
    b.prop("deadlock", PropKind.DEADLOCK)
    return b.build()


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_narrowed_arrays_agree_with_reference(seed: int) -> None:
    m = narrow_model(seed)
    assert {"a", "w"} <= narrowable(m)
    assume(reachable_states(m, 5000, timeout=5) is not None)  # keep the reference quick
    ref = reference(m)
    hits = ref["hits"]
    assert isinstance(hits, dict) and isinstance(ref["states"], set)
    for r in check(m, ExplicitOptions(symmetry=False)):
        figures = (r.stats.states, r.stats.transitions, r.stats.depth)
        assert figures == (len(ref["states"]), ref["transitions"], ref["levels"]), r.property
        if r.property in hits:
            assert r.verdict in (Verdict.VIOLATED, Verdict.REACHED), r.property
            assert r.trace is not None and r.trace.length == hits[r.property], r.property
            assert replay(m, r.trace) is None
        else:
            want = Verdict.NOT_REACHED if r.property == "target" else Verdict.HOLDS
            assert r.verdict is want, r.property


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_narrowed_arrays_agree_with_reference_many(seed: int) -> None:
    test_narrowed_arrays_agree_with_reference.hypothesis.inner_test(seed)  # type: ignore[attr-defined]
