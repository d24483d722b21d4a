"""Strengthening by blocking counterexamples to induction, against the reachable states.

Stage: a proof method of `checker/symbolic`, tried after k-induction.  It
needs the explicit engine's reachable states R of the configuration (all of
them; with only a sample it still never gives a wrong answer, see below).

The invariant is P and a list of lemmas, each true in every state of R,
learned one counterexample to induction (CTI) at a time:

1. Per transition, ask z3 for a step from a state s satisfying P and every
   lemma to a state t violating P or a lemma (NOTE(per-step) in houdini.py:
   only the lemmas the transition can change are asked about).  Also ask
   for a state s that satisfies every lemma but not P.
2. Such an s is not in R: if it were, t would be reachable too, and every
   lemma holds in every reachable state.  So s is blocked by a new lemma:
   the negation of a cube around s that contains no state of R
   (NOTE(cube)), written as an implication in the spec's own names
   (`at(P[0], CS) -> id == 1`, `t[0] <= 3 || t[0] == 255`).
3. Repeat until a whole pass over the transitions finds nothing: P and the
   lemmas are then inductive.  The state space is finite and every lemma
   removes at least one state, so with the complete R this always ends.
4. The closure of unsat cores from P (houdini.py's `core_closures`) keeps
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
from dataclasses import dataclass

import z3

from checker.result import StopReason
from checker.symbolic.certify import Lemma
from checker.symbolic.encode import Arith, Encoder, State
from checker.symbolic.houdini import (
    builder,
    check_assuming,
    core_closures,
    fast_or,
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
    mk_and,
    mk_or,
    vars_read,
)

METHOD = "blocking"
MAX_LEMMAS = 5000
MAX_ENUMERATED = 4096  # domains up to this size are printed as sets of values


def _column_masks(col: Sequence[int]) -> dict[int, int]:
    """Per value of one variable, the bit mask of the sample positions holding it.

    Values in 0..255 go through `bytes.translate` (one C pass per value:
    the samples are tens of thousands of states of about a hundred
    variables), others bit by bit.
    """
    values = set(col)
    if all(0 <= x < 256 for x in values):
        raw = bytes(col)[::-1]  # position 0 becomes the lowest bit
        out: dict[int, int] = {}
        for x in values:
            table = bytes(49 if b == x else 48 for b in range(256))  # "1" where the value is x, else "0"
            out[x] = int(raw.translate(table), 2)
        return out
    masks: dict[int, int] = {}
    for i, x in enumerate(col):
        masks[x] = masks.get(x, 0) | (1 << i)
    return masks


class _Reached:
    """The sample R and, per variable and value, the bit mask of its states in R."""

    def __init__(self, model: Model, samples: Sequence[tuple[int, ...]]) -> None:
        unique = list(dict.fromkeys(samples))
        self.known: set[tuple[int, ...]] = set(unique)
        self.masks: list[dict[int, int]] = (
            [_column_masks(col) for col in zip(*unique, strict=True)]
            if unique
            else [{} for _ in model.variables]
        )
        self.n = len(unique)
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

    def cube(
        self, model: Model, s: tuple[int, ...], prefer: frozenset[int] = frozenset()
    ) -> list[tuple[int, frozenset[int]]]:
        """NOTE(cube): a set of states around `s` that contains no state of R.

        First the variables: greedy set cover adds the literal `x == s[x]`
        that leaves the fewest states of R matching, until none does, then
        drops any literal the others do without.  Ties go to program
        locations and lock owners (they read best as antecedents), then to
        the lower variable index, so the result is deterministic.  Then, in
        that order, each literal is widened from `x == s[x]` to "x is none of
        the values that R's states matching the other literals take" (unseen
        values included): one lemma blocks every state that agrees with `s`
        on the chosen variables up to those sets.  Returns, per chosen
        variable, the values it must avoid (the set E of `x outside E`).
        NOTE(prefer): while a variable of `prefer` (what the broken lemma and
        the step read) still narrows the match, it goes first: lemmas then
        speak of the variables the argument is about, and fewer are learned
        (anderson.2: 330 -> 184 lemmas, peterson.1: 292 -> 207).
        """
        match = self.full
        chosen: list[int] = []
        rank = [_rank(model, v) for v in range(len(s))]
        while match:
            best = -1
            now = match.bit_count()
            best_key: tuple[int, int, int, int] | None = None
            for v, x in enumerate(s):
                if v in chosen:
                    continue
                left = (match & self.masks[v].get(x, 0)).bit_count()
                key = (0 if v in prefer and left < now else 1, left, rank[v], v)
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
            meet = frozenset(x for x, m in self.masks[v].items() if m & others)
            mask = 0
            for x in meet:
                mask |= self.masks[v][x]
            sets[v] = self.full & ~mask
            out.append((v, meet))
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
    """`v` takes one of `values` (within its domain), exactly, in few readable atoms.

    Integers as runs of consecutive values (`x <= 3 || x == 255`), other
    kinds as the shorter of `x == a || ...` and `x != b && ...`.
    """
    dom = model.variables[v].domain
    vals = sorted(x for x in values if dom.lo <= x <= dom.hi)
    if not vals:
        return Const(0, is_bool=True)
    if len(vals) == dom.size:
        return Const(1, is_bool=True)
    x = VarRef(v)
    if dom.kind is DomainKind.INT:
        runs: list[Expr] = []
        i = 0
        while i < len(vals):
            j = i
            while j + 1 < len(vals) and vals[j + 1] == vals[j] + 1:
                j += 1
            lo, hi = vals[i], vals[j]
            if lo == hi:
                runs.append(Binary(BinOp.EQ, x, Const(lo)))
            elif lo == dom.lo:
                runs.append(Binary(BinOp.LE, x, Const(hi)))
            elif hi == dom.hi:
                runs.append(Binary(BinOp.GE, x, Const(lo)))
            else:
                runs.append(Binary(BinOp.AND, Binary(BinOp.GE, x, Const(lo)), Binary(BinOp.LE, x, Const(hi))))
            i = j + 1
        return mk_or(runs)
    holes = [c for c in range(dom.lo, dom.hi + 1) if c not in values]
    if len(holes) < len(vals):
        return mk_and([Binary(BinOp.NE, x, Const(c)) for c in holes])
    return mk_or([Binary(BinOp.EQ, x, Const(c)) for c in vals])


def outside(model: Model, v: int, values: frozenset[int]) -> Expr:
    """`v` takes none of `values`: the complement's runs, or a negation for huge domains."""
    dom = model.variables[v].domain
    if dom.size <= MAX_ENUMERATED:
        return member(model, v, frozenset(range(dom.lo, dom.hi + 1)) - values)
    return Unary(UnOp.NOT, member(model, v, values))


def cube_lemma(model: Model, cube: Sequence[tuple[int, frozenset[int]]]) -> Expr:
    """The cube `x1 outside E1 && ... && xk outside Ek` excluded: `... -> xk in Ek`."""
    last, last_meet = cube[-1]
    neg = member(model, last, last_meet)
    if len(cube) == 1:
        return neg
    ante = mk_and([outside(model, v, meet) for v, meet in cube[:-1]])
    return Binary(BinOp.IMPLIES, ante, neg)


def cube_lemma_holds(cube: Sequence[tuple[int, frozenset[int]]], x: Sequence[int]) -> bool:
    """`cube_lemma(model, cube)` in the state `x` (values within their domains), read off the cube."""
    return any(x[v] in meet for v, meet in cube)


class _OutOfTime(Exception):
    """z3 answered unknown (the deadline passed) inside the learning loop."""


@dataclass(slots=True)
class _Goal:
    """One property being proved, with its z3 formulas and whether it is still in."""

    prop: Property
    lemma: Lemma
    lit: z3.BoolRef
    bad_pre: z3.BoolRef
    bad_post: z3.BoolRef
    reads: frozenset[int] | None  # None: depends on every guard, always asked
    dropped: str = ""


def blocking(
    enc: Encoder,
    prop: Property,
    prop_lemma: Lemma,
    reachable: Sequence[tuple[int, ...]] | None,
    deadline: float,
) -> ProofAttempt:
    """The method of the module docstring for one property."""
    return blocking_joint(enc, [(prop, prop_lemma)], reachable, deadline)[prop.name]


def blocking_joint(
    enc: Encoder,
    goals_in: Sequence[tuple[Property, Lemma]],
    reachable: Sequence[tuple[int, ...]] | None,
    deadline: float,
) -> dict[str, ProofAttempt]:
    """NOTE(joint): the method for several properties of one configuration at once.

    Every lemma holds in R whatever the property, so the properties share
    one set of lemmas: each is assumed in the pre-state like a lemma, and
    the loop makes all of them and the lemmas inductive together.  A
    property found false in a reachable state is dropped (its own answer
    comes from BMC).  Each remaining property then gets its own invariant:
    the unsat-core closure from it over the lemmas and the other
    properties.  Per property: lemmas to re-check, or why it stopped.
    """
    start = time.monotonic()
    model = enc.model
    out: dict[str, ProofAttempt] = {}

    def stop_all(reason: StopReason, detail: str) -> dict[str, ProofAttempt]:
        for g in goals:
            if g.prop.name not in out:
                why = g.dropped or detail
                out[g.prop.name] = ProofAttempt(
                    METHOD, None, Arith.BV, reason, why, time.monotonic() - start, refuted=bool(g.dropped)
                )
        return out

    s = enc.new_state("b")
    s2 = enc.new_state("b'")
    goals: list[_Goal] = []
    for k, (prop, lemma) in enumerate(goals_in):
        reads = (
            vars_read(prop.expr)
            if prop.kind in (PropKind.INVARIANT, PropKind.REACHABLE) and prop.expr
            else None
        )
        goals.append(_Goal(prop, lemma, z3.Bool(f"bP{k}"), enc.bad(prop, s), enc.bad(prop, s2), reads))
    samples = sample_states(model, reachable, deadline)
    if not samples:
        return stop_all(StopReason.MAX_DEPTH, "no reachable states to learn from")
    reached = _Reached(model, samples)
    exprs: list[Expr] = []
    cubes: list[Sequence[tuple[int, frozenset[int]]]] = []  # per lemma: the cube it excludes
    post: list[z3.BoolRef] = []  # negated, over the post-state
    lits: list[z3.BoolRef] = []
    touch: list[frozenset[int]] = []
    active: set[int] = set()
    solver = z3.SolverFor("QF_BV")
    solver.add(enc.domain(s), enc.domain(s2))
    for g in goals:
        solver.add(z3.Implies(g.lit, z3.Not(g.bad_pre)))
    steps: dict[int, z3.BoolRef] = {}  # built once per transition: term building costs more than solving

    def live() -> list[_Goal]:
        return [g for g in goals if not g.dropped]

    def assumptions() -> list[z3.BoolRef]:
        return [*(g.lit for g in live()), *(lits[i] for i in sorted(active))]

    def block(st: tuple[int, ...], prefer: frozenset[int]) -> None:
        cube = reached.cube(model, st, prefer)
        e = cube_lemma(model, cube)
        i = len(exprs)
        exprs.append(e)
        cubes.append(cube)
        post.append(z3.Not(enc.cond(e, s2)))
        lits.append(z3.Bool(f"bl{i}"))
        touch.append(vars_read(e))
        solver.add(z3.Implies(lits[i], enc.cond(e, s)))
        active.add(i)

    every_var = frozenset(range(len(model.variables)))
    queries = ctis = 0

    def ask(formulas: list[z3.BoolRef], assume: list[z3.BoolRef]) -> z3.ModelRef | None:
        """A model of the formulas under the assumptions, or None when unsat."""
        nonlocal queries
        solver.push()
        solver.add(*formulas)
        r = check_assuming(solver, assume, deadline)
        queries += 1
        m = solver.model() if r == z3.sat else None
        solver.pop()
        if r == z3.unknown:
            raise _OutOfTime
        return m

    # NOTE(checked-steps): per transition, (drops, lemma count) when its step was last
    # found to keep every active lemma and property.  Lemmas only added since leave that
    # check valid (they strengthen the pre-state), so the next pass asks the step to keep
    # only the new ones; a dropped lemma or property (weaker pre-state) voids every check.
    checked: dict[int, tuple[int, int]] = {}
    drops = 0

    def learn() -> str | None:
        """The loop of the module docstring; why it gave up, or None when inductive."""
        nonlocal ctis, drops
        changed = True
        while changed and live():
            changed = False
            # a state satisfying the lemmas (and the other properties) but not this one
            for g in live():
                while not g.dropped:
                    m = ask([g.bad_pre], [x for x in assumptions() if x is not g.lit])
                    if m is None:
                        break
                    changed = True
                    st = enc.state_values(m, s)
                    if st in reached.known:
                        g.dropped = "the property fails in a reachable state"
                        drops += 1
                        break
                    block(st, g.reads or frozenset())
                    ctis += 1
            for tr in model.transitions:
                written = enc.written(tr)
                while live():
                    # NOTE(checked-steps): after a drop everything, else only the lemmas learned since
                    since = checked.get(tr.index)
                    fresh = since[1] if since is not None and since[0] == drops else 0
                    rel = sorted(i for i in active if i >= fresh and touch[i] & written)
                    asked = [g for g in live() if g.reads is None or g.reads & written] if not fresh else []
                    if not rel and not asked:
                        checked[tr.index] = (drops, len(exprs))
                        break
                    step = steps.get(tr.index)
                    if step is None:
                        step = steps[tr.index] = enc.step(tr, s, s2)
                    m = ask(
                        [step, fast_or([*(g.bad_post for g in asked), *(post[i] for i in rel)])],
                        assumptions(),
                    )
                    if m is None:
                        checked[tr.index] = (drops, len(exprs))
                        break
                    changed = True
                    st = enc.state_values(m, s)
                    nxt = enc.state_values(m, s2)
                    failing = [g for g in asked if z3.is_true(m.eval(g.bad_post, model_completion=True))]
                    if st in reached.known:
                        # NOTE(sample): nxt is reachable; what fails there is not an invariant
                        for g in failing:
                            g.dropped = f"the property fails after {tr.text} from a reachable state"
                        reached.add(nxt)
                        active.difference_update(i for i in rel if not cube_lemma_holds(cubes[i], nxt))
                        drops += 1
                        continue
                    broken = [touch[i] for i in rel if not cube_lemma_holds(cubes[i], nxt)]
                    broken += [g.reads if g.reads is not None else every_var for g in failing]
                    block(st, frozenset().union(*broken, enc.read_by(tr)))
                    ctis += 1
                    if len(exprs) > MAX_LEMMAS:
                        return f"more than {MAX_LEMMAS} lemmas"
        return None

    try:
        gave_up = learn()
    except _OutOfTime:
        return stop_all(StopReason.TIMEOUT, f"timeout after {queries} queries, {ctis} lemmas learned")
    if gave_up is not None:
        return stop_all(StopReason.MAX_DEPTH, gave_up)
    learned = time.monotonic() - start
    kept = sorted(active)
    done = live()

    def conjuncts(x: State) -> list[z3.BoolRef]:
        return [*(enc.cond(exprs[i], x) for i in kept), *(z3.Not(enc.bad(g.prop, x)) for g in done)]

    n = len(kept) + len(done)
    closures = core_closures(enc, conjuncts, n, [len(kept) + k for k in range(len(done))], deadline)
    for k, g in enumerate(done):
        # NOTE(minimise): the closure only shortens what the reviewer reads; without it
        # (out of time) every conjunct goes to the re-check.
        needed = closures[k] if closures is not None else [j for j in range(n) if j != len(kept) + k]
        lemmas = [g.lemma]
        for j in needed:
            if j < len(kept):
                e = exprs[kept[j]]
                lemmas.append(Lemma(show_expr(model, e), builder(e), e))
            else:
                lemmas.append(done[j - len(kept)].lemma)
        shrunk = "" if closures is not None else ", not minimised: out of time"
        joint = f", learned with {len(goals) - 1} other properties" if len(goals) > 1 else ""
        detail = (
            f"{len(needed)} of {n - 1} conjuncts ({ctis} lemmas learned from counterexamples to induction "
            f"in {learned:.1f}s{joint}, {reached.n} reachable states, {queries} queries{shrunk})"
        )
        out[g.prop.name] = ProofAttempt(
            METHOD, tuple(lemmas), Arith.BV, None, detail, time.monotonic() - start
        )
    return stop_all(StopReason.MAX_DEPTH, "")
