"""Random IR models with wide and offset ranges, deep arithmetic and computed array indices.

tests/symbolic/randgen.py keeps every value within -3..3; this generator aims at the bit-vector
encoding's edges instead (NOTE(bv-width), NOTE(div-zero) in checker/symbolic/encode.py): domains
such as -130..130, 0..255, 1000..1003 or -1..0 (storage widths, sign and zero extension, offsets),
products and quotients of them, C division and remainder with negative operands, constants near
the domains' bounds, and a one- and a two-dimensional array read and written at computed indices.
The checks are the lowering's: a DIV_ZERO check before each division, an INDEX check before each
computed index, a RANGE check on each written value; a guard that divides is widened to
`divisor == 0 || guard` after its check (NOTE(guard-select) in model/lower.py). Property
expressions have no checks: their divisions read 0 for a zero divisor (model.ir.apply_binop) and
their indices are clamped with an `Ite` as the lowering does.
"""

from __future__ import annotations

from hypothesis import strategies as st

from model.ir import (
    TRUE,
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    Expr,
    Ite,
    Model,
    PropKind,
    Select,
    Unary,
    UnOp,
    VarRef,
    Write,
)
from tests.symbolic.irbuild import Builder

RANGES = [(-130, 130), (0, 255), (1000, 1003), (-1, 0), (-8, 7), (0, 1), (5, 9), (-300, -290)]


def _and(a: Expr, b: Expr) -> Expr:
    return Binary(BinOp.AND, a, b)


def _in(e: Expr, lo: int, hi: int) -> Expr:
    return _and(Binary(BinOp.LE, Const(lo), e), Binary(BinOp.LE, e, Const(hi)))


@st.composite
def wide_models(draw: st.DrawFn) -> Model:
    b = Builder()
    ints: list[tuple[int, int, int]] = []  # (var, lo, hi)
    for k in range(draw(st.integers(2, 3))):
        lo, hi = draw(st.sampled_from(RANGES))
        init = tuple(sorted(set(draw(st.lists(st.integers(lo, hi), min_size=1, max_size=2)))))
        ints.append((b.var(f"v{k}", lo, hi, init), lo, hi))
    alo, ahi = draw(st.sampled_from([(0, 3), (-2, 2), (0, 200)]))
    arr = tuple(b.var(f"a[{k}]", alo, ahi, (draw(st.integers(alo, ahi)),)) for k in range(3))
    glo, ghi = draw(st.sampled_from([(0, 1), (-5, 5)]))
    grid = tuple(b.var(f"g[{k}]", glo, ghi) for k in range(4))  # g[i][j] is g[2 * i + j]
    pids = [b.proc(f"P{p}", ["l0", "l1", "l2"], end=("l0",) if draw(st.booleans()) else ()) for p in range(2)]

    def leaf() -> Expr:
        if draw(st.integers(0, 3)) > 0:
            return VarRef(draw(st.sampled_from(ints))[0])
        _, lo, hi = draw(st.sampled_from(ints))
        return Const(draw(st.sampled_from([lo, hi, lo - 1, hi + 1, 0, 1, -1, 2, -3])))

    def arith(depth: int, checks: list[Expr] | None) -> Expr:
        """An integer expression; with `checks`, the checks it needs are appended (else clamped)."""
        kind = draw(st.integers(0, 9 if depth < 2 else 0))
        if kind == 0:
            return leaf()
        a = arith(depth + 1, checks)
        if kind == 1:
            return Unary(UnOp.NEG, a)
        if kind in (2, 3, 4):
            op = draw(st.sampled_from([BinOp.ADD, BinOp.SUB, BinOp.MUL]))
            return Binary(op, a, arith(depth + 1, checks))
        if kind in (5, 6):
            d = arith(depth + 1, checks)
            if checks is not None:
                checks.append(Binary(BinOp.NE, d, Const(0)))
            return Binary(draw(st.sampled_from([BinOp.DIV, BinOp.MOD])), a, d)
        if kind == 7:
            return Ite(cmp(depth + 1, checks), a, arith(depth + 1, checks))
        if kind == 8:
            return select(arr, a, checks)
        i, j = arith(depth + 1, checks), arith(depth + 1, checks)
        if checks is not None:
            checks += [_in(i, 0, 1), _in(j, 0, 1)]
            return Select(grid, Binary(BinOp.ADD, Binary(BinOp.MUL, Const(2), i), j))
        ok = _and(_in(i, 0, 1), _in(j, 0, 1))
        return Select(grid, Ite(ok, Binary(BinOp.ADD, Binary(BinOp.MUL, Const(2), i), j), Const(0)))

    def select(vs: tuple[int, ...], idx: Expr, checks: list[Expr] | None) -> Expr:
        if checks is not None:
            checks.append(_in(idx, 0, len(vs) - 1))
            return Select(vs, idx)
        return Select(vs, Ite(_in(idx, 0, len(vs) - 1), idx, Const(0)))

    def clamp(e: Expr, lo: int, hi: int) -> Expr:
        """Half the time the value is kept in range, so that runs go on past the step."""
        return Ite(_in(e, lo, hi), e, Const(lo)) if draw(st.booleans()) else e

    def cmp(depth: int, checks: list[Expr] | None) -> Expr:
        op = draw(st.sampled_from([BinOp.EQ, BinOp.NE, BinOp.LT, BinOp.LE, BinOp.GT, BinOp.GE]))
        return Binary(op, arith(depth, checks), arith(depth, checks))

    for pid in pids:
        for _ in range(draw(st.integers(2, 5))):
            frm = draw(st.sampled_from(["l0", "l1", "l2"]))
            to = draw(st.sampled_from(["l0", "l1", "l2"]))
            checks: list[Expr] = []
            guard: Expr = TRUE
            if draw(st.booleans()):
                gchecks: list[Expr] = []
                g = cmp(1, gchecks)
                # NOTE(guard-select): a failing check enables the step, which then reports it
                guard = Binary(BinOp.OR, Unary(UnOp.NOT, _conj(gchecks)), g) if gchecks else g
                checks += gchecks
            writes: list[Write] = []
            if draw(st.booleans()):
                v, lo, hi = draw(st.sampled_from(ints))
                val = clamp(arith(0, checks), lo, hi)
                checks.append(_in(val, lo, hi))
                writes.append(Assign(v, val))
            else:
                idx = clamp(arith(1, checks), 0, 2)
                checks.append(_in(idx, 0, 2))
                val = clamp(arith(1, checks), alo, ahi)
                checks.append(_in(val, alo, ahi))
                writes.append(AssignElem(arr, idx, val))
            named = draw(st.booleans())
            tagged = tuple((c, "runtime") for c in checks)
            if named:
                tagged += ((cmp(1, None), "asserts"),)
            b.trans(pid, frm, to, guard, tuple(writes), tagged)
    b.prop("inv", PropKind.INVARIANT, cmp(0, None))
    b.prop("cover", PropKind.REACHABLE, cmp(0, None))
    b.prop("deadlock", PropKind.DEADLOCK)
    b.prop("runtime", PropKind.ASSERTION)
    b.prop("asserts", PropKind.ASSERTION)
    return b.build("random-wide")


def _conj(es: list[Expr]) -> Expr:
    out = es[0]
    for e in es[1:]:
        out = _and(out, e)
    return out
