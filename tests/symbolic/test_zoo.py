"""Small models with known answers for the symbolic engine."""

from __future__ import annotations

import time
from dataclasses import replace

from checker.explicit import ExplicitOptions, replay
from checker.explicit import check as explicit_check
from checker.result import StopReason, Verdict
from checker.symbolic import SymbolicOptions, check, prove
from checker.symbolic.certify import Certificate, certify, property_lemma
from checker.symbolic.encode import Arith
from checker.symbolic.replay import symbolic_replay
from model.ir import Binary, BinOp, Const, Fairness, PropKind, Unary, UnOp, VarRef
from tests.symbolic.irbuild import Builder, peterson

OPTS = SymbolicOptions(max_bmc_depth=20, timeout=20.0)


def _by_name(results: tuple) -> dict:  # type: ignore[type-arg]
    return {r.property: r for r in results}


def test_peterson_proved_with_a_readable_invariant() -> None:
    rs = _by_name(check(peterson(), OPTS))
    mutex = rs["mutex"]
    assert mutex.verdict is Verdict.PROVED, mutex.detail
    assert mutex.invariant[0] == "!(at(P_0, cs) && at(P_1, cs))"
    assert any("turn" in line for line in mutex.invariant)  # the proof needs turn
    assert rs["both_in"].verdict is Verdict.NOT_REACHED
    assert rs["p0_in"].verdict is Verdict.REACHED
    assert rs["p0_in"].trace is not None and rs["p0_in"].trace.length == 3
    assert rs["deadlock"].verdict is Verdict.PROVED


def test_buggy_peterson_violated_at_the_explicit_depth() -> None:
    model = peterson(buggy=True)
    rs = _by_name(check(model, OPTS))
    ex = _by_name(explicit_check(model, ExplicitOptions()))
    mutex = rs["mutex"]
    assert mutex.verdict is Verdict.VIOLATED
    assert mutex.trace is not None and ex["mutex"].trace is not None
    assert mutex.trace.length == ex["mutex"].trace.length == 6
    assert replay(model, mutex.trace) is None
    assert symbolic_replay(model, ex["mutex"].trace) is None


def test_certify_rejects_a_non_inductive_candidate() -> None:
    model = peterson()
    mutex = model.properties[0]
    out = certify(model, mutex, [property_lemma(mutex, "mutex")], Arith.BV, time.monotonic() + 20)
    assert out.certificate is Certificate.INVALID
    assert "Inv /\\ T => Inv'" in out.detail


def test_no_wraparound_and_c_division() -> None:
    b = Builder()
    x = b.var("x", 0, 255, tuple(range(256)))
    z = b.var("z", -7, 7, tuple(range(-7, 8)))
    b.proc("P", ["a"], end=("a",))
    square = Binary(BinOp.MUL, VarRef(x), VarRef(x))
    b.prop("square", PropKind.INVARIANT, Binary(BinOp.LE, square, Const(65025)))
    b.prop("big", PropKind.REACHABLE, Binary(BinOp.EQ, square, Const(65025)))
    div = Binary(BinOp.DIV, VarRef(z), Const(2))
    mod = Binary(BinOp.MOD, VarRef(z), Const(2))
    recombine = Binary(BinOp.ADD, Binary(BinOp.MUL, div, Const(2)), mod)
    b.prop("divmod", PropKind.INVARIANT, Binary(BinOp.EQ, recombine, VarRef(z)))
    b.prop("trunc", PropKind.INVARIANT, Binary(BinOp.EQ, Binary(BinOp.DIV, Const(-7), Const(2)), Const(-3)))
    b.prop("mod_sign", PropKind.INVARIANT, Unary(UnOp.NOT, Binary(BinOp.LT, mod, Const(0))))
    model = b.build()
    rs = _by_name(check(model, OPTS))
    assert rs["square"].verdict is Verdict.PROVED
    assert rs["big"].verdict is Verdict.REACHED
    assert rs["divmod"].verdict is Verdict.PROVED
    assert rs["trunc"].verdict is Verdict.PROVED
    assert rs["mod_sign"].verdict is Verdict.VIOLATED  # C: -1 % 2 == -1
    assert rs["mod_sign"].trace is not None and rs["mod_sign"].trace.states[0][z] < 0


def test_a_timeout_is_unknown_never_proved() -> None:
    model = peterson()
    r = prove(model, model.properties[0], SymbolicOptions(max_bmc_depth=5, timeout=0.0))
    assert r.verdict is Verdict.UNKNOWN
    assert r.reason is StopReason.TIMEOUT


def test_liveness_is_decided_strong_fairness_is_not_supported() -> None:
    b = Builder()
    p = b.proc("P", ["a", "b"])
    b.trans(p, "a", "b")
    b.prop("ev", PropKind.EVENTUALLY, b.at(p, "b"))
    model = b.build()
    (r,) = check(model, OPTS)  # P's one step is the only way on: no fairness needed
    assert r.verdict is Verdict.PROVED, r.detail
    strong = replace(model, processes=tuple(replace(q, fairness=Fairness.STRONG) for q in model.processes))
    (r,) = check(strong, OPTS)
    assert r.verdict is Verdict.UNKNOWN and r.reason is StopReason.NOT_SUPPORTED


def test_spec_through_the_front_end_is_proved_with_spec_names() -> None:
    from pathlib import Path

    from model.frontend import configurations, load_spec

    (model,) = configurations(load_spec(str(Path(__file__).with_name("peterson_two.mig"))))
    rs = _by_name(check(model, OPTS))
    mutex = rs["mutex"]
    assert mutex.verdict is Verdict.PROVED, mutex.detail
    assert mutex.invariant[0] == "!(at(P[0], cs) && at(P[1], cs))"
    assert any("turn == " in line for line in mutex.invariant)
    assert rs["in_cs"].verdict is Verdict.REACHED
