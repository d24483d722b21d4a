"""The z3 encoding, one state at a time, against the IR's semantics on *every* state of the domains.

The engine cross-checks (test_crosscheck.py) compare verdicts, which only exercise the encoding on
reachable states.  certify.py's re-check `Inv /\\ T => Inv'` quantifies over every state in the
domains, so an encoding that is wrong on a state no run reaches could still certify a wrong
invariant.  Here random states of random models (tests/symbolic/randgen.py and the wide ranges of
randgen_wide.py), reachable or not, are fixed in z3 and each predicate of `Encoder` is compared with
a reference reading written from model/ir.py's docstring alone: `enabled`, `checks_ok`, the
post-state of `step`, `bad` of every property (invariant, reachable, each assertion group's first
failing check, deadlock with end locations), the successor set of `trans` (certify's and the proof
methods' relation) and of `move` (BMC's, NOTE(moves)).  A state whose evaluation would read a Select
out of range where no check precedes it is skipped: model/ir.py lets an engine assume it never
happens.
"""

from __future__ import annotations

import random
from typing import assert_never

import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.symbolic.encode import Arith, Encoder, State
from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    Expr,
    Ite,
    Model,
    PropKind,
    Select,
    Transition,
    Unary,
    UnOp,
    VarRef,
    apply_binop,
)
from tests.symbolic.randgen import models
from tests.symbolic.randgen_wide import wide_models


class _OutOfRange(Exception):
    """A Select read out of range: the IR promises an engine never sees it (model/ir.py)."""


def _ev(e: Expr, s: tuple[int, ...]) -> int:
    """model/ir.py's reading; `&&`, `||`, `->` evaluate both sides (no side effects in the IR)."""
    match e:
        case Const(value=v):
            return int(v)
        case VarRef(var=v):
            return s[v]
        case Select(vars=vs, index=i):
            k = _ev(i, s)
            if not 0 <= k < len(vs):
                raise _OutOfRange
            return s[vs[k]]
        case Unary(op=UnOp.NOT, arg=a):
            return int(_ev(a, s) == 0)
        case Unary(op=UnOp.NEG, arg=a):
            return -_ev(a, s)
        case Unary():
            raise AssertionError("every UnOp is handled")
        case Binary(op=op, lhs=a, rhs=b):
            return apply_binop(op, _ev(a, s), _ev(b, s))
        case Ite(cond=c, then=t, else_=f):
            return _ev(t, s) if _ev(c, s) != 0 else _ev(f, s)
        case _:
            assert_never(e)


def _guarded(e: Expr, s: tuple[int, ...]) -> int:
    """`_ev` for a condition, where a Select out of range makes only its own value unknown:
    `&&`, `||`, `->`, `!` and `Ite` are read in three-valued logic (an operand that decides the
    result makes the other's value irrelevant, in any evaluation order, z3's included); the
    state is skipped (`_OutOfRange`) only when the unknown value decides the condition."""
    got = _kleene(e, s)
    if got is None:
        raise _OutOfRange
    return got


def _kleene(e: Expr, s: tuple[int, ...]) -> int | None:
    match e:
        case Unary(op=UnOp.NOT, arg=a):
            x = _kleene(a, s)
            return None if x is None else int(x == 0)
        case Binary(op=BinOp.AND | BinOp.OR | BinOp.IMPLIES as op, lhs=a, rhs=b):
            x, y = _kleene(a, s), _kleene(b, s)
            if op is BinOp.IMPLIES:
                x = None if x is None else int(x == 0)
                op = BinOp.OR
            decides = 0 if op is BinOp.AND else 1
            if (x is not None and (x != 0) == bool(decides)) or (y is not None and (y != 0) == bool(decides)):
                return decides
            return None if x is None or y is None else 1 - decides
        case Ite(cond=c, then=t, else_=f):
            k = _kleene(c, s)
            if k is not None:
                return _kleene(t, s) if k != 0 else _kleene(f, s)
            x, y = _kleene(t, s), _kleene(f, s)
            return x if x is not None and x == y else None
        case _:
            try:
                return _ev(e, s)
            except _OutOfRange:
                return None


def _enabled(m: Model, t: Transition, s: tuple[int, ...]) -> bool:
    return s[m.processes[t.process].pc_var] == t.pc_from and _guarded(t.guard, s) != 0


def _first_failing(t: Transition, s: tuple[int, ...]) -> int | None:
    for i, c in enumerate(t.checks):
        if _guarded(c.cond, s) == 0:
            return i
    return None


def _post(m: Model, t: Transition, s: tuple[int, ...]) -> tuple[int, ...]:
    out = list(s)
    vals: list[tuple[int, int]] = []
    for w in t.writes:  # every right-hand side and index is read in the pre-state
        match w:
            case Assign(var=v, value=val):
                vals.append((v, _ev(val, s)))
            case AssignElem(vars=vs, index=i, value=val):
                k = _ev(i, s)
                if not 0 <= k < len(vs):
                    raise _OutOfRange
                vals.append((vs[k], _ev(val, s)))
            case _:
                assert_never(w)
    for v, x in vals:  # then applied in order, a later write winning
        out[v] = x
    out[m.processes[t.process].pc_var] = t.pc_to
    return tuple(out)


def _in_domain(m: Model, s: tuple[int, ...]) -> bool:
    return all(v.domain.lo <= x <= v.domain.hi for v, x in zip(m.variables, s, strict=True))


def _successors(m: Model, s: tuple[int, ...]) -> set[tuple[int, ...]]:
    """The IR's successors of `s`; a post-state outside the domains is no state (NOTE(domain))."""
    out = set()
    for t in m.transitions:
        if _enabled(m, t, s) and _first_failing(t, s) is None:
            n = _post(m, t, s)
            if _in_domain(m, n):
                out.add(n)
    return out


def _bad(m: Model, name: str, kind: PropKind, expr: Expr | None, s: tuple[int, ...]) -> bool:
    match kind:
        case PropKind.INVARIANT:
            assert expr is not None
            return _guarded(expr, s) == 0
        case PropKind.REACHABLE:
            assert expr is not None
            return _guarded(expr, s) != 0
        case PropKind.DEADLOCK:
            stuck = not any(_enabled(m, t, s) for t in m.transitions)
            return stuck and any(s[p.pc_var] not in p.end_locations for p in m.processes)
        case PropKind.ASSERTION:
            for t in m.transitions:
                if _enabled(m, t, s):
                    i = _first_failing(t, s)
                    if i is not None and t.checks[i].prop == name:
                        return True
            return False
        case _:
            raise AssertionError(kind)


def _random_states(m: Model, rnd: random.Random, n: int) -> list[tuple[int, ...]]:
    """Random states in the domains, with the domains' bounds twice as likely as other values."""
    out = []
    for _ in range(n):
        s = []
        for v in m.variables:
            d = v.domain
            r = rnd.random()
            s.append(d.lo if r < 0.15 else d.hi if r < 0.3 else rnd.randint(d.lo, d.hi))
        out.append(tuple(s))
    return out


def _fix(enc: Encoder, x: State, s: tuple[int, ...]) -> list[tuple[z3.ExprRef, z3.ExprRef]]:
    """Substitution pairs setting the state constants `x` to the values `s`."""
    pairs = []
    for v, (c, val) in enumerate(zip(x, s, strict=True)):
        if enc.arith is Arith.INT:
            pairs.append((c, z3.IntVal(val)))
        else:
            pairs.append((c, z3.BitVecVal(val % (1 << enc.var_bits[v]), enc.var_bits[v])))
    return pairs


def _truth(f: z3.BoolRef, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> bool:
    g = z3.simplify(z3.substitute(f, *pairs))
    assert z3.is_true(g) or z3.is_false(g), g
    return bool(z3.is_true(g))


def _successor_set(
    enc: Encoder, rel: z3.BoolRef, pre: list[tuple[z3.ExprRef, z3.ExprRef]], post: State, limit: int
) -> set[tuple[int, ...]]:
    """Every post-state the relation allows from the fixed pre-state (by enumeration)."""
    solver = z3.SolverFor("QF_BV") if enc.arith is Arith.BV else z3.Solver()
    solver.add(z3.substitute(rel, *pre), enc.domain(post))
    out: set[tuple[int, ...]] = set()
    while len(out) <= limit:
        r = solver.check()
        assert r != z3.unknown
        if r == z3.unsat:
            return out
        vals = enc.state_values(solver.model(), post)
        out.add(vals)
        solver.add(z3.Not(enc.state_is(post, vals)))
    raise AssertionError(f"more than {limit} successors")


def _agree_on_states(model: Model, seed: int, arith: Arith, n_states: int) -> None:
    enc = Encoder(model, arith)
    x, y = enc.new_state("ref"), enc.new_state("ref'")
    c = enc.new_choice("ref")
    mv = enc.new_move("ref")
    trans = enc.trans(x, c, y)
    move = enc.move(x, mv, y)
    rnd = random.Random(seed)
    for s in _random_states(model, rnd, n_states):
        pairs = _fix(enc, x, s)
        assert _truth(enc.domain(x), pairs)
        try:
            want = _successors(model, s)
            bads = {p.name: _bad(model, p.name, p.kind, p.expr, s) for p in model.properties}
        except _OutOfRange:
            continue  # the IR's promise does not cover this state (module docstring)
        for t in model.transitions:
            en = _enabled(model, t, s)
            assert _truth(enc.enabled(t, x), pairs) == en, (s, t.index)
            if not en:
                continue
            ok = _first_failing(t, s) is None
            assert _truth(enc.checks_ok(t, x), pairs) == ok, (s, t.index)
            if ok:
                post = _post(model, t, s)
                for v in range(len(s)):
                    got = z3.simplify(z3.substitute(enc.post_value(t, x, v), *pairs))
                    assert isinstance(got, (z3.BitVecNumRef, z3.IntNumRef)), got
                    value = got.as_signed_long() if isinstance(got, z3.BitVecNumRef) else got.as_long()
                    assert value == post[v], (s, t.index, v)
        for p in model.properties:
            assert _truth(enc.bad(p, x), pairs) == bads[p.name], (s, p.name)
        limit = len(model.transitions) + 1
        assert _successor_set(enc, trans, pairs, y, limit) == want, s
        assert _successor_set(enc, move, pairs, y, limit) == want, s


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(), st.integers(0, 2**32))
def test_encoding_matches_the_ir_on_random_states(model: Model, seed: int) -> None:
    _agree_on_states(model, seed, Arith.BV, 8)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_models(), st.integers(0, 2**32))
def test_encoding_matches_the_ir_on_random_states_of_wide_models(model: Model, seed: int) -> None:
    _agree_on_states(model, seed, Arith.BV, 8)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_models(), st.integers(0, 2**32))
def test_integer_encoding_matches_the_ir_on_random_states(model: Model, seed: int) -> None:
    """Spacer's candidates are re-checked with `Arith.INT` (spacer.py): the same reading."""
    _agree_on_states(model, seed, Arith.INT, 5)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(max_procs=2, liveness=True), st.integers(0, 2**32), st.booleans())
def test_encoding_matches_the_ir_on_random_states_of_liveness_monitors(
    model: Model, seed: int, episodes: bool
) -> None:
    """k-liveness proves `live.rounds <= k` of the monitored model (klive.py) with this encoding:
    its large enabledness conditions and saturating counters are read as the IR reads them."""
    from checker.symbolic.klive import monitored, supported
    from model.ir import Fairness

    fair = [p.index for p in model.processes if p.fairness is Fairness.WEAK]
    for prop in model.properties:
        assert supported(model, prop) is None
        turns = fair[:1] if episodes and fair else None
        mon = monitored(model, prop, 3, turns=turns, episodes=episodes and bool(fair))
        _agree_on_states(mon.model, seed, Arith.BV, 4)
