"""Reference models with hand-checked answers for the explicit engine's tests.

Stage: test support.  Each function returns an IR `Model` built with
`irbuild.Builder`; the expected figures are in the tests that use them.
"""

from __future__ import annotations

from model.ir import CheckKind, Model, PropKind, VarRef

from tests.explicit.irbuild import (
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
    or_,
    sel,
    sub,
)


def peterson(n: int, with_props: bool = True) -> Model:
    """BEEM's peterson.1 (N=3) transcribed by hand, transition by transition."""
    bld = Builder()
    pos = bld.array("pos", n, 0, 255)
    step = bld.array("step", n, 0, 255)
    procs = []
    for i in range(n):
        p = bld.proc(f"P_{i}", ["NCS", "CS", "wait", "q2", "q3"])
        procs.append(p)
        j = bld.local(p, "j", 0, 255)
        k = bld.local(p, "k", 0, 255)
        J, K = VarRef(j), VarRef(k)
        idx_ok = chk(
            and_(lt(c(-1), sub(J, 1)), lt(sub(J, 1), n)), kind=CheckKind.INDEX
        )
        bld.trans(p, "NCS", "wait", writes=(assign(j, 1),))
        bld.trans(p, "wait", "q2", lt(J, n), (assign(pos[i], J),))
        bld.trans(p, "q2", "q3", writes=(assign_elem(step, sub(J, 1), i), assign(k, 0)), checks=(idx_ok,))
        bld.trans(
            p, "q3", "q3",
            and_(lt(K, n), or_(eq(K, i), lt(sel(pos, K), J))),
            (assign(k, add(K, 1)),),
        )
        bld.trans(p, "q3", "wait", or_(ne(sel(step, sub(J, 1)), i), eq(K, n)), (assign(j, add(J, 1)),))
        bld.trans(p, "wait", "CS", eq(J, n))
        bld.trans(p, "CS", "NCS", writes=(assign(pos[i], 0),))
    if with_props:
        in_cs = [bld.at(p, "CS") for p in procs]
        two = c(0)
        for a in range(n):
            for b2 in range(a + 1, n):
                two = or_(two, and_(in_cs[a], in_cs[b2]))
        bld.prop("mutex", PropKind.INVARIANT, Binary_not(two))
        bld.prop("cs0", PropKind.REACHABLE, in_cs[0])
        bld.prop("runtime", PropKind.ASSERTION)
        bld.prop("deadlock", PropKind.DEADLOCK)
    return bld.build()


def Binary_not(e):  # noqa: N802
    from tests.explicit.irbuild import not_

    return not_(e)
