"""Bounded search for fair lassos: z3's refutation of a liveness property.

Stage: refutation of `eventually`, `always eventually` and `leads_to` in
`checker/symbolic` (Biere, Artho and Schuppan's bounded lasso search, on
the monitored model of klive.py without its round counter).

NOTE(lasso): the unrolling m0 .. mn of the monitored model (the original
variables, `live.pending`, and the stutter step of a state with no
successor) is a violating lasso closing at l < n when
* the original variables of m_l and m_n are equal (the run repeats the
  loop l .. n-1 forever);
* the obligation is open in every state of the loop: `live.pending` of
  m_(j+1), written from m_j, holds for l <= j < n (a run that keeps it
  open from some time on violates the property: klive.py);
* every weakly fair process takes a step of the loop or is disabled in
  one of its states (weak fairness on a cycle, liveness.py's reading).
Depths are tried in increasing order, so the first lasso found is one with
the fewest steps, prefix and cycle together (the explicit engine's lassos
are shortest in their prefix only).  A loop through the stutter step is a
state with no successor; its trace is the prefix to that state, marked as
a stutter (`Trace.loop_start` at its last state).  Strong fairness is not
supported (klive.supported).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import z3

from checker.result import StopReason, Trace
from checker.symbolic.encode import Arith, Encoder, State, unknown_stop
from checker.symbolic.klive import monitored
from model.ir import Fairness, Model, Property


@dataclass(frozen=True, slots=True)
class LassoOutcome:
    """A lasso, or the depth up to which none exists, and why the search stopped."""

    trace: Trace | None
    clean_depth: int
    stop: StopReason | None
    seconds: float


def find_lasso(
    model: Model,
    prop: Property,
    max_depth: int,
    deadline: float,
    status: Callable[[str], None] | None = None,
) -> LassoOutcome:
    """The shortest fair lasso violating `prop` within `max_depth` steps (see NOTE(lasso)).

    `status`, if given, hears the depth before each query (progress.py).
    """
    start = time.monotonic()
    mon = monitored(model, prop, 1, counting=False)
    enc = Encoder(mon.model, Arith.BV)
    n_orig = len(model.variables)
    pending = n_orig  # monitored() puts live.pending first
    stutter = len(model.transitions)
    fair = [p for p in model.processes if p.fairness is Fairness.WEAK]
    by_proc: dict[int, list[int]] = {}
    for t in model.transitions:
        by_proc.setdefault(t.process, []).append(t.index)
    solver = z3.SolverFor("QF_BV")
    states: list[State] = [enc.new_state("l0")]
    choices: list[z3.ExprRef] = []
    solver.add(enc.domain(states[0]), enc.init(states[0]))
    # per step j: the obligation is open in m_j, and per fair process: it steps or is disabled
    open_at: list[z3.BoolRef] = []
    fair_at: list[list[z3.BoolRef]] = []
    clean = 0

    def done(trace: Trace | None, stop: StopReason | None) -> LassoOutcome:
        return LassoOutcome(trace, clean, stop, time.monotonic() - start)

    for n in range(1, max_depth + 1):
        prev = states[-1]
        c = enc.new_choice(f"l{n - 1}")
        nxt = enc.new_state(f"l{n}")
        solver.add(enc.domain(nxt), enc.trans(prev, c, nxt))
        one = z3.BitVecVal(1, enc.var_bits[pending])
        open_at.append(nxt[pending] == one)
        fair_at.append(
            [
                z3.Or(
                    z3.Or([enc.choice_is(c, t) for t in by_proc.get(f.index, [])]),
                    z3.Not(
                        z3.Or([enc.enabled(model.transitions[t], prev) for t in by_proc.get(f.index, [])])
                    ),
                )
                for f in fair
            ]
        )
        states.append(nxt)
        choices.append(c)
        # loops l .. n-1, built from the innermost outwards so the suffixes are shared
        loops: list[z3.BoolRef] = []
        still_open: z3.BoolRef = z3.BoolVal(True)
        served: list[z3.BoolRef] = [z3.BoolVal(False)] * len(fair)
        for ell in range(n - 1, -1, -1):
            still_open = z3.And(open_at[ell], still_open)
            served = [z3.Or(x, y) for x, y in zip(fair_at[ell], served, strict=True)]
            same = z3.And([states[ell][v] == nxt[v] for v in range(n_orig)])
            loops.append(z3.And(same, still_open, *served))
        loops.reverse()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return done(None, StopReason.TIMEOUT)
        solver.set("timeout", max(1, int(remaining * 1000)))
        if status is not None:
            status(f"{prop.name}: fair lasso search, depth {n}")
        lit = z3.Bool(f"lasso!{n}")
        solver.add(z3.Implies(lit, z3.Or(loops)))
        r = solver.check(lit)
        if r == z3.sat:
            m = solver.model()
            ell = next(i for i, x in enumerate(loops) if z3.is_true(m.eval(x, model_completion=True)))
            sts = [enc.state_values(m, s)[:n_orig] for s in states]
            trs = [enc.choice_value(m, x) for x in choices]
            if stutter in trs:
                j = trs.index(stutter)  # a state with no successor: the run stays there
                return done(Trace(tuple(sts[: j + 1]), tuple(trs[:j]), loop_start=j), None)
            return done(Trace(tuple(sts[:n]), tuple(trs), loop_start=ell), None)
        if r == z3.unknown:
            return done(None, unknown_stop(solver.reason_unknown()))
        clean = n
        solver.add(z3.Not(lit))
    return done(None, StopReason.MAX_DEPTH)
