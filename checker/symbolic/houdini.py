"""Strengthening by Houdini over templates from the spec's vocabulary.

Stage: the second proof method of `checker/symbolic`.

1. Templates (IR expressions, so they print in the spec's syntax):
   single facts (`!at(P, l)`, `x != c`, bounds `x <= c`, relations
   `x == y`, `x <= y`, `x < y` between variables of one kind), and
   implications `A -> B` whose antecedent is a program location
   (`at(P, l)`) or a small variable's value (a lock owner, a flag, a
   refcount value or `frozen(r)`) and whose consequent is any fact on
   another variable.
2. Filtering: a candidate false in some known reachable state cannot be an
   invariant.  Each atom is evaluated once into a bit mask over the sample
   states (the explicit engine's reachable states when given, else a short
   breadth-first sample), and a candidate survives when its mask covers
   every sample.  Sampling only prunes; it never decides anything.
3. Houdini: repeatedly ask z3 for a step from a state satisfying P and all
   surviving candidates to one falsifying some of them; drop the falsified
   ones; stop when none is falsified (the rest is inductive) or P is.
4. Minimising: starting from P, add the unsat core of "the others and one
   step imply this conjunct"; the closure is still inductive and is what
   the reviewer reads.
The conjunction is then re-checked from scratch by certify.py.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import assert_never

import z3

from checker.result import StopReason
from checker.symbolic.certify import Lemma, LemmaBuilder
from checker.symbolic.concrete import evaluate, sample_reachable
from checker.symbolic.encode import Arith, Encoder, State, arith_width
from checker.symbolic.induction import ProofAttempt
from checker.symbolic.show import show_expr
from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    DomainKind,
    Expr,
    Model,
    Property,
    PropKind,
    VarKind,
    VarRef,
    vars_read,
)

SMALL_DOMAIN = 16  # enumerate values of domains up to this size
BOUND_DOMAIN = 64  # bounds x <= c for integer domains up to this size
MAX_CANDIDATES = 20000
MAX_SAMPLES = 50000
MAX_PAIR_ANTECEDENTS = 2000


@dataclass(frozen=True, slots=True)
class _Atom:
    expr: Expr
    var: int  # the variable it constrains (for pairs: the first)
    var2: int | None
    mask: int


def _eq(v: int, c: int) -> Expr:
    return Binary(BinOp.EQ, VarRef(v), Const(c))


def _ne(v: int, c: int) -> Expr:
    return Binary(BinOp.NE, VarRef(v), Const(c))


def _value_masks(samples: Sequence[tuple[int, ...]], var: int) -> dict[int, int]:
    """Per value of `var`: the bit mask of the samples where it has that value.

    NOTE(masks): bit i stands for sample i.  The masks are built from one
    byte string per variable (`int(text, 2)` is linear), not bit by bit:
    shifting a growing integer per sample would be quadratic.
    """
    col = [s[var] for s in reversed(samples)]
    values = set(col)
    if len(values) > BOUND_DOMAIN:
        return {}
    lo = min(values, default=0)
    if max(values, default=0) - lo > 255:
        return {}
    raw = bytes(x - lo for x in col)
    out: dict[int, int] = {}
    for x in values:
        table = bytes(ord("1") if b == x - lo else ord("0") for b in range(256))
        out[x] = int(raw.translate(table), 2)
    return out


def _atoms(
    model: Model, samples: Sequence[tuple[int, ...]]
) -> tuple[list[_Atom], list[_Atom], int, list[dict[int, int]]]:
    """(antecedents, consequents, full mask, value masks per variable)."""
    n = len(samples)
    full = (1 << n) - 1
    value_masks = [_value_masks(samples, v.index) for v in model.variables]
    ante: list[_Atom] = []
    cons: list[_Atom] = []
    for v in model.variables:
        dom = v.domain
        vm = value_masks[v.index]
        if not vm:
            continue
        # NOTE(observed-values): large domains contribute the values seen in the samples
        values = range(dom.lo, dom.hi + 1) if dom.size <= SMALL_DOMAIN else sorted(vm)
        if len(values) <= SMALL_DOMAIN:
            for c in values:
                m = vm.get(c, 0)
                eq = _Atom(_eq(v.index, c), v.index, None, m)
                cons.append(eq)
                cons.append(_Atom(_ne(v.index, c), v.index, None, full ^ m))
                if m and v.kind is not VarKind.LOCK_READER and dom.size > 1:
                    ante.append(eq)
        if dom.kind is DomainKind.INT and dom.size > 2:
            below = 0
            seen = sorted(vm)
            for c in seen:
                below |= vm[c]
                if c < dom.hi:
                    cons.append(_Atom(Binary(BinOp.LE, VarRef(v.index), Const(c)), v.index, None, below))
                if c > dom.lo:
                    cons.append(
                        _Atom(
                            Binary(BinOp.GE, VarRef(v.index), Const(c)), v.index, None, full ^ (below ^ vm[c])
                        )
                    )
    # relations between two variables of one kind
    ints = [
        v
        for v in model.variables
        if v.domain.kind is DomainKind.INT and 0 < len(value_masks[v.index]) <= SMALL_DOMAIN
    ]
    procs = [v for v in model.variables if v.domain.kind is DomainKind.PROC and value_masks[v.index]]
    pairs = [(a, b) for i, a in enumerate(ints) for b in ints[i + 1 :]]
    pairs += [(a, b) for i, a in enumerate(procs) for b in procs[i + 1 :]]
    for a, b in pairs[:600]:
        ma, mb = value_masks[a.index], value_masks[b.index]
        m_eq = m_lt = m_gt = 0
        for x, mx in ma.items():
            for y, my in mb.items():
                both = mx & my
                if not both:
                    continue
                if x == y:
                    m_eq |= both
                elif x < y:
                    m_lt |= both
                else:
                    m_gt |= both
        va, vb = VarRef(a.index), VarRef(b.index)
        cons.append(_Atom(Binary(BinOp.EQ, va, vb), a.index, b.index, m_eq))
        cons.append(_Atom(Binary(BinOp.NE, va, vb), a.index, b.index, m_lt | m_gt))
        if a.domain.kind is DomainKind.INT:
            cons.append(_Atom(Binary(BinOp.LE, va, vb), a.index, b.index, m_eq | m_lt))
            cons.append(_Atom(Binary(BinOp.LE, vb, va), a.index, b.index, m_eq | m_gt))
            cons.append(_Atom(Binary(BinOp.LT, va, vb), a.index, b.index, m_lt))
            cons.append(_Atom(Binary(BinOp.LT, vb, va), a.index, b.index, m_gt))
    return ante, cons, full, value_masks


def _facts(model: Model, w: int, values: set[int]) -> list[Expr]:
    """NOTE(canonical-facts): "w takes only these values", in few readable atoms."""
    v = model.variables[w]
    dom = v.domain
    vals = sorted(values)
    if len(vals) == 1:
        return [_eq(w, vals[0])]
    holes = [c for c in range(dom.lo, dom.hi + 1) if c not in values] if dom.size <= BOUND_DOMAIN else []
    if dom.kind is not DomainKind.INT:
        if len(vals) <= 3 and len(holes) > len(vals):
            e: Expr = _eq(w, vals[0])
            for c in vals[1:]:
                e = Binary(BinOp.OR, e, _eq(w, c))
            return [e]
        return [_ne(w, c) for c in holes]
    out: list[Expr] = []
    if vals[0] > dom.lo:
        out.append(Binary(BinOp.GE, VarRef(w), Const(vals[0])))
    if vals[-1] < dom.hi:
        out.append(Binary(BinOp.LE, VarRef(w), Const(vals[-1])))
    inner = [c for c in holes if vals[0] < c < vals[-1]]
    if len(inner) <= 3:
        out += [_ne(w, c) for c in inner]
    return out


def candidates(model: Model, samples: Sequence[tuple[int, ...]]) -> list[Expr]:
    """Template instances true in every sample state (global facts first)."""
    ante, cons, full, value_masks = _atoms(model, samples)
    out: list[Expr] = []
    seen: set[Expr] = set()
    global_values: list[set[int]] = [set(vm) for vm in value_masks]
    for w, vals in enumerate(global_values):
        if vals:
            out.extend(_facts(model, w, vals))
    for a in cons:
        if a.var2 is not None and a.mask == full and a.expr not in seen:
            seen.add(a.expr)
            out.append(a.expr)
    relations = [b for b in cons if b.var2 is not None and b.mask != full]
    for a in [*ante, *_location_pairs(model, ante)]:
        for w, vm in enumerate(value_masks):
            if w in (a.var, a.var2) or not vm:
                continue
            vals = {c for c, m in vm.items() if m & a.mask}
            if vals == global_values[w]:
                continue
            for f in _facts(model, w, vals):
                out.append(Binary(BinOp.IMPLIES, a.expr, f))
        for b in relations:
            if b.var in (a.var, a.var2) or b.var2 in (a.var, a.var2):
                continue
            if a.mask & (full ^ b.mask) == 0:
                out.append(Binary(BinOp.IMPLIES, a.expr, b.expr))
        if len(out) >= MAX_CANDIDATES:
            return out
    return out


def _location_pairs(model: Model, ante: list[_Atom]) -> list[_Atom]:
    """Antecedents `at(P, l) && at(Q, m)` for two processes, seen together in a sample."""
    pcs = [a for a in ante if model.variables[a.var].kind is VarKind.PC]
    out: list[_Atom] = []
    for i, a in enumerate(pcs):
        for b in pcs[i + 1 :]:
            if a.var != b.var and a.mask & b.mask:
                out.append(_Atom(Binary(BinOp.AND, a.expr, b.expr), a.var, b.var, a.mask & b.mask))
                if len(out) >= MAX_PAIR_ANTECEDENTS:
                    return out
    return out


def _is_trivial(model: Model, e: Expr) -> bool:
    match e:
        case Binary(op=BinOp.LE, lhs=VarRef(var=v), rhs=Const(value=c)):
            return c >= model.variables[v].domain.hi
        case Binary(op=BinOp.GE, lhs=VarRef(var=v), rhs=Const(value=c)):
            return c <= model.variables[v].domain.lo
        case _:
            return False


def sample_states(
    model: Model, reachable: Sequence[tuple[int, ...]] | None, deadline: float
) -> list[tuple[int, ...]]:
    """The states that filter candidates: given, else the explicit engine's, else a BFS sample."""
    if reachable is not None:
        return list(reachable)[:MAX_SAMPLES]
    from checker.explicit import reachable_states

    every = reachable_states(model, MAX_SAMPLES)
    if every is not None:
        return every
    budget = max(0.1, min(5.0, (deadline - time.monotonic()) / 4))
    samples, _ = sample_reachable(model, MAX_SAMPLES, budget)
    return samples


def houdini(
    enc: Encoder,
    prop: Property,
    prop_lemma: Lemma,
    reachable: Sequence[tuple[int, ...]] | None,
    deadline: float,
) -> ProofAttempt:
    start = time.monotonic()
    model = enc.model

    def stop(reason: StopReason, detail: str) -> ProofAttempt:
        return ProofAttempt("houdini", None, Arith.BV, reason, detail, time.monotonic() - start)

    samples = sample_states(model, reachable, deadline)
    every = [e for e in candidates(model, samples) if not _is_trivial(model, e)]
    levels = _cone_levels(model, prop)
    attempt = stop(StopReason.MAX_DEPTH, "no candidates")
    tried: set[int] = set()
    for k, cone in enumerate(levels):
        cands = every if cone is None else [e for e in every if vars_read(e) <= cone]
        if len(cands) in tried:
            continue
        tried.add(len(cands))
        now = time.monotonic()
        left = len(levels) - k
        # NOTE(cone): small cones first, each with a share of the time left
        slice_end = deadline if left == 1 else now + (deadline - now) / left
        attempt = _houdini_core(enc, prop, prop_lemma, cands, len(samples), slice_end, start)
        if attempt.lemmas is not None:
            return attempt
        if attempt.stop is StopReason.TIMEOUT and left == 1:
            break
    return attempt


def _cone_levels(model: Model, prop: Property) -> list[frozenset[int] | None]:
    """NOTE(cone): growing sets of variables around the property, then None (all).

    Level 0 is what the property reads; level i+1 adds what the transitions
    writing level-i variables read (guards, values, indices, their pc).  A
    proof over a small cone has fewer candidates and converges sooner.
    """
    if prop.kind in (PropKind.INVARIANT, PropKind.REACHABLE) and prop.expr is not None:
        cone = set(vars_read(prop.expr))
    elif prop.kind is PropKind.ASSERTION:
        cone = set()
        for t in model.transitions:
            if any(c.prop == prop.name for c in t.checks):
                cone |= vars_read(t.guard) | {model.processes[t.process].pc_var}
                for c in t.checks:
                    cone |= vars_read(c.cond)
    else:
        return [None]
    writes: list[tuple[set[int], set[int]]] = []
    for t in model.transitions:
        w = {model.processes[t.process].pc_var}
        r = set(vars_read(t.guard)) | {model.processes[t.process].pc_var}
        for x in t.writes:
            match x:
                case Assign(var=v, value=val):
                    w.add(v)
                    r |= vars_read(val)
                case AssignElem(vars=vs, index=i, value=val):
                    w.update(vs)
                    r |= vars_read(val) | vars_read(i)
                case _:
                    assert_never(x)
        writes.append((w, r))
    out: list[frozenset[int] | None] = []
    for _ in range(len(model.variables)):
        bigger = set(cone)
        for w, r in writes:
            if w & cone:
                bigger |= r
        if bigger == cone:
            break
        cone = bigger
        out.append(frozenset(cone))
    out.append(None)
    return out


def _houdini_core(
    enc: Encoder,
    prop: Property,
    prop_lemma: Lemma,
    cands: list[Expr],
    nsamples: int,
    deadline: float,
    start: float,
) -> ProofAttempt:
    model = enc.model

    def stop(reason: StopReason, detail: str) -> ProofAttempt:
        return ProofAttempt("houdini", None, Arith.BV, reason, detail, time.monotonic() - start)

    if arith_width(model, cands) > enc.width:
        enc = Encoder(model, Arith.BV, extra=cands)
    s = enc.new_state("h")
    s2 = enc.new_state("h'")
    c = enc.new_choice("h")
    pre = _formulas(enc, cands, s)
    post = _formulas(enc, cands, s2)
    neg_pre = [z3.Not(f) for f in pre]
    neg_post = [z3.Not(f) for f in post]
    bad_pre = enc.bad(prop, s)
    bad_post = enc.bad(prop, s2)
    lits = [z3.Bool(f"hc{i}") for i in range(len(cands))]
    plit = z3.Bool("hP")
    solver = z3.SolverFor("QF_BV")

    def check(assumptions: list[z3.BoolRef]) -> z3.CheckSatResult:
        return check_assuming(solver, assumptions, deadline)

    # initiation: drop candidates false in some initial state
    active = set(range(len(cands)))
    solver.push()
    solver.add(enc.domain(s), enc.init(s))
    while active:
        solver.push()
        solver.add(fast_or([neg_pre[i] for i in sorted(active)]))
        r = check([])
        if r == z3.sat:
            st = enc.state_values(solver.model(), s)
            active -= {i for i in active if evaluate(cands[i], st) == 0}
        solver.pop()
        if r == z3.unsat:
            break
        if r == z3.unknown:
            solver.pop()
            return stop(StopReason.TIMEOUT, "timeout in initiation")
    solver.pop()
    # consecution, first one transition at a time (NOTE(per-step))
    r_steps = _per_step(
        enc, prop, cands, active, lits, plit, pre, neg_post, bad_pre, bad_post, s, s2, deadline
    )
    if isinstance(r_steps, str):
        return stop(StopReason.TIMEOUT if r_steps == "timeout" else StopReason.MAX_DEPTH, r_steps)
    solver.add(enc.domain(s), enc.domain(s2), enc.trans(s, c, s2))
    solver.add(z3.Implies(plit, z3.Not(bad_pre)))
    for i, lit in enumerate(lits):
        solver.add(z3.Implies(lit, pre[i]))
    rounds = 0
    while True:
        rounds += 1
        solver.push()
        solver.add(fast_or([bad_post, *(neg_post[i] for i in sorted(active))]))
        r = check([plit, *(lits[i] for i in sorted(active))])
        if r == z3.sat:
            m = solver.model()
            if z3.is_true(m.eval(bad_post, model_completion=True)):
                solver.pop()
                return stop(
                    StopReason.MAX_DEPTH,
                    f"not inductive with {len(active)} of {len(cands)} candidates after {rounds} rounds",
                )
            st = enc.state_values(m, s2)
            active -= {i for i in active if evaluate(cands[i], st) == 0}
        solver.pop()
        if r == z3.unsat:
            break
        if r == z3.unknown:
            return stop(StopReason.TIMEOUT, f"timeout after {rounds} rounds")
    # minimise: the closure of unsat cores, starting from P
    kept = sorted(active)
    closure = core_closures(
        enc,
        lambda x: [z3.Not(enc.bad(prop, x)), *_formulas(enc, [cands[i] for i in kept], x)],
        len(kept) + 1,
        [0],
        deadline,
    )
    if closure is None:
        return stop(StopReason.TIMEOUT, "timeout while minimising")
    needed = {kept[j - 1] for j in closure[0]}
    lemmas = [prop_lemma]
    for i in sorted(needed):
        e = cands[i]
        lemmas.append(Lemma(show_expr(model, e), builder(e), e))
    detail = f"{len(needed)} of {len(cands)} candidates ({nsamples} sample states, {rounds} rounds)"
    return ProofAttempt("houdini", tuple(lemmas), Arith.BV, None, detail, time.monotonic() - start)


def _per_step(
    enc: Encoder,
    prop: Property,
    cands: list[Expr],
    active: set[int],
    lits: list[z3.BoolRef],
    plit: z3.BoolRef,
    pre: list[z3.BoolRef],
    neg_post: list[z3.BoolRef],
    bad_pre: z3.BoolRef,
    bad_post: z3.BoolRef,
    s: State,
    s2: State,
    deadline: float,
) -> int | str:
    """NOTE(per-step): Houdini one transition at a time, until no transition drops anything.

    A candidate whose variables a transition does not write is preserved by
    it, so each query only asks about the candidates the transition can
    change: many small queries instead of one over the whole relation.
    Shrinks `active` in place; returns the number of queries, or why it
    stopped ("timeout", or P not preserved).
    """
    model = enc.model
    solver = z3.SolverFor("QF_BV")
    solver.add(enc.domain(s))
    solver.add(z3.Implies(plit, z3.Not(bad_pre)))
    for i, lit in enumerate(lits):
        solver.add(z3.Implies(lit, pre[i]))
    touch = [vars_read(e) for e in cands]
    if prop.kind in (PropKind.INVARIANT, PropKind.REACHABLE) and prop.expr is not None:
        p_vars: frozenset[int] | None = vars_read(prop.expr)
    else:
        p_vars = None  # depends on every guard: always asked
    queries = 0
    changed = True
    while changed:
        changed = False
        for tr in model.transitions:
            written = enc.written(tr)
            while True:
                rel = sorted(i for i in active if touch[i] & written)
                with_p = p_vars is None or bool(p_vars & written)
                if not rel and not with_p:
                    break
                solver.push()
                solver.add(enc.domain(s2), enc.step(tr, s, s2))
                solver.add(fast_or([*([bad_post] if with_p else []), *(neg_post[i] for i in rel)]))
                r = check_assuming(solver, [plit, *(lits[i] for i in sorted(active))], deadline)
                queries += 1
                if r == z3.sat:
                    m = solver.model()
                    if with_p and z3.is_true(m.eval(bad_post, model_completion=True)):
                        solver.pop()
                        return f"not inductive: {tr.text} breaks it from a state satisfying {len(active)} candidates"
                    st = enc.state_values(m, s2)
                    active -= {i for i in rel if evaluate(cands[i], st) == 0}
                    changed = True
                solver.pop()
                if r == z3.unsat:
                    break
                if r == z3.unknown:
                    return "timeout"
    return queries


def check_assuming(solver: z3.Solver, assumptions: list[z3.BoolRef], deadline: float) -> z3.CheckSatResult:
    """`solver.check(*assumptions)` within the deadline (`unknown` when it has passed).

    z3's Solver.check casts every assumption in Python; thousands of them
    cost more than the solving, so this calls the C API directly.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        return z3.unknown
    solver.set("timeout", max(1, int(remaining * 1000)))
    args = (z3.Ast * len(assumptions))(*(a.as_ast() for a in assumptions))
    r = z3.Z3_solver_check_assumptions(solver.ctx.ref(), solver.solver, len(assumptions), args)
    return z3.CheckSatResult(r)


def core_closures(
    enc: Encoder,
    conjuncts: Callable[[State], list[z3.BoolRef]],
    n: int,
    starts: Sequence[int],
    deadline: float,
) -> list[list[int]] | None:
    """Per start, the other conjuncts an inductive conjunction needs: closures of unsat cores.

    `conjuncts(x)` gives the `n` conjuncts over a state; together they are
    inductive.  Starting from conjunct `start` (a property), each conjunct
    taken adds the unsat core of "all conjuncts and one step preserve it";
    the closure is still inductive and is what the reviewer reads (not a
    minimum: a conjunct implied by the others may stay).  Cores are computed
    once per conjunct and shared by every start.  Indices, ascending, the
    start left out; None on timeout.
    """
    s = enc.new_state("m")
    s2 = enc.new_state("m'")
    c = enc.new_choice("m")
    solver = z3.SolverFor("QF_BV")
    solver.set("core.minimize", True)
    lits = [z3.Bool(f"mc{i}") for i in range(n)]
    post = conjuncts(s2)
    solver.add(enc.domain(s), enc.domain(s2), enc.trans(s, c, s2))
    for lit, f in zip(lits, conjuncts(s), strict=True):
        solver.add(z3.Implies(lit, f))
    index_of = {lit.get_id(): i for i, lit in enumerate(lits)}
    cores: dict[int, list[int]] = {}
    out: list[list[int]] = []
    for start in starts:
        closure: set[int] = set()
        work = [start]
        while work:
            x = work.pop()
            if x in closure:
                continue
            closure.add(x)
            core = cores.get(x)
            if core is None:
                solver.push()
                solver.add(z3.Not(post[x]))
                r = check_assuming(solver, lits, deadline)
                found = solver.unsat_core() if r == z3.unsat else []
                solver.pop()
                if r != z3.unsat:
                    return None
                core = cores[x] = [j for j in (index_of.get(lit.get_id()) for lit in found) if j is not None]
            work.extend(core)
        out.append(sorted(closure - {start}))
    return out


def _formulas(enc: Encoder, exprs: Sequence[Expr], s: State) -> list[z3.BoolRef]:
    """`enc.cond` of each expression, sharing the formulas of repeated atoms."""
    cache: dict[Expr, z3.BoolRef] = {}

    def f(e: Expr) -> z3.BoolRef:
        got = cache.get(e)
        if got is None:
            match e:
                case Binary(op=BinOp.IMPLIES, lhs=a, rhs=b):
                    got = z3.Implies(f(a), f(b))
                case Binary(op=BinOp.AND, lhs=a, rhs=b):
                    got = z3.And(f(a), f(b))
                case _:
                    got = enc.cond(e, s)
            cache[e] = got
        return got

    return [f(e) for e in exprs]


def fast_or(fs: list[z3.BoolRef]) -> z3.BoolRef:
    """z3.Or without its per-argument Python checks (thousands of candidates)."""
    if not fs:
        return z3.BoolVal(False)
    ctx = fs[0].ctx
    args = (z3.Ast * len(fs))(*(f.as_ast() for f in fs))
    return z3.BoolRef(z3.Z3_mk_or(ctx.ref(), len(fs), args), ctx)


def builder(e: Expr) -> LemmaBuilder:
    def build(enc: Encoder, x: State) -> z3.BoolRef:
        return enc.cond(e, x)

    return build
