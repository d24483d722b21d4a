"""BMC's step encodings agree: `Encoder.move` (NOTE(moves)) against `Encoder.trans`.

`run_bmc` unrolls with moves (the process that moves, the transition fixed by
its location and guards) by default; the older relation chooses any
transition by number.  Both must find every counterexample at the explicit
engine's shortest depth, with traces that replay, and the schedule must tell
excluding guards (no local choice) from overlapping ones (a local choice).
"""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings

from checker.explicit import ExplicitOptions, replay
from checker.explicit import check as explicit_check
from checker.result import Verdict
from checker.symbolic.bmc import BmcMode, Steps, run_bmc
from checker.symbolic.encode import Arith, Encoder, is_safety
from model.ir import Assign, Binary, BinOp, Const, Model, PropKind, Unary, UnOp, VarRef
from tests.symbolic.irbuild import Builder, c, eq, peterson, v
from tests.symbolic.randgen import models


def _bmc_matches_explicit(model: Model, steps: Steps, arith: Arith = Arith.BV) -> None:
    ex = {r.property: r for r in explicit_check(model, ExplicitOptions(max_states=100_000))}
    depth = max((r.stats.depth for r in ex.values()), default=0) + 2
    props = [p for p in model.properties if is_safety(p)]
    out = run_bmc(Encoder(model, arith), props, depth, time.monotonic() + 60, BmcMode.ASSUME, steps)
    for p in props:
        e, b = ex[p.name], out[p.name]
        if e.verdict in (Verdict.VIOLATED, Verdict.REACHED):
            assert e.trace is not None and b.trace is not None, (p.name, steps, b)
            assert b.trace.length == e.trace.length, (p.name, steps)
            assert replay(model, b.trace) is None, (p.name, steps)
        else:
            assert b.trace is None, (p.name, steps)
            assert b.clean_depth == depth, (p.name, steps, b)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_bmc_moves_and_choices_find_the_explicit_depth(model: Model) -> None:
    _bmc_matches_explicit(model, Steps.MOVES)
    _bmc_matches_explicit(model, Steps.CHOICES)


def test_bmc_moves_on_peterson_with_integers() -> None:
    for buggy in (False, True):
        _bmc_matches_explicit(peterson(buggy), Steps.MOVES, Arith.INT)
        _bmc_matches_explicit(peterson(buggy), Steps.MOVES)


def _branching() -> Model:
    """P: an if/else on x at `a`; Q: a free choice at `a` (two transitions, both always enabled)."""
    b = Builder()
    x = b.var("x", 0, 3)
    y = b.var("y", 0, 3)
    p = b.proc("P", ["a", "b", "c"], end=("c",))
    q = b.proc("Q", ["a", "b"], end=("b",))
    b.trans(p, "a", "b", guard=eq(v(x), c(0)), writes=(Assign(y, Const(1)),))
    b.trans(p, "a", "c", guard=Unary(UnOp.NOT, eq(v(x), c(0))))
    b.trans(p, "b", "c", writes=(Assign(x, Binary(BinOp.ADD, VarRef(y), Const(1))),))
    b.trans(q, "a", "b", writes=(Assign(x, Const(1)),))
    b.trans(q, "a", "b", writes=(Assign(x, Const(3)),))
    b.prop("x_small", PropKind.INVARIANT, Binary(BinOp.LT, VarRef(x), Const(3)))
    b.prop("y_set_x_two", PropKind.REACHABLE, Binary(BinOp.AND, eq(v(y), c(1)), eq(v(x), c(2))))
    b.prop("deadlock", PropKind.DEADLOCK)
    return b.build("branching")


def test_bmc_schedule_tells_excluding_guards_from_a_free_choice() -> None:
    model = _branching()
    sch = Encoder(model).schedule()
    assert (0, 0) in sch.exclusive  # P's if/else
    assert (1, 0) not in sch.exclusive  # Q's two transitions overlap
    assert sch.local_bits == 1
    assert sch.procs == (0, 1)
    for arith in (Arith.BV, Arith.INT):
        _bmc_matches_explicit(model, Steps.MOVES, arith)
        _bmc_matches_explicit(model, Steps.CHOICES, arith)


def test_bmc_moves_need_no_local_choice_for_if_else_only() -> None:
    sch = Encoder(peterson()).schedule()
    assert sch.local_bits == 0
    assert len(sch.exclusive) == 8  # every (process, location) has one transition
