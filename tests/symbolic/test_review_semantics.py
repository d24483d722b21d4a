"""Soundness review of the z3 encoding against the IR's reference semantics (task h15).

`model.ir.apply_binop` is the reference reading of every operator, and the z3 encoding must agree
with it (its docstring).  These models are built at the IR level (tests/symbolic/irbuild.py), so
they reach the engine without the front end's own guards: each pins one place where z3's SMT-LIB
reading differs from the IR's and a verdict could be wrong.
"""

from __future__ import annotations

import time

from checker.explicit import ExplicitOptions
from checker.explicit import check as explicit_check
from checker.result import Verdict
from checker.symbolic import SymbolicOptions
from checker.symbolic import check as symbolic_check
from checker.symbolic.certify import Certificate, certify, property_lemma
from checker.symbolic.encode import Arith
from model.ir import Binary, BinOp, Const, Model, PropKind, VarRef
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
