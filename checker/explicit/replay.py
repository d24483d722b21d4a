"""Replay of a trace against a model: is it a real path?

Stage: checks evidence before it is reported.  Used on every trace of the
explicit engine in the tests and on every trace of the symbolic engine
(DESIGN.md §4), so a wrong trace is caught whichever engine produced it.

Contract: `replay_trace` returns None when the trace is a real path of the
model: its first state is initial, each step is enabled in its source state
and leads to the next state (all earlier checks of the step passing), a
`failed_check` step really fails exactly that check first, and a lasso
closes (back to `loop_start` by its last step, or stutters in a state with
no successor, see NOTE(liveness-semantics) in `liveness.py`).  Otherwise
it returns the first reason, in plain words.  `lasso_problem` also checks
that a lasso is a fair run violating a liveness property.
"""

from __future__ import annotations

import functools

from checker.explicit.search import Engine
from checker.result import Trace
from model.ir import Fairness, Property, PropKind


def replay_trace(eng: Engine, trace: Trace) -> str | None:
    model, layout = eng.model, eng.layout
    if not trace.states:
        return "the trace has no states"
    for n, st in enumerate(trace.states):
        if len(st) != len(model.variables):
            return f"state {n} has {len(st)} values, the model has {len(model.variables)} variables"
        for var, x in zip(model.variables, st, strict=True):
            if not var.domain.lo <= x <= var.domain.hi:
                return f"state {n}: {var.name} = {x} is outside its domain"
    first = trace.states[0]
    if not all(x in allowed for x, allowed in zip(first, model.initial, strict=True)):
        return "the first state is not an initial state"
    packed = [layout.pack(st) for st in trace.states]
    nstates, nsteps = len(trace.states), len(trace.transitions)
    lasso = trace.loop_start is not None
    if trace.failed_check is not None:
        if lasso:
            return "a trace cannot both fail a check and end in a loop"
        if nsteps != nstates:
            return "a failing step must be the last step, with no state after it"
    elif lasso:
        assert trace.loop_start is not None
        if not 0 <= trace.loop_start < nstates:
            return f"loop_start {trace.loop_start} is not a state of the trace"
        if nsteps == nstates - 1:
            if trace.loop_start != nstates - 1:
                return "a stutter loop must start at the last state"
        elif nsteps != nstates:
            return "a lasso needs one step per state (the last one closes the loop)"
    elif nsteps != nstates - 1:
        return f"{nstates} states need {nstates - 1} steps, the trace has {nsteps}"
    for n, tr in enumerate(trace.transitions):
        if not 0 <= tr < len(model.transitions):
            return f"step {n + 1}: there is no transition {tr}"
        succ, fails, _ = eng.code.succ(packed[n])
        text = model.transitions[tr].text
        if trace.failed_check is not None and n == nsteps - 1:
            if (tr, trace.failed_check) not in fails:
                return f"step {n + 1} ({text}) does not fail check {trace.failed_check}"
            continue
        target = packed[n + 1] if n + 1 < nstates else packed[trace.loop_start or 0]
        outs = [x for t, x in succ if t == tr]
        if not outs:
            why = "fails a runtime check" if any(t == tr for t, _ in fails) else "is not enabled"
            return f"step {n + 1} ({text}) {why} in state {n}"
        if target not in outs:
            return f"step {n + 1} ({text}) does not lead to the next state of the trace"
    if lasso and nsteps == nstates - 1:
        succ, _, _ = eng.code.succ(packed[-1])
        if succ:
            return "the trace stutters in a state that has a successor"
    return None


def lasso_problem(eng: Engine, prop: Property, trace: Trace) -> str | None:
    """None when `trace`, a real lasso path, is a fair run violating `prop`; else why not.

    The reading is NOTE(liveness-semantics) in liveness.py: the cycle is fair
    when every weakly fair process enabled in all of its states steps in it
    and every strongly fair process enabled in one of them steps in it (a
    stutter: no fair process is enabled); `eventually P` fails when no state
    of the run meets P, `always eventually P` when no state of the cycle
    does, `P leads_to Q` when some P-state is followed (itself included) by
    Q-free states only.
    """
    problem = replay_trace(eng, trace)
    if problem is not None:
        return problem
    if trace.loop_start is None:
        return "a liveness counterexample must end in a loop"
    model = eng.model
    packed = [eng.layout.pack(st) for st in trace.states]
    start = trace.loop_start
    cycle = packed[start:]
    steps = trace.transitions[start:]
    takers = {model.transitions[t].process for t in steps}
    enabled = [eng.code.succ(s)[2] for s in cycle]
    en_all = functools.reduce(lambda a, b: a & b, enabled)
    en_any = functools.reduce(lambda a, b: a | b, enabled)
    for p in model.processes:
        bit = 1 << p.index
        if p.fairness is Fairness.WEAK and en_all & bit and p.index not in takers:
            return f"the cycle is not fair: {p.name} is enabled all along and never steps (weak fairness)"
        if p.fairness is Fairness.STRONG and en_any & bit and p.index not in takers:
            return f"the cycle is not fair: {p.name} is enabled and never steps (strong fairness)"
    assert prop.expr is not None
    holds = eng.code.pred(prop.expr)
    match prop.kind:
        case PropKind.EVENTUALLY:
            if any(holds(s) for s in packed):
                return f"the run meets {prop.name}'s goal"
        case PropKind.ALWAYS_EVENTUALLY:
            if any(holds(s) for s in cycle):
                return f"the cycle meets {prop.name}'s goal"
        case PropKind.LEADS_TO:
            assert prop.expr2 is not None
            goal = eng.code.pred(prop.expr2)
            # the last P-state before the cycle's end must see no Q-state after it, cycle included
            if any(goal(s) for s in cycle):
                return f"the cycle meets {prop.name}'s goal"
            tail_free = len(packed)
            while tail_free > 0 and not goal(packed[tail_free - 1]):
                tail_free -= 1
            if not any(holds(s) for s in packed[tail_free:]):
                return f"no state of the run opens {prop.name}'s obligation without meeting its goal after"
        case _:
            return f"{prop.name} is not a liveness property"
    return None
