"""k-induction with simple-path constraints.

Stage: the cheapest proof method of `checker/symbolic`.  The base case is
BMC's: no bad state within `clean_depth` steps.  The step case asks for a
path t0 .. tk of pairwise distinct states (each in its domain) where P holds
in t0 .. t(k-1) and fails in tk; `unsat` for some k <= clean_depth + 1 proves
P for every depth (on a finite state space the simple-path constraint makes
this complete once k exceeds the longest simple path).

A k-inductive P is turned into a 1-inductive invariant for the re-check
(certify.py): Inv(s) = "P holds at the end of every path of j steps from s,
for j < k" (NOTE(k-invariant)); for k = 1 that is P itself.  For k > 1 the
extra conjuncts are quantified over the path, which z3 decides (every sort
is a finite bit-vector) but may time out on, giving UNKNOWN.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import z3

from checker.result import StopReason
from checker.symbolic.certify import Lemma
from checker.symbolic.encode import Arith, Encoder, State, unknown_stop
from model.ir import Property


@dataclass(frozen=True, slots=True)
class ProofAttempt:
    """What a proof method found: lemmas to re-check, or why it stopped."""

    method: str
    lemmas: tuple[Lemma, ...] | None
    arith: Arith
    stop: StopReason | None
    detail: str
    seconds: float
    refuted: bool = False  # the property fails in a known reachable state: no method can prove it


def _paths_keep(prop: Property, steps: int) -> Lemma:
    """NOTE(k-invariant): every path of `steps` steps from a state ends in P."""

    def build(enc: Encoder, x: State) -> z3.BoolRef:
        ys: list[State] = [x]
        bound: list[z3.ExprRef] = []
        path: list[z3.BoolRef] = []
        for j in range(steps):
            y = enc.new_state(f"kq{steps}_{j}")
            c = enc.new_choice(f"kq{steps}_{j}")
            bound.extend((*y, c))
            path.extend((enc.domain(y), enc.trans(ys[-1], c, y)))
            ys.append(y)
        return z3.ForAll(bound, z3.Implies(z3.And(path), z3.Not(enc.bad(prop, ys[-1]))))

    text = f"// and so does every state {steps} step{'s' if steps > 1 else ''} further (k-induction)"
    return Lemma(text, build)


def kinduction(
    enc: Encoder, prop: Property, prop_lemma: Lemma, clean_depth: int, max_k: int, deadline: float
) -> ProofAttempt:
    start = time.monotonic()
    solver = z3.SolverFor("QF_BV") if enc.arith is Arith.BV else z3.Solver()
    ts: list[State] = [enc.new_state("k0")]
    solver.add(enc.domain(ts[0]))
    limit = min(max_k, clean_depth + 1)
    for k in range(1, limit + 1):
        prev = ts[-1]
        solver.add(z3.Not(enc.bad(prop, prev)))
        c = enc.new_choice(f"k{k - 1}")
        nxt = enc.new_state(f"k{k}")
        solver.add(enc.domain(nxt), enc.trans(prev, c, nxt))
        for t in ts:
            solver.add(z3.Or([a != b for a, b in zip(t, nxt, strict=True)]))
        ts.append(nxt)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return ProofAttempt(
                "k-induction",
                None,
                enc.arith,
                StopReason.TIMEOUT,
                f"timeout at k={k}",
                time.monotonic() - start,
            )
        solver.set("timeout", max(1, int(remaining * 1000)))
        lit = z3.Bool(f"kbad{k}")
        solver.add(z3.Implies(lit, enc.bad(prop, nxt)))
        r = solver.check(lit)
        if r == z3.unsat:
            lemmas = (prop_lemma, *(_paths_keep(prop, j) for j in range(1, k)))
            return ProofAttempt("k-induction", lemmas, enc.arith, None, f"k={k}", time.monotonic() - start)
        if r == z3.unknown:
            why = solver.reason_unknown()
            stop = unknown_stop(why)
            return ProofAttempt(
                "k-induction", None, enc.arith, stop, f"k={k}: {why}", time.monotonic() - start
            )
        solver.add(z3.Not(lit))
    stop = StopReason.MAX_DEPTH
    return ProofAttempt(
        "k-induction", None, enc.arith, stop, f"not {limit}-inductive", time.monotonic() - start
    )
