"""Replay of a trace inside the z3 encoding.

Stage: cross-check support of `checker/symbolic`.  The explicit engine
replays z3's traces; this module is the other direction: it asserts a
trace's states and transitions in the encoding (encode.py) and asks z3
whether they form a path, so a trace of the explicit engine that the
encoding rejects shows a disagreement between the two readings of the IR.
"""

from __future__ import annotations

import z3

from checker.result import Trace
from checker.symbolic.encode import Arith, Encoder
from model.ir import Model


def symbolic_replay(model: Model, trace: Trace, arith: Arith = Arith.BV) -> str | None:
    """None when the encoding accepts `trace` as a path of `model`, else why not."""
    enc = Encoder(model, arith)
    if not trace.states:
        return "empty trace"
    failing = trace.failed_check is not None
    if len(trace.transitions) != len(trace.states) - (0 if failing else 1):
        return "the numbers of states and transitions do not fit"
    states = [enc.new_state(f"r{i}") for i in range(len(trace.states))]
    solver = z3.Solver()
    for s, values in zip(states, trace.states, strict=True):
        solver.add(enc.state_is(s, values))
    checks: list[tuple[str, z3.BoolRef]] = [
        ("the first state is not initial", z3.And(enc.domain(states[0]), enc.init(states[0])))
    ]
    for i, ti in enumerate(trace.transitions):
        t = model.transitions[ti]
        if i + 1 < len(states):
            c = enc.choice_const(ti)
            step = z3.And(enc.domain(states[i + 1]), enc.trans(states[i], c, states[i + 1]))
            checks.append((f"step {i + 1} ({t.text}) is not a step of the encoding", step))
        else:
            assert trace.failed_check is not None
            k = trace.failed_check
            fails = z3.And(
                enc.enabled(t, states[i]),
                *(enc.cond(ch.cond, states[i]) for ch in t.checks[:k]),
                z3.Not(enc.cond(t.checks[k].cond, states[i])),
            )
            checks.append((f"step {i + 1} ({t.text}) does not fail check {k} first", fails))
    for problem, f in checks:
        solver.push()
        solver.add(z3.Not(f))
        r = solver.check()
        solver.pop()
        if r != z3.unsat:
            return problem
    return None
