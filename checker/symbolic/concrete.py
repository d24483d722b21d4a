"""A small interpreter of IR expressions over concrete states.

Stage: helper of `checker/symbolic`.  It samples reachable states (to filter
Houdini's candidate invariants when the explicit engine gave none) and
evaluates candidate atoms on them.  It is never the reason for a verdict:
every answer of the symbolic engine comes from z3 and is re-checked there,
and every trace is replayed by the explicit engine.  Semantics follow the
module docstring of model/ir.py (C division and remainder).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import assert_never

from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    Expr,
    Ite,
    Model,
    Select,
    Transition,
    Unary,
    UnOp,
    VarRef,
    apply_binop,
)


def evaluate(e: Expr, s: tuple[int, ...]) -> int:
    match e:
        case Const(value=v):
            return v
        case VarRef(var=v):
            return s[v]
        case Select(vars=vs, index=i):
            k = evaluate(i, s)
            return s[vs[k]] if 0 <= k < len(vs) else s[vs[-1]]
        case Unary(op=op, arg=a):
            x = evaluate(a, s)
            match op:
                case UnOp.NOT:
                    return int(x == 0)
                case UnOp.NEG:
                    return -x
                case _:
                    assert_never(op)
        case Binary(op=op, lhs=a, rhs=b):
            match op:
                case BinOp.AND:
                    return int(evaluate(a, s) != 0 and evaluate(b, s) != 0)
                case BinOp.OR:
                    return int(evaluate(a, s) != 0 or evaluate(b, s) != 0)
                case BinOp.IMPLIES:
                    return int(evaluate(a, s) == 0 or evaluate(b, s) != 0)
                case _:
                    pass
            return apply_binop(op, evaluate(a, s), evaluate(b, s))
        case Ite(cond=c, then=t, else_=f):
            return evaluate(t, s) if evaluate(c, s) != 0 else evaluate(f, s)
        case _:
            assert_never(e)


def enabled(model: Model, t: Transition, s: tuple[int, ...]) -> bool:
    return s[model.processes[t.process].pc_var] == t.pc_from and evaluate(t.guard, s) != 0


def first_failing_check(t: Transition, s: tuple[int, ...]) -> int | None:
    for i, c in enumerate(t.checks):
        if evaluate(c.cond, s) == 0:
            return i
    return None


def post(model: Model, t: Transition, s: tuple[int, ...]) -> tuple[int, ...]:
    out = list(s)
    for w in t.writes:
        match w:
            case Assign(var=v, value=val):
                out[v] = evaluate(val, s)
            case AssignElem(vars=vs, index=i, value=val):
                k = evaluate(i, s)
                out[vs[k] if 0 <= k < len(vs) else vs[-1]] = evaluate(val, s)
            case _:
                assert_never(w)
    out[model.processes[t.process].pc_var] = t.pc_to
    return tuple(out)


def in_domain(model: Model, s: tuple[int, ...]) -> bool:
    return all(v.domain.lo <= x <= v.domain.hi for v, x in zip(model.variables, s, strict=True))


def successors(model: Model, s: tuple[int, ...]) -> Iterator[tuple[int, tuple[int, ...]]]:
    """(transition, post-state) for each enabled step whose checks pass."""
    for t in model.transitions:
        if enabled(model, t, s) and first_failing_check(t, s) is None:
            nxt = post(model, t, s)
            if in_domain(model, nxt):  # NOTE(domain) in encode.py
                yield t.index, nxt


def sample_reachable(model: Model, limit: int, seconds: float) -> tuple[list[tuple[int, ...]], bool]:
    """Breadth-first reachable states, at most `limit`; (states, exhaustive)."""
    deadline = time.monotonic() + seconds
    seen: dict[tuple[int, ...], None] = {}
    frontier: list[tuple[int, ...]] = []
    for s in model.initial_states():
        if s not in seen:
            seen[s] = None
            frontier.append(s)
            if len(seen) >= limit:
                return list(seen), False
    while frontier:
        nxt_frontier: list[tuple[int, ...]] = []
        for s in frontier:
            if time.monotonic() > deadline:
                return list(seen), False
            for _, n in successors(model, s):
                if n not in seen:
                    seen[n] = None
                    nxt_frontier.append(n)
                    if len(seen) >= limit:
                        return list(seen), False
        frontier = nxt_frontier
    return list(seen), True


def replay_trace(
    model: Model, states: tuple[tuple[int, ...], ...], transitions: tuple[int, ...], failed_check: int | None
) -> str | None:
    """Check a trace with this interpreter: None when it is a real path, else why not."""
    if not states:
        return "empty trace"
    if states[0] not in set(model.initial_states()):
        return "the first state is not initial"
    if len(transitions) != len(states) - (0 if failed_check is not None else 1):
        return "the numbers of states and transitions do not fit"
    for i, ti in enumerate(transitions):
        t = model.transitions[ti]
        s = states[i]
        if not enabled(model, t, s):
            return f"step {i + 1}: transition {ti} is not enabled"
        fail = first_failing_check(t, s)
        if i + 1 == len(states):
            if fail != failed_check:
                return f"step {i + 1}: check {failed_check} does not fail first"
            break
        if fail is not None:
            return f"step {i + 1}: transition {ti} fails a check"
        if post(model, t, s) != states[i + 1]:
            return f"step {i + 1}: wrong post-state"
    return None
