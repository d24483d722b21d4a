"""Lowering: a resolved spec and one configuration -> a `model.ir.Model`.

Stage: lower (after `model/resolve.py`; its output is the IR contract of
`model/ir.py`).  Input is an `Env` whose diagnostics were empty, so every
name resolves and every type matches; an unmet assumption here is a
modelcheck bug.  Problems that only a configuration reveals are reported as
`SpecError`.

What lowering does (docs/LANGUAGE.md states the semantics, docs/IR.md the
result):
* consts and params become constants; `for` loops and quantifiers are
  unrolled; `self` is the instance's index value; an `if`/`switch` whose
  choice these constants decide costs no step (NOTE(fold)).
* arrays are flattened into one `Variable` per element (row-major); a
  constant index picks the element, a dynamic one becomes `Select` /
  `AssignElem` with an INDEX `Check`.
* each code process becomes a control-flow graph: one location per point
  between steps, one transition per step and per choice (NOTE(steps)).
  `atomic` blocks, `trans` bodies and single steps are symbolically
  executed (NOTE(symbolic)): the guard is the conjunction of the blocking
  conditions met along the path, writes are expressions over the pre-state.
* procedures are inlined at each call site, with one set of parameter and
  local variables per process instance and procedure.
* locks, refcounts and the runtime checks become plain variables, guards
  and `Check`s (NOTE(locks)).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import assert_never, overload

from model import ir
from model import resolve as R
from model import syntax as S
from model.diagnostics import Diagnostic, DiagnosticSink, SpecError
from model.resolve import (
    BOOL,
    BUILTIN_STMTS,
    EFFECT_CONDS,
    INT,
    ConstSym,
    EnumMemberSym,
    Env,
    Form,
    LockSym,
    ParamSym,
    ProcessSym,
    ProcSym,
    RefSym,
    Ty,
    TyKind,
    TypeSym,
    VarSym,
    VType,
    _NotStatic,
    c_div,
    c_mod,
    eval_static,
)
from model.source import Span

# --------------------------------------------------------------------------
# Expression helpers with constant folding


def _is_const(e: ir.Expr) -> bool:
    return isinstance(e, ir.Const)


def const(v: int, is_bool: bool = False) -> ir.Const:
    return ir.Const(int(v), is_bool)


def mk_not(a: ir.Expr) -> ir.Expr:
    match a:
        case ir.Const(value=v):
            return const(not v, True)
        case ir.Unary(op=ir.UnOp.NOT, arg=inner):
            return inner
        case ir.Binary(op=op, lhs=x, rhs=y) if op in _NEGATED:
            return ir.Binary(_NEGATED[op], x, y)
        case _:
            return ir.Unary(ir.UnOp.NOT, a)


_NEGATED = {
    ir.BinOp.EQ: ir.BinOp.NE,
    ir.BinOp.NE: ir.BinOp.EQ,
    ir.BinOp.LT: ir.BinOp.GE,
    ir.BinOp.GE: ir.BinOp.LT,
    ir.BinOp.GT: ir.BinOp.LE,
    ir.BinOp.LE: ir.BinOp.GT,
}


# NOTE(balanced): `ir.mk_and`/`ir.mk_or` nest to the left, one level per
# operand.  A conjunction over a wide type (`forall i in 0..999`, the owners
# of an array of spinlocks, the readers of an rwlock) would nest a thousand
# deep and overflow the engines' recursive code generators and z3 walkers;
# past CHAIN_WIDTH operands the chain is split in halves instead, so a chain
# of n operands nests about CHAIN_WIDTH + log2(n) deep.  Chains of up to
# CHAIN_WIDTH operands are exactly `ir.mk_and`'s (the IR of every real spec
# is unchanged).
CHAIN_WIDTH = 32


def _balanced(mk: Callable[[Iterable[ir.Expr]], ir.Expr], items: Iterable[ir.Expr]) -> ir.Expr:
    xs = list(items)
    if len(xs) <= CHAIN_WIDTH:
        return mk(xs)
    mid = len(xs) // 2
    return mk([_balanced(mk, xs[:mid]), _balanced(mk, xs[mid:])])


def mk_and(items: Iterable[ir.Expr]) -> ir.Expr:
    return _balanced(ir.mk_and, items)


def mk_or(items: Iterable[ir.Expr]) -> ir.Expr:
    return _balanced(ir.mk_or, items)


def mk_bin(op: ir.BinOp, a: ir.Expr, b: ir.Expr) -> ir.Expr:
    B = ir.BinOp
    if op is B.AND:
        return mk_and([a, b])
    if op is B.OR:
        return mk_or([a, b])
    if op is B.IMPLIES:
        return mk_or([mk_not(a), b])
    if isinstance(a, ir.Const) and isinstance(b, ir.Const):
        x, y = a.value, b.value
        match op:
            case B.ADD:
                return const(x + y)
            case B.SUB:
                return const(x - y)
            case B.MUL:
                return const(x * y)
            case B.DIV:
                if y != 0:
                    return const(c_div(x, y))
            case B.MOD:
                if y != 0:
                    return const(c_mod(x, y))
            case B.EQ:
                return const(x == y, True)
            case B.NE:
                return const(x != y, True)
            case B.LT:
                return const(x < y, True)
            case B.LE:
                return const(x <= y, True)
            case B.GT:
                return const(x > y, True)
            case B.GE:
                return const(x >= y, True)
            case _:
                pass
    if op is B.ADD and isinstance(b, ir.Const) and b.value == 0:
        return a
    if op is B.SUB and isinstance(b, ir.Const) and b.value == 0:
        return a
    if op is B.MUL and isinstance(b, ir.Const) and b.value == 1:
        return a
    if op is B.EQ and a == b:
        return ir.TRUE
    return ir.Binary(op, a, b)


def mk_ite(c: ir.Expr, t: ir.Expr, f: ir.Expr) -> ir.Expr:
    if isinstance(c, ir.Const):
        return t if c.value else f
    if t == f:
        return t
    return ir.Ite(c, t, f)


_BINOPS = {
    S.BinaryOp.ADD: ir.BinOp.ADD,
    S.BinaryOp.SUB: ir.BinOp.SUB,
    S.BinaryOp.MUL: ir.BinOp.MUL,
    S.BinaryOp.DIV: ir.BinOp.DIV,
    S.BinaryOp.MOD: ir.BinOp.MOD,
    S.BinaryOp.EQ: ir.BinOp.EQ,
    S.BinaryOp.NE: ir.BinOp.NE,
    S.BinaryOp.LT: ir.BinOp.LT,
    S.BinaryOp.LE: ir.BinOp.LE,
    S.BinaryOp.GT: ir.BinOp.GT,
    S.BinaryOp.GE: ir.BinOp.GE,
    S.BinaryOp.AND: ir.BinOp.AND,
    S.BinaryOp.OR: ir.BinOp.OR,
    S.BinaryOp.IMPLIES: ir.BinOp.IMPLIES,
}


def interval(e: ir.Expr, doms: Sequence[ir.Domain]) -> tuple[int, int]:
    """Bounds of `e` over all states (sound, not tight)."""
    match e:
        case ir.Const(value=v):
            return v, v
        case ir.VarRef(var=v):
            d = doms[v]
            return d.lo, d.hi
        case ir.Select(vars=vs):
            return min(doms[v].lo for v in vs), max(doms[v].hi for v in vs)
        case ir.Unary(op=op, arg=a):
            if op is ir.UnOp.NOT:
                return 0, 1
            lo, hi = interval(a, doms)
            return -hi, -lo
        case ir.Binary(op=op, lhs=a, rhs=b):
            if op in ir.BOOL_RESULT_OPS:
                return 0, 1
            alo, ahi = interval(a, doms)
            blo, bhi = interval(b, doms)
            match op:
                case ir.BinOp.ADD:
                    return alo + blo, ahi + bhi
                case ir.BinOp.SUB:
                    return alo - bhi, ahi - blo
                case ir.BinOp.MUL:
                    ps = [alo * blo, alo * bhi, ahi * blo, ahi * bhi]
                    return min(ps), max(ps)
                case _:
                    m = max(abs(alo), abs(ahi))
                    if op is ir.BinOp.MOD:
                        n = max(abs(blo), abs(bhi))
                        m = min(m, max(n - 1, 0))
                    return -m, m
        case ir.Ite(then=t, else_=f):
            tlo, thi = interval(t, doms)
            flo, fhi = interval(f, doms)
            return min(tlo, flo), max(thi, fhi)
        case _:
            assert_never(e)


@functools.lru_cache(maxsize=8192)  # every configuration asks again for the same statements
def _without_comments(text: str) -> str:
    """`text` with its `//` and `/* */` comments removed (strings kept): a statement's trace text."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            out.append(" ")
            i = n if j < 0 else j + 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _conjuncts(e: ir.Expr) -> list[ir.Expr]:
    if isinstance(e, ir.Binary) and e.op is ir.BinOp.AND:
        return _conjuncts(e.lhs) + _conjuncts(e.rhs)
    return [e]


_FLIP = {
    ir.BinOp.LT: ir.BinOp.GT,
    ir.BinOp.GT: ir.BinOp.LT,
    ir.BinOp.LE: ir.BinOp.GE,
    ir.BinOp.GE: ir.BinOp.LE,
    ir.BinOp.EQ: ir.BinOp.EQ,
}


def _bound(c: ir.Expr) -> tuple[int, int, int] | None:
    """(var, lo, hi) when `c` is `v op k` (or `k op v`) for a comparison op."""
    if not isinstance(c, ir.Binary) or c.op not in _FLIP:
        return None
    op, a, b = c.op, c.lhs, c.rhs
    if isinstance(a, ir.Const) and isinstance(b, ir.VarRef):
        op, a, b = _FLIP[op], b, a
    if not (isinstance(a, ir.VarRef) and isinstance(b, ir.Const)):
        return None
    k = b.value
    big = 1 << 62
    match op:
        case ir.BinOp.LT:
            return a.var, -big, k - 1
        case ir.BinOp.LE:
            return a.var, -big, k
        case ir.BinOp.GT:
            return a.var, k + 1, big
        case ir.BinOp.GE:
            return a.var, k, big
        case _:
            return a.var, k, k


class _Overlay(Sequence[ir.Domain]):
    """`base` with some entries replaced (a cheap copy for interval reasoning)."""

    def __init__(self, base: Sequence[ir.Domain], over: Mapping[int, ir.Domain]) -> None:
        self.base = base
        self.over = over

    def __len__(self) -> int:
        return len(self.base)

    @overload
    def __getitem__(self, i: int) -> ir.Domain: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[ir.Domain]: ...
    def __getitem__(self, i: int | slice) -> ir.Domain | Sequence[ir.Domain]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self.over.get(i, self.base[i])


def domain_of(vt: VType) -> ir.Domain:
    match vt.kind:
        case TyKind.BOOL:
            return ir.Domain(ir.DomainKind.BOOL, 0, 1)
        case TyKind.ENUM:
            return ir.Domain(ir.DomainKind.ENUM, vt.lo, vt.hi, vt.labels)
        case TyKind.INT | TyKind.SYM:
            return ir.Domain(ir.DomainKind.INT, vt.lo, vt.hi)
        case _:
            assert_never(vt.kind)


def _type_label(vt: VType) -> str:
    return vt.name if vt.name is not None else f"{vt.lo}..{vt.hi}"


# --------------------------------------------------------------------------
# Storage: declared names -> flat variables


@dataclass(slots=True)
class _VarB:
    """A variable under construction (pc domains are known only at the end)."""

    name: str
    base: str
    indices: tuple[int, ...]
    domain: ir.Domain
    kind: ir.VarKind
    span: Span
    init: tuple[int, ...]
    ghost: bool = False
    owner: int | None = None
    index_types: tuple[str, ...] = ()
    value_type: str | None = None
    lock_kind: ir.LockKind | None = None


@dataclass(frozen=True, slots=True)
class _Store:
    """A declared (possibly array) name: its flat variables, row-major."""

    name: str  # as shown in messages: `pos`, `Mig[1].rc`
    dims: tuple[VType, ...]
    vtype: VType
    elems: tuple[int, ...]
    ghost: bool = False


@dataclass(frozen=True, slots=True)
class _LockStore:
    sym: LockSym
    owner: _Store
    readers: tuple[tuple[int, ...], ...]  # per element: one reader bit per process instance


@dataclass(frozen=True, slots=True)
class _RefStore:
    sym: RefSym
    count: _Store
    frozen: _Store


@dataclass(frozen=True, slots=True)
class _Place:
    """An element of a store: static (`index` None, one elem) or dynamic."""

    store: _Store
    elems: tuple[int, ...]
    index: ir.Expr | None

    def read(self, path: _Path | None) -> ir.Expr:
        if self.index is None:
            return path.read(self.elems[0]) if path is not None else ir.VarRef(self.elems[0])
        if path is None or not any(e in path.cur for e in self.elems):
            return ir.Select(self.elems, self.index)
        acc = path.read(self.elems[-1])
        for k in range(len(self.elems) - 2, -1, -1):
            acc = mk_ite(mk_bin(ir.BinOp.EQ, self.index, const(k)), path.read(self.elems[k]), acc)
        return acc


# --------------------------------------------------------------------------
# Symbolic execution state (NOTE(symbolic))


@dataclass(slots=True)
class _Path:
    """One way through an atomic step.

    NOTE(symbolic): `cur` maps each variable written so far to its new value
    as an expression over the pre-state, so a later read sees the earlier
    write; `writes` keeps the IR writes in program order (the IR applies
    them in order, a later write to the same location winning).  `guard`
    collects the blocking conditions met along the path and the branch
    conditions taken, all over the pre-state.
    """

    guard: list[ir.Expr] = field(default_factory=list)
    checks: list[ir.Check] = field(default_factory=list)
    writes: list[ir.Write] = field(default_factory=list)
    cur: dict[int, ir.Expr] = field(default_factory=dict)
    done: bool = False  # returned from the procedure being inlined
    choice: list[str] = field(default_factory=list)

    def copy(self) -> _Path:
        return _Path(
            list(self.guard),
            list(self.checks),
            list(self.writes),
            dict(self.cur),
            self.done,
            list(self.choice),
        )

    def read(self, v: int) -> ir.Expr:
        return self.cur.get(v, ir.VarRef(v))

    def dead(self) -> bool:
        return any(isinstance(g, ir.Const) and not g.value for g in self.guard)


# --------------------------------------------------------------------------
# Control flow graph of one process instance


@dataclass(slots=True)
class _Edge:
    src: int
    dst: int
    guard: ir.Expr
    checks: tuple[ir.Check, ...]
    writes: tuple[ir.Write, ...]
    text: str
    span: Span
    ref: str | None


class _Cfg:
    def __init__(self) -> None:
        self.parent: list[int] = []
        self.labels: list[str | None] = []
        self.spans: list[Span] = []
        self.edges: list[_Edge] = []

    def new(self, span: Span, label: str | None = None) -> int:
        if len(self.parent) >= MAX_LOCATIONS:
            raise _TooBig(f"a process has more than {MAX_LOCATIONS} locations (unrolled loops?)", span)
        self.parent.append(len(self.parent))
        self.labels.append(label)
        self.spans.append(span)
        return len(self.parent) - 1

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        """Make `a` the same location as `b` (a 0-step jump from a to b)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return
        keep, drop = (ra, rb) if ra < rb else (rb, ra)
        self.parent[drop] = keep
        if self.labels[keep] is None:
            self.labels[keep] = self.labels[drop]
            self.spans[keep] = self.spans[drop]


# --------------------------------------------------------------------------
# Frames: what names mean where code is lowered


@dataclass(frozen=True, slots=True)
class _Val:
    expr: ir.Const
    ty: Ty


Binding = _Val | _Store


@dataclass(frozen=True, slots=True)
class _Inst:
    index: int  # process instance number
    proc: ProcessSym
    self_value: int | None
    name: str


@dataclass(frozen=True, slots=True)
class _Ret:
    exit: int
    target: S.LValue | None
    caller: _Frame | None
    proc: str


@dataclass(frozen=True, slots=True)
class _Frame:
    inst: _Inst
    names: Mapping[str, Binding]
    labels: Mapping[str, int]
    ret: _Ret | None = None
    ref: str | None = None
    depth: int = 0
    statics: frozenset[str] = frozenset()  # names bound to configuration constants (`for`, index var)

    def bind(self, name: str, b: Binding) -> _Frame:
        return replace(self, names={**self.names, name: b}, statics=self.statics - {name})

    def bind_static(self, name: str, b: _Val) -> _Frame:
        """Bind a `for` variable: a constant of the configuration (NOTE(fold))."""
        return replace(self, names={**self.names, name: b}, statics=self.statics | {name})


class _InternalError(Exception):
    pass


class _TooBig(Exception):
    """The model exceeds a size limit: reported as a SpecError at `span`."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


MAX_INLINE_DEPTH = 64
MAX_LOCATIONS = 200_000
MAX_VARIABLES = 200_000
# statements executed inside atomic steps: no_copy.mig needs 318; each costs ~25 us
MAX_SYMBOLIC_WORK = 100_000
MAX_PATHS = 4096
# NOTE(quantifiers): `forall`/`exists` are expanded, one copy of the body per
# value, and nested ones multiply: three nested over 0..4000 would be 6.4e10
# copies (a hang).  The copies made while lowering one configuration are
# counted and bounded.
MAX_QUANTIFIER_INSTANCES = 200_000


# --------------------------------------------------------------------------
# The lowerer


class Lowerer:
    def __init__(
        self,
        env: Env,
        source: str,
        config: Mapping[str, int],
        at_maps: Mapping[str, Mapping[str, int]] | None,
    ) -> None:
        self.env = env
        self.source_lines = source.split("\n")
        self.config = config
        self.at_maps = at_maps
        self.sink = DiagnosticSink()
        self.vars: list[_VarB] = []
        self._doms: list[ir.Domain] = []  # the vars' domains, for interval reasoning
        self._elem_pos: dict[int, dict[int, int]] = {}
        self._sx_work = 0  # statements symbolically executed (bounded by MAX_SYMBOLIC_WORK)
        self._quant_work = 0  # quantifier bodies expanded (bounded by MAX_QUANTIFIER_INSTANCES)
        self._depths: dict[int, tuple[ir.Expr, int]] = {}  # id -> (node kept alive, depth)
        self.stores: dict[str, _Store] = {}
        self.locks: dict[str, _LockStore] = {}
        self.refs: dict[str, _RefStore] = {}
        self.insts: list[_Inst] = []
        self.family_insts: dict[str, list[_Inst]] = {}
        self.pc_vars: list[int] = []
        self.local_stores: list[dict[str, _Store]] = []
        self.proc_stores: dict[tuple[int, str, str], _Store] = {}
        self.used_props: set[str] = set()
        self.loc_maps: dict[str, dict[str, int]] = {}

    # ------------------------------------------------------------ variables

    def _new_var(self, vb: _VarB) -> int:
        if len(self.vars) >= MAX_VARIABLES:
            raise _TooBig(f"the model has more than {MAX_VARIABLES} state variables", vb.span)
        self.vars.append(vb)
        self._doms.append(vb.domain)
        return len(self.vars) - 1

    def _make_store(
        self,
        shown: str,
        base: str,
        dims: tuple[VType, ...],
        vtype: VType,
        init: S.Init | None,
        kind: ir.VarKind,
        span: Span,
        ghost: bool = False,
        owner: int | None = None,
        domain: ir.Domain | None = None,
        lock_kind: ir.LockKind | None = None,
        value_type: str | None = None,
    ) -> _Store:
        dom = domain if domain is not None else domain_of(vtype)
        combos = list(itertools.product(*[d.values() for d in dims]))
        inits = self._init_values(init, vtype, len(combos), dom)
        elems: list[int] = []
        for k, combo in enumerate(combos):
            name = shown + "".join(f"[{d.show_value(v)}]" for d, v in zip(dims, combo, strict=True))
            vb = _VarB(
                name,
                base,
                tuple(combo),
                dom,
                kind,
                span,
                inits[k],
                ghost,
                owner,
                tuple(_type_label(d) for d in dims),
                value_type
                if value_type is not None
                else (vtype.name if vtype.is_index and vtype.name else None),
                lock_kind,
            )
            elems.append(self._new_var(vb))
        return _Store(shown, dims, vtype, tuple(elems), ghost)

    def _static(self, e: S.Expr) -> tuple[int, Ty]:
        def lookup(n: S.Ident) -> tuple[int, Ty]:
            s = self.env.globals.get(n.text)
            match s:
                case ConstSym(value=v, ty=t):
                    return v, t
                case EnumMemberSym(value=v, enum=en):
                    return v, Ty(TyKind.ENUM, en)
                case ParamSym(vtype=vt):
                    return self.config[n.text], vt.ty
                case _:
                    raise _NotStatic(f"'{n.text}' is not a constant", n.span)

        return eval_static(e, lookup)

    def _init_values(self, init: S.Init | None, vt: VType, n: int, dom: ir.Domain) -> list[tuple[int, ...]]:
        match init:
            case None:
                return [(dom.lo,)] * n
            case S.InitAny():
                return [tuple(range(dom.lo, dom.hi + 1))] * n
            case S.InitList(items=items):
                vals: list[tuple[int, ...]] = [tuple([self._static(it)[0]]) for it in items][:n]
                return vals + [(dom.lo,)] * max(0, n - len(items))
            case _:
                return [(self._static(init)[0],)] * n

    def declare_globals(self) -> None:
        for g in self.env.global_vars:
            match g:
                case VarSym():
                    self.stores[g.name] = self._make_store(
                        g.name, g.name, g.dims, g.vtype, g.init, ir.VarKind.STATE, g.span, ghost=g.ghost
                    )
                case LockSym():
                    dom = ir.Domain(ir.DomainKind.PROC, 0, self.n_instances)
                    owner = self._make_store(
                        g.name,
                        g.name,
                        g.dims,
                        VType(TyKind.INT, 0, self.n_instances),
                        None,
                        ir.VarKind.LOCK,
                        g.span,
                        domain=dom,
                        lock_kind=g.kind,
                    )
                    readers: list[tuple[int, ...]] = []
                    if g.kind in (ir.LockKind.RWLOCK, ir.LockKind.RWSEM):
                        for e in owner.elems:
                            ename = self.vars[e].name
                            row: list[int] = []
                            for inst in self.insts:
                                row.append(
                                    self._new_var(
                                        _VarB(
                                            f"{ename}.reader[{inst.name}]",
                                            f"{g.name}.reader",
                                            self.vars[e].indices,
                                            ir.Domain(ir.DomainKind.BOOL, 0, 1),
                                            ir.VarKind.LOCK_READER,
                                            g.span,
                                            (0,),
                                            owner=inst.index,
                                            index_types=self.vars[e].index_types,
                                            lock_kind=g.kind,
                                        )
                                    )
                                )
                            readers.append(tuple(row))
                    self.locks[g.name] = _LockStore(g, owner, tuple(readers))
                case RefSym():
                    count = self._make_store(
                        g.name, g.name, g.dims, g.vtype, g.init, ir.VarKind.REFCOUNT, g.span
                    )
                    frozen = self._make_store(
                        f"frozen({g.name})",
                        f"frozen({g.name})",
                        g.dims,
                        VType(TyKind.BOOL, 0, 1),
                        None,
                        ir.VarKind.FROZEN,
                        g.span,
                    )
                    for cv, fv in zip(count.elems, frozen.elems, strict=True):
                        self.vars[fv].name = f"frozen({self.vars[cv].name})"
                    self.refs[g.name] = _RefStore(g, count, frozen)
                case _:
                    assert_never(g)

    def declare_instances(self) -> None:
        for p in self.env.processes:
            fam: list[_Inst] = []
            values: Sequence[int | None] = list(p.index_type.values()) if p.index_type is not None else [None]
            for v in values:
                name = (
                    p.name if v is None or p.index_type is None else f"{p.name}[{p.index_type.show_value(v)}]"
                )
                inst = _Inst(len(self.insts), p, v, name)
                self.insts.append(inst)
                fam.append(inst)
            self.family_insts[p.name] = fam
        self.n_instances = len(self.insts)

    def declare_process_vars(self) -> None:
        for inst in self.insts:
            p = inst.proc
            pc = self._new_var(
                _VarB(
                    f"pc({inst.name})",
                    f"pc({p.name})",
                    (),
                    ir.Domain(ir.DomainKind.PC, 0, 0),
                    ir.VarKind.PC,
                    p.span,
                    (0,),
                    owner=inst.index,
                )
            )
            self.pc_vars.append(pc)
            locs: dict[str, _Store] = {}
            for v in p.locals:
                locs[v.name] = self._make_store(
                    f"{inst.name}.{v.name}",
                    f"{p.name}.{v.name}",
                    v.dims,
                    v.vtype,
                    v.init,
                    ir.VarKind.STATE,
                    v.span,
                    owner=inst.index,
                )
            self.local_stores.append(locs)

    def proc_store(
        self,
        inst: _Inst,
        pr: ProcSym,
        name: str,
        vtype: VType,
        dims: tuple[VType, ...],
        init: S.Init | None,
        span: Span,
    ) -> _Store:
        key = (inst.index, pr.name, name)
        st = self.proc_stores.get(key)
        if st is None:
            st = self._make_store(
                f"{inst.name}.{pr.name}.{name}",
                f"{inst.proc.name}.{pr.name}.{name}",
                dims,
                vtype,
                init,
                ir.VarKind.STATE,
                span,
                owner=inst.index,
            )
            self.proc_stores[key] = st
        return st

    # ------------------------------------------------------------ source text

    def text_of(self, span: Span, limit: int = 60) -> str:
        if span.line <= 0 or span.line > len(self.source_lines):
            return ""
        if span.end_line == span.line:
            t = self.source_lines[span.line - 1][span.col - 1 : span.end_col - 1]
        else:
            parts = [self.source_lines[span.line - 1][span.col - 1 :]]
            for ln in range(span.line + 1, min(span.end_line, len(self.source_lines)) + 1):
                line = self.source_lines[ln - 1]
                parts.append(line[: span.end_col - 1] if ln == span.end_line else line)
            t = "\n".join(parts)
        t = " ".join(_without_comments(t).split())
        if len(t) > limit:
            t = t[: limit - 3] + "..."
        return t

    # ------------------------------------------------------------ checks

    def add_check(
        self, path: _Path, cond: ir.Expr, kind: ir.CheckKind, message: str, span: Span, prop: str = "runtime"
    ) -> None:
        if isinstance(cond, ir.Const) and cond.value:
            return
        path.checks.append(ir.Check(cond, kind, prop, message, span))
        self.used_props.add(prop)

    def doms(self) -> Sequence[ir.Domain]:
        return self._doms

    def refined_doms(self, path: _Path | None) -> Sequence[ir.Domain]:
        """The variables' domains narrowed by the bounds `path`'s guard implies."""
        doms = self.doms()
        if path is None or not (path.guard or path.checks):
            return doms
        narrowed: dict[int, ir.Domain] = {}
        # Facts: the guard holds, and every earlier check of the step passed
        # (a failing check ends the run before later ones are evaluated).
        for g in [*path.guard, *(c.cond for c in path.checks)]:
            for c in _conjuncts(g):
                b = _bound(c)
                if b is None:
                    continue
                v, lo, hi = b
                d = narrowed.get(v, doms[v])
                narrowed[v] = replace(d, lo=max(d.lo, lo), hi=min(d.hi, hi))
        if not narrowed:
            return doms
        return _Overlay(doms, narrowed)

    def in_range_check(
        self, path: _Path, value: ir.Expr, dom: ir.Domain, what: str, fr: _Frame, span: Span
    ) -> None:
        if dom.kind is ir.DomainKind.BOOL:
            return
        lo, hi = interval(value, self.refined_doms(path))
        if dom.lo <= lo and hi <= dom.hi:
            return
        parts: list[ir.Expr] = []
        if lo < dom.lo:
            parts.append(mk_bin(ir.BinOp.GE, value, const(dom.lo)))
        if hi > dom.hi:
            parts.append(mk_bin(ir.BinOp.LE, value, const(dom.hi)))
        cond = mk_and(parts)
        self.add_check(
            path,
            cond,
            ir.CheckKind.RANGE,
            f"{fr.inst.name}: {what} must stay in {dom.lo}..{dom.hi}",
            span,
        )

    # ------------------------------------------------------------ places

    # NOTE(index-check): an INDEX check is left out only when the variables'
    # domains alone keep the index in range.  The step's guard does not
    # count here (unlike for RANGE checks): a guard is evaluated in every
    # state, so a Select in it must be safe even where the guard is false.
    def place(
        self, store: _Store, idx: Sequence[S.Expr], fr: _Frame, path: _Path | None, span: Span
    ) -> _Place:
        if not store.dims:
            return _Place(store, store.elems, None)
        vals = [self.ev(e, fr, path) for e in idx]
        conds: list[ir.Expr] = []
        lin: ir.Expr = const(0)
        stride = 1
        for d, v in reversed(list(zip(store.dims, vals, strict=True))):
            lo, hi = interval(v, self.doms())  # NOTE(index-check)
            if not (d.lo <= lo and hi <= d.hi):
                conds.append(
                    mk_and([mk_bin(ir.BinOp.GE, v, const(d.lo)), mk_bin(ir.BinOp.LE, v, const(d.hi))])
                )
            term = mk_bin(ir.BinOp.SUB, v, const(d.lo))
            if stride != 1:
                term = mk_bin(ir.BinOp.MUL, term, const(stride))
            lin = (
                mk_bin(ir.BinOp.ADD, term, lin)
                if not (isinstance(lin, ir.Const) and lin.value == 0)
                else term
            )
            stride *= d.hi - d.lo + 1
        ok = mk_and(reversed(conds))
        if conds and path is not None:
            # NOTE(guard-select): a read after a guard or branch condition
            # happens only when that condition holds (a `trans` body runs only
            # when its `when` guard does), so its index check applies only then.
            applies = mk_or([mk_not(mk_and(path.guard)), ok]) if path.guard else ok
            self.add_check(
                path,
                applies,
                ir.CheckKind.INDEX,
                f"{fr.inst.name}: index out of range in {self.text_of(span)}",
                span,
            )
        if isinstance(lin, ir.Const):
            if isinstance(ok, ir.Const) and not ok.value:
                return _Place(store, (store.elems[0],), None)  # the step fails its check first
            return _Place(store, (store.elems[lin.value],), None)
        if path is None and conds:
            # In a property, an out-of-range element reads as the first one;
            # properties never fail a runtime check (see docs/IR.md).
            lin = mk_ite(ok, lin, const(0))
        return _Place(store, store.elems, lin)

    def write(self, path: _Path, pl: _Place, value: ir.Expr, fr: _Frame, span: Span, what: str) -> None:
        self.check_value_size(value, span)
        dom = self.vars[pl.elems[0]].domain
        self.in_range_check(path, value, dom, what, fr, span)
        if pl.index is None:
            v = pl.elems[0]
            path.writes = [w for w in path.writes if not (isinstance(w, ir.Assign) and w.var == v)]
            path.writes.append(ir.Assign(v, value))
            path.cur[v] = value
            return
        path.writes.append(ir.AssignElem(pl.elems, pl.index, value))
        for k, v in enumerate(pl.elems):
            path.cur[v] = mk_ite(mk_bin(ir.BinOp.EQ, pl.index, const(k)), value, path.read(v))

    def check_value_size(self, value: ir.Expr, span: Span) -> None:
        """NOTE(value-size): inside an atomic step each write builds on the values
        written before it (NOTE(symbolic)), so a long step can build a value
        nested deeper than any source expression (`x = (x + 1) % 4;` 300 times
        overflowed the engines' code generators), or a constant that squares
        itself (`y = y * y;` 40 times: 2^40 digits, a hang).  Both are bounded
        at each write, before the next statement builds on the value."""
        if isinstance(value, ir.Const) and value.value.bit_length() > R.MAX_STATIC_BITS:
            raise _TooBig(f"this value has more than {R.MAX_STATIC_BITS} bits", span)
        if self.expr_depth(value) > S.MAX_NESTING:
            raise _TooBig(
                f"this atomic step builds a value nested more than {S.MAX_NESTING} levels deep "
                "(each write builds on the last); split the step",
                span,
            )

    def expr_depth(self, e: ir.Expr) -> int:
        """The nesting depth of `e`, memoised by node identity (shared nodes once)."""
        memo = self._depths
        stack: list[tuple[ir.Expr, bool]] = [(e, False)]
        while stack:
            x, ready = stack.pop()
            if id(x) in memo:
                continue
            kids: tuple[ir.Expr, ...]
            match x:
                case ir.Const() | ir.VarRef():
                    kids = ()
                case ir.Select(index=i) | ir.Unary(arg=i):
                    kids = (i,)
                case ir.Binary(lhs=a, rhs=b):
                    kids = (a, b)
                case ir.Ite(cond=c, then=t, else_=f):
                    kids = (c, t, f)
                case _:
                    assert_never(x)
            if ready or not kids:
                memo[id(x)] = (x, 1 + max((memo[id(k)][1] for k in kids), default=0))
            else:
                stack.append((x, True))
                stack.extend((k, False) for k in kids if id(k) not in memo)
        return memo[id(e)][1]

    # ------------------------------------------------------------ names

    def lookup_store(self, name: str, fr: _Frame | None) -> _Store | None:
        if fr is not None:
            b = fr.names.get(name)
            if isinstance(b, _Store):
                return b
            if b is not None:
                return None
        return self.stores.get(name)

    def lvalue_place(self, lv: S.LValue, fr: _Frame, path: _Path) -> _Place:
        st = self.lookup_store(lv.name.text, fr)
        if st is None:
            raise _InternalError(f"assignment target '{lv.name.text}' did not resolve")
        return self.place(st, lv.indices, fr, path, lv.span)

    def ev_name(self, n: S.Ident, fr: _Frame | None, path: _Path | None, span: Span) -> ir.Expr:
        name = n.text
        if fr is not None and name in fr.names:
            b = fr.names[name]
            if isinstance(b, _Val):
                return b.expr
            return self.place(b, (), fr, path, span).read(path)
        sym = self.env.globals.get(name)
        match sym:
            case VarSym():
                return self.place(self.stores[name], (), fr or self._prop_frame(), path, span).read(path)
            case ConstSym(value=v, ty=t):
                return const(v, t == BOOL)
            case ParamSym(vtype=vt):
                return const(self.config[name], vt.kind is TyKind.BOOL)
            case EnumMemberSym(value=v):
                return const(v)
            case RefSym():
                rs = self.refs[name]
                return self.place(rs.count, (), fr or self._prop_frame(), path, span).read(path)
            case _:
                raise _InternalError(f"name '{name}' did not resolve to a value")

    def _prop_frame(self) -> _Frame:
        inst = self.insts[0] if self.insts else _Inst(0, self.env.processes[0], None, "?")
        return _Frame(inst, {}, {})

    # ------------------------------------------------------------ expressions

    def ev(self, e: S.Expr, fr: _Frame | None, path: _Path | None) -> ir.Expr:
        """Lower a pure expression (reads see `path`'s writes; checks go to `path`)."""
        match e:
            case S.IntLit(value=v):
                return const(v)
            case S.BoolLit(value=b):
                return const(b, True)
            case S.SelfRef():
                if fr is None or fr.inst.self_value is None:
                    raise _InternalError("'self' outside a replicated process")
                return const(fr.inst.self_value)
            case S.NameRef(name=n):
                return self.ev_name(n, fr, path, e.span)
            case S.IndexRef(name=n, indices=idx):
                frame = fr or self._prop_frame()
                st = self.lookup_store(n.text, fr)
                if st is None and n.text in self.refs:
                    st = self.refs[n.text].count
                if st is None:
                    raise _InternalError(f"'{n.text}' is not an array")
                return self.place(st, idx, frame, path, e.span).read(path)
            case S.Call():
                return self.ev_call(e, fr, path)
            case S.LocalRef(process=pn, index=pi, name=ln):
                fam = self.family_insts[pn.text]
                elems = tuple(self.local_stores[i.index][ln.text].elems[0] for i in fam)
                if pi is None:
                    return ir.VarRef(elems[0])
                ptype = fam[0].proc.index_type
                assert ptype is not None
                iv = mk_bin(ir.BinOp.SUB, self.ev(pi, fr, path), const(ptype.lo))
                if isinstance(iv, ir.Const):
                    if 0 <= iv.value < len(elems):
                        return ir.VarRef(elems[iv.value])
                    return ir.VarRef(elems[0])
                store = _Store(f"{pn.text}.{ln.text}", (ptype,), VType(TyKind.INT, 0, 0), elems)
                return self.place(store, (pi,), fr or self._prop_frame(), path, e.span).read(path)
            case S.UnaryExpr(op=uop, arg=ua):
                uv = self.ev(ua, fr, path)
                if uop is S.UnaryOp.NOT:
                    return mk_not(uv)
                if isinstance(uv, ir.Const):
                    return const(-uv.value)
                return ir.Unary(ir.UnOp.NEG, uv)
            case S.BinaryExpr(op=op, lhs=a, rhs=b):
                return self.ev_binary(op, a, b, fr, path, e.span)
            case S.Conditional(cond=c, then=th, else_=el):
                cv = self.ev(c, fr, path)
                tv = self._ev_when(th, cv, fr, path)
                fv = self._ev_when(el, mk_not(cv), fr, path)
                return mk_ite(cv, tv, fv)
            case S.Quant(kind=k, var=v, type=t, body=body):
                vt = self._vtype(t)
                parts: list[ir.Expr] = []
                frame = fr or self._prop_frame()
                for x in vt.values():
                    self._quant_work += 1  # NOTE(quantifiers)
                    if self._quant_work > MAX_QUANTIFIER_INSTANCES:
                        raise _TooBig(
                            f"the quantifiers of this spec expand to more than {MAX_QUANTIFIER_INSTANCES:,} "
                            "instances (nested forall/exists over wide types?)",
                            e.span,
                        )
                    parts.append(self.ev(body, frame.bind(v.text, _Val(const(x), vt.ty)), path))
                return mk_and(parts) if k is S.QuantKind.FORALL else mk_or(parts)
            case _:
                assert_never(e)

    def _ev_when(self, e: S.Expr, when: ir.Expr, fr: _Frame | None, path: _Path | None) -> ir.Expr:
        """Lower `e`, evaluated only when `when` holds (NOTE(short-circuit))."""
        if path is None:
            return self.ev(e, fr, path)
        n0 = len(path.checks)
        y = self.ev(e, fr, path)
        new = path.checks[n0:]
        del path.checks[n0:]
        for c in new:
            cond = mk_or([mk_not(when), c.cond])
            if not (isinstance(cond, ir.Const) and cond.value):
                path.checks.append(replace(c, cond=cond))
        return y

    def ev_binary(
        self, op: S.BinaryOp, a: S.Expr, b: S.Expr, fr: _Frame | None, path: _Path | None, span: Span
    ) -> ir.Expr:
        x = self.ev(a, fr, path)
        if op in (S.BinaryOp.AND, S.BinaryOp.OR, S.BinaryOp.IMPLIES) and path is not None:
            # NOTE(short-circuit): `&&`, `||`, `->` and `c ? a : b` evaluate an
            # operand only when C would: the runtime checks it raises (index,
            # division by zero) apply only when that operand is evaluated, so
            # each becomes `!when || check`.  The values themselves need no
            # guard: the engines read an out-of-range element as 0 and x / 0 as 0.
            when = x if op is not S.BinaryOp.OR else mk_not(x)
            y = self._ev_when(b, when, fr, path)
            return mk_bin(_BINOPS[op], x, y)
        y = self.ev(b, fr, path)
        if op in (S.BinaryOp.DIV, S.BinaryOp.MOD) and path is not None and fr is not None:
            lo, hi = interval(y, self.doms())
            if lo <= 0 <= hi:
                nonzero = mk_bin(ir.BinOp.NE, y, const(0))
                # as for index checks (NOTE(guard-select)): it applies only where the guard holds
                applies = mk_or([mk_not(mk_and(path.guard)), nonzero]) if path.guard else nonzero
                self.add_check(
                    path,
                    applies,
                    ir.CheckKind.DIV_ZERO,
                    f"{fr.inst.name}: division by zero in {self.text_of(span)}",
                    span,
                )
        if op in (S.BinaryOp.DIV, S.BinaryOp.MOD) and path is None:
            lo, hi = interval(y, self.doms())
            if lo <= 0 <= hi:
                # properties never fail: x / 0 reads as 0
                return mk_ite(mk_bin(ir.BinOp.EQ, y, const(0)), const(0), mk_bin(_BINOPS[op], x, y))
        return mk_bin(_BINOPS[op], x, y)

    def _vtype(self, t: S.TypeExpr) -> VType:
        match t:
            case S.BoolType():
                return VType(TyKind.BOOL, 0, 1)
            case S.ByteType():
                return VType(TyKind.INT, 0, 255)
            case S.RangeType(lo=lo, hi=hi):
                return VType(TyKind.INT, self._static(lo)[0], self._static(hi)[0])
            case S.TypeName(name=n):
                s = self.env.globals.get(n.text)
                if not isinstance(s, TypeSym):
                    raise _InternalError(f"type '{n.text}' did not resolve")
                return s.vtype
            case _:
                assert_never(t)

    # -- built-in predicates

    def lock_of(self, a: S.Expr, fr: _Frame, path: _Path | None) -> tuple[_LockStore, _Place, int | None]:
        """The lock store, the owner place, and the static element number (or None)."""
        match a:
            case S.NameRef(name=n):
                ls = self.locks[n.text]
                return ls, self.place(ls.owner, (), fr, path, a.span), 0
            case S.IndexRef(name=n, indices=idx):
                ls = self.locks[n.text]
                pl = self.place(ls.owner, idx, fr, path, a.span)
                elem = self.elem_pos(ls.owner)[pl.elems[0]] if pl.index is None else None
                return ls, pl, elem
            case _:
                raise _InternalError("not a lock")

    def elem_pos(self, st: _Store) -> Mapping[int, int]:
        """Variable index -> position in `st.elems` (cached per store)."""
        key = st.elems[0] if st.elems else -1
        pos = self._elem_pos.get(key)
        if pos is None:
            pos = {v: k for k, v in enumerate(st.elems)}
            self._elem_pos[key] = pos
        return pos

    def reader_place(self, ls: _LockStore, pl: _Place, elem: int | None, inst: int) -> _Place:
        col = tuple(row[inst] for row in ls.readers)
        fake = _Store(ls.sym.name + ".reader", ls.owner.dims, VType(TyKind.BOOL, 0, 1), col)
        if elem is not None:
            return _Place(fake, (col[elem],), None)
        return _Place(fake, col, pl.index)

    def ref_of(self, a: S.Expr, fr: _Frame, path: _Path | None) -> tuple[_RefStore, _Place, _Place]:
        match a:
            case S.NameRef(name=n):
                rs = self.refs[n.text]
                return (
                    rs,
                    self.place(rs.count, (), fr, path, a.span),
                    self.place(rs.frozen, (), fr, path, a.span),
                )
            case S.IndexRef(name=n, indices=idx):
                rs = self.refs[n.text]
                c = self.place(rs.count, idx, fr, path, a.span)
                # the frozen bits share the count's index (and its check)
                if c.index is None:
                    k = self.elem_pos(rs.count)[c.elems[0]]
                    f = _Place(rs.frozen, (rs.frozen.elems[k],), None)
                else:
                    f = _Place(rs.frozen, rs.frozen.elems, c.index)
                return rs, c, f
            case _:
                raise _InternalError("not a refcount")

    def instance_expr(self, a: S.Expr, fr: _Frame | None, path: _Path | None) -> tuple[str, ir.Expr]:
        """(family, expression for the instance number) of `self`, `P` or `P[i]`."""
        match a:
            case S.SelfRef():
                assert fr is not None
                return fr.inst.proc.name, const(fr.inst.index)
            case S.NameRef(name=n):
                return n.text, const(self.family_insts[n.text][0].index)
            case S.IndexRef(name=n, indices=idx):
                fam = self.family_insts[n.text]
                p = fam[0].proc
                assert p.index_type is not None
                v = self.ev(idx[0], fr, path)
                base = fam[0].index - p.index_type.lo
                return n.text, mk_bin(ir.BinOp.ADD, v, const(base)) if base else v
            case _:
                raise _InternalError("not a process instance")

    def ev_call(self, e: S.Call, fr: _Frame | None, path: _Path | None) -> ir.Expr:
        name = e.name.text
        frame = fr or self._prop_frame()
        if name == "held":
            ls, pl, elem = self.lock_of(e.args[0], frame, path)
            parts = [mk_bin(ir.BinOp.NE, pl.read(path), const(0))]
            if ls.readers:
                for k in range(self.n_instances):
                    parts.append(self.reader_place(ls, pl, elem, k).read(path))
            return mk_or(parts)
        if name == "held_by":
            ls, pl, elem = self.lock_of(e.args[0], frame, path)
            fam, who = self.instance_expr(e.args[1], fr, path)
            parts = [mk_bin(ir.BinOp.EQ, pl.read(path), mk_bin(ir.BinOp.ADD, who, const(1)))]
            if ls.readers:
                for inst in self.family_insts[fam]:
                    parts.append(
                        mk_and(
                            [
                                mk_bin(ir.BinOp.EQ, who, const(inst.index)),
                                self.reader_place(ls, pl, elem, inst.index).read(path),
                            ]
                        )
                    )
            return mk_or(parts)
        if name == "frozen":
            _, _, f = self.ref_of(e.args[0], frame, path)
            return f.read(path)
        if name == "at":
            fam, who = self.instance_expr(e.args[0], fr, path)
            lab = e.args[1]
            assert isinstance(lab, S.NameRef)
            if self.at_maps is None:
                return ir.FALSE  # first pass: locations are not known yet
            loc = self.at_maps[fam].get(lab.name.text)
            if loc is None:
                return ir.FALSE
            insts = self.family_insts[fam]
            pcs = tuple(self.pc_vars[i.index] for i in insts)
            if isinstance(who, ir.Const):
                v = self.pc_vars[who.value]
                cur = path.read(v) if path is not None else ir.VarRef(v)
                return mk_bin(ir.BinOp.EQ, cur, const(loc))
            # NOTE(at-index): a dynamic instance index goes through `place` like any
            # array index: an INDEX check in code, the first instance in a property.
            sel = e.args[0]
            index_type = insts[0].proc.index_type
            assert isinstance(sel, S.IndexRef) and index_type is not None
            fake = _Store(f"pc({fam})", (index_type,), VType(TyKind.INT, 0, 0), pcs)
            pl = self.place(fake, [sel.indices[0]], frame, path, e.span)
            return mk_bin(ir.BinOp.EQ, pl.read(path), const(loc))
        raise _InternalError(f"'{name}' is not a value")

    # ------------------------------------------------------------ symbolic execution of one step

    def me(self, fr: _Frame) -> int:
        return fr.inst.index + 1

    def spin_free(self, fr: _Frame, path: _Path) -> ir.Expr:
        """No spinning lock (spinlock, rwlock) is held by this instance."""
        parts: list[ir.Expr] = []
        for ls in self.locks.values():
            if ls.sym.kind in (ir.LockKind.SPINLOCK, ir.LockKind.RWLOCK):
                for v in ls.owner.elems:
                    parts.append(mk_bin(ir.BinOp.NE, path.read(v), const(self.me(fr))))
                for row in ls.readers:
                    parts.append(mk_not(path.read(row[fr.inst.index])))
        return mk_and(parts)

    def lock_op(self, c: S.Call, fr: _Frame, path: _Path, span: Span) -> None:
        name = c.name.text
        me = const(self.me(fr))
        who = fr.inst.name
        if name == "might_sleep":
            self.add_check(
                path,
                self.spin_free(fr, path),
                ir.CheckKind.SLEEP_IN_ATOMIC,
                f"{who}: might_sleep while holding a spinning lock",
                span,
            )
            return
        ltext = self.text_of(c.args[0].span)
        ls, pl, elem = self.lock_of(c.args[0], fr, path)
        owner = pl.read(path)
        kind = ls.sym.kind
        sleeping = kind in (ir.LockKind.MUTEX, ir.LockKind.RWSEM)
        E = ir.BinOp.EQ
        if name in ("lock", "write_lock", "read_lock"):
            mine = mk_bin(E, owner, me)
            rd = self.reader_place(ls, pl, elem, fr.inst.index) if ls.readers else None
            mine_rd = rd.read(path) if rd is not None else ir.FALSE
            if name == "read_lock":
                free = mk_bin(E, owner, const(0))
            else:
                others = (
                    [mk_not(self.reader_place(ls, pl, elem, k).read(path)) for k in range(self.n_instances)]
                    if ls.readers
                    else []
                )
                free = mk_and([mk_bin(E, owner, const(0)), *others])
            nospin = self.spin_free(fr, path) if sleeping else ir.TRUE
            path.guard.append(mk_or([free, mine, mine_rd, mk_not(nospin)]))
            if sleeping:
                self.add_check(
                    path,
                    nospin,
                    ir.CheckKind.SLEEP_IN_ATOMIC,
                    f"{who}: {name}({ltext}) sleeps while holding a spinning lock",
                    span,
                )
            self.add_check(
                path,
                mk_and([mk_not(mine), mk_not(mine_rd)]),
                ir.CheckKind.LOCK_REACQUIRE,
                f"{who}: {name}({ltext}) re-acquires a lock it already holds",
                span,
            )
            if name == "read_lock":
                assert rd is not None
                self.write(path, rd, ir.TRUE, fr, span, ltext)
            else:
                self.write(path, pl, me, fr, span, ltext)
            return
        if name in ("unlock", "write_unlock"):
            self.add_check(
                path,
                mk_bin(E, owner, me),
                ir.CheckKind.LOCK_NOT_HELD,
                f"{who}: {name}({ltext}) releases a lock it does not hold",
                span,
            )
            self.write(path, pl, const(0), fr, span, ltext)
            return
        if name == "read_unlock":
            rd = self.reader_place(ls, pl, elem, fr.inst.index)
            self.add_check(
                path,
                rd.read(path),
                ir.CheckKind.LOCK_NOT_HELD,
                f"{who}: read_unlock({ltext}) releases a read lock it does not hold",
                span,
            )
            self.write(path, rd, ir.FALSE, fr, span, ltext)
            return
        raise _InternalError(f"unknown lock operation {name}")

    def ref_op(self, c: S.Call, fr: _Frame, path: _Path, span: Span) -> None:
        name = c.name.text
        who = fr.inst.name
        rtext = self.text_of(c.args[0].span)
        rs, cnt, frz = self.ref_of(c.args[0], fr, path)
        val = cnt.read(path)
        hi = rs.sym.vtype.hi
        if name == "get":
            self.add_check(
                path,
                mk_not(frz.read(path)),
                ir.CheckKind.REF_GET_FROZEN,
                f"{who}: get({rtext}) on a frozen count",
                span,
            )
            self.write(path, cnt, mk_bin(ir.BinOp.ADD, val, const(1)), fr, span, rtext)
            return
        if name == "put":
            self.add_check(
                path,
                mk_bin(ir.BinOp.GT, val, const(0)),
                ir.CheckKind.REF_UNDERFLOW,
                f"{who}: put({rtext}) below zero",
                span,
            )
            self.write(path, cnt, mk_bin(ir.BinOp.SUB, val, const(1)), fr, span, rtext)
            return
        if name == "unfreeze":
            nv = self.ev(c.args[1], fr, path)
            self.add_check(
                path,
                frz.read(path),
                ir.CheckKind.REF_UNFREEZE,
                f"{who}: unfreeze({rtext}) of a count that is not frozen",
                span,
            )
            self.write(path, cnt, nv, fr, span, rtext)
            self.write(path, frz, ir.FALSE, fr, span, rtext)
            return
        del hi
        raise _InternalError(f"unknown refcount operation {name}")

    def effect_fork(self, c: S.Call, fr: _Frame, path: _Path, span: Span) -> list[tuple[_Path, bool]]:
        """An effectful condition: [(path, value)] with the effect applied."""
        name = c.name.text
        E = ir.BinOp.EQ
        me = const(self.me(fr))
        if name in ("trylock", "write_trylock", "read_trylock"):
            ls, pl, elem = self.lock_of(c.args[0], fr, path)
            owner = pl.read(path)
            ltext = self.text_of(c.args[0].span)
            if name == "read_trylock":
                ok = mk_bin(E, owner, const(0))
            else:
                others = (
                    [mk_not(self.reader_place(ls, pl, elem, k).read(path)) for k in range(self.n_instances)]
                    if ls.readers
                    else []
                )
                ok = mk_and([mk_bin(E, owner, const(0)), *others])
            yes, no = path.copy(), path
            yes.guard.append(ok)
            if name == "read_trylock":
                self.write(yes, self.reader_place(ls, pl, elem, fr.inst.index), ir.TRUE, fr, span, ltext)
            else:
                self.write(yes, pl, me, fr, span, ltext)
            no.guard.append(mk_not(ok))
            return [(yes, True), (no, False)]
        _, cnt, frz = self.ref_of(c.args[0], fr, path)
        rtext = self.text_of(c.args[0].span)
        val = cnt.read(path)
        if name == "get_unless_zero":
            ok = mk_bin(ir.BinOp.NE, val, const(0))
            yes, no = path.copy(), path
            yes.guard.append(ok)
            self.write(yes, cnt, mk_bin(ir.BinOp.ADD, val, const(1)), fr, span, rtext)
            no.guard.append(mk_not(ok))
            return [(yes, True), (no, False)]
        if name == "freeze":
            exp = self.ev(c.args[1], fr, path)
            ok = mk_bin(E, val, exp)
            yes, no = path.copy(), path
            yes.guard.append(ok)
            self.write(yes, cnt, const(0), fr, span, rtext)
            self.write(yes, frz, ir.TRUE, fr, span, rtext)
            no.guard.append(mk_not(ok))
            return [(yes, True), (no, False)]
        raise _InternalError(f"unknown condition {name}")

    def cond_fork(self, e: S.Expr, fr: _Frame, path: _Path) -> list[tuple[_Path, ir.Expr]]:
        neg = False
        inner = e
        if isinstance(inner, S.UnaryExpr) and inner.op is S.UnaryOp.NOT:
            neg, inner = True, inner.arg
        if isinstance(inner, S.Call) and inner.name.text in EFFECT_CONDS:
            return [(p, const(v != neg, True)) for p, v in self.effect_fork(inner, fr, path, e.span)]
        return [(path, self.ev(e, fr, path))]

    def split(self, path: _Path, c: ir.Expr) -> tuple[_Path | None, _Path | None]:
        if isinstance(c, ir.Const):  # decided: no copy, and no guard entry (dead() scans the guard)
            return (path, None) if c.value else (None, path)
        t = path.copy()
        t.guard.append(c)
        f = path
        f.guard.append(mk_not(c))
        return (None if t.dead() else t), (None if f.dead() else f)

    def sx_block(self, stmts: Sequence[S.Stmt], fr: _Frame, paths: list[_Path]) -> list[_Path]:
        for st in stmts:
            self._sx_work += len(paths)
            if self._sx_work > MAX_SYMBOLIC_WORK:
                raise _TooBig("the atomic steps of this spec unroll to too many statements", st.span)
            nxt: list[_Path] = []
            for p in paths:
                if p.done or p.dead():
                    nxt.append(p)
                else:
                    nxt.extend(self.sx(st, fr, p))
            paths = [p for p in nxt if not p.dead()]
            if len(paths) > MAX_PATHS:
                self.sink.error(f"this atomic step has more than {MAX_PATHS} outcomes; split it", st.span)
                return paths[:1]
        return paths

    def sx(self, st: S.Stmt, fr: _Frame, path: _Path) -> list[_Path]:
        """Symbolically execute `st` (inside one atomic step) from `path`."""
        match st:
            case S.Assign(target=lv, value=v):
                if isinstance(v, S.Call) and v.name.text in self.env.procs:
                    return self.sx_inline(v, lv, fr, path)
                if isinstance(v, S.Call) and v.name.text in EFFECT_CONDS:
                    out: list[_Path] = []
                    for p, bval in self.effect_fork(v, fr, path, v.span):
                        pl = self.lvalue_place(lv, fr, p)
                        self.write(p, pl, const(bval, True), fr, st.span, self.text_of(lv.span))
                        out.append(p)
                    return out
                val = self.ev(v, fr, path)
                pl = self.lvalue_place(lv, fr, path)
                self.write(path, pl, val, fr, st.span, self.text_of(lv.span))
                return [path]
            case S.AssignAny(target=lv):
                pl = self.lvalue_place(lv, fr, path)
                dom = self.vars[pl.elems[0]].domain
                out = []
                for x in range(dom.lo, dom.hi + 1):
                    p = path.copy()
                    self.write(
                        p, pl, const(x, dom.kind is ir.DomainKind.BOOL), fr, st.span, self.text_of(lv.span)
                    )
                    p.choice.append(f"{self.text_of(lv.span)}={dom.show(x)}")
                    out.append(p)
                return out
            case S.CallStmt(call=c):
                name = c.name.text
                if name in self.env.procs:
                    return self.sx_inline(c, None, fr, path)
                if name in EFFECT_CONDS:
                    return [p for p, _ in self.effect_fork(c, fr, path, st.span)]
                if name in ("get", "put", "unfreeze"):
                    self.ref_op(c, fr, path, st.span)
                    return [path]
                if name in BUILTIN_STMTS:
                    self.lock_op(c, fr, path, st.span)
                    return [path]
                raise _InternalError(f"unknown call {name}")
            case S.Await(cond=c):
                path.guard.append(self.ev(c, fr, path))
                return [path]
            case S.Assert(name=n, cond=c, message=msg):
                prop = n.text if n is not None else "assert"
                cond = self.ev(c, fr, path)
                text = msg if msg is not None else f"assertion {self.text_of(c.span)} failed"
                if not (isinstance(cond, ir.Const) and cond.value):
                    path.checks.append(
                        ir.Check(cond, ir.CheckKind.ASSERT, prop, f"{fr.inst.name}: {text}", st.span)
                    )
                self.used_props.add(prop)
                return [path]
            case S.Return(value=v):
                ret = fr.ret
                if ret is None:
                    raise _InternalError("return outside a procedure")
                if v is not None and ret.target is not None and ret.caller is not None:
                    val = self.ev(v, fr, path)
                    pl = self.lvalue_place(ret.target, ret.caller, path)
                    self.write(path, pl, val, ret.caller, st.span, self.text_of(ret.target.span))
                elif v is not None:
                    self.ev(v, fr, path)
                path.done = True
                return [path]
            case S.Skip():
                return [path]
            case S.Block(stmts=ss):
                return self.sx_block(ss, fr, [path])
            case S.If(branches=bs, else_=eb):
                out = []
                rest = [path]
                for b in bs:
                    nrest: list[_Path] = []
                    for p in rest:
                        for q, qc in self.cond_fork(b.cond, fr, p):
                            t, f = self.split(q, qc)
                            if t is not None:
                                out.extend(self.sx_block(b.body.stmts, fr, [t]))
                            if f is not None:
                                nrest.append(f)
                    rest = nrest
                if eb is not None:
                    rest = self.sx_block(eb.stmts, fr, rest)
                return out + rest
            case S.Switch(subject=subj, cases=cases, default=d):
                out = []
                rest = [path]
                for cs in cases:
                    nrest = []
                    for p in rest:
                        sv = self.ev(subj, fr, p)
                        sc = mk_or([mk_bin(ir.BinOp.EQ, sv, self.ev(cv, fr, p)) for cv in cs.values])
                        t, f = self.split(p, sc)
                        if t is not None:
                            out.extend(self.sx_block(cs.body.stmts, fr, [t]))
                        if f is not None:
                            nrest.append(f)
                    rest = nrest
                if d is not None:
                    rest = self.sx_block(d.stmts, fr, rest)
                return out + rest
            case S.For(var=v, type=t, body=b):
                vt = self._vtype(t)
                paths = [path]
                for x in vt.values():
                    paths = self.sx_block(b.stmts, fr.bind(v.text, _Val(const(x), vt.ty)), paths)
                return paths
            case S.Atomic(body=ab):
                return self.sx_block(ab.stmts, fr, [path])
            case S.Either(branches=ebs):
                out = []
                for k, xb in enumerate(ebs):
                    p = path.copy()
                    p.choice.append(f"branch {k + 1}")
                    out.extend(self.sx_block(xb.stmts, fr, [p]))
                return out
            case S.WithRef(stmt=inner):
                return self.sx(inner, fr, path)
            case S.While() | S.Goto() | S.Labelled():
                raise _InternalError("loop or jump inside an atomic step")
            case _:
                assert_never(st)

    def bind_call(
        self, c: S.Call, fr: _Frame, path: _Path
    ) -> tuple[ProcSym, dict[str, Binding], list[_Path]]:
        """Bind a procedure's arguments and reset its locals along `path`."""
        pr = self.env.procs[c.name.text]
        names: dict[str, Binding] = {}
        for (pname, pvt), arg in zip(pr.params, c.args, strict=True):
            v = self.ev(arg, fr, path)
            if isinstance(v, ir.Const):
                names[pname] = _Val(const(v.value, pvt.kind is TyKind.BOOL), pvt.ty)
            else:
                st = self.proc_store(fr.inst, pr, pname, pvt, (), None, pr.span)
                names[pname] = st
                self.write(path, _Place(st, st.elems, None), v, fr, c.span, f"parameter {pname} of {pr.name}")
        paths = [path]
        for lv in pr.locals:
            st = self.proc_store(fr.inst, pr, lv.name, lv.vtype, lv.dims, lv.init, lv.span)
            names[lv.name] = st
            for k, e in enumerate(st.elems):
                vals = self.vars[e].init
                nxt: list[_Path] = []
                for p in paths:
                    for x in vals:
                        q = p.copy() if len(vals) > 1 else p
                        q.writes = [w for w in q.writes if not (isinstance(w, ir.Assign) and w.var == e)]
                        q.writes.append(
                            ir.Assign(e, const(x, self.vars[e].domain.kind is ir.DomainKind.BOOL))
                        )
                        q.cur[e] = const(x)
                        nxt.append(q)
                paths = nxt
                del k
        return pr, names, paths

    def sx_inline(self, c: S.Call, target: S.LValue | None, fr: _Frame, path: _Path) -> list[_Path]:
        if fr.depth >= MAX_INLINE_DEPTH:
            raise _InternalError("procedure inlining too deep")
        pr, names, paths = self.bind_call(c, fr, path)
        sub = _Frame(fr.inst, names, {}, _Ret(-1, target, fr, pr.name), fr.ref, fr.depth + 1)
        out = self.sx_block(pr.decl.body, sub, paths)
        for p in out:
            p.done = False
        return out

    # ------------------------------------------------------------ code processes: the CFG

    def emit(
        self, cfg: _Cfg, src: int, dst: int, paths: Iterable[_Path], text: str, span: Span, fr: _Frame
    ) -> None:
        for p in paths:
            if p.dead():
                continue
            guard = mk_and(p.guard)
            if isinstance(guard, ir.Const) and not guard.value:
                continue
            t = text
            bound = self.bound_values(fr, text)
            if bound or p.choice:
                t = f"{text} [{', '.join([*bound, *p.choice])}]"
            # NOTE(guard-select): a guard that reads a dynamically indexed
            # element is made true when an index check of the step fails, so
            # the step is enabled and the failing check is reported.
            # The same for a division by zero in the guard (an engine may
            # assume a divisor is non-zero when it evaluates the guard).
            sub = list(ir.subexprs(guard))
            risky: list[ir.CheckKind] = []
            if any(isinstance(s, ir.Select) for s in sub):
                risky.append(ir.CheckKind.INDEX)
            if any(isinstance(s, ir.Binary) and s.op in (ir.BinOp.DIV, ir.BinOp.MOD) for s in sub):
                risky.append(ir.CheckKind.DIV_ZERO)
            fails = [mk_not(c.cond) for c in p.checks if c.kind in risky]
            if fails:
                guard = mk_or([*fails, guard])
            cfg.edges.append(_Edge(src, dst, guard, tuple(p.checks), tuple(p.writes), t, span, fr.ref))

    def bound_values(self, fr: _Frame, text: str) -> list[str]:
        """`p=0` for each constant the statement's names stand for here: a procedure parameter bound
        to a constant argument, a `for` variable's copy (not the process's own index: its column
        says it; not a value of a symmetric type).  A trace then shows which page `put(ref[p])`
        touched."""
        out: list[str] = []
        own = fr.inst.proc.index_var
        for name, b in fr.names.items():
            if not isinstance(b, _Val) or name == own or b.ty.kind is TyKind.SYM:
                continue  # a symmetric value is any one of its type's: no number to show
            if not re.search(rf"\b{re.escape(name)}\b", text):
                continue
            out.append(f"{name}={self._show_const(b)}")
        return out

    def _show_const(self, b: _Val) -> str:
        v = b.expr.value
        match b.ty.kind:
            case TyKind.BOOL:
                return "true" if v else "false"
            case TyKind.ENUM:
                sym = self.env.globals.get(b.ty.name or "")
                return sym.vtype.show_value(v) if isinstance(sym, TypeSym) else str(v)
            case TyKind.INT | TyKind.SYM:
                return str(v)
            case _:
                assert_never(b.ty.kind)

    def emit_returning(
        self, cfg: _Cfg, src: int, dst: int, paths: list[_Path], text: str, span: Span, fr: _Frame
    ) -> None:
        """Emit a step whose paths may have met a `return` (they go to the procedure's exit)."""
        done = [p for p in paths if p.done]
        self.emit(cfg, src, dst, [p for p in paths if not p.done], text, span, fr)
        if done:
            if fr.ret is None:
                raise _InternalError("return outside a procedure")
            for p in done:
                p.done = False
            self.emit(cfg, src, fr.ret.exit, done, text, span, fr)

    def comp_block(self, cfg: _Cfg, stmts: Sequence[S.Stmt], entry: int, exit_: int, fr: _Frame) -> None:
        if not stmts:
            cfg.union(entry, exit_)
            return
        cur = entry
        for k, st in enumerate(stmts):
            nxt = exit_ if k == len(stmts) - 1 else cfg.new(st.span)
            self.comp(cfg, st, cur, nxt, fr)
            cur = nxt

    def comp(self, cfg: _Cfg, st: S.Stmt, entry: int, exit_: int, fr: _Frame) -> None:
        """Lower `st` between locations `entry` and `exit_` (NOTE(steps))."""
        # NOTE(steps): the step granularity of docs/LANGUAGE.md: every
        # simple statement and every `atomic` block is one step (one edge per
        # path of its symbolic execution); `if`/`switch`/`while` spend one step
        # evaluating their condition (an `if`/`switch` whose choice is constant
        # in the configuration none: NOTE(fold)); `either` one step choosing; labels,
        # blocks, `for`, `goto` and `return;` none (they merge locations).
        match st:
            case S.Assign(value=S.Call(name=n) as call, target=lv) if n.text in self.env.procs:
                self.comp_call(cfg, call, lv, entry, exit_, fr, st.span)
            case S.CallStmt(call=call) if call.name.text in self.env.procs:
                self.comp_call(cfg, call, None, entry, exit_, fr, st.span)
            case S.Assign() | S.AssignAny() | S.CallStmt() | S.Await() | S.Assert() | S.Skip():
                paths = self.sx(st, fr, _Path())
                self.emit_returning(cfg, entry, exit_, paths, self.text_of(st.span), st.span, fr)
            case S.Return(value=v):
                ret = fr.ret
                if ret is None:
                    raise _InternalError("return outside a procedure")
                if v is None:
                    cfg.union(entry, ret.exit)
                    return
                paths = self.sx(st, fr, _Path())
                for p in paths:
                    p.done = False
                self.emit(cfg, entry, ret.exit, paths, self.text_of(st.span), st.span, fr)
            case S.Goto(label=lab):
                cfg.union(entry, fr.labels[lab.text])
            case S.Labelled(label=lab, stmt=inner):
                cfg.union(entry, fr.labels[lab.text])
                self.comp(cfg, inner, entry, exit_, fr)
            case S.Block(stmts=ss):
                self.comp_block(cfg, ss, entry, exit_, fr)
            case S.If(branches=bs, else_=eb) if (pick := self.fold_if(st, fr)) is not None:
                self.comp_folded(
                    cfg, [b.body for b in bs] + ([eb] if eb is not None else []), pick, entry, exit_, fr
                )
            case S.If(branches=bs, else_=eb):
                rest = [_Path()]
                for k, b in enumerate(bs):
                    body_entry = cfg.new(b.body.span)
                    taken: list[_Path] = []
                    nrest: list[_Path] = []
                    for p in rest:
                        for q, c in self.cond_fork(b.cond, fr, p):
                            t, f = self.split(q, c)
                            if t is not None:
                                taken.append(t)
                            if f is not None:
                                nrest.append(f)
                    word = "if" if k == 0 else "else if"
                    self.emit(
                        cfg, entry, body_entry, taken, f"{word} {self.text_of(b.cond.span)}", b.cond.span, fr
                    )
                    self.comp_block(cfg, b.body.stmts, body_entry, exit_, fr)
                    rest = nrest
                first = self.text_of(bs[0].cond.span)
                if eb is not None:
                    else_entry = cfg.new(eb.span)
                    self.emit(cfg, entry, else_entry, rest, "else", eb.span, fr)
                    self.comp_block(cfg, eb.stmts, else_entry, exit_, fr)
                else:
                    self.emit(cfg, entry, exit_, rest, f"if {first}: not taken", bs[0].cond.span, fr)
            case S.Switch(subject=subj, cases=cases, default=d) if (
                pick := self.fold_switch(st, fr)
            ) is not None:
                bodies = [cs.body for cs in cases] + ([d] if d is not None else [])
                self.comp_folded(cfg, bodies, pick, entry, exit_, fr)
            case S.Switch(subject=subj, cases=cases, default=d):
                rest = [_Path()]
                stext = self.text_of(subj.span)
                for cs in cases:
                    body_entry = cfg.new(cs.body.span)
                    taken = []
                    nrest = []
                    for p in rest:
                        sv = self.ev(subj, fr, p)
                        c = mk_or([mk_bin(ir.BinOp.EQ, sv, self.ev(v, fr, p)) for v in cs.values])
                        t, f = self.split(p, c)
                        if t is not None:
                            taken.append(t)
                        if f is not None:
                            nrest.append(f)
                    vals = ", ".join(self.text_of(v.span) for v in cs.values)
                    self.emit(cfg, entry, body_entry, taken, f"switch {stext}: case {vals}", cs.span, fr)
                    self.comp_block(cfg, cs.body.stmts, body_entry, exit_, fr)
                    rest = nrest
                if d is not None:
                    d_entry = cfg.new(d.span)
                    self.emit(cfg, entry, d_entry, rest, f"switch {stext}: default", d.span, fr)
                    self.comp_block(cfg, d.stmts, d_entry, exit_, fr)
                else:
                    self.emit(cfg, entry, exit_, rest, f"switch {stext}: no case", subj.span, fr)
            case S.While(cond=c, body=b):
                body_entry = cfg.new(b.span)
                taken = []
                out: list[_Path] = []
                for q, cv in self.cond_fork(c, fr, _Path()):
                    t, f = self.split(q, cv)
                    if t is not None:
                        taken.append(t)
                    if f is not None:
                        out.append(f)
                ctext = self.text_of(c.span)
                self.emit(cfg, entry, body_entry, taken, f"while {ctext}", c.span, fr)
                self.emit(cfg, entry, exit_, out, f"while {ctext}: done", c.span, fr)
                self.comp_block(cfg, b.stmts, body_entry, entry, fr)
            case S.For(var=fv, type=ft, body=fb):
                fvt = self._vtype(ft)
                fvals = list(fvt.values())
                cur = entry
                for k, x in enumerate(fvals):
                    nxt = exit_ if k == len(fvals) - 1 else cfg.new(fb.span)
                    self.comp_block(cfg, fb.stmts, cur, nxt, fr.bind_static(fv.text, _Val(const(x), fvt.ty)))
                    cur = nxt
                if not fvals:
                    cfg.union(entry, exit_)
            case S.Atomic(body=ab):
                paths = self.sx_block(ab.stmts, fr, [_Path()])
                self.emit_returning(cfg, entry, exit_, paths, self.text_of(st.span), st.span, fr)
            case S.Either(branches=ebs):
                for k, xb in enumerate(ebs):
                    be = cfg.new(xb.span)
                    self.emit(
                        cfg, entry, be, [_Path()], "either" if k == 0 else f"or (branch {k + 1})", xb.span, fr
                    )
                    self.comp_block(cfg, xb.stmts, be, exit_, fr)
            case S.WithRef(ref=r, stmt=inner):
                self.comp(cfg, inner, entry, exit_, replace(fr, ref=r))
            case _:
                assert_never(st)

    # NOTE(fold): an `if`/`else if` chain or a `switch` whose choice is
    # decided by configuration constants alone costs no step: control goes
    # straight to the chosen branch (docs/LANGUAGE.md, "constant conditions").
    # A condition is constant when it is built only from literals, consts,
    # params, enum values, `self` and `for` variables with operators; an
    # `if` chain folds when its conditions, in order, are constant up to the
    # first true one (or to the end).  The branches not chosen are still
    # lowered from fresh, unreachable locations, so a `goto` into one of them
    # behaves exactly as without folding.  `while` is never folded.

    def is_static(self, e: S.Expr, fr: _Frame) -> bool:
        """Whether `e` is constant in this configuration and instance (NOTE(fold))."""
        match e:
            case S.IntLit() | S.BoolLit():
                return True
            case S.SelfRef():
                return fr.inst.self_value is not None
            case S.NameRef(name=n):
                if n.text in fr.names:
                    return n.text in fr.statics
                return isinstance(self.env.globals.get(n.text), (ConstSym, ParamSym, EnumMemberSym))
            case S.UnaryExpr(arg=a):
                return self.is_static(a, fr)
            case S.BinaryExpr(lhs=a, rhs=b):
                return self.is_static(a, fr) and self.is_static(b, fr)
            case S.Conditional(cond=c, then=th, else_=el):
                return self.is_static(c, fr) and self.is_static(th, fr) and self.is_static(el, fr)
            case S.IndexRef() | S.LocalRef() | S.Call() | S.Quant():
                return False
            case _:
                assert_never(e)

    def static_value(self, e: S.Expr, fr: _Frame) -> int | None:
        """The value of a constant expression, or None (not constant, or it would fail a check)."""
        if not self.is_static(e, fr):
            return None
        path = _Path()
        v = self.ev(e, fr, path)
        if not isinstance(v, ir.Const) or path.checks or path.guard:
            return None
        return v.value

    def fold_if(self, st: S.If, fr: _Frame) -> int | None:
        """The index of the branch a constant `if` chain takes (len(branches): else / past), or None."""
        for k, b in enumerate(st.branches):
            v = self.static_value(b.cond, fr)
            if v is None:
                return None
            if v:
                return k
        return len(st.branches)

    def fold_switch(self, st: S.Switch, fr: _Frame) -> int | None:
        """The index of the case a constant `switch` takes (len(cases): default / past), or None."""
        sv = self.static_value(st.subject, fr)
        if sv is None:
            return None
        for k, cs in enumerate(st.cases):
            vals = [self.static_value(v, fr) for v in cs.values]
            if any(x is None for x in vals):
                return None
            if sv in vals:
                return k
        return len(st.cases)

    def comp_folded(
        self, cfg: _Cfg, bodies: Sequence[S.Block], pick: int, entry: int, exit_: int, fr: _Frame
    ) -> None:
        """Lower a folded choice: `entry` is the chosen body's entry (NOTE(fold))."""
        for k, body in enumerate(bodies):
            body_entry = entry if k == pick else cfg.new(body.span)
            self.comp_block(cfg, body.stmts, body_entry, exit_, fr)
        if pick >= len(bodies):
            cfg.union(entry, exit_)

    def comp_call(
        self, cfg: _Cfg, c: S.Call, target: S.LValue | None, entry: int, exit_: int, fr: _Frame, span: Span
    ) -> None:
        if fr.depth >= MAX_INLINE_DEPTH:
            raise _InternalError("procedure inlining too deep")
        path = _Path()
        pr, names, paths = self.bind_call(c, fr, path)
        labels = {lab: cfg.new(span, f"{pr.name}.{lab}") for lab in _body_labels(pr.decl.body)}
        sub = _Frame(fr.inst, names, labels, _Ret(exit_, target, fr, pr.name), fr.ref, fr.depth + 1)
        if any(p.writes or p.checks or p.guard for p in paths):
            body_entry = cfg.new(pr.span)
            self.emit(cfg, entry, body_entry, paths, self.text_of(c.span), span, fr)
        else:
            body_entry = entry
        self.comp_block(cfg, pr.decl.body, body_entry, exit_, sub)

    # ------------------------------------------------------------ processes

    def lower_code(self, inst: _Inst) -> tuple[_Cfg, int, list[int], dict[str, int]]:
        p = inst.proc
        cfg = _Cfg()
        entry = cfg.new(p.span)
        labels = {lab: cfg.new(p.span, lab) for lab in p.labels}
        names: dict[str, Binding] = dict(self.local_stores[inst.index])
        if p.index_var is not None and inst.self_value is not None and p.index_type is not None:
            names[p.index_var] = _Val(const(inst.self_value), p.index_type.ty)
        statics = (
            frozenset({p.index_var}) if p.index_var is not None and p.index_var in names else frozenset()
        )
        fr = _Frame(inst, names, labels, statics=statics)
        exit_ = cfg.new(p.span)
        self.comp_block(cfg, p.body, entry, exit_, fr)
        ends = [labels[e.text] for e in p.ends if e.text in labels] + [exit_]
        return cfg, entry, ends, labels

    def lower_sm(self, inst: _Inst) -> tuple[_Cfg, int, list[int], dict[str, int]]:
        p = inst.proc
        cfg = _Cfg()
        locs: dict[str, int] = {}
        for s in p.states:
            if s.text not in locs:
                locs[s.text] = cfg.new(s.span, s.text)
        names: dict[str, Binding] = dict(self.local_stores[inst.index])
        if p.index_var is not None and inst.self_value is not None and p.index_type is not None:
            names[p.index_var] = _Val(const(inst.self_value), p.index_type.ty)
        fr = _Frame(inst, names, locs)
        for t in p.transitions:
            tf = replace(fr, ref=t.ref)
            path = _Path()
            if t.guard is not None:
                path.guard.append(self.ev(t.guard, tf, path))
            paths = self.sx_block(t.body.stmts, tf, [path])
            self.emit(
                cfg, locs[t.src.text], locs[t.dst.text], paths, f"{t.src.text} -> {t.dst.text}", t.span, tf
            )
        init = locs[p.init_state] if p.init_state is not None else 0
        ends = [locs[e.text] for e in p.ends]
        return cfg, init, ends, locs

    def finish_cfg(
        self, inst: _Inst, cfg: _Cfg, init: int, ends: list[int], labels: Mapping[str, int]
    ) -> tuple[list[ir.Location], int, frozenset[int], list[_Edge], dict[str, int]]:
        # Keep the locations reachable in the graph (structurally: whatever
        # the guards, so every instance of a family has the same numbering)
        # and every labelled one.
        root_init = cfg.find(init)
        succ: dict[int, list[int]] = {}
        for e in cfg.edges:
            succ.setdefault(cfg.find(e.src), []).append(cfg.find(e.dst))
        keep: list[int] = []
        seen: set[int] = set()
        stack = [root_init]
        while stack:
            x = stack.pop()
            if x in seen:
                continue
            seen.add(x)
            stack.extend(succ.get(x, []))
        for i in range(len(cfg.parent)):
            r = cfg.find(i)
            if r not in seen and cfg.labels[r] is not None and cfg.labels[r] in labels:
                seen.add(r)
        # Number the kept locations: the initial one first, then in order of
        # first appearance along the edges (program order), then the rest.
        order: list[int] = [root_init]
        placed = {root_init}
        for e in cfg.edges:
            for x in (cfg.find(e.src), cfg.find(e.dst)):
                if x in seen and x not in placed:
                    placed.add(x)
                    order.append(x)
        for i in range(len(cfg.parent)):
            r = cfg.find(i)
            if r in seen and r not in placed:
                placed.add(r)
                order.append(r)
        if inst.proc.form is Form.STATE_MACHINE:
            order = sorted(placed)  # states in declaration order
        keep = order
        number = {r: k for k, r in enumerate(keep)}
        locations = [ir.Location(number[r], cfg.labels[r], cfg.spans[r]) for r in keep]
        edges = []
        for e in cfg.edges:
            s, d = cfg.find(e.src), cfg.find(e.dst)
            if s in number and d in number:
                edges.append(replace(e, src=number[s], dst=number[d]))
        endset = frozenset(number[cfg.find(x)] for x in ends if cfg.find(x) in number)
        lab_map = {name: number[cfg.find(loc)] for name, loc in labels.items() if cfg.find(loc) in number}
        return locations, number[root_init], endset, edges, lab_map

    # ------------------------------------------------------------ the whole model

    def run(self) -> tuple[ir.Model | None, dict[str, dict[str, int]]]:
        self.declare_instances()
        self.declare_globals()
        self.declare_process_vars()
        procs: list[ir.Process] = []
        transitions: list[ir.Transition] = []
        loc_maps: dict[str, dict[str, int]] = {}
        pc_domains: dict[int, int] = {}
        for inst in self.insts:
            if inst.proc.form is Form.CODE:
                cfg, init, ends, labels = self.lower_code(inst)
            else:
                cfg, init, ends, labels = self.lower_sm(inst)
            locations, init_pc, endset, edges, lab_map = self.finish_cfg(inst, cfg, init, ends, labels)
            loc_maps.setdefault(inst.proc.name, lab_map)
            pc = self.pc_vars[inst.index]
            pc_domains[pc] = len(locations)
            self.vars[pc].init = (init_pc,)
            fair = {
                S.FairnessKind.NONE: ir.Fairness.NONE,
                S.FairnessKind.WEAK: ir.Fairness.WEAK,
                S.FairnessKind.STRONG: ir.Fairness.STRONG,
            }[inst.proc.fairness]
            procs.append(
                ir.Process(
                    inst.index,
                    inst.name,
                    inst.proc.name,
                    inst.self_value,
                    _type_label(inst.proc.index_type) if inst.proc.index_type is not None else None,
                    pc,
                    tuple(locations),
                    init_pc,
                    endset,
                    fair,
                    inst.proc.span,
                )
            )
            for e in edges:
                transitions.append(
                    ir.Transition(
                        len(transitions),
                        inst.index,
                        e.src,
                        e.dst,
                        e.guard,
                        e.checks,
                        e.writes,
                        e.text,
                        e.span,
                        e.ref,
                    )
                )
        for pc, n in pc_domains.items():
            self.vars[pc].domain = ir.Domain(ir.DomainKind.PC, 0, max(n - 1, 0))
            self._doms[pc] = self.vars[pc].domain
        if self.at_maps is None:
            return None, loc_maps
        self.at_maps = loc_maps
        properties = self.lower_properties()
        variables = tuple(
            ir.Variable(
                k,
                v.name,
                v.base,
                v.indices,
                v.domain,
                v.kind,
                v.span,
                v.ghost,
                v.owner,
                v.index_types,
                v.value_type,
                v.lock_kind,
            )
            for k, v in enumerate(self.vars)
        )
        sym_types: list[ir.SymmetricType] = []
        for name, s in self.env.globals.items():
            if isinstance(s, TypeSym) and s.vtype.symmetric:
                fams = tuple(
                    p.name
                    for p in self.env.processes
                    if p.index_type is not None and p.index_type.name == name
                )
                sym_types.append(ir.SymmetricType(name, s.vtype.lo, s.vtype.hi, fams))
        config = tuple(
            (p.name, self.config[p.name], p.vtype.show_value(self.config[p.name])) for p in self.env.params
        )
        model = ir.Model(
            self.env.path,
            config,
            variables,
            tuple(tuple(v.init) for v in self.vars),
            tuple(procs),
            tuple(transitions),
            tuple(properties),
            tuple(sym_types),
        )
        return model, loc_maps

    def _static_bool(self, e: S.Expr | None, default: bool) -> bool:
        if e is None:
            return default
        return bool(self._static(e)[0])

    def lower_properties(self) -> list[ir.Property]:
        out: list[ir.Property] = []
        expects: dict[str, bool] = {}
        for ex in self.env.expects:
            if self._static_bool(ex.when, True):
                expects[ex.name.text] = True
        K = S.PropDeclKind
        kinds = {
            K.INVARIANT: ir.PropKind.INVARIANT,
            K.REACHABLE: ir.PropKind.REACHABLE,
            K.EVENTUALLY: ir.PropKind.EVENTUALLY,
            K.ALWAYS_EVENTUALLY: ir.PropKind.ALWAYS_EVENTUALLY,
            K.LEADS_TO: ir.PropKind.LEADS_TO,
        }
        for p in self.env.properties:
            if not self._static_bool(p.when, True):
                continue
            expect = (p.expect and self._static_bool(p.expect_when, True)) or expects.get(p.name.text, False)
            expr = self.ev(p.expr, None, None)
            expr2 = self.ev(p.expr2, None, None) if p.expr2 is not None else None
            out.append(ir.Property(p.name.text, kinds[p.kind], p.span, expr, expr2, expect))
        for g in self.env.assert_groups:
            out.append(
                ir.Property(g, ir.PropKind.ASSERTION, self._group_span(g), None, None, expects.get(g, False))
            )
        if "runtime" in self.used_props:
            out.append(
                ir.Property(
                    "runtime",
                    ir.PropKind.ASSERTION,
                    Span(self.env.path, 0, 0, 0, 0),
                    None,
                    None,
                    expects.get("runtime", False),
                )
            )
        if self.env.deadlock:
            out.append(
                ir.Property(
                    "deadlock",
                    ir.PropKind.DEADLOCK,
                    Span(self.env.path, 0, 0, 0, 0),
                    None,
                    None,
                    expects.get("deadlock", False),
                )
            )
        return out

    def _group_span(self, g: str) -> Span:
        return self.env.assert_spans.get(g, Span(self.env.path, 0, 0, 0, 0))


def _body_labels(stmts: Sequence[S.Stmt]) -> list[str]:
    out: list[str] = []
    for st in stmts:
        for lab in S.labels_in(st):
            if lab.text not in out:
                out.append(lab.text)
    return out


def lower(env: Env, source: str, config: Mapping[str, int]) -> ir.Model:
    """Lower `env` for one configuration (param name -> value); raises SpecError."""
    try:
        return _lower(env, source, config)
    except _TooBig as e:
        raise SpecError([Diagnostic(e.message, e.span)]) from None


def _lower(env: Env, source: str, config: Mapping[str, int]) -> ir.Model:
    maps: Mapping[str, Mapping[str, int]] = {}
    if env.at_in_code:
        # NOTE(two-pass): `at(P, L)` in process code needs P's location
        # numbers before P is lowered; a first pass computes them (the
        # numbering is structural, so it is the same in the second pass).
        first = Lowerer(env, source, config, None)
        _, maps = first.run()
        first.sink.raise_if_any()
    second = Lowerer(env, source, config, maps)
    model, _ = second.run()
    second.sink.raise_if_any()
    assert model is not None
    return model


__all__ = ["INT", "domain_of", "interval", "lower"]
