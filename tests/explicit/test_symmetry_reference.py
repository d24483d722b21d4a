"""Random symmetric models: the reduced search against the unreduced reference.

A family P[0..N-1] replicated over the symmetric type `T` (N = 2 or 3), and
sometimes a plain process Q, share: an array `a` indexed by T, a 2-D array
`seen[T][T]`, a global `own` holding a T value, a lock owner `lk` (a PROC
value naming P[i] or Q) and plain globals.  Each P[i] has locals `k` and
`m` (a T value, or N for none).  Every transition of the family is built
from one template, drawn once and instantiated per instance with `self`
replaced by its value, using only what the front end allows on symmetric
values (==, indexing arrays over T, assignment, quantifiers), so the model
is symmetric by construction.  Properties need not be symmetric (the
engine tests them on the whole orbit).

The reference is test_random.py's tree-interpreter BFS, unreduced, and an
orbit map written here from the model's construction (not from
symmetry.py): the reduced run must store exactly one state per orbit of
the reachable states, count each orbit's steps once, reach the same depth,
and give the same verdicts with traces of the reference's shortest
lengths, each a real path ending in a state that shows the property.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from checker.explicit import ExplicitOptions, check, codegen, reachable_states, replay
from checker.explicit.search import compile_model
from checker.explicit.symmetry import permutations, signatures
from checker.result import Verdict
from model.frontend import configurations, load_spec, load_spec_text
from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Check,
    CheckKind,
    Const,
    DomainKind,
    Expr,
    Ite,
    Model,
    PropKind,
    Select,
    SymmetricType,
    Unary,
    UnOp,
    VarRef,
)

from .irbuild import Builder, and_, chk, or_
from .test_liveness_reference import steps
from .test_random import TooManyStates, ev, reference

State = tuple[int, ...]


@dataclass
class Shape:
    """Where each part of the symmetric structure lives, for the orbit map."""

    n: int
    pcs: list[int]
    ks: list[int]
    ms: list[int]
    a: tuple[int, ...]
    seen: list[list[int]]
    own: int
    lk: int

    def permute(self, s: State, pi: tuple[int, ...]) -> State:
        """The state with instance i renamed pi[i] (values, indices and owners)."""
        t = list(s)
        n = self.n
        for i in range(n):
            t[self.pcs[pi[i]]] = s[self.pcs[i]]
            t[self.ks[pi[i]]] = s[self.ks[i]]
            m = s[self.ms[i]]
            t[self.ms[pi[i]]] = pi[m] if m < n else m
            t[self.a[pi[i]]] = s[self.a[i]]
            for j in range(n):
                t[self.seen[pi[i]][pi[j]]] = s[self.seen[i][j]]
        t[self.own] = pi[s[self.own]]
        holder = s[self.lk]
        t[self.lk] = pi[holder - 1] + 1 if 1 <= holder <= n else holder
        return tuple(t)

    def canonical(self, s: State) -> State:
        return min(self.permute(s, pi) for pi in itertools.permutations(range(self.n)))


def sym_model(seed: int) -> tuple[Model, Shape]:
    rnd = random.Random(seed)
    n = rnd.choice([2, 2, 3])
    with_q = rnd.random() < 0.5
    b = Builder()
    g = b.var("g", 0, 2)
    flag = b.var("flag", 0, 1, kind=DomainKind.BOOL)
    a = b.array("a", n, 0, 2, index_type="T")
    seen = [
        [
            b.var(
                f"seen[{i}][{j}]",
                0,
                1,
                kind=DomainKind.BOOL,
                base="seen",
                indices=(i, j),
                index_types=("T", "T"),
            )
            for j in range(n)
        ]
        for i in range(n)
    ]
    own = b.var("own", 0, n - 1, tuple(range(n)), value_type="T")
    lk = b.var("lk", 0, n + int(with_q), kind=DomainKind.PROC)
    labels = ["l0", "l1", "l2"]
    end = ("l0",) if rnd.random() < 0.5 else ()
    procs = [b.proc(f"P[{i}]", labels, end=end, family="P", self_value=i, self_type="T") for i in range(n)]
    q = b.proc("Q", ["q0", "q1"], end=("q0",)) if with_q else None
    ks = [b.local(p, "k", 0, 2) for p in procs]
    ms = [b.var(f"P[{i}].m", 0, n, (n,), base="P.m", owner=p, value_type="T") for i, p in enumerate(procs)]
    shape = Shape(n, [b.processes[p].pc_var for p in procs], ks, ms, a, seen, own, lk)
    flat_seen = tuple(v for row in seen for v in row)

    def int_atom(r: random.Random, i: int) -> Expr:
        k = r.randrange(6)
        if k == 0:
            return Const(r.randint(0, 2))
        if k == 1:
            return VarRef(g)
        if k == 2:
            return VarRef(ks[i])
        if k == 3:
            return VarRef(a[i])
        if k == 4:
            return Select(a, VarRef(ms[i]))  # none (m == n) reads 0
        return Select(a, VarRef(own))

    def bool_atom(r: random.Random, i: int) -> Expr:
        k = r.randrange(9)
        if k == 0:
            return VarRef(flag)
        if k == 1:
            return Binary(BinOp.EQ, VarRef(ms[i]), VarRef(own))
        if k == 2:
            return Binary(BinOp.EQ, VarRef(own), Const(i))  # own == self
        if k == 3:
            return Binary(BinOp.EQ, VarRef(lk), Const(i + 1))  # held_by(lk, self)
        if k == 4:
            return Binary(BinOp.EQ, VarRef(lk), Const(0))
        if k == 5:
            # m < n && seen[self][m]: a none m would read the next row
            row = Select(flat_seen, Binary(BinOp.ADD, Const(i * n), VarRef(ms[i])))
            return and_(Binary(BinOp.LT, VarRef(ms[i]), Const(n)), row)
        if k == 6:  # exists j in T: P[j].k == c
            c = Const(r.randint(0, 2))
            out: Expr = Binary(BinOp.EQ, VarRef(ks[0]), c)
            for j in range(1, n):
                out = or_(out, Binary(BinOp.EQ, VarRef(ks[j]), c))
            return out
        if k == 7:  # forall j in T: a[j] <= c
            c = Const(r.randint(0, 2))
            out = Binary(BinOp.LE, VarRef(a[0]), c)
            for j in range(1, n):
                out = and_(out, Binary(BinOp.LE, VarRef(a[j]), c))
            return out
        return Binary(r.choice([BinOp.EQ, BinOp.LT, BinOp.GE]), int_atom(r, i), int_atom(r, i))

    def bool_expr(r: random.Random, i: int, depth: int) -> Expr:
        k = r.randrange(4 if depth > 0 else 1)
        if k == 0:
            return bool_atom(r, i)
        if k == 1:
            return Unary(UnOp.NOT, bool_expr(r, i, depth - 1))
        op = BinOp.AND if k == 2 else BinOp.OR
        return Binary(op, bool_expr(r, i, depth - 1), bool_expr(r, i, depth - 1))

    def int_expr(r: random.Random, i: int) -> Expr:
        k = r.randrange(4)
        if k == 0:
            return int_atom(r, i)
        if k == 1:
            return Ite(bool_expr(r, i, 1), Const(r.randint(0, 2)), Const(r.randint(0, 2)))
        return Binary(r.choice([BinOp.ADD, BinOp.SUB]), int_atom(r, i), Const(1))

    def in_range(val: Expr, lo: int, hi: int) -> Check:
        return chk(
            and_(Binary(BinOp.GE, val, Const(lo)), Binary(BinOp.LE, val, Const(hi))), kind=CheckKind.RANGE
        )

    def template(r: random.Random, i: int) -> tuple[Expr, tuple[Assign | AssignElem, ...], tuple[Check, ...]]:
        """One transition of instance i; the same `r` state gives the same shape for every i."""
        writes: list[Assign | AssignElem] = []
        checks: list[Check] = []
        guard: Expr = Const(1, True)
        if r.random() < 0.4:
            guard = bool_expr(r, i, 1)
        if r.random() < 0.15:
            checks.append(chk(bool_expr(r, i, 1), prop="asserts", kind=CheckKind.ASSERT))
        for _ in range(r.randint(1, 2)):
            k = r.randrange(9)
            if k == 0:
                val = int_expr(r, i)
                writes.append(Assign(ks[i], val))
                checks.append(in_range(val, 0, 2))
            elif k == 1:
                val = int_expr(r, i)
                writes.append(Assign(g, val))
                checks.append(in_range(val, 0, 2))
            elif k == 2:
                val = int_expr(r, i)
                writes.append(Assign(a[i], val))
                checks.append(in_range(val, 0, 2))
            elif k == 3:  # a[m] = c: fails its index check while m is none
                writes.append(AssignElem(a, VarRef(ms[i]), Const(r.randint(0, 2))))
                ix = VarRef(ms[i])
                checks.append(chk(Binary(BinOp.LT, ix, Const(n)), kind=CheckKind.INDEX))
            elif k == 4:
                writes.append(Assign(ms[i], VarRef(own)) if r.random() < 0.5 else Assign(ms[i], Const(n)))
            elif k == 5:
                writes.append(Assign(own, Const(i)))
            elif k == 6:  # lock(lk): blocks while held
                guard = and_(guard, Binary(BinOp.EQ, VarRef(lk), Const(0)))
                writes.append(Assign(lk, Const(i + 1)))
            elif k == 7:  # unlock(lk): checked
                checks.append(chk(Binary(BinOp.EQ, VarRef(lk), Const(i + 1)), kind=CheckKind.LOCK_NOT_HELD))
                writes.append(Assign(lk, Const(0)))
            else:  # seen[self][m] = !seen[self][m]
                sx = Binary(BinOp.ADD, Const(i * n), VarRef(ms[i]))
                checks.append(chk(Binary(BinOp.LT, VarRef(ms[i]), Const(n)), kind=CheckKind.INDEX))
                writes.append(AssignElem(flat_seen, sx, Unary(UnOp.NOT, Select(flat_seen, sx))))
            if r.random() < 0.2:
                writes.append(Assign(flag, bool_expr(r, i, 1)))
        return guard, tuple(writes), tuple(checks)

    for t in range(rnd.randint(3, 6)):
        tseed = rnd.random()
        frm = labels[t % 3]
        to = labels[(t + 1) % 3] if rnd.random() < 0.6 else rnd.choice(labels)
        for i, p in enumerate(procs):
            guard, writes, checks = template(random.Random(tseed), i)
            b.trans(p, frm, to, guard, writes, checks)
    if q is not None:
        holder = Const(n + 1)
        b.trans(q, "q0", "q1", Binary(BinOp.EQ, VarRef(lk), Const(0)), (Assign(lk, holder),))
        sym_guard: Expr = Binary(BinOp.LT, VarRef(g), Const(2))
        if rnd.random() < 0.5:  # forall j in T: a[j] <= 1
            for j in range(n):
                sym_guard = and_(sym_guard, Binary(BinOp.LE, VarRef(a[j]), Const(1)))
        b.trans(q, "q1", "q0", sym_guard, (Assign(lk, Const(0)), Assign(g, Const(rnd.randint(0, 2)))))

    # properties: random, symmetric or not (P[0]'s own view), so orbit tests matter
    def prop_expr() -> Expr:
        r = random.Random(rnd.random())
        i = rnd.randrange(n)
        e = bool_expr(r, i, 1)
        if rnd.random() < 0.5:
            e = and_(e, b.at(procs[i], rnd.choice(labels)))
        return e

    b.prop("inv", PropKind.INVARIANT, Unary(UnOp.NOT, prop_expr()))
    b.prop("target", PropKind.REACHABLE, prop_expr())
    b.prop("runtime", PropKind.ASSERTION)
    b.prop("asserts", PropKind.ASSERTION)
    b.prop("deadlock", PropKind.DEADLOCK)
    b.symmetric.append(SymmetricType("T", 0, n - 1, ("P",)))
    return b.build(), shape


@contextlib.contextmanager
def signature_form(on: bool) -> Iterator[None]:
    """Canonical forms by signatures (NOTE(signature-canon)) for every permutation count, or never."""
    with mock.patch.object(codegen, "SIGNATURE_MIN_PERMS", 1 if on else 10**9):
        yield


def orbit_figures(m: Model, shape: Shape, states: set[State]) -> tuple[int, int]:
    """(orbits, steps from one member of each orbit) over the reachable states."""
    reps: dict[State, State] = {}
    for s in states:
        assert shape.permute(s, tuple(range(shape.n))) == s
        reps.setdefault(shape.canonical(s), s)
    for s in states:  # the model is symmetric: every image of a reachable state is reachable
        for pi in itertools.permutations(range(shape.n)):
            assert shape.permute(s, pi) in states
    return len(reps), sum(len(steps(m, s)[0]) for s in reps.values())


def shows(m: Model, name: str) -> Callable[[State], bool]:
    prop = next(p for p in m.properties if p.name == name)
    assert prop.expr is not None
    expr = prop.expr
    if prop.kind is PropKind.INVARIANT:
        return lambda s: not ev(expr, s)
    return lambda s: bool(ev(expr, s))


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_symmetry_agrees_with_unreduced_reference(seed: int) -> None:
    m, shape = sym_model(seed)
    try:
        # about one seed in forty makes a model of more than 20,000 states, which the reference
        # lists slowly (one kept a slow half running for minutes); most have a few hundred, the
        # largest below that about 3,000
        ref = reference(m, limit=5_000)
    except TooManyStates:
        reject()
    states = ref["states"]
    assert isinstance(states, set)
    orbits, orbit_steps = orbit_figures(m, shape, states)
    hits = ref["hits"]
    assert isinstance(hits, dict)
    assert signatures(m) is not None  # so the canonical form by signatures is tested too
    for form in ("all", "signatures", "none"):
        sym = form != "none"
        with signature_form(form == "signatures"):
            results = {r.property: r for r in check(m, ExplicitOptions(symmetry=sym))}
        for name, r in results.items():
            assert "not applied" not in r.detail, r.detail
            if sym:
                assert (r.stats.states, r.stats.transitions) == (orbits, orbit_steps), name
            else:
                assert (r.stats.states, r.stats.transitions) == (len(states), ref["transitions"]), name
            assert r.stats.depth == ref["levels"], name
            if name in hits:
                assert r.verdict in (Verdict.VIOLATED, Verdict.REACHED), (name, sym)
                assert r.trace is not None and r.trace.length == hits[name], (name, sym)
                assert replay(m, r.trace) is None, (name, sym, replay(m, r.trace))
                if name in ("inv", "target"):
                    assert shows(m, name)(tuple(r.trace.states[-1])), (name, sym)
            else:
                want = Verdict.NOT_REACHED if name == "target" else Verdict.HOLDS
                assert r.verdict is want, (name, sym)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_symmetry_agrees_with_unreduced_reference_many(seed: int) -> None:
    test_symmetry_agrees_with_unreduced_reference.hypothesis.inner_test(seed)  # type: ignore[attr-defined]


# ---------------------------------------------------------------- through the front end

# What the generator above does not build: rwlock reader bits per instance,
# an rwsem, refcounts (count and frozen bit) over T, procedure locals per
# instance, `x = any` over T, held_by/at naming W[k] in code, lock owners.
RICH = """
symmetric type Pid = 0..1;
lock big: mutex;
lock zs: [Pid] rwlock;
lock sem: rwsem;
refcount ref: [Pid] 0..3 = 1;
var target: [Pid] 0..1;
var last: Pid = any;
var hits: bool;

proc bump(p: Pid) -> bool {
  var seen: bool;
  if get_unless_zero(ref[p]) {
    seen = true;
    put(ref[p]);
  }
  return seen;
}

weak fair process W[i: Pid] {
  var peer: Pid = any;
  var got: bool;
  end idle;
  idle: peer = any;
  read_lock(zs[peer]);
  got = bump(peer);
  if exists k in Pid: k != self && at(W[k], idle) {
    target[self] = (target[self] + 1) % 2;
  }
  read_unlock(zs[peer]);
  write_lock(zs[self]);
  if freeze(ref[self], 1) {
    last = self;
    unfreeze(ref[self], 1);
  }
  write_unlock(zs[self]);
  if trylock(big) {
    atomic { await held_by(big, W[peer]) || held_by(big, self); hits = !hits; }
    unlock(big);
  }
  read_lock(sem);
  read_unlock(sem);
  goto idle;
}

invariant ref_bound: forall a in Pid: ref[a] <= 2;
invariant not_both_read: !(exists a in Pid: exists b in Pid: a != b && held_by(zs[a], W[a]) && held_by(zs[a], W[b]));
reachable all_two: forall a in Pid: target[a] == 1;
reachable frozen_one: exists a in Pid: frozen(ref[a]) && last == a;
deadlock on;
"""

ROOT = Path(__file__).resolve().parents[2]


def _mig_models() -> list[Model]:
    out = list(configurations(load_spec_text(RICH, "<rich>.mig", {})))
    spec = load_spec(str(ROOT / "specs" / "all_constructs.mig"), {"patched": "true", "mode": "SYNC_NO_COPY"})
    out += list(configurations(spec))
    # liveness is decided on the unreduced graph anyway: keep the test quick
    return [
        dataclasses.replace(m, properties=tuple(p for p in m.properties if not p.kind.is_liveness))
        for m in out
    ]


def test_front_end_symmetry_commutes_with_the_steps() -> None:
    """The engine's permutations commute with the steps of every reachable state; the reduction agrees."""
    for m in _mig_models():
        assert m.symmetric_types
        got = reachable_states(m, 200_000)
        assert got is not None
        states = set(got)
        perms = permutations(m)
        assert len(perms) > 1
        los = tuple(v.domain.lo for v in m.variables)
        orbits = {min(p.apply(s, los) for p in perms) for s in states}
        # the transition relation commutes with every permutation (on the reachable states:
        # the initial ones need not be closed, a procedure parameter starts at the lowest value)
        eng = compile_model(m, False)
        lay = eng.layout
        for s in random.Random(0).sample(sorted(states), min(len(states), 300)):
            succ = sorted(lay.unpack(t) for _, t in eng.code.succ(lay.pack(s))[0])
            for p in perms[1:]:
                img = sorted(lay.unpack(t) for _, t in eng.code.succ(lay.pack(p.apply(s, los)))[0])
                assert img == sorted(p.apply(t, los) for t in succ), m.path
        full = {r.property: r for r in check(m, ExplicitOptions(symmetry=False))}
        red = {r.property: r for r in check(m)}
        assert signatures(m) is not None
        with signature_form(True):
            assert "_sigcanon" in compile_model(m, True).code.source
            by_sigs = {r.property: r for r in check(m)}
        for name, r in [*red.items(), *by_sigs.items()]:
            assert "not applied" not in r.detail
            if not r.kind.is_liveness:
                assert r.stats.states == len(orbits), name
            assert r.verdict is full[name].verdict, name
            assert (r.trace is None) == (full[name].trace is None), name
            if r.trace is not None:
                ft = full[name].trace
                assert ft is not None
                if r.trace.loop_start is None:
                    assert r.trace.length == ft.length, name
                assert replay(m, r.trace) is None, name
