"""Incremental bounded model checking.

Stage: refutation in `checker/symbolic`.  One solver holds the unrolling
Init(s0) /\\ T(s0, c0, s1) /\\ ... /\\ T(s(k-1), c(k-1), sk); at each depth k
every still-open property asks, under an assumption literal, whether some
`bad` state is at depth k.  Depths are tried in increasing order, so the
first answer is a shortest counterexample (or a shortest witness for a
reachability target), exactly the depth the explicit engine's breadth-first
search reports.  The caller replays every trace before reporting it.

Contract: `run_bmc` returns, per property, either a trace or the deepest
depth proved free of bad states, with the reason the search stopped.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import z3

from checker.result import StopReason, Trace
from checker.symbolic.encode import Arith, Encoder, Move, State, unknown_stop
from checker.symbolic.progress import bmc_status
from model.ir import Property, PropKind


@dataclass(frozen=True, slots=True)
class BmcOutcome:
    """For one property: a trace, or the depths known clean (0..clean_depth)."""

    trace: Trace | None
    clean_depth: int  # -1 when not even depth 0 was decided
    stop: StopReason | None
    seconds: float


class BmcMode(enum.Enum):
    """How the solver is reused across depths (measured in bench/symbolic_bench.py)."""

    ASSUME = "assume"  # one solver; each query under an assumption literal
    PUSHPOP = "pushpop"  # one solver; each query between push and pop
    FRESH = "fresh"  # a new solver for every query (no incrementality)


class Steps(enum.Enum):
    """How a step is chosen in the unrolling (measured in bench/symbolic_bench.py)."""

    MOVES = "moves"  # the process that moves (Encoder.move, NOTE(moves))
    CHOICES = "choices"  # any transition by number (Encoder.trans)


def run_bmc(
    enc: Encoder,
    props: Sequence[Property],
    max_depth: int,
    deadline: float,
    mode: BmcMode = BmcMode.ASSUME,
    steps: Steps = Steps.MOVES,
    status: Callable[[str], None] | None = None,
) -> dict[str, BmcOutcome]:
    """Search every property of `props` to `max_depth` steps (until `deadline`).

    `status`, if given, hears what is asked before each query (progress.py).
    """
    arith = enc.arith
    start = time.monotonic()
    out: dict[str, BmcOutcome] = {}
    clean: dict[str, int] = {p.name: -1 for p in props}
    open_props = list(props)
    states: list[State] = [enc.new_state("s0")]
    choices: list[z3.ExprRef | Move] = []
    base: list[z3.BoolRef] = [enc.domain(states[0]), enc.init(states[0])]

    def new_solver() -> z3.Solver:
        return z3.SolverFor("QF_BV") if arith is Arith.BV else z3.Solver()

    solver = new_solver()
    if mode is not BmcMode.FRESH:
        solver.add(*base)

    def finish(stop: StopReason) -> None:
        for p in open_props:
            out[p.name] = BmcOutcome(None, clean[p.name], stop, time.monotonic() - start)

    for k in range(max_depth + 1):
        sk = states[k]
        for p in list(open_props):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                finish(StopReason.TIMEOUT)
                return out
            solver.set("timeout", max(1, int(remaining * 1000)))
            if status is not None:
                status(bmc_status(k, [p.name, *(q.name for q in open_props if q is not p)]))
            bad = enc.bad(p, sk)
            lit = z3.Bool(f"bad!{p.name}!{k}")
            if mode is BmcMode.ASSUME:
                solver.add(z3.Implies(lit, bad))
                r = solver.check(lit)
            else:
                if mode is BmcMode.FRESH:
                    solver = new_solver()
                    solver.set("timeout", max(1, int(remaining * 1000)))
                    solver.add(*base)
                solver.push()
                solver.add(bad)
                r = solver.check()
            if r == z3.sat:
                m = solver.model()
                out[p.name] = BmcOutcome(
                    _trace(enc, p, m, states, choices), k - 1, None, time.monotonic() - start
                )
                open_props.remove(p)
            elif r == z3.unsat:
                clean[p.name] = k
            if mode is not BmcMode.ASSUME:
                solver.pop()
            if r == z3.unknown:
                finish(unknown_stop(solver.reason_unknown()))
                return out
            if mode is BmcMode.ASSUME:
                solver.add(z3.Not(lit))  # retire the literal: later checks need not branch on it
        if not open_props:
            return out
        if k == max_depth:
            break
        s2 = enc.new_state(f"s{k + 1}")
        c: z3.ExprRef | Move
        if steps is Steps.MOVES:
            c = enc.new_move(f"c{k}")
            step = [enc.domain(s2), enc.move(sk, c, s2)]
        else:
            c = enc.new_choice(f"c{k}")
            step = [enc.domain(s2), enc.trans(sk, c, s2)]
        choices.append(c)
        states.append(s2)
        base.extend(step)
        if mode is not BmcMode.FRESH:
            solver.add(*step)
    finish(StopReason.MAX_DEPTH)
    return out


def _trace(
    enc: Encoder, prop: Property, m: z3.ModelRef, states: list[State], choices: list[z3.ExprRef | Move]
) -> Trace:
    k = len(choices)
    sts = tuple(enc.state_values(m, states[i]) for i in range(k + 1))
    trs = tuple(
        enc.move_value(m, states[i], c, sts[i]) if isinstance(c, Move) else enc.choice_value(m, c)
        for i, c in enumerate(choices)
    )
    if prop.kind is PropKind.ASSERTION:
        t, i = enc.failing_step(prop, m, states[k])
        return Trace(states=sts, transitions=(*trs, t), failed_check=i)
    return Trace(states=sts, transitions=trs)
