"""Soundness review of the z3 encoding against the IR's reference semantics (task h15).

`model.ir.apply_binop` is the reference reading of every operator, and the z3 encoding must agree
with it (its docstring).  These models are built at the IR level (tests/symbolic/irbuild.py), so
they reach the engine without the front end's own guards: each pins one place where z3's SMT-LIB
reading differs from the IR's and a verdict could be wrong.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from checker.explicit import ExplicitOptions
from checker.explicit import check as explicit_check
from checker.result import Verdict
from checker.symbolic import SymbolicOptions, prove
from checker.symbolic import check as symbolic_check
from checker.symbolic.certify import Certificate, Lemma, certify, property_lemma
from checker.symbolic.encode import Arith
from checker.symbolic.houdini import builder
from model.frontend import configurations, load_spec_text
from model.ir import Assign, Binary, BinOp, Const, Model, PropKind, VarRef
from tests.symbolic.irbuild import Builder


def _zero_divisor_model() -> Model:
    """x = 3, y = 0, nothing moves: `x / y` and `x % y` are 0 (apply_binop), so both fail."""
    b = Builder()
    x = b.var("x", 0, 3, (3,))
    y = b.var("y", 0, 2, (0,))
    b.proc("P", ["a"], end=("a",))
    div = Binary(BinOp.DIV, VarRef(x), VarRef(y))
    mod = Binary(BinOp.MOD, VarRef(x), VarRef(y))
    b.prop("div", PropKind.INVARIANT, Binary(BinOp.NE, div, Const(0)))
    b.prop("mod", PropKind.INVARIANT, Binary(BinOp.NE, mod, Const(0)))
    return b.build("zero-divisor")


def test_a_zero_divisor_gives_zero_in_both_engines() -> None:
    """NOTE(div-zero) in encode.py: bvsdiv by 0 is -1 and bvsrem by 0 the dividend, so z3
    once PROVED both invariants here while the explicit engine found them violated in the
    initial state."""
    model = _zero_divisor_model()
    ex = {r.property: r.verdict for r in explicit_check(model, ExplicitOptions())}
    assert ex == {"div": Verdict.VIOLATED, "mod": Verdict.VIOLATED}
    for methods in [(), ("kinduction",), ("houdini",), ("blocking",)]:
        sy = symbolic_check(model, SymbolicOptions(max_bmc_depth=2, timeout=10.0, methods=methods))
        assert {r.property: r.verdict for r in sy} == ex, methods
        assert all(r.trace is not None and r.trace.length == 0 for r in sy)


def test_certify_rejects_a_zero_divisor_invariant_in_both_arithmetics() -> None:
    """The re-check alone (no BMC first) must not accept `x / y != 0` when y == 0 initially."""
    model = _zero_divisor_model()
    for prop in model.properties:
        for arith in (Arith.BV, Arith.INT):
            out = certify(model, prop, [property_lemma(prop, prop.name)], arith, time.monotonic() + 20)
            assert out.certificate is Certificate.INVALID, (prop.name, arith, out.detail)


def _counter() -> tuple[Model, dict[str, Lemma]]:
    """P counts x up from 0 while x < 3 (no end location); the step from x == 2 fails the check
    of group `two`, so it has no successor: the reachable states are x in {0, 1, 2}, `two` is
    violated, `below3` holds, `at3` is not reached, and no state is a deadlock (at x == 2 a
    step is enabled, though it fails its check)."""
    b = Builder()
    x = b.var("x", 0, 3, (0,))
    p = b.proc("P", ["a"])
    nxt = Binary(BinOp.ADD, VarRef(x), Const(1))
    b.trans(
        p,
        "a",
        "a",
        guard=Binary(BinOp.LT, VarRef(x), Const(3)),
        writes=(Assign(x, nxt),),
        checks=((Binary(BinOp.LE, nxt, Const(3)), "runtime"), (Binary(BinOp.NE, VarRef(x), Const(2)), "two")),
    )
    b.prop("below3", PropKind.INVARIANT, Binary(BinOp.LT, VarRef(x), Const(3)))
    b.prop("at3", PropKind.REACHABLE, Binary(BinOp.EQ, VarRef(x), Const(3)))
    b.prop("deadlock", PropKind.DEADLOCK)
    b.prop("runtime", PropKind.ASSERTION)
    b.prop("two", PropKind.ASSERTION)

    def atom(op: BinOp, k: int) -> Lemma:
        e = Binary(op, VarRef(x), Const(k))
        return Lemma(f"x {op.value} {k}", lambda enc, s: enc.cond(e, s))

    lemmas = {"x <= 1": atom(BinOp.LE, 1), "x <= 3": atom(BinOp.LE, 3), "x >= 1": atom(BinOp.GE, 1)}
    return b.build("counter"), lemmas


def test_certify_checks_each_condition_on_its_own() -> None:
    """certify.py alone (no BMC, no proof method) rejects each wrong candidate at the condition
    it breaks and accepts the right ones: its verdict does not lean on the methods."""
    model, lem = _counter()
    ex = {r.property: r.verdict for r in explicit_check(model, ExplicitOptions())}
    assert ex == {
        "below3": Verdict.HOLDS,
        "at3": Verdict.NOT_REACHED,
        "deadlock": Verdict.HOLDS,
        "runtime": Verdict.HOLDS,
        "two": Verdict.VIOLATED,
    }
    props = {p.name: p for p in model.properties}
    soon = time.monotonic() + 30

    def run(prop: str, *names: str, with_p: bool = True) -> str:
        p = props[prop]
        first = [property_lemma(p, prop)] if with_p else []
        out = certify(model, p, [*first, *(lem[n] for n in names)], Arith.BV, soon)
        assert (out.certificate is Certificate.VALID) == (out.detail == "re-checked by a fresh solver")
        return out.detail

    step, init, implies = "Inv /\\ T => Inv'", "Init => Inv", "Inv => P"
    # a failing step has no successor: x < 3 is inductive, and x == 3 is not reached
    assert run("below3") == run("at3") == run("deadlock") == run("runtime") == "re-checked by a fresh solver"
    assert run("two") == f"re-check of {step} failed"  # 1 -> 2, where `two` fails
    assert run("two", "x <= 1") == f"re-check of {step} failed"
    assert run("below3", "x >= 1") == f"re-check of {init} failed"
    assert run("deadlock", "x <= 3", with_p=False) == f"re-check of {implies} failed"  # x == 3 is stuck
    # the right candidate with no time left is no proof
    p = props["below3"]
    late = certify(model, p, [property_lemma(p, "below3")], Arith.BV, time.monotonic() - 1)
    assert late.certificate is Certificate.UNKNOWN and "timeout" in late.detail


PETERSON = Path(__file__).parent / "peterson_two.mig"


BAKERY = Path(__file__).parents[2] / "specs" / "classic" / "bakery.1.mig"


@pytest.mark.parametrize(
    ("spec", "prop", "method"),
    [
        (PETERSON, "mutex", "blocking"),
        (PETERSON, "mutex", "houdini"),
        (PETERSON, "mutex", "spacer"),
        # about 120 conjuncts, many naming unlabeled locations `@N` (NOTE(legend) in show.py)
        (BAKERY, "collision", "blocking"),
    ],
)
def test_a_printed_invariant_pasted_into_the_spec_holds(spec: Path, prop: str, method: str) -> None:
    """The invariant a reviewer reads is the one certified: each printed conjunct, added to the
    spec as an `invariant`, parses and holds in every reachable state (explicit engine).  A
    printer (show.py, spacer.py's Z3Printer) that misnamed a variable, a location or a value
    would make a true proof print a false argument."""
    text = spec.read_text()
    model = configurations(load_spec_text(text))[0]
    goal = next(p for p in model.properties if p.name == prop)
    r = prove(model, goal, SymbolicOptions(timeout=30.0, methods=(method,)))
    assert r.verdict in (Verdict.PROVED, Verdict.NOT_REACHED), r.detail
    lines = [line for line in r.invariant if not line.startswith("//")]
    assert len(lines) >= 2  # the property and what the proof needs
    extra = "".join(f"\ninvariant printed_{k}: {line};" for k, line in enumerate(lines))
    again = configurations(load_spec_text(text + extra))[0]
    got = {x.property: x.verdict for x in explicit_check(again, ExplicitOptions())}
    assert all(got[f"printed_{k}"] is Verdict.HOLDS for k in range(len(lines))), (got, lines)


def test_certify_reads_a_lemma_at_a_width_its_constants_fit() -> None:
    """`x + 64 == x` is false for every x, but at the model's own width (5 or 6 bits here) 64 is 0
    and it would pass: certify sizes its arithmetic for the lemma's expression too (Lemma.expr),
    so the conjunct it accepts is the one printed."""
    model, _ = _counter()
    p = next(q for q in model.properties if q.name == "below3")
    x = next(v.index for v in model.variables if v.name == "x")
    e = Binary(BinOp.EQ, Binary(BinOp.ADD, VarRef(x), Const(64)), VarRef(x))
    odd = Lemma("x + 64 == x", builder(e), e)
    for arith in (Arith.BV, Arith.INT):
        out = certify(model, p, [property_lemma(p, "below3"), odd], arith, time.monotonic() + 30)
        assert (out.certificate, out.detail) == (Certificate.INVALID, "re-check of Init => Inv failed"), arith
