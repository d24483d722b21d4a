"""The re-check every proof must pass before PROVED is reported.

Stage: the gate between the proof methods of `checker/symbolic` and the
verdict.  A candidate invariant is a list of `Lemma`s (conjuncts), each with
its text in the spec's syntax and a builder of its z3 formula over any
state.  `certify` builds a fresh `Encoder` and, in a fresh solver per query,
checks the three conditions of an inductive invariant for the property P:

    Init(s)                       =>  Inv(s)
    Inv(s) /\\ T(s, c, s')          =>  Inv(s')
    Inv(s)                        =>  P(s)

(all over states in their domains).  Only `unsat` of the three negations is
a proof; `sat` means the candidate is wrong (a bug in a proof method: the
caller reports UNKNOWN), `unknown` or a timeout means no answer.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import z3

from checker.symbolic.encode import Arith, Encoder, State
from model.ir import Expr, Model, Property

LemmaBuilder = Callable[[Encoder, State], z3.BoolRef]


@dataclass(frozen=True, slots=True)
class Lemma:
    """One conjunct of an invariant: its text, and its formula over a state."""

    text: str
    build: LemmaBuilder
    # the IR expression the text shows, when there is one: certify sizes its
    # arithmetic for it too, so the formula it checks is the printed one
    # (NOTE(bv-width); no constant or product of the lemma can wrap around)
    expr: Expr | None = None


class Certificate(enum.Enum):
    VALID = "valid"
    INVALID = "invalid"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CertifyOutcome:
    certificate: Certificate
    detail: str
    seconds: float


def property_lemma(prop: Property, text: str) -> Lemma:
    return Lemma(text, lambda enc, s: z3.Not(enc.bad(prop, s)))


def certify(
    model: Model, prop: Property, lemmas: Sequence[Lemma], arith: Arith, deadline: float
) -> CertifyOutcome:
    """Re-check `lemmas` as an inductive invariant for `prop` (module docstring)."""
    start = time.monotonic()
    enc = Encoder(model, arith, extra=[lem.expr for lem in lemmas if lem.expr is not None])
    s = enc.new_state("cert")
    s2 = enc.new_state("cert'")
    c = enc.new_choice("cert")

    def inv(x: State) -> z3.BoolRef:
        return z3.And([lem.build(enc, x) for lem in lemmas])

    queries = (
        ("Init => Inv", [enc.domain(s), enc.init(s), z3.Not(inv(s))]),
        ("Inv /\\ T => Inv'", [enc.domain(s), inv(s), enc.domain(s2), enc.trans(s, c, s2), z3.Not(inv(s2))]),
        ("Inv => P", [enc.domain(s), inv(s), enc.bad(prop, s)]),
    )
    for name, fs in queries:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return CertifyOutcome(
                Certificate.UNKNOWN, f"re-check of {name}: timeout", time.monotonic() - start
            )
        solver = z3.Solver()  # fresh for every query
        solver.set("timeout", max(1, int(remaining * 1000)))
        solver.add(*fs)
        r = solver.check()
        if r == z3.sat:
            return CertifyOutcome(Certificate.INVALID, f"re-check of {name} failed", time.monotonic() - start)
        if r == z3.unknown:
            why = solver.reason_unknown()
            return CertifyOutcome(Certificate.UNKNOWN, f"re-check of {name}: {why}", time.monotonic() - start)
    return CertifyOutcome(Certificate.VALID, "re-checked by a fresh solver", time.monotonic() - start)
