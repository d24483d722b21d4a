"""IR -> z3: the one translation of a model into solver terms.

Stage: engine front of `checker/symbolic`.  Every other module of the
symbolic engine builds its queries from the predicates defined here
(`Encoder.init`, `Encoder.trans`, `Encoder.bad`, ...), so the engine has
exactly one reading of the IR semantics (model/ir.py's module docstring).

Contract:
* A *state* is a tuple of z3 constants, one per IR variable in
  `Variable.index` order.  With `Arith.BV` (the default, the fastest in
  bench/symbolic_bench.py) each variable is a bit-vector just wide enough
  for its domain; with `Arith.INT` it is an integer (Spacer's native sort).
* Expressions are evaluated at one arithmetic width `Encoder.width`, chosen
  by an interval analysis of every expression of the model so that no
  intermediate value can wrap around (NOTE(bv-width)).
* A step is chosen by a *choice* constant: `trans(s, c, s2)` holds when
  transition number `c` is enabled in `s`, passes all its checks, and `s2`
  is its post-state.  A step whose check fails has no successor; it is a
  violation found by `bad` (NOTE(checks)).
* `domain(s)` constrains every variable to its declared range.  The IR
  range-checks every write, so reachable states always satisfy it; an
  unchecked out-of-range write (a lowering bug) disables the step instead of
  wrapping (NOTE(domain)).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import assert_never

import z3

from checker.result import StopReason
from model.ir import (
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    DomainKind,
    Expr,
    Ite,
    Model,
    Property,
    PropKind,
    Select,
    Transition,
    Unary,
    UnOp,
    VarRef,
    expr_is_bool,
    vars_read,
)

State = tuple[z3.ExprRef, ...]

_MEMO_LIMIT = 200_000  # NOTE(term-memo): entries kept before the table is dropped


@dataclass(frozen=True, slots=True)
class Move:
    """BMC's choice of one step (NOTE(moves)): the process that moves, and
    where that process's transitions from one location may overlap, which one."""

    proc: z3.ExprRef
    local: z3.ExprRef | None


@dataclass(frozen=True, slots=True)
class _Schedule:
    """NOTE(moves): the transitions grouped by (process, location)."""

    procs: tuple[int, ...]  # the processes that own a transition, in order
    proc_bits: int
    local_bits: int  # 0 when every group's guards exclude each other
    exclusive: frozenset[tuple[int, int]]  # the groups whose guards exclude each other
    local_index: tuple[int, ...]  # per transition: its position in its group


class Arith(enum.Enum):
    """How integers are represented in z3."""

    BV = "bv"  # bit-vectors sized to each domain, arithmetic at one safe width
    INT = "int"  # mathematical integers (for Spacer; slower for BMC)


# --------------------------------------------------------------------------
# NOTE(bv-width): interval analysis.  Every sub-expression's exact integer
# value lies in the interval computed here (given that variables stay in
# their domains); the arithmetic width is the signed width of the widest
# interval plus one bit, so bit-vector arithmetic modulo 2**width equals
# integer arithmetic on every value that can occur.


def _signed_bits(lo: int, hi: int) -> int:
    n = 1
    while not (-(1 << (n - 1)) <= lo and hi <= (1 << (n - 1)) - 1):
        n += 1
    return n


@dataclass(frozen=True, slots=True)
class _Interval:
    lo: int
    hi: int


def _interval(e: Expr, model: Model, out: list[_Interval], seen: dict[Expr, _Interval]) -> _Interval:
    """Interval of `e`; every sub-expression's interval is appended to `out`.

    `seen` holds the composite expressions already done (their intervals are
    in `out` already): a shared sub-expression is walked once.
    """
    done = seen.get(e)
    if done is not None:
        return done
    r: _Interval
    match e:
        case Const(value=v):
            r = _Interval(v, v)
        case VarRef(var=v):
            d = model.variables[v].domain
            r = _Interval(d.lo, d.hi)
        case Select(vars=vs, index=i):
            _interval(i, model, out, seen)
            r = _Interval(
                min(model.variables[v].domain.lo for v in vs), max(model.variables[v].domain.hi for v in vs)
            )
        case Unary(op=op, arg=a):
            ia = _interval(a, model, out, seen)
            match op:
                case UnOp.NOT:
                    r = _Interval(0, 1)
                case UnOp.NEG:
                    r = _Interval(-ia.hi, -ia.lo)
                case _:
                    assert_never(op)
        case Binary(op=op, lhs=a, rhs=b):
            ia = _interval(a, model, out, seen)
            ib = _interval(b, model, out, seen)
            match op:
                case BinOp.ADD:
                    r = _Interval(ia.lo + ib.lo, ia.hi + ib.hi)
                case BinOp.SUB:
                    r = _Interval(ia.lo - ib.hi, ia.hi - ib.lo)
                case BinOp.MUL:
                    ps = [ia.lo * ib.lo, ia.lo * ib.hi, ia.hi * ib.lo, ia.hi * ib.hi]
                    r = _Interval(min(ps), max(ps))
                case BinOp.DIV | BinOp.MOD:
                    m = max(abs(ia.lo), abs(ia.hi), abs(ib.lo), abs(ib.hi))
                    r = _Interval(-m, m)
                case (
                    BinOp.EQ
                    | BinOp.NE
                    | BinOp.LT
                    | BinOp.LE
                    | BinOp.GT
                    | BinOp.GE
                    | BinOp.AND
                    | BinOp.OR
                    | BinOp.IMPLIES
                ):
                    r = _Interval(0, 1)
                case _:
                    assert_never(op)
        case Ite(cond=c, then=t, else_=f):
            _interval(c, model, out, seen)
            it = _interval(t, model, out, seen)
            iff = _interval(f, model, out, seen)
            r = _Interval(min(it.lo, iff.lo), max(it.hi, iff.hi))
        case _:
            assert_never(e)
    out.append(r)
    if not isinstance(e, (Const, VarRef)):
        seen[e] = r
    return r


def model_exprs(model: Model) -> list[Expr]:
    """Every expression of the model (guards, checks, writes, properties)."""
    es: list[Expr] = []
    for t in model.transitions:
        es.append(t.guard)
        es.extend(c.cond for c in t.checks)
        for w in t.writes:
            match w:
                case Assign(value=v):
                    es.append(v)
                case AssignElem(index=i, value=v):
                    es.extend((i, v))
                case _:
                    assert_never(w)
    for p in model.properties:
        if p.expr is not None:
            es.append(p.expr)
        if p.expr2 is not None:
            es.append(p.expr2)
    return es


def arith_width(model: Model, extra: Sequence[Expr] = ()) -> int:
    """The safe arithmetic width (NOTE(bv-width))."""
    ivs: list[_Interval] = [_Interval(v.domain.lo, v.domain.hi) for v in model.variables]
    ivs.append(_Interval(0, max(1, len(model.transitions))))
    seen: dict[Expr, _Interval] = {}
    for e in [*model_exprs(model), *extra]:
        _interval(e, model, ivs, seen)
    return max(_signed_bits(i.lo, i.hi) for i in ivs) + 1


# --------------------------------------------------------------------------


class Encoder:
    """The z3 reading of one model (see the module docstring)."""

    def __init__(self, model: Model, arith: Arith = Arith.BV, extra: Sequence[Expr] = ()) -> None:
        self.model = model
        self.arith = arith
        self.width = arith_width(model, extra)
        self.var_bits: tuple[int, ...] = tuple(
            self._storage_bits(v.domain.lo, v.domain.hi) for v in model.variables
        )
        self.choice_bits = max(1, (max(1, len(model.transitions)) - 1).bit_length())
        self._bv_sorts = [z3.BitVecSort(b).ast for b in self.var_bits]
        self._writes = [self._collect_writes(t) for t in model.transitions]
        self._writers: list[list[int]] = [[] for _ in model.variables]
        for t in model.transitions:
            for v in self._writes[t.index]:
                self._writers[v].append(t.index)
        # NOTE(templates): the big predicates are built once over template
        # constants and instantiated with z3.substitute (one C call), since
        # building terms through z3's Python API dominates the run time.
        self._nums: dict[int, z3.ExprRef] = {}
        self._ta = self.new_state("tmpl")
        self._tb = self.new_state("tmpl'")
        self._tc = self.new_choice("tmpl")
        self._templates: dict[tuple[str, str], z3.BoolRef] = {}
        self._schedule: _Schedule | None = None
        self._tm: Move | None = None
        # NOTE(term-memo): term/cond results per (expression, state); see `term`
        self._memo: dict[tuple[bool, Expr, int], tuple[State, z3.ExprRef]] = {}

    def _inst1(self, key: tuple[str, str], build: Callable[[State], z3.BoolRef], s: State) -> z3.BoolRef:
        f = self._templates.get(key)
        if f is None:
            f = self._templates[key] = build(self._ta)
        return _subst(f, list(zip(self._ta, s, strict=True)))

    # -- sorts and constants ------------------------------------------------

    @staticmethod
    def _storage_bits(lo: int, hi: int) -> int:
        if lo >= 0:
            return max(1, hi.bit_length())
        return _signed_bits(lo, hi)

    def new_state(self, tag: str) -> State:
        if self.arith is Arith.INT:
            return tuple(z3.Int(f"{tag}!v{v.index}") for v in self.model.variables)
        # NOTE(c-api): through the C API, without z3py's per-constant sort building
        ctx = z3.main_ctx()
        ref = ctx.ref()
        sorts = self._bv_sorts
        return tuple(
            z3.BitVecRef(z3.Z3_mk_const(ref, z3.to_symbol(f"{tag}!v{i}", ctx), sorts[i]), ctx)
            for i in range(len(sorts))
        )

    def new_choice(self, tag: str) -> z3.ExprRef:
        if self.arith is Arith.INT:
            return z3.Int(f"{tag}!choice")
        return z3.BitVec(f"{tag}!choice", self.choice_bits)

    def num(self, n: int) -> z3.ExprRef:
        x = self._nums.get(n)
        if x is None:
            x = self._nums[n] = z3.IntVal(n) if self.arith is Arith.INT else z3.BitVecVal(n, self.width)
        return x

    def choice_const(self, t: int) -> z3.ExprRef:
        if self.arith is Arith.INT:
            return z3.IntVal(t)
        return z3.BitVecVal(t, self.choice_bits)

    def choice_is(self, c: z3.ExprRef, t: int) -> z3.BoolRef:
        if self.arith is Arith.INT:
            return c == t
        return c == z3.BitVecVal(t, self.choice_bits)

    def val(self, s: State, v: int) -> z3.ExprRef:
        """Variable `v` of state `s` at the arithmetic width."""
        x = s[v]
        if self.arith is Arith.INT:
            return x
        pad = self.width - self.var_bits[v]
        if pad == 0:
            return x
        if self.model.variables[v].domain.lo >= 0:
            return z3.ZeroExt(pad, x)
        return z3.SignExt(pad, x)

    def value_of(self, m: z3.ModelRef, s: State, v: int) -> int:
        """The integer value of variable `v` of `s` in a z3 model."""
        x = m.eval(s[v], model_completion=True)
        if self.arith is Arith.INT:
            assert isinstance(x, z3.IntNumRef)
            return int(x.as_long())
        assert isinstance(x, z3.BitVecNumRef)
        if self.model.variables[v].domain.lo < 0:
            return int(x.as_signed_long())
        return int(x.as_long())

    def state_values(self, m: z3.ModelRef, s: State) -> tuple[int, ...]:
        """`value_of` for every variable, through the C API (NOTE(c-api))."""
        ref = m.ctx.ref()
        r = (z3.Ast * 1)()
        out: list[int] = []
        for v, x in enumerate(s):
            if not z3.Z3_model_eval(ref, m.model, x.as_ast(), True, r):
                raise AssertionError(f"z3 cannot evaluate {x} in its model")
            n = int(z3.Z3_get_numeral_string(ref, r[0]))
            bits = self.var_bits[v]
            if self.arith is Arith.BV and self.model.variables[v].domain.lo < 0 and n >= 1 << (bits - 1):
                n -= 1 << bits
            out.append(n)
        return tuple(out)

    def choice_value(self, m: z3.ModelRef, c: z3.ExprRef) -> int:
        x = m.eval(c, model_completion=True)
        assert isinstance(x, (z3.IntNumRef, z3.BitVecNumRef))
        return int(x.as_long())

    def state_is(self, s: State, values: Sequence[int]) -> z3.BoolRef:
        return z3.And([self.val(s, v) == self.num(x) for v, x in enumerate(values)])

    # -- comparisons at the arithmetic width ---------------------------------

    def _lt(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.BoolRef:
        return a < b  # z3 overloads `<` as signed for bit-vectors

    def _le(self, a: z3.ExprRef, b: z3.ExprRef) -> z3.BoolRef:
        return a <= b

    # -- expressions ------------------------------------------------------

    def term(self, e: Expr, s: State) -> z3.ExprRef:
        """The integer value of `e` in `s` (a condition gives 0 or 1).

        NOTE(term-memo): a composite expression's term is built once per
        state and reused: the liveness monitor (klive.py) puts one large
        condition (a process's enabledness) into every transition, and
        z3py builds terms slowly.  The key holds the expression (hashed in
        O(1), NOTE(expr-hash) in model/ir.py) and the state's identity; the
        entry keeps the state alive, so that identity is never reused while
        the entry stands.  The table is dropped when it grows large.
        """
        if isinstance(e, (Const, VarRef)):
            return self._term(e, s)
        return self._memoised(False, e, s)

    def cond(self, e: Expr, s: State) -> z3.BoolRef:
        """`e` as a condition (any non-zero value is true); memoised as `term` is."""
        if isinstance(e, Const):
            return z3.BoolVal(e.value != 0)
        got = self._memoised(True, e, s)
        assert isinstance(got, z3.BoolRef)
        return got

    def _memoised(self, as_cond: bool, e: Expr, s: State) -> z3.ExprRef:
        key = (as_cond, e, id(s))
        hit = self._memo.get(key)
        if hit is not None:
            return hit[1]
        out = self._cond(e, s) if as_cond else self._term(e, s)
        if len(self._memo) >= _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = (s, out)
        return out

    def _term(self, e: Expr, s: State) -> z3.ExprRef:
        if expr_is_bool(e, self.model.variables) and not isinstance(e, (VarRef, Select, Const)):
            return z3.If(self.cond(e, s), self.num(1), self.num(0))
        match e:
            case Const(value=v):
                return self.num(v)
            case VarRef(var=v):
                return self.val(s, v)
            case Select(vars=vs, index=i):
                idx = self.term(i, s)
                out = self.val(s, vs[-1])
                for k in range(len(vs) - 2, -1, -1):
                    out = z3.If(idx == self.num(k), self.val(s, vs[k]), out)
                return out
            case Unary(op=op, arg=a):
                match op:
                    case UnOp.NEG:
                        return -self.term(a, s)
                    case UnOp.NOT:
                        raise AssertionError("NOT is a condition")  # handled above
                    case _:
                        assert_never(op)
            case Binary(op=op, lhs=a, rhs=b):
                x, y = self.term(a, s), self.term(b, s)
                match op:
                    case BinOp.ADD:
                        return x + y
                    case BinOp.SUB:
                        return x - y
                    case BinOp.MUL:
                        return x * y
                    case BinOp.DIV:
                        return self._cdiv(x, y)
                    case BinOp.MOD:
                        return self._cmod(x, y)
                    case _:
                        raise AssertionError(f"{op} is a condition")  # handled above
            case Ite(cond=c, then=t, else_=f):
                return z3.If(self.cond(c, s), self.term(t, s), self.term(f, s))
            case _:
                assert_never(e)

    def _cdiv(self, x: z3.ExprRef, y: z3.ExprRef) -> z3.ExprRef:
        """C division, truncating toward zero; 0 for a zero divisor (NOTE(div-zero))."""
        zero = self.num(0)
        if self.arith is Arith.BV:
            return z3.If(y == zero, zero, x / y)  # bvsdiv truncates toward zero
        ax = z3.If(x >= 0, x, -x)
        ay = z3.If(y >= 0, y, -y)
        q = ax / ay  # both non-negative: SMT-LIB div is floor here
        return z3.If(y == zero, zero, z3.If((x >= 0) == (y >= 0), q, -q))

    def _cmod(self, x: z3.ExprRef, y: z3.ExprRef) -> z3.ExprRef:
        """C remainder: the sign of the dividend; 0 for a zero divisor (NOTE(div-zero)).

        NOTE(div-zero): `model.ir.apply_binop` is the reference: a zero
        divisor gives 0.  SMT-LIB's own answers differ (`bvsdiv` by 0 is -1
        or 1, `bvsrem` by 0 the dividend, `div` by 0 unspecified), so the
        zero divisor is tested here; without it an IR property such as
        `x / y != 0` was PROVED where the explicit engine finds it violated
        (tests/symbolic/test_review_semantics.py).
        """
        zero = self.num(0)
        if self.arith is Arith.BV:
            return z3.If(y == zero, zero, z3.SRem(x, y))
        return z3.If(y == zero, zero, x - y * self._cdiv(x, y))

    def _cond(self, e: Expr, s: State) -> z3.BoolRef:
        match e:
            case Const(value=v):
                return z3.BoolVal(v != 0)
            case VarRef() | Select():
                return self.term(e, s) != self.num(0)
            case Unary(op=UnOp.NOT, arg=a):
                return z3.Not(self.cond(a, s))
            case Unary(op=UnOp.NEG):
                return self.term(e, s) != self.num(0)
            case Unary():
                raise AssertionError("unreachable: every UnOp is handled")
            case Binary(op=op, lhs=a, rhs=b):
                match op:
                    case BinOp.AND:
                        return z3.And(self.cond(a, s), self.cond(b, s))
                    case BinOp.OR:
                        return z3.Or(self.cond(a, s), self.cond(b, s))
                    case BinOp.IMPLIES:
                        return z3.Implies(self.cond(a, s), self.cond(b, s))
                    case BinOp.EQ:
                        return self.term(a, s) == self.term(b, s)
                    case BinOp.NE:
                        return self.term(a, s) != self.term(b, s)
                    case BinOp.LT:
                        return self._lt(self.term(a, s), self.term(b, s))
                    case BinOp.LE:
                        return self._le(self.term(a, s), self.term(b, s))
                    case BinOp.GT:
                        return self._lt(self.term(b, s), self.term(a, s))
                    case BinOp.GE:
                        return self._le(self.term(b, s), self.term(a, s))
                    case BinOp.ADD | BinOp.SUB | BinOp.MUL | BinOp.DIV | BinOp.MOD:
                        return self.term(e, s) != self.num(0)
                    case _:
                        assert_never(op)
            case Ite(cond=c, then=t, else_=f):
                return z3.If(self.cond(c, s), self.cond(t, s), self.cond(f, s))
            case _:
                assert_never(e)

    # -- states and steps ---------------------------------------------------

    def domain(self, s: State) -> z3.BoolRef:
        return self._inst1(("domain", ""), self._domain, s)

    def _domain(self, s: State) -> z3.BoolRef:
        cs: list[z3.BoolRef] = []
        for v in self.model.variables:
            d = v.domain
            x = self.val(s, v.index)
            if self.arith is Arith.BV and d.lo == 0 and d.hi == (1 << self.var_bits[v.index]) - 1:
                continue  # every bit pattern is in the domain
            cs.append(z3.And(self._le(self.num(d.lo), x), self._le(x, self.num(d.hi))))
        return z3.And(cs)

    def init(self, s: State) -> z3.BoolRef:
        return self._inst1(("init", ""), self._init, s)

    def _init(self, s: State) -> z3.BoolRef:
        cs: list[z3.BoolRef] = []
        for v, allowed in enumerate(self.model.initial):
            x = self.val(s, v)
            vals = sorted(set(allowed))
            if vals == list(range(vals[0], vals[-1] + 1)):
                if len(vals) == 1:
                    cs.append(x == self.num(vals[0]))
                else:
                    cs.append(z3.And(self._le(self.num(vals[0]), x), self._le(x, self.num(vals[-1]))))
            else:
                cs.append(z3.Or([x == self.num(a) for a in vals]))
        return z3.And(cs)

    def enabled(self, t: Transition, s: State) -> z3.BoolRef:
        pc = self.model.processes[t.process].pc_var
        return z3.And(self.val(s, pc) == self.num(t.pc_from), self.cond(t.guard, s))

    def checks_ok(self, t: Transition, s: State) -> z3.BoolRef:
        return z3.And([self.cond(c.cond, s) for c in t.checks])

    def fails_for(self, t: Transition, s: State, prop: str) -> z3.BoolRef:
        """NOTE(checks): the first failing check of `t` in `s` belongs to `prop`."""
        alts: list[z3.BoolRef] = []
        for i, c in enumerate(t.checks):
            if c.prop == prop:
                before = [self.cond(d.cond, s) for d in t.checks[:i]]
                alts.append(z3.And([*before, z3.Not(self.cond(c.cond, s))]))
        return z3.Or(alts)

    def _collect_writes(self, t: Transition) -> dict[int, list[tuple[Expr | None, int, Expr]]]:
        """Per written variable: (index expr or None, element position, value), in order."""
        out: dict[int, list[tuple[Expr | None, int, Expr]]] = {}
        for w in t.writes:
            match w:
                case Assign(var=v, value=val):
                    out.setdefault(v, []).append((None, 0, val))
                case AssignElem(vars=vs, index=i, value=val):
                    for k, v in enumerate(vs):
                        out.setdefault(v, []).append((i, k, val))
                case _:
                    assert_never(w)
        pc = self.model.processes[t.process].pc_var
        out.setdefault(pc, []).append((None, 0, Const(t.pc_to)))
        return out

    def written(self, t: Transition) -> frozenset[int]:
        """The variables `t` may write (its pc included)."""
        return frozenset(self._writes[t.index])

    def read_by(self, t: Transition) -> frozenset[int]:
        """The variables `t`'s guard, checks and writes read (its pc included)."""
        out = set(vars_read(t.guard)) | {self.model.processes[t.process].pc_var}
        for c in t.checks:
            out |= vars_read(c.cond)
        for w in t.writes:
            out |= vars_read(w.value)
            if isinstance(w, AssignElem):
                out |= vars_read(w.index)
        return frozenset(out)

    def post_value(self, t: Transition, s: State, v: int) -> z3.ExprRef:
        """The value of `v` after `t` from `s` (the pre-state value if unwritten)."""
        cur = self.val(s, v)
        for idx, k, val in self._writes[t.index].get(v, []):
            if idx is None:
                cur = self.term(val, s)
            else:
                cur = z3.If(self.term(idx, s) == self.num(k), self.term(val, s), cur)
        return cur

    def step(self, t: Transition, s: State, s2: State) -> z3.BoolRef:
        """`s2` is the post-state of `t` from `s`, which is enabled and passes its checks."""
        eqs = [self.val(s2, v) == self.post_value(t, s, v) for v in range(len(s))]
        return z3.And([self.enabled(t, s), self.checks_ok(t, s), *eqs])

    def trans(self, s: State, c: z3.ExprRef, s2: State) -> z3.BoolRef:
        """One step from `s` to `s2` by the transition numbered `c` (see `_trans`)."""
        f = self._templates.get(("trans", ""))
        if f is None:
            f = self._templates[("trans", "")] = self._trans(self._ta, self._tc, self._tb)
        pairs = [*zip(self._ta, s, strict=True), *zip(self._tb, s2, strict=True), (self._tc, c)]
        return _subst(f, pairs)

    def _trans(self, s: State, c: z3.ExprRef, s2: State) -> z3.BoolRef:
        """One step from `s` to `s2` by the transition numbered `c`.

        One relation for all transitions: a variable's next value is an ite
        chain over the transitions that write it, so the frame condition
        costs one equality per variable, not one per variable and transition.
        """
        ts = self.model.transitions
        if not ts:
            return z3.BoolVal(False)
        cs: list[z3.BoolRef] = []
        if self.arith is Arith.INT:
            cs.append(z3.And(c >= 0, c < len(ts)))
        elif len(ts) < (1 << self.choice_bits):
            cs.append(z3.ULT(c, z3.BitVecVal(len(ts), self.choice_bits)))
        for t in ts:
            cs.append(
                z3.Implies(self.choice_is(c, t.index), z3.And(self.enabled(t, s), self.checks_ok(t, s)))
            )
        for v in range(len(s)):
            nxt = self.val(s, v)
            for ti in reversed(self._writers[v]):
                nxt = z3.If(self.choice_is(c, ti), self.post_value(ts[ti], s, v), nxt)
            cs.append(self.val(s2, v) == nxt)
        return z3.And(cs)

    # -- BMC's steps: one process moves ------------------------------------
    #
    # NOTE(moves): in `trans` a free choice constant may name any of the
    # transitions, and the solver has to rule out the disabled ones.  BMC's
    # `move` chooses only the process that moves; the transition it takes is
    # then fixed by the process's location and, where the guards of the
    # transitions leaving that location are proved to exclude each other (an
    # if/else, a loop test), by which guard holds.  Only a location whose
    # guards may overlap needs a local choice (`Move.local`) too.  The
    # taken-literals are pairwise exclusive (another process, another
    # location, excluding guards, or another local value), so a move takes
    # exactly one transition, and every enabled transition is taken by some
    # move: the relation is `trans`'s, with fewer free bits for the solver.
    # On no_copy, BMC to the deepest violations takes about 25% less time
    # (bench/symbolic_bench.py --encodings, docs/PROOFS.md).

    def schedule(self) -> _Schedule:
        """The grouping of the transitions that `move` uses (computed once)."""
        sch = self._schedule
        if sch is None:
            sch = self._schedule = self._make_schedule()
        return sch

    def _make_schedule(self) -> _Schedule:
        ts = self.model.transitions
        groups: dict[tuple[int, int], list[Transition]] = {}
        for t in ts:
            groups.setdefault((t.process, t.pc_from), []).append(t)
        procs = tuple(sorted({t.process for t in ts}))
        local_index = [0] * len(ts)
        exclusive: set[tuple[int, int]] = set()
        widest = 1
        s = self._ta
        solver = z3.SolverFor("QF_BV") if self.arith is Arith.BV else z3.Solver()
        solver.set("timeout", 2000)
        solver.add(self.domain(s))
        for key, group in groups.items():
            for i, t in enumerate(group):
                local_index[t.index] = i
            if len(group) == 1:
                exclusive.add(key)
                continue
            gs = [self.cond(t.guard, s) for t in group]
            solver.push()
            solver.add(z3.Or([z3.And(gs[i], gs[j]) for i in range(len(gs)) for j in range(i + 1, len(gs))]))
            if solver.check() == z3.unsat:  # unknown: treated as overlapping (a local choice)
                exclusive.add(key)
            else:
                widest = max(widest, len(group))
            solver.pop()
        return _Schedule(
            procs=procs,
            proc_bits=_unsigned_bits(len(procs) - 1),
            local_bits=_unsigned_bits(widest - 1) if len(exclusive) < len(groups) else 0,
            exclusive=frozenset(exclusive),
            local_index=tuple(local_index),
        )

    def _bits_const(self, x: z3.ExprRef, n: int, bits: int) -> z3.BoolRef:
        if self.arith is Arith.INT:
            return x == n
        return x == z3.BitVecVal(n, bits)

    def new_move(self, tag: str) -> Move:
        sch = self.schedule()
        if self.arith is Arith.INT:
            return Move(z3.Int(f"{tag}!proc"), z3.Int(f"{tag}!local") if sch.local_bits else None)
        local = z3.BitVec(f"{tag}!local", sch.local_bits) if sch.local_bits else None
        return Move(z3.BitVec(f"{tag}!proc", sch.proc_bits), local)

    def taken(self, t: Transition, s: State, mv: Move) -> z3.BoolRef:
        """Move `mv` takes transition `t` from `s` (its checks aside)."""
        sch = self.schedule()
        at = self.val(s, self.model.processes[t.process].pc_var) == self.num(t.pc_from)
        who = self._bits_const(mv.proc, sch.procs.index(t.process), sch.proc_bits)
        if (t.process, t.pc_from) in sch.exclusive:
            return z3.And(who, at, self.cond(t.guard, s))
        assert mv.local is not None
        return z3.And(who, at, self._bits_const(mv.local, sch.local_index[t.index], sch.local_bits))

    def move(self, s: State, mv: Move, s2: State) -> z3.BoolRef:
        """One step from `s` to `s2` by move `mv` (NOTE(moves)); the relation of `trans`."""
        tm = self._tm
        if tm is None:
            tm = self._tm = self.new_move("tmpl")
        f = self._templates.get(("move", ""))
        if f is None:
            f = self._templates[("move", "")] = self._move(self._ta, tm, self._tb)
        pairs = [*zip(self._ta, s, strict=True), *zip(self._tb, s2, strict=True), (tm.proc, mv.proc)]
        if tm.local is not None:
            assert mv.local is not None
            pairs.append((tm.local, mv.local))
        return _subst(f, pairs)

    def _move(self, s: State, mv: Move, s2: State) -> z3.BoolRef:
        ts = self.model.transitions
        if not ts:
            return z3.BoolVal(False)
        sch = self.schedule()
        taken = [self.taken(t, s, mv) for t in ts]
        cs: list[z3.BoolRef] = [z3.Or(taken)]
        for t in ts:
            need = [] if (t.process, t.pc_from) in sch.exclusive else [self.cond(t.guard, s)]
            need.extend(self.cond(c.cond, s) for c in t.checks)
            if need:
                cs.append(z3.Implies(taken[t.index], z3.And(need)))
        for v in range(len(s)):
            nxt = self.val(s, v)
            for ti in reversed(self._writers[v]):
                nxt = z3.If(taken[ti], self.post_value(ts[ti], s, v), nxt)
            cs.append(self.val(s2, v) == nxt)
        return z3.And(cs)

    def move_value(self, m: z3.ModelRef, s: State, mv: Move, values: Sequence[int]) -> int:
        """The transition that `mv` takes in a model of `move(s, mv, s2)`; `values` is `s` there.

        Only the transitions of the moving process from its location are
        candidates; the model decides between them (their guards, or the
        local choice).
        """
        sch = self.schedule()
        proc = sch.procs[self.choice_value(m, mv.proc)]
        pc = values[self.model.processes[proc].pc_var]
        for t in self.model.transitions:
            if t.process == proc and t.pc_from == pc and z3.is_true(m.eval(self.taken(t, s, mv), True)):
                return t.index
        raise AssertionError("no transition taken in a model of move()")

    def dead(self, s: State) -> z3.BoolRef:
        """No transition is enabled and some process is not at an end location."""
        stuck = z3.And([z3.Not(self.enabled(t, s)) for t in self.model.transitions])
        not_end = z3.Or(
            [
                z3.And([self.val(s, p.pc_var) != self.num(e) for e in sorted(p.end_locations)])
                for p in self.model.processes
            ]
        )
        return z3.And(stuck, not_end)

    def bad(self, prop: Property, s: State) -> z3.BoolRef:
        """The states where `prop` fails (see `_bad`)."""
        return self._inst1(("bad", prop.name), lambda x: self._bad(prop, x), s)

    def _bad(self, prop: Property, s: State) -> z3.BoolRef:
        """The states where `prop` fails (for REACHABLE: the target states).

        For an ASSERTION, a state is bad when some enabled transition's first
        failing check belongs to the property (NOTE(checks)).
        """
        match prop.kind:
            case PropKind.INVARIANT:
                assert prop.expr is not None
                return z3.Not(self.cond(prop.expr, s))
            case PropKind.REACHABLE:
                assert prop.expr is not None
                return self.cond(prop.expr, s)
            case PropKind.DEADLOCK:
                return self.dead(s)
            case PropKind.ASSERTION:
                alts = [
                    z3.And(self.enabled(t, s), self.fails_for(t, s, prop.name))
                    for t in self.model.transitions
                    if any(c.prop == prop.name for c in t.checks)
                ]
                return z3.Or(alts)
            case PropKind.EVENTUALLY | PropKind.ALWAYS_EVENTUALLY | PropKind.LEADS_TO:
                raise AssertionError("liveness has no bad states")
            case _:
                assert_never(prop.kind)

    def failing_step(self, prop: Property, m: z3.ModelRef, s: State) -> tuple[int, int]:
        """In a model of `bad(prop, s)` for an ASSERTION: (transition, check index)."""
        for t in self.model.transitions:
            if not z3.is_true(m.eval(self.enabled(t, s), model_completion=True)):
                continue
            for i, c in enumerate(t.checks):
                if not z3.is_true(m.eval(self.cond(c.cond, s), model_completion=True)):
                    if c.prop == prop.name:
                        return t.index, i
                    break
        raise AssertionError("no failing step in a model of bad()")


def _unsigned_bits(n: int) -> int:
    """Bits for the values 0..n (at least one)."""
    return max(1, n.bit_length())


def _subst(f: z3.BoolRef, pairs: list[tuple[z3.ExprRef, z3.ExprRef]]) -> z3.BoolRef:
    """`z3.substitute(f, *pairs)` through the C API.

    z3py's substitute checks every pair's sorts in Python, which cost a sixth
    of a BMC run on no_copy; the pairs here are built with matching sorts.
    """
    n = len(pairs)
    src = (z3.Ast * n)(*(a.as_ast() for a, _ in pairs))
    dst = (z3.Ast * n)(*(b.as_ast() for _, b in pairs))
    ctx = f.ctx
    return z3.BoolRef(z3.Z3_substitute(ctx.ref(), f.as_ast(), n, src, dst), ctx)


def unknown_stop(reason: str) -> StopReason:
    """Why z3 answered `unknown`: a deadline (timeout, canceled) or the solver itself."""
    return StopReason.TIMEOUT if "timeout" in reason or "canceled" in reason else StopReason.SOLVER_UNKNOWN


def is_safety(prop: Property) -> bool:
    return prop.kind in (PropKind.INVARIANT, PropKind.REACHABLE, PropKind.DEADLOCK, PropKind.ASSERTION)


def domain_kind_is_small(kind: DomainKind) -> bool:
    return kind in (DomainKind.BOOL, DomainKind.ENUM, DomainKind.PC, DomainKind.PROC)
