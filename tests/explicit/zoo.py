"""Reference models with hand-checked answers for the explicit engine's tests.

Stage: test support.  Each function returns an IR `Model` built with
`irbuild.Builder`; the expected figures are in the tests that use them.
"""

from __future__ import annotations

from model.ir import CheckKind, Expr, Fairness, Model, PropKind, VarRef

from .irbuild import (
    Builder,
    add,
    and_,
    assign,
    assign_elem,
    c,
    chk,
    eq,
    lt,
    ne,
    not_,
    or_,
    sel,
    sub,
)


def peterson(n: int, with_props: bool = True, hi: int = 255) -> Model:
    """BEEM's peterson.1 (N=3) transcribed by hand, transition by transition."""
    bld = Builder()
    pos = bld.array("pos", n, 0, hi)
    step = bld.array("step", n, 0, hi)
    procs = []
    for i in range(n):
        p = bld.proc(f"P_{i}", ["NCS", "CS", "wait", "q2", "q3"])
        procs.append(p)
        j = bld.local(p, "j", 0, hi)
        k = bld.local(p, "k", 0, hi)
        J, K = VarRef(j), VarRef(k)
        idx_ok = chk(and_(lt(c(-1), sub(J, 1)), lt(sub(J, 1), n)), kind=CheckKind.INDEX)
        bld.trans(p, "NCS", "wait", writes=(assign(j, 1),))
        bld.trans(p, "wait", "q2", lt(J, n), (assign(pos[i], J),))
        bld.trans(p, "q2", "q3", writes=(assign_elem(step, sub(J, 1), i), assign(k, 0)), checks=(idx_ok,))
        bld.trans(
            p,
            "q3",
            "q3",
            and_(lt(K, n), or_(eq(K, i), lt(sel(pos, K), J))),
            (assign(k, add(K, 1)),),
        )
        bld.trans(p, "q3", "wait", or_(ne(sel(step, sub(J, 1)), i), eq(K, n)), (assign(j, add(J, 1)),))
        bld.trans(p, "wait", "CS", eq(J, n))
        bld.trans(p, "CS", "NCS", writes=(assign(pos[i], 0),))
    if with_props:
        in_cs = [bld.at(p, "CS") for p in procs]
        two: Expr = c(0)
        for a in range(n):
            for b2 in range(a + 1, n):
                two = or_(two, and_(in_cs[a], in_cs[b2]))
        bld.prop("mutex", PropKind.INVARIANT, not_(two))
        bld.prop("cs0", PropKind.REACHABLE, in_cs[0])
        bld.prop("runtime", PropKind.ASSERTION)
        bld.prop("deadlock", PropKind.DEADLOCK)
    return bld.build()


def counter(limit_hi: int = 3, inits: tuple[int, ...] = (0,)) -> Model:
    """x counts up by one with a range check: x in 0..hi; the step past hi fails."""
    bld = Builder()
    x = bld.var("x", 0, limit_hi, inits)
    p = bld.proc("Inc", ["loop"])
    X = VarRef(x)
    bld.trans(
        p,
        "loop",
        "loop",
        writes=(assign(x, add(X, 1)),),
        checks=(chk(lt(X, limit_hi), kind=CheckKind.RANGE),),
        text="x = x + 1",
    )
    bld.prop("runtime", PropKind.ASSERTION)
    bld.prop("small", PropKind.INVARIANT, lt(X, 2))
    bld.prop("two", PropKind.REACHABLE, eq(X, 2))
    bld.prop("deadlock", PropKind.DEADLOCK)
    return bld.build()


def stuck(end: bool) -> Model:
    """A waits for a flag nobody sets; B runs to its end. Deadlock unless A's spot is an end."""
    bld = Builder()
    f = bld.var("flag", 0, 1)
    a = bld.proc("A", ["idle", "go"], end=("idle",) if end else ())
    bb = bld.proc("B", ["s0", "s1", "done"], end=("done",))
    bld.trans(a, "idle", "go", eq(VarRef(f), 1))
    bld.trans(bb, "s0", "s1")
    bld.trans(bb, "s1", "done")
    bld.prop("deadlock", PropKind.DEADLOCK)
    bld.prop("b_done", PropKind.EVENTUALLY, bld.at(bb, "done"))
    bld.prop("a_go", PropKind.EVENTUALLY, bld.at(a, "go"))
    return bld.build()


def toggler(fair_b: Fairness, guarded: bool) -> Model:
    """A toggles f forever; B takes one step (when f == 1 if guarded).

    eventually B.done: no fairness -> violated (A runs alone); weak ->
    holds if B is always enabled, violated if only when f == 1; strong ->
    holds in both.
    """
    bld = Builder()
    f = bld.var("f", 0, 1)
    a = bld.proc("A", ["run"])
    bb = bld.proc("B", ["wait", "done"], end=("done",), fairness=fair_b)
    bld.trans(a, "run", "run", writes=(assign(f, not_(eq(VarRef(f), 1))),))
    bld.trans(bb, "wait", "done", eq(VarRef(f), 1) if guarded else c(1))
    bld.prop("b_done", PropKind.EVENTUALLY, bld.at(bb, "done"))
    bld.prop("f_on", PropKind.ALWAYS_EVENTUALLY, eq(VarRef(f), 1))
    bld.prop("wait_done", PropKind.LEADS_TO, bld.at(bb, "wait"), bld.at(bb, "done"))
    return bld.build()


def lockers(n: int, symmetric: bool) -> Model:
    """n replicated processes P[i] over `Pid` take a lock L (a PROC owner).

    Entering flips the process's local bit `n`.  Unreduced: 2^n states
    with L free plus n * 2^n with L held; reduced (symmetric Pid): (n + 1)
    plus n-choose... for n = 3: 4 + 2 * 3 = 10.
    """
    from model.ir import DomainKind, SymmetricType

    bld = Builder()
    lock = bld.var("L", 0, n, kind=DomainKind.PROC)
    procs = []
    for i in range(n):
        p = bld.proc(f"P[{i}]", ["out", "in"], end=("out",), family="P", self_value=i, self_type="Pid")
        procs.append(p)
    bits = [bld.local(p, "n", 0, 1) for p in procs]
    for i, p in enumerate(procs):
        L, B = VarRef(lock), VarRef(bits[i])
        bld.trans(p, "out", "in", eq(L, 0), (assign(lock, p + 1), assign(bits[i], sub(c(1), B))))
        bld.trans(p, "in", "out", writes=(assign(lock, 0),), checks=(chk(eq(L, p + 1)),))
    two: Expr = c(0)
    for a in range(n):
        for b2 in range(a + 1, n):
            two = or_(two, and_(bld.at(procs[a], "in"), bld.at(procs[b2], "in")))
    bld.prop("mutex", PropKind.INVARIANT, not_(two))
    last = procs[-1]
    bld.prop("last_in_odd", PropKind.REACHABLE, and_(bld.at(last, "in"), eq(VarRef(bits[-1]), 0)))
    bld.prop("last_never_in", PropKind.INVARIANT, not_(bld.at(last, "in")))
    bld.prop("runtime", PropKind.ASSERTION)
    bld.prop("deadlock", PropKind.DEADLOCK)
    if symmetric:
        bld.symmetric.append(SymmetricType("Pid", 0, n - 1, ("P",)))
    return bld.build()
