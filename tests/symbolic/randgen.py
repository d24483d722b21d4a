"""Random small IR models for the cross-checks between the two engines.

A hypothesis strategy (`models()`) builds models straight at the IR level:
one to three processes over a few shared variables (small integers, a
signed one, a flag, a two-element array, a lock, a refcount with its frozen
bit), guards, C division and remainder, array reads and writes with their
index checks, range checks on every write (as the lowering emits them),
lock acquire/release with their runtime checks, refcount get/put/freeze,
named asserts, and invariants, reachability targets and deadlock freedom;
with `liveness=True`, weak fairness on some processes and one property of
each liveness kind instead.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import strategies as st

from model.ir import (
    TRUE,
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    DomainKind,
    Expr,
    Fairness,
    Ite,
    Model,
    PropKind,
    Select,
    Unary,
    UnOp,
    VarKind,
    VarRef,
    Write,
)
from tests.symbolic.irbuild import Builder


def _in_range(e: Expr, lo: int, hi: int) -> Expr:
    return Binary(BinOp.AND, Binary(BinOp.LE, Const(lo), e), Binary(BinOp.LE, e, Const(hi)))


@st.composite
def models(draw: st.DrawFn, max_procs: int = 3, max_trans: int = 4, liveness: bool = False) -> Model:
    b = Builder()
    x = b.var("x", 0, draw(st.integers(1, 3)), draw(st.sampled_from([(0,), (0, 1)])))
    y = b.var("y", 0, draw(st.integers(1, 3)))
    z = b.var("z", -2, 2, (draw(st.integers(-2, 2)),))
    flag = b.boolean("flag", draw(st.integers(0, 1)))
    arr = (b.var("a[0]", 0, 2), b.var("a[1]", 0, 2))
    lock = b.lock("l")
    ref = b.var("r", 0, 2, (1,), kind=VarKind.REFCOUNT)
    frozen = b.var("r.frozen", 0, 1, (0,), dkind=DomainKind.BOOL, kind=VarKind.FROZEN)
    ints = [x, y, z]
    nprocs = draw(st.integers(1, max_procs))
    pids = []
    for p in range(nprocs):
        nloc = draw(st.integers(2, 4))
        labels = [f"l{k}" for k in range(nloc)]
        end = tuple(lab for lab in labels if draw(st.booleans()))
        pids.append(b.proc(f"P{p}", labels, end=end))

    def atom() -> Expr:
        kind = draw(st.integers(0, 6))
        v = VarRef(draw(st.sampled_from(ints)))
        if kind == 0:
            return Binary(
                draw(st.sampled_from([BinOp.EQ, BinOp.NE, BinOp.LT, BinOp.GE])),
                v,
                Const(draw(st.integers(-1, 3))),
            )
        if kind == 1:
            return Binary(
                draw(st.sampled_from([BinOp.EQ, BinOp.LE, BinOp.GT])), v, VarRef(draw(st.sampled_from(ints)))
            )
        if kind == 2:
            return VarRef(flag)
        if kind == 3:
            return Binary(BinOp.EQ, Select(arr, VarRef(flag)), Const(draw(st.integers(0, 2))))
        if kind == 4:
            pid = draw(st.sampled_from(pids))
            return b.at(pid, draw(st.sampled_from(b.procs[pid].labels)))
        if kind == 5:
            return Binary(BinOp.EQ, VarRef(lock), Const(draw(st.integers(0, nprocs))))
        return Binary(
            draw(st.sampled_from([BinOp.EQ, BinOp.LT])), VarRef(ref), Const(draw(st.integers(0, 2)))
        )

    def cond(depth: int = 0) -> Expr:
        if depth >= 1 or draw(st.booleans()):
            a = atom()
            return Unary(UnOp.NOT, a) if draw(st.booleans()) else a
        op = draw(st.sampled_from([BinOp.AND, BinOp.OR, BinOp.IMPLIES]))
        return Binary(op, cond(depth + 1), cond(depth + 1))

    def value() -> tuple[Expr, list[tuple[Expr, str]]]:
        """A value expression and the checks it needs (besides the range check)."""
        kind = draw(st.integers(0, 6))
        v = VarRef(draw(st.sampled_from(ints)))
        k = Const(draw(st.integers(-2, 3)))
        if kind == 0:
            return k, []
        if kind == 1:
            return Binary(draw(st.sampled_from([BinOp.ADD, BinOp.SUB])), v, Const(1)), []
        if kind == 2:
            return Binary(BinOp.MUL, v, VarRef(draw(st.sampled_from(ints)))), []
        if kind == 3:
            d = VarRef(z)
            op = draw(st.sampled_from([BinOp.DIV, BinOp.MOD]))
            return Binary(op, Binary(BinOp.ADD, v, Const(draw(st.integers(-3, 3)))), d), [
                (Binary(BinOp.NE, d, Const(0)), "runtime")
            ]
        if kind == 4:
            return Ite(cond(1), v, k), []
        if kind == 5:
            return Select(arr, VarRef(flag)), []
        return Binary(BinOp.SUB, Const(0), v), []

    for pid in pids:
        labels = b.procs[pid].labels
        me = pid + 1
        for _ in range(draw(st.integers(1, max_trans))):
            frm = draw(st.sampled_from(labels))
            to = draw(st.sampled_from(labels))
            guard = cond() if draw(st.booleans()) else TRUE
            writes: list[Write] = []
            checks: list[tuple[Expr, str]] = []
            what = draw(st.integers(0, 7))
            if what <= 2:
                target = draw(st.sampled_from(ints))
                val, need = value()
                checks += need
                dom = b.variables[target].domain
                checks.append((_in_range(val, dom.lo, dom.hi), "runtime"))
                writes.append(Assign(target, val))
            elif what == 3:
                idx: Expr = VarRef(draw(st.sampled_from([x, y])))
                checks.append((_in_range(idx, 0, 1), "runtime"))
                val, need = value()
                checks += need
                checks.append((_in_range(val, 0, 2), "runtime"))
                writes.append(AssignElem(arr, idx, val))
            elif what == 4:  # lock(l): blocking acquire
                guard = Binary(BinOp.AND, guard, Binary(BinOp.EQ, VarRef(lock), Const(0)))
                writes.append(Assign(lock, Const(me)))
            elif what == 5:  # unlock(l)
                checks.append((Binary(BinOp.EQ, VarRef(lock), Const(me)), "runtime"))
                writes.append(Assign(lock, Const(0)))
            elif what == 6:  # get(r) / put(r) / freeze(r, 1)
                op = draw(st.integers(0, 2))
                if op == 0:
                    checks.append((Unary(UnOp.NOT, VarRef(frozen)), "runtime"))
                    checks.append((Binary(BinOp.LT, VarRef(ref), Const(2)), "runtime"))
                    writes.append(Assign(ref, Binary(BinOp.ADD, VarRef(ref), Const(1))))
                elif op == 1:
                    checks.append((Binary(BinOp.GT, VarRef(ref), Const(0)), "runtime"))
                    writes.append(Assign(ref, Binary(BinOp.SUB, VarRef(ref), Const(1))))
                else:
                    guard = Binary(BinOp.AND, guard, Binary(BinOp.EQ, VarRef(ref), Const(1)))
                    writes += [Assign(ref, Const(0)), Assign(frozen, Const(1))]
            else:  # a named assert, and a flag flip
                checks.append((cond(), "asserts"))
                writes.append(Assign(flag, Unary(UnOp.NOT, VarRef(flag))))
            b.trans(pid, frm, to, guard, tuple(writes), tuple(checks))
    if liveness:  # weak fairness per process, and one property of each liveness kind
        fair = [draw(st.sampled_from([Fairness.WEAK, Fairness.WEAK, Fairness.NONE])) for _ in pids]
        b.prop("ev", PropKind.EVENTUALLY, cond())
        b.prop("inf", PropKind.ALWAYS_EVENTUALLY, cond())
        b.prop("lt", PropKind.LEADS_TO, cond(), cond())
        m = b.build("random")
        procs = tuple(replace(p, fairness=f) for p, f in zip(m.processes, fair, strict=True))
        return replace(m, processes=procs)
    b.prop("inv", PropKind.INVARIANT, cond())
    b.prop("cover", PropKind.REACHABLE, cond())
    b.prop("deadlock", PropKind.DEADLOCK)
    b.prop("runtime", PropKind.ASSERTION)
    b.prop("asserts", PropKind.ASSERTION)
    return b.build("random")
