"""Strengthening by blocking counterexamples to induction, against the reachable states.

Stage: a proof method of `checker/symbolic`, tried after k-induction.  It
needs the explicit engine's reachable states R of the configuration (all of
them; with only a sample it still never gives a wrong answer, see below).

The invariant is P and a list of lemmas, each true in every state of R:

1. Seed: per variable, the values it takes in R (NOTE(canonical-facts) in
   houdini.py), so that no lemma below has to exclude values one by one.
2. Per transition, ask z3 for a counterexample to induction: a state s
   satisfying P and every lemma, and a step of that transition to a state
   t violating P or a lemma (NOTE(per-step): only the lemmas the
   transition can change are asked about).  Also ask for a state s that
   satisfies every lemma but not P.
3. Such an s is not in R: if it were, t would be reachable too, and every
   lemma holds in every reachable state.  So s is blocked by a new lemma
   `!(x1 == a1 && ... && xk == ak)`: a sub-cube of s that contains no
   state of R (NOTE(cube)).  It excludes s, holds in R, and reads in the
   spec's own names (`at(Mig[0], copy) && held_by(ring_lock, Mig[0]) ->
   !aio_writer_done`).
4. Repeat until a whole pass over the transitions finds nothing: P and
   the lemmas are then inductive.  The set is finite and every lemma
   removes at least one state, so with the complete R this always ends.
5. The closure of unsat cores from P (houdini.py's `core_closure`) keeps
   the lemmas the proof uses.  certify.py re-checks the result.

NOTE(sample): if R is only a sample and s is in it, then t is reachable:
t joins the sample, and the lemmas false in t are dropped (or, if P fails
in t, the method stops; BMC will find that trace).  A lemma that is false
in some unsampled reachable state only makes the method fail to converge;
the re-check never accepts a wrong invariant.

This is IC3/PDR's lemma shape with a different generaliser: IC3 drops
literals while the cube stays unreachable relative to a frame; here the
explicit engine has already computed the reachable states, so a literal is
dropped while the cube stays disjoint from them (an ICE-style learner whose
examples are the reachable states).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import z3

from checker.result import StopReason
from checker.symbolic.certify import Lemma
from checker.symbolic.concrete import evaluate
from checker.symbolic.encode import Arith, Encoder
from checker.symbolic.houdini import (
    builder,
    check_assuming,
    core_closure,
    facts,
    fast_or,
    is_trivial,
    sample_states,
)
from checker.symbolic.induction import ProofAttempt
from checker.symbolic.show import show_expr
from model.ir import (
    Binary,
    BinOp,
    Const,
    DomainKind,
    Expr,
    Model,
    Property,
    PropKind,
    Unary,
    UnOp,
    VarKind,
    VarRef,
    vars_read,
)

METHOD = "blocking"
MAX_LEMMAS = 5000
WIDEN_DOMAIN = 64  # widen literals over domains up to this size to any value


class _Reached:
    """The sample R and, per variable and value, the bit mask of its states in R."""

    def __init__(self, model: Model, samples: Sequence[tuple[int, ...]]) -> None:
        self.n = 0
        self.known: set[tuple[int, ...]] = set()
        self.masks: list[dict[int, int]] = [{} for _ in model.variables]
        columns: list[dict[int, bytearray]] = [{} for _ in model.variables]
        size = len(samples) // 8 + 1
        for i, s in enumerate(samples):
            if s in self.known:
                continue
            self.known.add(s)
            byte, bit = divmod(i, 8)
            for v, x in enumerate(s):
                col = columns[v].get(x)
                if col is None:
                    col = columns[v][x] = bytearray(size)
                col[byte] |= 1 << bit
        for v, col_of in enumerate(columns):
            self.masks[v] = {x: int.from_bytes(b, "little") for x, b in col_of.items()}
        self.n = len(samples)
        self.full = (1 << self.n) - 1

    def add(self, s: tuple[int, ...]) -> None:
        if s in self.known:
            return
        self.known.add(s)
        bit = 1 << self.n
        for v, x in enumerate(s):
            self.masks[v][x] = self.masks[v].get(x, 0) | bit
        self.n += 1
        self.full = (1 << self.n) - 1

    def cube(self, model: Model, s: tuple[int, ...]) -> list[tuple[int, frozenset[int]]]:
        """NOTE(cube): a set of states around `s` that contains no state of R.

        First the literals: greedy set cover adds the literal `x == s[x]` that
        leaves the fewest states of R matching, until none does, then drops
        any literal the others do without.  Ties go to program locations and
        lock owners (they read best as antecedents), then to the lower
        variable index, so the result is deterministic.  Then each literal
        is widened from `x == s[x]` to `x` in every value that keeps the cube
        disjoint from R, in the same order: one lemma then blocks every state
        that agrees with `s` on the chosen variables up to those sets.
        """
        match = self.full
        chosen: list[int] = []
        rank = [_rank(model, v) for v in range(len(s))]
        while match:
            best = -1
            best_key: tuple[int, int, int] | None = None
            for v, x in enumerate(s):
                if v in chosen:
                    continue
                left = (match & self.masks[v].get(x, 0)).bit_count()
                key = (left, rank[v], v)
                if best_key is None or key < best_key:
                    best, best_key = v, key
            assert best >= 0, "a state of R cannot be blocked"
            chosen.append(best)
            match &= self.masks[best].get(s[best], 0)
        for v in list(chosen):
            rest = [w for w in chosen if w != v]
            m = self.full
            for w in rest:
                m &= self.masks[w].get(s[w], 0)
            if not m:
                chosen = rest
        chosen.sort(key=lambda v: (rank[v], v))
        sets = {v: self.masks[v].get(s[v], 0) for v in chosen}
        out: list[tuple[int, frozenset[int]]] = []
        for v in chosen:
            others = self.full
            for w in chosen:
                if w != v:
                    others &= sets[w]
            dom = model.variables[v].domain
            values = range(dom.lo, dom.hi + 1) if dom.size <= WIDEN_DOMAIN else sorted({s[v], *self.masks[v]})
            allowed = frozenset(x for x in values if not self.masks[v].get(x, 0) & others)
            mask = 0
            for x in allowed:
                mask |= self.masks[v].get(x, 0)
            sets[v] = mask
            out.append((v, allowed))
        return out


def _rank(model: Model, v: int) -> int:
    var = model.variables[v]
    if var.kind is VarKind.PC:
        return 0
    if var.domain.kind is DomainKind.PROC:
        return 1
    if var.domain.kind is DomainKind.BOOL:
        return 2
    return 3


def member(model: Model, v: int, values: frozenset[int]) -> Expr:
    """`v` takes one of `values`, exactly, in few readable atoms."""
    dom = model.variables[v].domain
    vals = sorted(values)
    if len(vals) == 1:
        return Binary(BinOp.EQ, VarRef(v), Const(vals[0]))
    if dom.size <= WIDEN_DOMAIN:
        holes = [c for c in range(dom.lo, dom.hi + 1) if c not in values]
        if len(holes) == 1:
            return Binary(BinOp.NE, VarRef(v), Const(holes[0]))
        if dom.kind is DomainKind.INT and vals == list(range(vals[0], vals[-1] + 1)):
            lo: Expr = Binary(BinOp.GE, VarRef(v), Const(vals[0]))
            hi: Expr = Binary(BinOp.LE, VarRef(v), Const(vals[-1]))
            if vals[0] == dom.lo:
                return hi
            if vals[-1] == dom.hi:
                return lo
            return Binary(BinOp.AND, lo, hi)
        if len(holes) < len(vals):
            return _chain(BinOp.AND, [Binary(BinOp.NE, VarRef(v), Const(c)) for c in holes])
    return _chain(BinOp.OR, [Binary(BinOp.EQ, VarRef(v), Const(c)) for c in vals])


def _chain(op: BinOp, parts: list[Expr]) -> Expr:
    out = parts[0]
    for p in parts[1:]:
        out = Binary(op, out, p)
    return out


def cube_lemma(model: Model, cube: Sequence[tuple[int, frozenset[int]]]) -> Expr:
    """`!(x1 in A1 && ... && xk in Ak)`, written `x1 in A1 && ... -> !(xk in Ak)`."""
    last, last_values = cube[-1]
    dom = model.variables[last].domain
    if dom.size <= WIDEN_DOMAIN:
        rest = frozenset(range(dom.lo, dom.hi + 1)) - last_values
        neg = member(model, last, rest) if rest else Const(0, is_bool=True)
    else:
        neg = Unary(UnOp.NOT, member(model, last, last_values))
    if len(cube) == 1:
        return neg
    ante = _chain(BinOp.AND, [member(model, v, vals) for v, vals in cube[:-1]])
    return Binary(BinOp.IMPLIES, ante, neg)


def blocking(
    enc: Encoder,
    prop: Property,
    prop_lemma: Lemma,
    reachable: Sequence[tuple[int, ...]] | None,
    deadline: float,
) -> ProofAttempt:
    """The method of the module docstring; lemmas to re-check, or why it stopped."""
    start = time.monotonic()
    model = enc.model

    def stop(reason: StopReason, detail: str) -> ProofAttempt:
        return ProofAttempt(METHOD, None, Arith.BV, reason, detail, time.monotonic() - start)

    samples = sample_states(model, reachable, deadline)
    if not samples:
        return stop(StopReason.MAX_DEPTH, "no reachable states to learn from")
    reached = _Reached(model, samples)
    exprs: list[Expr] = []
    for v in range(len(model.variables)):
        if model.variables[v].domain.size > WIDEN_DOMAIN:
            vals = set(reached.masks[v])
            exprs.extend(e for e in facts(model, v, vals) if not is_trivial(model, e))
    s = enc.new_state("b")
    s2 = enc.new_state("b'")
    pre: list[z3.BoolRef] = []
    post: list[z3.BoolRef] = []
    lits: list[z3.BoolRef] = []
    touch: list[frozenset[int]] = []
    active: set[int] = set()
    plit = z3.Bool("bP")
    solver = z3.SolverFor("QF_BV")
    solver.add(enc.domain(s), z3.Implies(plit, z3.Not(enc.bad(prop, s))))

    def add(e: Expr) -> None:
        i = len(pre)
        pre.append(enc.cond(e, s))
        post.append(enc.cond(e, s2))
        lits.append(z3.Bool(f"bl{i}"))
        touch.append(vars_read(e))
        solver.add(z3.Implies(lits[i], pre[i]))
        active.add(i)

    for e in exprs:
        add(e)
    exprs_all = list(exprs)

    def assumptions() -> list[z3.BoolRef]:
        return [plit, *(lits[i] for i in sorted(active))]

    def block(st: tuple[int, ...]) -> None:
        e = cube_lemma(model, reached.cube(model, st))
        exprs_all.append(e)
        add(e)

    if prop.kind in (PropKind.INVARIANT, PropKind.REACHABLE) and prop.expr is not None:
        p_vars: frozenset[int] | None = vars_read(prop.expr)
    else:
        p_vars = None  # depends on every guard: always asked
    bad_pre = enc.bad(prop, s)
    bad_post = enc.bad(prop, s2)
    queries = ctis = 0
    changed = True
    while changed:
        changed = False
        # a state satisfying the lemmas but not P
        while True:
            solver.push()
            solver.add(bad_pre)
            r = check_assuming(solver, [lits[i] for i in sorted(active)], deadline)
            queries += 1
            if r == z3.sat:
                st = enc.state_values(solver.model(), s)
            solver.pop()
            if r == z3.unknown:
                return stop(StopReason.TIMEOUT, f"timeout after {queries} queries, {ctis} lemmas learned")
            if r == z3.unsat:
                break
            if st in reached.known:
                return stop(StopReason.MAX_DEPTH, "P fails in a reachable state")
            block(st)
            ctis += 1
            changed = True
        for tr in model.transitions:
            written = enc.written(tr)
            while True:
                rel = sorted(i for i in active if touch[i] & written)
                with_p = p_vars is None or bool(p_vars & written)
                if not rel and not with_p:
                    break
                solver.push()
                solver.add(enc.domain(s2), enc.step(tr, s, s2))
                solver.add(fast_or([*([bad_post] if with_p else []), *(z3.Not(post[i]) for i in rel)]))
                r = check_assuming(solver, assumptions(), deadline)
                queries += 1
                if r == z3.sat:
                    m = solver.model()
                    st = enc.state_values(m, s)
                    nxt = enc.state_values(m, s2)
                    p_fails = with_p and z3.is_true(m.eval(bad_post, model_completion=True))
                solver.pop()
                if r == z3.unknown:
                    return stop(StopReason.TIMEOUT, f"timeout after {queries} queries, {ctis} lemmas learned")
                if r == z3.unsat:
                    break
                changed = True
                if st in reached.known:
                    # NOTE(sample): nxt is reachable; the lemmas false there were wrong
                    if p_fails:
                        return stop(StopReason.MAX_DEPTH, f"P fails after {tr.text} from a reachable state")
                    reached.add(nxt)
                    active -= {i for i in rel if evaluate(exprs_all[i], nxt) == 0}
                    continue
                block(st)
                ctis += 1
                if len(pre) > MAX_LEMMAS:
                    return stop(StopReason.MAX_DEPTH, f"more than {MAX_LEMMAS} lemmas")
    kept = sorted(active)
    needed = core_closure(enc, prop, [exprs_all[i] for i in kept], deadline)
    if needed is None:
        return stop(StopReason.TIMEOUT, "timeout while minimising")
    lemmas = [prop_lemma]
    for j in needed:
        e = exprs_all[kept[j]]
        lemmas.append(Lemma(show_expr(model, e), builder(e)))
    detail = (
        f"{len(needed)} of {len(kept)} lemmas ({ctis} learned from counterexamples to induction, "
        f"{reached.n} reachable states, {queries} queries)"
    )
    return ProofAttempt(METHOD, tuple(lemmas), Arith.BV, None, detail, time.monotonic() - start)
