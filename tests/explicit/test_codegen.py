"""The generated BFS code's fast paths, each on a model with a hand-checked answer.

Covers the layout order (NOTE(hash-order)), XOR writes of increments and
pcs (NOTE(delta-writes)), value and element tables (NOTE(value-tables)),
element reads through a table of shifts, out of range included
(NOTE(select-table)), and transition counting (NOTE(count-transitions)).
"""

from __future__ import annotations

from checker.explicit import ExplicitOptions, check, replay
from checker.explicit.layout import make_layout, narrowable
from checker.explicit.search import compile_model
from checker.result import PropertyResult, Verdict
from model.ir import BinOp, CheckKind, Const, Model, PropKind, VarRef

from .irbuild import Builder, add, and_, assign, assign_elem, b, chk, eq, lt, or_, sel

NOSYM = ExplicitOptions(symmetry=False)


def by_name(model: Model) -> dict[str, PropertyResult]:
    results = check(model, NOSYM)
    for r in results:
        if r.trace is not None:
            assert replay(model, r.trace) is None, r.property
    return {r.property: r for r in results}


def test_process_variables_take_the_low_bits() -> None:
    bld = Builder()
    arr = bld.array("a", 3, 0, 3)
    p = bld.proc("P", ["l0", "l1"])
    j = bld.local(p, "j", 0, 3)
    bld.trans(p, "l0", "l1", eq(VarRef(j), 0), (assign(j, 1),))
    lay = make_layout(bld.build())
    pc = bld.processes[p].pc_var
    assert lay.fields[pc].offset == 0 and lay.fields[j].offset == lay.fields[pc].width
    assert lay.uniform_run(arr) == (lay.fields[arr[0]].offset, 2)
    assert min(lay.fields[v].offset for v in arr) > lay.fields[j].offset


def test_increment_of_a_narrowed_counter_widens_on_overflow() -> None:
    """x = x + 1 while the RANGE check allows: x is narrowed to 1 bit at first."""
    bld = Builder()
    x = bld.var("x", 0, 255)
    p = bld.proc("P", ["l"])
    ok = b(BinOp.LE, add(VarRef(x), 1), 255)
    inc = (assign(x, add(VarRef(x), 1)),)
    bld.trans(p, "l", "l", Const(1, True), inc, (chk(ok, kind=CheckKind.RANGE),))
    bld.prop("three", PropKind.REACHABLE, eq(VarRef(x), 3))
    bld.prop("runtime", PropKind.ASSERTION)
    m = bld.build()
    assert narrowable(m) == frozenset({"x"})  # 2 bits first: 0..3
    eng = compile_model(m, False, narrowable(m))
    assert " ^ " in eng.code.source and "_Overflow" in eng.code.source
    r = by_name(m)
    assert (r["three"].stats.states, r["three"].stats.transitions, r["three"].stats.depth) == (256, 255, 256)
    assert r["three"].verdict is Verdict.REACHED
    assert r["three"].trace is not None and r["three"].trace.length == 3
    assert r["runtime"].verdict is Verdict.VIOLATED
    assert r["runtime"].trace is not None and r["runtime"].trace.length == 256


def test_guard_bounds_drop_the_overflow_test() -> None:
    """x < 3 guards x = x + 1: the narrowed field (2 bits) never overflows."""
    bld = Builder()
    x = bld.var("x", 0, 255)
    p = bld.proc("P", ["l"])
    bld.trans(p, "l", "l", lt(VarRef(x), 3), (assign(x, add(VarRef(x), 1)),))
    bld.prop("reach3", PropKind.REACHABLE, eq(VarRef(x), 3))
    m = bld.build()
    eng = compile_model(m, False, narrowable(m))
    assert "_Overflow" not in eng.code.source
    r = by_name(m)["reach3"]
    assert r.verdict is Verdict.REACHED and r.trace is not None and r.trace.length == 3
    assert (r.stats.states, r.stats.transitions) == (4, 3)


def test_element_reads_out_of_range_read_zero() -> None:
    """a = [1, 1]; i from -1 to 3 steps while a[i] == 0, i.e. while i is out of range."""
    bld = Builder()
    arr = bld.array("a", 2, 0, 1, init=1)
    i = bld.var("i", -1, 3, (-1, 0, 2))
    p = bld.proc("P", ["l"])
    ok = b(BinOp.LE, add(VarRef(i), 1), 3)
    inc = (assign(i, add(VarRef(i), 1)),)
    bld.trans(p, "l", "l", eq(sel(arr, VarRef(i)), 0), inc, (chk(ok, kind=CheckKind.RANGE),))
    bld.prop("top", PropKind.REACHABLE, eq(VarRef(i), 3))
    bld.prop("runtime", PropKind.ASSERTION)
    m = bld.build()
    eng = compile_model(m, False, narrowable(m))
    assert ">> _tab" in eng.code.source  # the table of shifts
    r = by_name(m)
    # -1 -> 0 (stuck: a[0] = 1); 0 (stuck); 2 -> 3 -> RANGE check fails at 3 (4 > 3)
    assert r["top"].verdict is Verdict.REACHED and r["top"].trace is not None
    assert r["top"].trace.length == 1
    assert r["runtime"].verdict is Verdict.VIOLATED
    assert r["runtime"].trace is not None and r["runtime"].trace.length == 2
    assert (r["top"].stats.states, r["top"].stats.transitions) == (4, 2)


def test_element_write_through_a_table_and_value_tables() -> None:
    """a[j] = 1 and k = j + 1, j a small local: masks and values come from tables."""
    bld = Builder()
    arr = bld.array("a", 3, 0, 1)
    p = bld.proc("P", ["l0", "l1"])
    j = bld.local(p, "j", 0, 3)
    k = bld.local(p, "k", 0, 3)
    writes = (assign_elem(arr, VarRef(j), 1), assign(k, add(VarRef(j), 1)))
    bld.trans(p, "l0", "l1", lt(VarRef(j), 3), writes, (chk(lt(VarRef(j), 3), kind=CheckKind.INDEX),))
    bld.trans(p, "l1", "l0", Const(1, True), (assign(j, VarRef(k)),))
    ones = and_(and_(eq(sel(arr, 0), 1), eq(sel(arr, 1), 1)), eq(sel(arr, 2), 1))
    bld.prop("all", PropKind.REACHABLE, ones)
    k_ok = or_(eq(VarRef(k), 0), or_(eq(VarRef(k), VarRef(j)), eq(VarRef(k), add(VarRef(j), 1))))
    bld.prop("k_is_j_plus_1", PropKind.INVARIANT, k_ok)
    m = bld.build()
    r = by_name(m)
    assert r["all"].verdict is Verdict.REACHED and r["all"].trace is not None
    assert r["all"].trace.length == 5  # three writes and two jumps back
    assert r["k_is_j_plus_1"].verdict is Verdict.HOLDS
    assert (r["all"].stats.states, r["all"].stats.transitions, r["all"].stats.depth) == (7, 6, 7)
