"""Spacer: z3's CHC engine, as the last and most expensive proof method.

Stage: third proof method of `checker/symbolic`.  The safety question is
posed as constrained Horn clauses over one relation Inv of the state
(integers, Spacer's native sort; `Arith.INT` in encode.py):

    Domain(x) /\\ Init(x)                            ->  Inv(x)
    Inv(x) /\\ Domain(x') /\\ T(x, c, x')             ->  Inv(x')
    Inv(x) /\\ Bad(x)                               ->  Err

`unsat` for the query Err means Spacer found an interpretation of Inv that
satisfies the clauses: an inductive invariant.  It is read back as a
formula over the state, split into conjuncts, printed in the spec's names
(show.Z3Printer) and handed to certify.py like any other candidate.
`sat` means a counterexample exists (deeper than BMC looked); the caller
reports UNKNOWN, since a violation is only ever reported with a trace.
"""

from __future__ import annotations

import time

import z3

from checker.result import StopReason
from checker.symbolic.certify import Lemma, LemmaBuilder
from checker.symbolic.encode import Arith, Encoder, State, unknown_stop
from checker.symbolic.induction import ProofAttempt
from checker.symbolic.show import Z3Printer
from model.ir import Model, Property

SMALL_DOMAIN = 24


def spacer(model: Model, prop: Property, prop_lemma: Lemma, deadline: float) -> ProofAttempt:
    start = time.monotonic()
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return ProofAttempt("spacer", None, Arith.INT, StopReason.TIMEOUT, "no time left", 0.0)
    enc = Encoder(model, Arith.INT)
    x = enc.new_state("x")
    y = enc.new_state("y")
    c = enc.new_choice("c")
    n = len(x)
    inv = z3.Function("Inv", *([z3.IntSort()] * n), z3.BoolSort())
    err = z3.Function("Err", z3.BoolSort())
    fp = z3.Fixedpoint()
    fp.set(engine="spacer")
    fp.set("timeout", max(1, int(remaining * 1000)))
    fp.register_relation(inv, err)
    fp.declare_var(*x, *y, c)
    fp.rule(inv(*x), [enc.domain(x), enc.init(x)])
    fp.rule(inv(*y), [inv(*x), enc.domain(y), enc.trans(x, c, y)])
    fp.rule(err(), [inv(*x), enc.bad(prop, x)])
    try:
        r = fp.query(err())
    except z3.Z3Exception as e:  # a timeout surfaces as "canceled"
        why = str(e)
        stop = StopReason.TIMEOUT if "cancel" in why or "timeout" in why else StopReason.SOLVER_UNKNOWN
        return ProofAttempt("spacer", None, Arith.INT, stop, f"spacer: {why}", time.monotonic() - start)
    took = time.monotonic() - start
    if r == z3.sat:
        return ProofAttempt(
            "spacer",
            None,
            Arith.INT,
            StopReason.MAX_DEPTH,
            "spacer: a violation exists beyond the BMC depth",
            took,
        )
    if r == z3.unknown:
        why = fp.reason_unknown()
        stop = unknown_stop(why)
        return ProofAttempt("spacer", None, Arith.INT, stop, f"spacer: {why}", took)
    answer = fp.get_cover_delta(-1, inv)
    formula = z3.substitute_vars(answer, *x)
    formula = z3.simplify(formula)
    values = {
        v.index: list(range(v.domain.lo, v.domain.hi + 1))
        for v in model.variables
        if v.domain.size <= SMALL_DOMAIN
    }
    printer = Z3Printer(model, x, values)
    parts = list(formula.children()) if z3.is_and(formula) else [formula]
    lemmas = [prop_lemma]
    for f in parts:
        if z3.is_true(f):
            continue
        lemmas.append(Lemma(printer.show(f), _builder(f, x)))
    detail = f"{len(lemmas) - 1} conjuncts"
    return ProofAttempt("spacer", tuple(lemmas), Arith.INT, None, detail, time.monotonic() - start)


def _builder(f: z3.ExprRef, x: State) -> LemmaBuilder:
    def build(enc: Encoder, s: State) -> z3.BoolRef:
        assert enc.arith is Arith.INT
        g = z3.substitute(f, *zip(x, s, strict=True))
        assert isinstance(g, z3.BoolRef)
        return g

    return build
