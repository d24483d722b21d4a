"""Name resolution and type checking of a parsed spec.

Stage: resolve (after `model/syntax.py`, before `model/lower.py`).
`resolve(ast, defines)` returns `(Env, diagnostics)`: the symbol table with
every `const` and type evaluated (so lowering never re-derives them), and
every error found, in source order.  The pass never raises on bad input and
never stops at the first error.  When the diagnostics are empty the spec is
well formed: lowering may then rely on every name resolving, every type
matching and every structural rule below holding (an unmet assumption in
lowering is a modelcheck bug, reported as an internal error).

Rules checked here (docs/LANGUAGE.md is the reference):
* names: declared once per scope; used only where declared; "did you mean".
* types: bool / int / enum / symmetric values are kept apart; symmetric
  values may only be compared with `==`/`!=`, used as indices and assigned.
* `const`s are integer or bool constant expressions; `-D` overrides a const
  or fixes a param, and is type checked against it.
* initial values are constant expressions over consts, enum values and
  params, range checked for every value of the params they read.
* statements: `return` only in procedures; `goto` to a label of the same
  body; no `while`, `goto` or labels inside `atomic` or a `trans` body;
  conditions with an effect (`trylock`, ...) only as a whole condition or a
  whole right-hand side; lock operations on locks of the right kind,
  refcount operations on refcounts; ghost variables never read by process
  code (except in `assert` and in assignments to ghosts).
* processes are either code or a state machine, never both.
* procedures: arity and argument types at each call; no recursion.
* properties: `when`/`expect ... when` only over consts and params.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import assert_never

from model import syntax as S
from model.diagnostics import Diagnostic, DiagnosticSink, did_you_mean, sorted_diagnostics
from model.ir import LockKind
from model.source import Span

# --------------------------------------------------------------------------
# Types


class TyKind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    ENUM = "enum"
    SYM = "symmetric"


@dataclass(frozen=True, slots=True)
class Ty:
    """The type of an expression."""

    kind: TyKind
    name: str | None = None  # the enum or symmetric type

    def show(self) -> str:
        match self.kind:
            case TyKind.BOOL:
                return "bool"
            case TyKind.INT:
                return "int"
            case TyKind.ENUM:
                return f"enum {self.name}"
            case TyKind.SYM:
                return f"symmetric type {self.name}"
            case _:
                assert_never(self.kind)


BOOL = Ty(TyKind.BOOL)
INT = Ty(TyKind.INT)


@dataclass(frozen=True, slots=True)
class VType:
    """A declared value type with its bounds evaluated: the values lo..hi."""

    kind: TyKind  # BOOL, INT or ENUM (a symmetric range is INT with `symmetric`)
    lo: int
    hi: int
    name: str | None = None  # the named type or enum, if any
    labels: tuple[str, ...] | None = None
    symmetric: bool = False

    @property
    def ty(self) -> Ty:
        if self.kind is TyKind.BOOL:
            return BOOL
        if self.kind is TyKind.ENUM:
            return Ty(TyKind.ENUM, self.name)
        if self.symmetric:
            return Ty(TyKind.SYM, self.name)
        return INT

    @property
    def is_index(self) -> bool:
        return self.kind in (TyKind.INT, TyKind.ENUM)

    def values(self) -> range:
        return range(self.lo, self.hi + 1)

    def show_value(self, v: int) -> str:
        if self.kind is TyKind.BOOL:
            return "true" if v else "false"
        if self.labels is not None and self.lo <= v <= self.hi:
            return self.labels[v - self.lo]
        return str(v)

    def show(self) -> str:
        if self.name is not None:
            return self.name
        if self.kind is TyKind.BOOL:
            return "bool"
        return f"{self.lo}..{self.hi}"


BOOL_VT = VType(TyKind.BOOL, 0, 1)


# --------------------------------------------------------------------------
# Symbols


@dataclass(frozen=True, slots=True)
class ConstSym:
    name: str
    value: int
    ty: Ty
    span: Span


@dataclass(frozen=True, slots=True)
class ParamSym:
    name: str
    vtype: VType
    span: Span
    fixed: int | None  # the value `-D` fixed, if any


@dataclass(frozen=True, slots=True)
class EnumMemberSym:
    name: str
    enum: str
    value: int
    span: Span


@dataclass(frozen=True, slots=True)
class TypeSym:
    name: str
    vtype: VType
    span: Span


@dataclass(frozen=True, slots=True)
class VarSym:
    """A global var, a process local, or a procedure local."""

    name: str
    dims: tuple[VType, ...]
    vtype: VType
    init: S.Init | None
    ghost: bool
    span: Span


@dataclass(frozen=True, slots=True)
class LockSym:
    name: str
    dims: tuple[VType, ...]
    kind: LockKind
    span: Span


@dataclass(frozen=True, slots=True)
class RefSym:
    name: str
    dims: tuple[VType, ...]
    vtype: VType
    init: S.Init | None
    span: Span


@dataclass(frozen=True, slots=True)
class ProcSym:
    name: str
    decl: S.ProcDecl
    params: tuple[tuple[str, VType], ...]
    ret: VType | None
    locals: tuple[VarSym, ...]
    span: Span


class Form(enum.Enum):
    CODE = "code"
    STATE_MACHINE = "state machine"


@dataclass(frozen=True, slots=True)
class ProcessSym:
    name: str
    decl: S.ProcessDecl
    index_var: str | None
    index_type: VType | None
    locals: tuple[VarSym, ...]
    form: Form
    states: tuple[S.Ident, ...]  # state machine: declared states
    init_state: str | None
    transitions: tuple[S.TransDecl, ...]
    body: tuple[S.Stmt, ...]  # code form
    ends: tuple[S.Ident, ...]
    labels: tuple[str, ...]  # code form: every label of the body
    fairness: S.FairnessKind
    span: Span

    @property
    def instances(self) -> int:
        return 1 if self.index_type is None else self.index_type.hi - self.index_type.lo + 1


Sym = ConstSym | ParamSym | EnumMemberSym | TypeSym | VarSym | LockSym | RefSym | ProcSym | ProcessSym


def sym_kind(s: Sym) -> str:
    match s:
        case ConstSym():
            return "const"
        case ParamSym():
            return "param"
        case EnumMemberSym():
            return "enum value"
        case TypeSym():
            return "type"
        case VarSym():
            return "variable"
        case LockSym():
            return "lock"
        case RefSym():
            return "refcount"
        case ProcSym():
            return "procedure"
        case ProcessSym():
            return "process"
        case _:
            assert_never(s)


@dataclass(frozen=True, slots=True)
class Env:
    """The resolved spec: every global name, evaluated."""

    path: str
    globals: Mapping[str, Sym] = field(compare=False)
    params: tuple[ParamSym, ...]
    processes: tuple[ProcessSym, ...]
    procs: Mapping[str, ProcSym] = field(compare=False)
    properties: tuple[S.PropDecl, ...]
    expects: tuple[S.ExpectDecl, ...]
    deadlock: bool
    assert_groups: tuple[str, ...]  # named assert groups, in order of first use; "assert" if unnamed used
    has_runtime_checks: bool
    global_vars: tuple[VarSym | LockSym | RefSym, ...]  # declaration order
    at_in_code: bool = False  # `at(P, L)` used in process code (see lower's NOTE(two-pass))
    assert_spans: Mapping[str, Span] = field(default_factory=dict, compare=False)  # group -> first assert


LOCK_KINDS = {k.value: k for k in LockKind}

EFFECT_CONDS = frozenset({"trylock", "read_trylock", "write_trylock", "get_unless_zero", "freeze"})
LOCK_OPS = frozenset({"lock", "unlock", "read_lock", "read_unlock", "write_lock", "write_unlock"})
REF_OPS = frozenset({"get", "put", "unfreeze"})
PREDICATES = frozenset({"held", "held_by", "frozen", "at"})
BUILTIN_STMTS = LOCK_OPS | REF_OPS | {"might_sleep"} | EFFECT_CONDS
BUILTINS = BUILTIN_STMTS | PREDICATES
# The kernel's names for the primitives, which a reviewer writes first; difflib alone suggested
# 'unlock' for spin_lock and 'write_lock' for mutex_lock.
KERNEL_SPELLINGS = {
    "spin_lock": "lock", "spin_lock_irq": "lock", "spin_lock_irqsave": "lock", "mutex_lock": "lock",
    "lock_page": "lock", "lock_buffer": "lock", "spin_unlock": "unlock", "spin_unlock_irq": "unlock",
    "spin_unlock_irqrestore": "unlock", "mutex_unlock": "unlock", "unlock_page": "unlock",
    "unlock_buffer": "unlock", "down_read": "read_lock", "up_read": "read_unlock",
    "down_write": "write_lock", "up_write": "write_unlock", "get_page": "get", "put_page": "put",
    "page_ref_unfreeze": "unfreeze", "spin_trylock": "trylock", "mutex_trylock": "trylock",
    "trylock_page": "trylock", "down_read_trylock": "read_trylock", "down_write_trylock": "write_trylock",
    "get_page_unless_zero": "get_unless_zero", "page_ref_freeze": "freeze", "spin_is_locked": "held",
    "mutex_is_locked": "held", "PageLocked": "held",
}  # fmt: skip

# The arity of each built-in.
ARITY = {
    **{n: 1 for n in LOCK_OPS},
    "trylock": 1,
    "read_trylock": 1,
    "write_trylock": 1,
    "get": 1,
    "put": 1,
    "get_unless_zero": 1,
    "freeze": 2,
    "unfreeze": 2,
    "might_sleep": 0,
    "held": 1,
    "held_by": 2,
    "frozen": 1,
    "at": 2,
}


# --------------------------------------------------------------------------
# Static evaluation (consts, types, `when` conditions)


class _NotStatic(Exception):
    """Raised by `eval_static` for a non-constant expression.

    `silent` marks a consequence of an error already reported (a name whose
    declaration failed), which is not reported again.
    """

    def __init__(self, message: str, span: Span, silent: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.silent = silent


StaticLookup = Callable[[S.Ident], tuple[int, Ty]]


def c_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def c_mod(a: int, b: int) -> int:
    return a - b * c_div(a, b)


def eval_static(e: S.Expr, lookup: StaticLookup, live: bool = True) -> tuple[int, Ty]:
    """Evaluate a constant expression; raises `_NotStatic` (message, span).

    NOTE(dead-branch): the branch of `c ? a : b` not taken is evaluated with
    `live=False`: its names are looked up and its types checked, but a
    division by zero or an oversized product in it is no error (it reads as
    0), as C evaluates only the branch taken (`N == 0 ? 0 : 10 / N`).
    """
    match e:
        case S.IntLit(value=v):
            return v, INT
        case S.BoolLit(value=b):
            return int(b), BOOL
        case S.NameRef(name=n):
            return lookup(n)
        case S.Conditional(cond=c, then=th, else_=el):
            v, tc = eval_static(c, lookup, live)
            if tc != BOOL:
                raise _NotStatic(_conditional_not_bool(tc), c.span)
            x, tx = eval_static(th, lookup, live and bool(v))
            y, ty = eval_static(el, lookup, live and not v)
            if tx != ty:
                raise _NotStatic(_conditional_mismatch(tx, ty), e.span)
            return (x if v else y), tx
        case S.UnaryExpr(op=op, arg=a):
            v, t = eval_static(a, lookup, live)
            if op is S.UnaryOp.NOT:
                _want(t, BOOL, a.span, "'!'")
                return int(not v), BOOL
            _want(t, INT, a.span, "'-'")
            return -v, INT
        case S.BinaryExpr(op=op, lhs=a, rhs=b):
            x, tx = eval_static(a, lookup, live)
            y, ty = eval_static(b, lookup, live)
            return _static_binary(op, x, tx, y, ty, e.span, a.span, b.span, live)
        case S.SelfRef():
            raise _NotStatic("'self' is not a constant", e.span)
        case S.IndexRef() | S.LocalRef() | S.Call() | S.Quant():
            raise _NotStatic("expected a constant expression", e.span)
        case _:
            assert_never(e)


def _want(t: Ty, want: Ty, span: Span, what: str) -> None:
    if t != want:
        raise _NotStatic(f"type mismatch: {what} needs {want.show()}, found {t.show()}", span)


def _conditional_not_bool(t: Ty) -> str:
    return f"type mismatch: the condition of 'c ? a : b' must be bool, found {t.show()}"


def _conditional_mismatch(tx: Ty, ty: Ty) -> str:
    return (
        "type mismatch: the two values of 'c ? a : b' must have the same type, "
        f"found {tx.show()} after '?' and {ty.show()} after ':'"
    )


def _static_binary(
    op: S.BinaryOp, x: int, tx: Ty, y: int, ty: Ty, span: Span, sa: Span, sb: Span, live: bool = True
) -> tuple[int, Ty]:
    B = S.BinaryOp
    if op in (B.AND, B.OR, B.IMPLIES):
        _want(tx, BOOL, sa, f"'{op.value}'")
        _want(ty, BOOL, sb, f"'{op.value}'")
        if op is B.AND:
            return int(bool(x) and bool(y)), BOOL
        if op is B.OR:
            return int(bool(x) or bool(y)), BOOL
        return int((not x) or bool(y)), BOOL
    if op in (B.EQ, B.NE):
        if tx != ty:
            raise _NotStatic(f"type mismatch: cannot compare {tx.show()} with {ty.show()}", span)
        return int((x == y) == (op is B.EQ)), BOOL
    _want(tx, INT, sa, f"'{op.value}'")
    _want(ty, INT, sb, f"'{op.value}'")
    match op:
        case B.ADD:
            return x + y, INT
        case B.SUB:
            return x - y, INT
        case B.MUL:
            if not live and x.bit_length() + y.bit_length() > MAX_STATIC_BITS:
                return 0, INT  # NOTE(dead-branch)
            if (
                x.bit_length() + y.bit_length() > MAX_STATIC_BITS
            ):  # before multiplying: C*C of squares grows 2^(2^k)
                raise _NotStatic(
                    f"a constant expression too large: more than {MAX_STATIC_BITS} bits (about 10^{MAX_STATIC_BITS * 3 // 10})",
                    span,
                )
            return x * y, INT
        case B.DIV | B.MOD:
            if y == 0:
                if not live:
                    return 0, INT  # NOTE(dead-branch)
                raise _NotStatic("division by zero in a constant expression", sb)
            return (c_div(x, y) if op is B.DIV else c_mod(x, y)), INT
        case B.LT:
            return int(x < y), BOOL
        case B.LE:
            return int(x <= y), BOOL
        case B.GT:
            return int(x > y), BOOL
        case B.GE:
            return int(x >= y), BOOL
        case _:
            raise AssertionError(op)


# --------------------------------------------------------------------------
# The resolver


MAX_STATIC_BITS = 512  # constant values: the 100-digit literals (333 bits) and a little arithmetic on them
MAX_INDEX_VALUES = 4096  # a range this wide as an index type is surely a typo
MAX_ARRAY_ELEMENTS = 65536
MAX_CHOICE_VALUES = 4096  # `x = any` / `= any` over a wider type is surely a mistake
MAX_CONFIGURATIONS = 4096  # as model/frontend.py: more param value combinations are refused there


@dataclass(slots=True)
class _Local:
    """A name bound inside a body: a local variable, a parameter, a bound value."""

    name: str
    ty: Ty
    kind: str  # "var" (VarSym), "param" (procedure parameter), "value" (self/for/forall)
    var: VarSym | None
    span: Span
    # NOTE(failed-decl): its declaration failed and said so (`-D PAGES=0` empties its type): uses
    # are silent, so the one real error is not buried under "undeclared name" cascades
    failed: bool = False


@dataclass(slots=True)
class _Ctx:
    process: ProcessSym | None = None
    proc: ProcSym | None = None
    labels: frozenset[str] = frozenset()
    in_atomic: str | None = None  # "atomic" or "trans" when inside one
    in_property: bool = False
    in_assert: bool = False
    ghost_ok: bool = False
    self_ty: Ty | None = None
    self_known: bool = True  # in a procedure: whether `self_ty` is the callers' common type


class Resolver:
    def __init__(self, ast: S.SpecAst, defines: Mapping[str, str]) -> None:
        self.ast = ast
        self.defines = dict(defines)
        self.sink = DiagnosticSink()
        self.decls: dict[str, S.Item] = {}
        self.globals: dict[str, Sym] = {}
        self._evaluating: list[str] = []
        self._failed: set[str] = set()
        self.assert_groups: list[str] = []
        self.assert_spans: dict[str, Span] = {}
        self.has_checks = False
        self.at_in_code = False
        self.call_edges: dict[str, list[tuple[str, Span]]] = {}
        self.process_calls: dict[str, list[tuple[str, Span]]] = {}
        self.self_users: dict[str, Span] = {}  # procedure -> first use of `self` in it
        self.proc_self_types: dict[str, set[Ty | None]] = {}
        # NOTE(failed-decl): per process or procedure, the locals whose declaration failed, and the
        # replicated processes whose index type failed
        self.failed_locals: dict[str, frozenset[str]] = {}
        self.failed_index: set[str] = set()

    def err(self, message: str, span: Span, notes: tuple[tuple[str, Span], ...] = ()) -> None:
        self.sink.error(message, span, notes)

    def _code_decl_kind(self, name: str) -> str | None:
        """'process' or 'procedure' when `name` declares one (they are not values or types)."""
        item = self.decls.get(name)
        if isinstance(item, S.ProcessDecl):
            return "process"
        if isinstance(item, S.ProcDecl):
            return "procedure"
        return None

    def _bad_name(self, n: S.Ident) -> bool:
        """Report a declared name that is a keyword or a built-in.

        The declaration still counts (returns False), so its uses do not
        cascade into "undeclared name" errors.
        """
        if n.text in S.KEYWORDS:
            self.err(f"'{n.text}' is a keyword and cannot be used as a name", n.span)
        elif n.text in BUILTINS:
            self.err(f"'{n.text}' is a built-in operation and cannot be declared", n.span)
        return False

    def _static_err(self, ex: _NotStatic, suffix: str = "") -> None:
        if not ex.silent:
            self.err(ex.message + suffix, ex.span)

    # ---------------------------------------------------------------- pass 1: declarations

    def collect(self) -> None:
        for item in self.ast.items:
            names: list[S.Ident] = []
            match item:
                case S.EnumDecl(name=n, members=ms):
                    names = [n, *ms]
                case S.PropDecl() | S.ExpectDecl() | S.DeadlockDecl():
                    names = []
                case _:
                    names = [item.name]
            for n in names:
                if n.text in self.decls:
                    prev = self.decls[n.text]
                    prev_span = _decl_name_span(prev, n.text)
                    self.err(
                        f"duplicate declaration of '{n.text}'",
                        n.span,
                        (("previously declared here", prev_span),),
                    )
                    continue
                if self._bad_name(n):
                    continue
                self.decls[n.text] = item

    def global_sym(self, name: str) -> Sym | None:
        """The symbol of a global name, evaluating it on first use."""
        if name in self.globals:
            return self.globals[name]
        if name in self._failed:
            return None
        item = self.decls.get(name)
        if item is None or isinstance(item, (S.ProcDecl, S.ProcessDecl)):
            return None  # registered by `run` once declarations are evaluated
        if name in self._evaluating:
            cycle = " -> ".join([*self._evaluating[self._evaluating.index(name) :], name])
            self.err(f"'{name}' is defined in terms of itself ({cycle})", _decl_name_span(item, name))
            self._failed.update(self._evaluating)
            return None
        self._evaluating.append(name)
        try:
            sym = self._make_sym(item, name)
        finally:
            self._evaluating.pop()
        if sym is not None:
            self.globals[name] = sym
        else:
            self._failed.add(name)
        return sym

    def _make_sym(self, item: S.Item, name: str) -> Sym | None:
        match item:
            case S.ConstDecl(value=e):
                return self._const_sym(item, e)
            case S.ParamDecl(type=t):
                vt = self.vtype(t)
                if vt is None:
                    return None
                return ParamSym(name, vt, item.name.span, self._param_fix(item, vt))
            case S.EnumDecl(members=ms, symmetric=sym):
                if name == item.name.text:
                    labels = tuple(m.text for m in ms)
                    return TypeSym(
                        name, VType(TyKind.ENUM, 0, len(ms) - 1, name, labels, sym), item.name.span
                    )
                idx = [m.text for m in ms].index(name)
                return EnumMemberSym(name, item.name.text, idx, ms[idx].span)
            case S.TypeDecl(type=t, symmetric=sym):
                vt = self.vtype(t)
                if vt is None:
                    return None
                if sym and vt.kind is not TyKind.INT:
                    self.err(
                        f"only a range type can be declared symmetric here (use 'symmetric enum'); '{name}' is {vt.show()}",
                        item.name.span,
                    )
                    return None
                if vt.kind is TyKind.ENUM:
                    return TypeSym(name, vt, item.name.span)
                return TypeSym(
                    name, VType(vt.kind, vt.lo, vt.hi, name, vt.labels, sym or vt.symmetric), item.name.span
                )
            case S.VarDecl():
                return self._var_sym(item)
            case S.LockDecl(dims=dims, kind=k):
                kind = LOCK_KINDS.get(k.text)
                if kind is None:  # the grammar admits only the four kinds; kept for safety
                    self.err(f"unknown lock kind '{k.text}'", k.span)
                    return None
                dvt = self._dims(dims)
                if dvt is None:
                    return None
                return LockSym(name, dvt, kind, item.name.span)
            case S.RefcountDecl(dims=dims, type=t, init=init):
                dvt = self._dims(dims)
                vt = self.vtype(t)
                if dvt is None or vt is None:
                    return None
                if vt.kind is not TyKind.INT or vt.symmetric:
                    self.err(f"a refcount ranges over integers, not {vt.show()}", t.span)
                    return None
                if vt.lo != 0:
                    self.err(f"a refcount range must start at 0, not {vt.lo}", t.span)
                    return None
                sym_r = RefSym(name, dvt, vt, init, item.name.span)
                self._check_init(init, vt, dvt, name)
                return sym_r
            case S.ProcDecl() | S.ProcessDecl():
                return None  # handled by their own passes
            case S.PropDecl() | S.ExpectDecl() | S.DeadlockDecl():
                return None
            case _:
                assert_never(item)

    def _const_sym(self, item: S.ConstDecl, e: S.Expr) -> ConstSym | None:
        name = item.name.text
        try:
            value, ty = eval_static(e, self.static_lookup)
        except _NotStatic as ex:
            self._static_err(ex)
            return None
        if ty.kind is TyKind.ENUM or ty.kind is TyKind.SYM:
            self.err(f"a const must be an integer or a bool, not {ty.show()}", e.span)
            return None
        if name in self.defines:
            raw = self.defines.pop(name)
            parsed = _parse_define(raw)
            if isinstance(parsed, bool) and ty == BOOL:
                value = int(parsed)
            elif isinstance(parsed, int) and not isinstance(parsed, bool) and ty == INT:
                value = parsed
            else:
                self.err(
                    _define_value_error(
                        name, raw, f"-D {name}={raw}: const '{name}' is {ty.show()}, and '{raw}' is not"
                    ),
                    _cmdline(),
                    (("'" + name + "' declared here", item.name.span),),
                )
        return ConstSym(name, value, ty, item.name.span)

    def _param_fix(self, item: S.ParamDecl, vt: VType) -> int | None:
        name = item.name.text
        if vt.kind is TyKind.INT and vt.symmetric:
            self.err(f"a param cannot range over the symmetric type '{vt.name}'", item.type.span)
        if name not in self.defines:
            return None
        raw = self.defines.pop(name)
        parsed = _parse_define(raw)
        value: int | None = None
        if vt.kind is TyKind.BOOL and isinstance(parsed, bool):
            value = int(parsed)
        elif vt.kind is TyKind.INT and isinstance(parsed, int) and not isinstance(parsed, bool):
            value = parsed
        elif vt.kind is TyKind.ENUM and vt.labels is not None and raw in vt.labels:
            value = vt.labels.index(raw)
        note = (("'" + name + "' declared here", item.name.span),)
        if value is None:
            hint = ""
            if vt.kind is TyKind.ENUM and vt.labels is not None:
                hint = did_you_mean(raw, vt.labels) or f" (one of {', '.join(vt.labels)})"
            self.err(
                _define_value_error(
                    name, raw, f"-D {name}={raw}: '{raw}' is not a value of {vt.show()}{hint}"
                ),
                _cmdline(),
                note,
            )
            return None
        if not vt.lo <= value <= vt.hi:
            self.err(f"-D {name}={raw}: {value} is out of the range {vt.lo}..{vt.hi}", _cmdline(), note)
            return None
        return value

    def static_lookup(self, n: S.Ident) -> tuple[int, Ty]:
        sym = self.global_sym(n.text)
        match sym:
            case ConstSym(value=v, ty=t):
                return v, t
            case EnumMemberSym(value=v, enum=en):
                return v, Ty(TyKind.ENUM, en)
            case None:
                kind = self._code_decl_kind(n.text)
                if kind is not None:
                    raise _NotStatic(f"'{n.text}' is a {kind}, not a constant", n.span)
                if n.text in self.decls:
                    raise _NotStatic(f"'{n.text}' has no value", n.span, silent=True)
                raise _NotStatic(self._undeclared(n.text), n.span)
            case _:
                raise _NotStatic(
                    f"'{n.text}' is a {sym_kind(sym)}, not a constant; a constant expression may use only consts and enum values",
                    n.span,
                )

    def _undeclared(self, name: str, extra: tuple[str, ...] = ()) -> str:
        owners = [p for p in getattr(self, "processes", {}).values() if any(v.name == name for v in p.locals)]
        if owners:
            # a local of another process: say how a property reads it (`Writer.p`, `P[i].p`)
            first = owners[0]
            ref = (
                f"{first.name}[{first.index_var or 'i'}].{name}"
                if first.index_type
                else f"{first.name}.{name}"
            )
            whose = ("processes " if len(owners) > 1 else "process ") + " and ".join(
                f"'{p.name}'" for p in owners[:3]
            )
            return (
                f"undeclared name '{name}': it is a local of {whose}; a property reads it as "
                f"'{ref}', and no other process or procedure can see it"
            )
        return f"undeclared name '{name}'" + did_you_mean(name, [*self.decls, *extra])

    def vtype(self, t: S.TypeExpr) -> VType | None:
        match t:
            case S.BoolType():
                return BOOL_VT
            case S.ByteType():
                return VType(TyKind.INT, 0, 255)
            case S.RangeType(lo=lo, hi=hi):
                try:
                    a, ta = eval_static(lo, self.static_lookup)
                    b, tb = eval_static(hi, self.static_lookup)
                except _NotStatic as ex:
                    self._static_err(ex)
                    return None
                if ta != INT or tb != INT:
                    self.err("type mismatch: range bounds must be integers", t.span)
                    return None
                if a > b:
                    self.err(f"empty range {a}..{b}: the lower bound is above the upper bound", t.span)
                    return None
                return VType(TyKind.INT, a, b)
            case S.TypeName(name=n):
                sym = self.global_sym(n.text)
                if isinstance(sym, TypeSym):
                    return sym.vtype
                if sym is None:
                    kind = self._code_decl_kind(n.text)
                    if kind is not None:
                        self.err(f"'{n.text}' is a {kind}, not a type", n.span)
                    elif n.text not in self.decls:
                        types = [k for k, v in self.decls.items() if isinstance(v, (S.TypeDecl, S.EnumDecl))]
                        hint = did_you_mean(n.text, types)
                        if not hint and n.text in (
                            "int",
                            "integer",
                            "unsigned",
                            "long",
                            "u8",
                            "u32",
                            "int32",
                        ):
                            hint = ": types are bounded; use a range such as 0..3, or byte"
                        self.err(f"unknown type '{n.text}'" + hint, n.span)
                    return None
                self.err(f"'{n.text}' is a {sym_kind(sym)}, not a type", n.span)
                return None
            case _:
                assert_never(t)

    def index_vtype(self, t: S.TypeExpr, what: str) -> VType | None:
        vt = self.vtype(t)
        if vt is None:
            return None
        if not vt.is_index:
            self.err(f"{what} must be an index type (a range or an enum), not {vt.show()}", t.span)
            return None
        if vt.hi - vt.lo + 1 > MAX_INDEX_VALUES:
            self.err(f"{what} {vt.show()} has {vt.hi - vt.lo + 1} values; at most {MAX_INDEX_VALUES}", t.span)
            return None
        return vt

    def _dims(self, dims: tuple[S.TypeExpr, ...]) -> tuple[VType, ...] | None:
        out: list[VType] = []
        ok = True
        size = 1
        for d in dims:
            vt = self.index_vtype(d, "an array index type")
            if vt is None:
                ok = False
            else:
                out.append(vt)
                size *= vt.hi - vt.lo + 1
        if ok and size > MAX_ARRAY_ELEMENTS:
            self.err(f"this array has {size} elements; at most {MAX_ARRAY_ELEMENTS}", dims[0].span)
            return None
        return tuple(out) if ok else None

    def _var_sym(self, item: S.VarDecl) -> VarSym | None:
        dvt = self._dims(item.dims)
        vt = self.vtype(item.type)
        if dvt is None or vt is None:
            return None
        self._check_init(item.init, vt, dvt, item.name.text)
        if item.init is None and vt.symmetric:
            # NOTE(symmetric-default): the default is the lowest value, one value of the type; a
            # procedure's local is reset to it at every call, a constant in the transitions
            self.err(
                f"symmetric type misuse: '{item.name.text}' holds values of the symmetric type '{vt.name}', "
                "so it cannot start at a fixed value, and with no initial value it starts at the lowest "
                "(use '= any')",
                item.name.span,
            )
        return VarSym(item.name.text, dvt, vt, item.init, item.ghost, item.name.span)

    def _check_init(self, init: S.Init | None, vt: VType, dims: tuple[VType, ...], name: str) -> None:
        match init:
            case None:
                return
            case S.InitAny():
                if vt.hi - vt.lo + 1 > MAX_CHOICE_VALUES:
                    self.err(
                        f"'= any' over {vt.hi - vt.lo + 1} values; at most {MAX_CHOICE_VALUES}", init.span
                    )
                return
            case S.InitList(items=items):
                n = 1
                for d in dims:
                    n *= d.hi - d.lo + 1
                if not dims:
                    self.err(f"'{name}' is not an array: a list of initial values needs an array", init.span)
                    return
                if len(items) != n:
                    self.err(
                        f"'{name}' has {n} elements but the list gives {len(items)} initial values", init.span
                    )
                for it in items:
                    self._check_init_value(it, vt, name)
            case _:
                self._check_init_value(init, vt, name)

    def _check_init_value(self, e: S.Expr, vt: VType, name: str) -> None:
        # An initial value is a constant of each configuration: consts, enum
        # values and params.  It is evaluated (and range checked) for every
        # combination of the values of the params it reads.
        used: dict[str, ParamSym] = {}

        def first(n: S.Ident) -> tuple[int, Ty]:
            s = self.globals.get(n.text)
            if isinstance(s, ParamSym):
                used[n.text] = s
                return s.vtype.lo if s.fixed is None else s.fixed, s.vtype.ty
            return self.static_lookup(n)

        try:
            v, t = eval_static(e, first)
        except _NotStatic as ex:
            self._static_err(ex)
            return
        if not _assignable(vt, t):
            self.err(f"type mismatch: '{name}' is {_vt_desc(vt)}, the initial value is {t.show()}", e.span)
            return
        if vt.symmetric and t.kind is TyKind.INT:
            self.err(
                f"symmetric type misuse: '{name}' holds values of the symmetric type '{vt.name}', so it cannot start at a fixed value (use 'any')",
                e.span,
            )
            return
        axes = list(used.values())
        count = 1
        for p in axes:
            count *= 1 if p.fixed is not None else p.vtype.hi - p.vtype.lo + 1
        if count > MAX_CONFIGURATIONS:
            return  # more configurations than the front end lowers: that is reported by `configurations`
        for combo in itertools.product(*[p.vtype.values() if p.fixed is None else (p.fixed,) for p in axes]):
            config = {p.name: x for p, x in zip(axes, combo, strict=True)}

            def lookup(n: S.Ident, config: Mapping[str, int] = config) -> tuple[int, Ty]:
                s = self.globals.get(n.text)
                if isinstance(s, ParamSym):
                    return config[n.text], s.vtype.ty
                return self.static_lookup(n)

            try:
                v, _ = eval_static(e, lookup)
            except _NotStatic as ex:
                where = ", ".join(
                    f"{p.name}={p.vtype.show_value(x)}" for p, x in zip(axes, combo, strict=True)
                )
                self._static_err(ex, f" (when {where})" if where else "")
                return
            if not vt.lo <= v <= vt.hi:
                where = ", ".join(
                    f"{p.name}={p.vtype.show_value(x)}" for p, x in zip(axes, combo, strict=True)
                )
                self.err(
                    f"value out of range: {v} is not in {vt.lo}..{vt.hi}, the type of '{name}'"
                    + (f" (when {where})" if where else ""),
                    e.span,
                )
                return

    # ---------------------------------------------------------------- processes and procedures

    def proc_sym(self, d: S.ProcDecl) -> ProcSym:
        params: list[tuple[str, VType]] = []
        seen: dict[str, Span] = {}
        for f in d.params:
            vt = self.vtype(f.type)
            if f.name.text in seen:
                self.err(
                    f"duplicate parameter '{f.name.text}'",
                    f.name.span,
                    (("previously declared here", seen[f.name.text]),),
                )
            seen[f.name.text] = f.name.span
            params.append((f.name.text, vt if vt is not None else VType(TyKind.INT, 0, 0)))
        ret = self.vtype(d.ret) if d.ret is not None else None
        locals_ = self._locals(d.locals, seen, d.name.text)
        return ProcSym(d.name.text, d, tuple(params), ret, locals_, d.name.span)

    def _locals(self, decls: tuple[S.VarDecl, ...], seen: dict[str, Span], owner: str) -> tuple[VarSym, ...]:
        out: list[VarSym] = []
        failed: set[str] = set()
        for v in decls:
            if v.name.text in seen:
                self.err(
                    f"duplicate declaration of '{v.name.text}'",
                    v.name.span,
                    (("previously declared here", seen[v.name.text]),),
                )
                continue
            seen[v.name.text] = v.name.span
            if self._bad_name(v.name):
                continue
            sym = self._var_sym(v)
            if sym is not None:
                out.append(sym)
            else:
                failed.add(v.name.text)
        self.failed_locals[owner] = frozenset(failed)
        return tuple(out)

    def process_sym(self, d: S.ProcessDecl) -> ProcessSym:
        itype: VType | None = None
        if d.index_type is not None:
            itype = self.index_vtype(d.index_type, "the index type of a replicated process")
            if itype is None:
                self.failed_index.add(d.name.text)
        seen: dict[str, Span] = {}
        if d.index_var is not None:
            seen[d.index_var.text] = d.index_var.span
        local_decls = tuple(x for x in d.items if isinstance(x, S.VarDecl))
        locals_ = self._locals(local_decls, seen, d.name.text)
        states: list[S.Ident] = []
        inits: list[S.InitDecl] = []
        transs: list[S.TransDecl] = []
        body: list[S.Stmt] = []
        ends: list[S.Ident] = []
        sm_first: Span | None = None
        code_first: Span | None = None
        for it in d.items:
            match it:
                case S.VarDecl():
                    pass
                case S.EndDecl(names=ns):
                    ends.extend(ns)
                case S.StateDecl(names=ns):
                    states.extend(ns)
                    sm_first = sm_first or it.span
                case S.InitDecl():
                    inits.append(it)
                    sm_first = sm_first or it.span
                case S.TransDecl():
                    transs.append(it)
                    sm_first = sm_first or it.span
                case _:
                    body.append(it)
                    code_first = code_first or it.span
        form = Form.CODE
        if sm_first is not None and code_first is not None:
            self.err(
                f"process '{d.name.text}' mixes the state-machine form (state/init/trans) with statements",
                code_first,
                (("the state-machine form starts here", sm_first),),
            )
        if sm_first is not None:
            form = Form.STATE_MACHINE
        init_state: str | None = None
        labels: list[str] = []
        if form is Form.STATE_MACHINE:
            state_names: dict[str, Span] = {}
            for s in states:
                if s.text in state_names:
                    self.err(
                        f"duplicate state '{s.text}'",
                        s.span,
                        (("previously declared here", state_names[s.text]),),
                    )
                state_names[s.text] = s.span
            if not states:
                self.err(f"process '{d.name.text}' has transitions but declares no states", d.name.span)
            if len(inits) > 1:
                self.err(
                    f"process '{d.name.text}' has more than one 'init'",
                    inits[1].span,
                    (("first 'init' here", inits[0].span),),
                )
            if inits:
                init_state = inits[0].name.text
                if init_state not in state_names:
                    self._unknown_state(d, inits[0].name, state_names)
            elif states:
                self.err(f"process '{d.name.text}' has no 'init' state", d.name.span)
            for t in transs:
                for s in (t.src, t.dst):
                    if s.text not in state_names:
                        self._unknown_state(d, s, state_names)
            for e in ends:
                if e.text not in state_names:
                    self._unknown_state(d, e, state_names)
        else:
            label_spans: dict[str, Span] = {}
            for st in body:
                for lab in S.labels_in(st):
                    if lab.text in label_spans:
                        self.err(
                            f"duplicate label '{lab.text}'",
                            lab.span,
                            (("previously defined here", label_spans[lab.text]),),
                        )
                    label_spans[lab.text] = lab.span
            labels = list(label_spans)
            for e in ends:
                if e.text not in label_spans:
                    self.err(
                        f"'end {e.text}': process '{d.name.text}' has no label '{e.text}'"
                        + did_you_mean(e.text, label_spans),
                        e.span,
                    )
        return ProcessSym(
            d.name.text,
            d,
            d.index_var.text if d.index_var is not None else None,
            itype,
            locals_,
            form,
            tuple(states),
            init_state,
            tuple(transs),
            tuple(body),
            tuple(ends),
            tuple(labels),
            d.fairness,
            d.name.span,
        )

    def _unknown_state(self, d: S.ProcessDecl, s: S.Ident, states: Mapping[str, Span]) -> None:
        self.err(
            f"process '{d.name.text}' has no state '{s.text}'" + did_you_mean(s.text, states),
            s.span,
        )

    # ---------------------------------------------------------------- the whole spec

    def run(self) -> Env:
        self.collect()
        for name in list(self.decls):
            self.global_sym(name)
        for name in sorted(self.defines):
            candidates = [n for n, it in self.decls.items() if isinstance(it, (S.ConstDecl, S.ParamDecl))]
            self.err(
                f"-D {name}={self.defines[name]}: no const or param named '{name}'"
                + did_you_mean(name, candidates),
                _cmdline(),
            )
        procs: dict[str, ProcSym] = {}
        processes: list[ProcessSym] = []
        for item in self.ast.items:
            if isinstance(item, S.ProcDecl) and self.decls.get(item.name.text) is item:
                procs[item.name.text] = self.proc_sym(item)
            elif isinstance(item, S.ProcessDecl) and self.decls.get(item.name.text) is item:
                ps = self.process_sym(item)
                processes.append(ps)
                self.globals[ps.name] = ps
        self.globals.update(procs)
        self.procs = procs
        self.processes = {p.name: p for p in processes}
        # bodies
        for p in processes:
            self.check_process(p)
        self.proc_self_types = self._proc_self_types(procs)
        for pr in procs.values():
            self.check_proc(pr)
        self.check_recursion()
        self.check_proc_self()
        deadlock = True
        props: list[S.PropDecl] = []
        expects: list[S.ExpectDecl] = []
        prop_names: dict[str, Span] = {}
        for item in self.ast.items:
            match item:
                case S.PropDecl():
                    if item.name.text in ("deadlock", "runtime"):
                        self.err(
                            f"'{item.name.text}' is the name of a built-in property "
                            f"(the {'deadlock check' if item.name.text == 'deadlock' else 'runtime checks'});"
                            " choose another name",
                            item.name.span,
                        )
                    if item.name.text in prop_names:
                        self.err(
                            f"duplicate property '{item.name.text}'",
                            item.name.span,
                            (("previously declared here", prop_names[item.name.text]),),
                        )
                    prop_names[item.name.text] = item.name.span
                    self.check_property(item)
                    props.append(item)
                case S.ExpectDecl():
                    expects.append(item)
                case S.DeadlockDecl(on=on):
                    deadlock = on
                case _:
                    pass
        builtin_props = ["deadlock", "runtime", *self.assert_groups]
        for ex in expects:
            if ex.name.text not in prop_names and ex.name.text not in builtin_props:
                self.err(
                    f"'expect {ex.name.text} violated': no property named '{ex.name.text}'"
                    + did_you_mean(ex.name.text, [*prop_names, *builtin_props]),
                    ex.name.span,
                )
            if ex.when is not None:
                self.check_static_cond(ex.when, "an 'expect ... when' condition")
        for grp in self.assert_groups:
            if grp in prop_names:
                self.err(f"assert group '{grp}' has the name of a declared property", prop_names[grp])
        if not processes and not self.sink:
            self.err("the spec declares no process", Span(self.ast.path, 0, 0, 0, 0))
        gvars: list[VarSym | LockSym | RefSym] = []
        for item in self.ast.items:
            if isinstance(item, (S.VarDecl, S.LockDecl, S.RefcountDecl)):
                g = self.globals.get(item.name.text)
                if isinstance(g, (VarSym, LockSym, RefSym)) and self.decls.get(item.name.text) is item:
                    gvars.append(g)
        params = tuple(
            s
            for it in self.ast.items
            if isinstance(it, S.ParamDecl)
            for s in [self.globals.get(it.name.text)]
            if isinstance(s, ParamSym)
        )
        return Env(
            self.ast.path,
            dict(self.globals),
            params,
            tuple(processes),
            procs,
            tuple(props),
            tuple(expects),
            deadlock,
            tuple(self.assert_groups),
            self.has_checks,
            tuple(gvars),
            self.at_in_code,
            dict(self.assert_spans),
        )

    # ---------------------------------------------------------------- bodies

    def check_process(self, p: ProcessSym) -> None:
        scope: dict[str, _Local] = {}
        self_ty = p.index_type.ty if p.index_type is not None else None
        if p.index_var is not None and self_ty is not None:
            scope[p.index_var] = _Local(p.index_var, self_ty, "value", None, p.span)
        elif p.index_var is not None and p.name in self.failed_index:
            scope[p.index_var] = _Local(p.index_var, INT, "value", None, p.span, failed=True)
        for v in p.locals:
            scope[v.name] = _Local(v.name, v.vtype.ty, "var", v, v.span)
            self._check_local_init(v)
        for name in self.failed_locals.get(p.name, ()):
            scope[name] = _Local(name, INT, "var", None, p.span, failed=True)
        ctx = _Ctx(process=p, labels=frozenset(p.labels), self_ty=self_ty)
        if p.form is Form.CODE:
            for st in p.body:
                self.stmt(st, [scope], ctx)
        else:
            for t in p.transitions:
                tctx = _Ctx(process=p, in_atomic="trans", self_ty=self_ty)
                if t.guard is not None:
                    self.cond(t.guard, [scope], tctx, allow_effect=False)
                self.stmt(t.body, [scope], tctx)

    def _check_local_init(self, v: VarSym) -> None:
        pass  # checked by _var_sym

    def _proc_self_types(self, procs: Mapping[str, ProcSym]) -> dict[str, set[Ty | None]]:
        """For each procedure, the index types (None: not replicated) of the processes reaching it."""
        edges: dict[str, set[str]] = {}
        for pr in procs.values():
            edges[pr.name] = {c for st in pr.decl.body for c in _calls_in(st) if c in procs}
        out: dict[str, set[Ty | None]] = {}
        reached_by_failed: set[str] = set()
        for pname, calls in self.process_calls.items():
            proc = self.processes.get(pname)
            if proc is None:
                continue
            failed = pname in self.failed_index
            t = proc.index_type.ty if proc.index_type is not None else None
            stack = [c for c, _ in calls]
            seen: set[str] = set()
            while stack:
                n = stack.pop()
                if n in seen:
                    continue
                seen.add(n)
                if failed:
                    reached_by_failed.add(n)  # NOTE(failed-decl): its `self` is not checked
                else:
                    out.setdefault(n, set()).add(t)
                stack.extend(edges.get(n, ()))
        self.failed_index |= reached_by_failed
        return out

    def check_proc(self, pr: ProcSym) -> None:
        scope: dict[str, _Local] = {}
        for name, vt in pr.params:
            scope[name] = _Local(name, vt.ty, "param", None, pr.span)
        for v in pr.locals:
            scope[v.name] = _Local(v.name, v.vtype.ty, "var", v, v.span)
        for name in self.failed_locals.get(pr.name, ()):
            scope[name] = _Local(name, INT, "var", None, pr.span, failed=True)
        labels: dict[str, Span] = {}
        for st in pr.decl.body:
            for lab in S.labels_in(st):
                if lab.text in labels:
                    self.err(
                        f"duplicate label '{lab.text}'",
                        lab.span,
                        (("previously defined here", labels[lab.text]),),
                    )
                labels[lab.text] = lab.span
        # NOTE(proc-self): `self` has the callers' index type when they agree.
        types = self.proc_self_types.get(pr.name, set())
        known = len(types) == 1 and None not in types
        self_ty = next(iter(types)) if known else None
        ctx = _Ctx(proc=pr, labels=frozenset(labels), self_ty=self_ty, self_known=known)
        for st in pr.decl.body:
            self.stmt(st, [scope], ctx)

    def check_recursion(self) -> None:
        # NOTE(recursion): procedures are inlined, so a cycle in the call
        # graph is an error; report each cycle once, at its first call.
        state: dict[str, int] = {}
        stack: list[tuple[str, Span | None]] = []
        reported: set[frozenset[str]] = set()

        def visit(n: str, via: Span | None) -> None:
            state[n] = 1
            stack.append((n, via))
            for m, sp in self.call_edges.get(n, []):
                if state.get(m) == 1:
                    names = [x for x, _ in stack]
                    cyc = names[names.index(m) :]
                    key = frozenset(cyc)
                    if key not in reported:
                        reported.add(key)
                        notes = tuple(
                            (f"'{stack[i][0]}' is called here", stack[i][1])
                            for i in range(names.index(m) + 1, len(stack))
                            if stack[i][1] is not None
                        )
                        assert_sp = sp
                        self.err(
                            "recursion is not supported (procedures are inlined): " + " -> ".join([*cyc, m]),
                            assert_sp,
                            tuple((msg, s) for msg, s in notes if s is not None),
                        )
                elif state.get(m) is None:
                    visit(m, sp)
            stack.pop()
            state[n] = 2

        for n in self.call_edges:
            if state.get(n) is None:
                visit(n, None)

    def check_proc_self(self) -> None:
        """A procedure that uses `self` may be called only from replicated processes."""
        for pname, calls in self.process_calls.items():
            proc = self.processes.get(pname)
            if proc is None or proc.index_type is not None or pname in self.failed_index:
                continue
            for callee, span in calls:
                seen: set[str] = set()
                stack = [callee]
                while stack:
                    n = stack.pop()
                    if n in seen:
                        continue
                    seen.add(n)
                    if n in self.self_users:
                        self.err(
                            f"'{callee}' uses 'self', but process '{pname}' is not replicated",
                            span,
                            ((f"'self' used in '{n}' here", self.self_users[n]),),
                        )
                        break
                    stack.extend(m for m, _ in self.call_edges.get(n, []))

    def check_property(self, p: S.PropDecl) -> None:
        ctx = _Ctx(in_property=True, ghost_ok=True)
        self.cond(p.expr, [{}], ctx, allow_effect=False)
        if p.expr2 is not None:
            self.cond(p.expr2, [{}], ctx, allow_effect=False)
        if p.when is not None:
            self.check_static_cond(p.when, "a 'when' condition")
        if p.expect_when is not None:
            self.check_static_cond(p.expect_when, "an 'expect ... when' condition")

    def check_static_cond(self, e: S.Expr, what: str) -> None:
        def lookup(n: S.Ident) -> tuple[int, Ty]:
            s = self.globals.get(n.text)
            if isinstance(s, ParamSym):
                return s.vtype.lo, s.vtype.ty
            if s is not None and not isinstance(s, (ConstSym, EnumMemberSym)):
                raise _NotStatic(
                    f"'{n.text}' is a {sym_kind(s)}; {what} may use only consts and params", n.span
                )
            return self.static_lookup(n)

        try:
            _, t = eval_static(e, lookup)
        except _NotStatic as ex:
            self._static_err(ex)
            return
        if t != BOOL:
            self.err(f"type mismatch: {what} must be bool, found {t.show()}", e.span)

    # ---------------------------------------------------------------- statements

    def stmt(self, st: S.Stmt, scopes: list[dict[str, _Local]], ctx: _Ctx) -> None:
        match st:
            case S.Assign(target=lv, value=v):
                vt, ghost = self.lvalue(lv, scopes, ctx)
                if isinstance(v, S.Call) and v.name.text in self.procs:
                    rt = self.call_proc(v, scopes, ctx, want_value=True)
                    if vt is not None and rt is not None and not _assignable(vt, rt.ty):
                        self.err(
                            f"type mismatch: '{lv.name.text}' is {_vt_desc(vt)}, '{v.name.text}' returns {rt.ty.show()}",
                            v.span,
                        )
                    return
                if isinstance(v, S.Call) and v.name.text in EFFECT_CONDS:
                    t = self.effect_call(v, scopes, ctx)
                else:
                    sub = replace(ctx, ghost_ok=ctx.ghost_ok or ghost)
                    t = self.expr(v, scopes, sub)
                if vt is not None and t is not None:
                    self._assign_check(vt, t, v, lv.name.text)
            case S.AssignAny(target=lv):
                avt, _ = self.lvalue(lv, scopes, ctx)
                if avt is not None and avt.hi - avt.lo + 1 > MAX_CHOICE_VALUES:
                    self.err(
                        f"'= any' over {avt.hi - avt.lo + 1} values; at most {MAX_CHOICE_VALUES}", st.span
                    )
            case S.CallStmt(call=c):
                if c.name.text in self.procs:
                    self.call_proc(c, scopes, ctx, want_value=False)
                elif c.name.text in BUILTIN_STMTS:
                    self.builtin_stmt(c, scopes, ctx)
                elif c.name.text in PREDICATES:
                    self.err(f"'{c.name.text}(...)' is a condition, not a statement", c.span)
                else:
                    kernel = KERNEL_SPELLINGS.get(c.name.text)
                    self.err(
                        f"unknown procedure '{c.name.text}'"
                        + (
                            f"; the kernel's {c.name.text}() is written '{kernel}(...)' here"
                            if kernel is not None
                            else did_you_mean(c.name.text, [*self.procs, *BUILTIN_STMTS])
                        ),
                        c.name.span,
                    )
            case S.Await(cond=c):
                self.cond(c, scopes, ctx, allow_effect=False)
            case S.Assert(name=n, cond=c):
                group = n.text if n is not None else "assert"
                if group in ("runtime", "deadlock"):
                    assert n is not None
                    self.err(f"'{group}' is a built-in property; name the assert otherwise", n.span)
                if group not in self.assert_groups:
                    self.assert_groups.append(group)
                    self.assert_spans[group] = st.span
                self.cond(
                    c,
                    scopes,
                    replace(ctx, ghost_ok=True, in_assert=True),
                    allow_effect=False,
                )
            case S.Return(value=v):
                if ctx.proc is None:
                    self.err("'return' outside a procedure", st.span)
                    return
                ret = ctx.proc.ret
                if v is None:
                    if ret is not None:
                        self.err(
                            f"'return' without a value in '{ctx.proc.name}', which returns {ret.show()}",
                            st.span,
                        )
                    return
                if ret is None:
                    self.err(f"'return' with a value in '{ctx.proc.name}', which returns nothing", v.span)
                    self.expr(v, scopes, ctx)
                    return
                t = self.expr(v, scopes, ctx)
                if t is not None:
                    self._assign_check(ret, t, v, f"the result of '{ctx.proc.name}'")
            case S.Goto(label=lab):
                if ctx.in_atomic is not None:
                    self.err(f"'goto' inside {_atomic_word(ctx)}", st.span)
                elif lab.text not in ctx.labels:
                    self.err(
                        f"goto to an unknown label '{lab.text}'" + did_you_mean(lab.text, ctx.labels),
                        lab.span,
                    )
            case S.Skip():
                pass
            case S.Labelled(label=lab, stmt=inner):
                if ctx.in_atomic is not None:
                    self.err(f"a label inside {_atomic_word(ctx)}", lab.span)
                self.stmt(inner, scopes, ctx)
            case S.Block(stmts=ss):
                for s in ss:
                    self.stmt(s, scopes, ctx)
            case S.If(branches=bs, else_=eb):
                for b in bs:
                    self.cond(b.cond, scopes, ctx, allow_effect=True)
                    self.stmt(b.body, scopes, ctx)
                if eb is not None:
                    self.stmt(eb, scopes, ctx)
            case S.Switch(subject=subj, cases=cases, default=dflt):
                t = self.expr(subj, scopes, ctx)
                for case_ in cases:
                    for v in case_.values:
                        vt_ = self.expr(v, scopes, ctx)
                        if t is not None and vt_ is not None and not _comparable(t, vt_):
                            self.err(
                                f"type mismatch: the switch is on {t.show()}, this case is {vt_.show()}",
                                v.span,
                            )
                    self.stmt(case_.body, scopes, ctx)
                if dflt is not None:
                    self.stmt(dflt, scopes, ctx)
            case S.While(cond=wc, body=wb):
                if ctx.in_atomic is not None:
                    self.err(f"'while' inside {_atomic_word(ctx)}: an atomic step cannot loop", st.span)
                self.cond(wc, scopes, ctx, allow_effect=True)
                self.stmt(wb, scopes, ctx)
            case S.For(var=fv, type=ft, body=fb):
                fvt = self.index_vtype(ft, "the type of a 'for' loop")
                if fvt is not None and fvt.symmetric:
                    # NOTE(symmetric-for): the unrolled copies run in index order, which tells
                    # the values apart; the symmetry reduction would then miss states
                    self.err(
                        f"symmetric type misuse: a 'for' over the symmetric type '{fvt.name}' runs its "
                        "copies in a fixed order, which tells the values apart (the symmetry reduction "
                        "would be unsound); use forall/exists in a condition, or drop 'symmetric'",
                        ft.span,
                    )
                fscope: dict[str, _Local] = {}
                if fvt is not None:
                    fscope[fv.text] = _Local(fv.text, fvt.ty, "value", None, fv.span)
                else:
                    fscope[fv.text] = _Local(fv.text, INT, "value", None, fv.span, failed=True)
                for lab in S.labels_in(fb):
                    self.err(
                        f"a label inside a 'for' loop: '{lab.text}' would name one location in every unrolled copy",
                        lab.span,
                    )
                self.stmt(fb, [*scopes, fscope], ctx)
            case S.Atomic(body=ab):
                self.stmt(ab, scopes, replace(ctx, in_atomic=ctx.in_atomic or "atomic"))
            case S.Either(branches=ebs):
                for xb in ebs:
                    self.stmt(xb, scopes, ctx)
            case S.WithRef(stmt=inner):
                self.stmt(inner, scopes, ctx)
            case _:
                assert_never(st)

    def _assign_check(self, vt: VType, t: Ty, v: S.Expr, what: str) -> None:
        if not _assignable(vt, t):
            self.err(f"type mismatch: {_quote(what)} is {_vt_desc(vt)}, the value is {t.show()}", v.span)
            return
        if vt.kind is TyKind.INT and not vt.symmetric:
            try:
                c, _ = eval_static(v, self.static_lookup)
            except _NotStatic:
                return
            if not vt.lo <= c <= vt.hi:
                self.err(
                    f"value out of range: {c} is not in {vt.lo}..{vt.hi}, the type of {_quote(what)}", v.span
                )

    def lvalue(self, lv: S.LValue, scopes: list[dict[str, _Local]], ctx: _Ctx) -> tuple[VType | None, bool]:
        """The type of an assignment target, and whether it is a ghost."""
        name = lv.name.text
        loc = _find(scopes, name)
        if loc is not None:
            if loc.failed:
                for e in lv.indices:
                    self.expr(e, scopes, ctx)
                return None, False
            if loc.kind == "param":
                self.err(f"cannot assign to '{name}': it is a procedure parameter", lv.name.span)
                return None, False
            if loc.kind == "value":
                self.err(f"cannot assign to '{name}': it is a bound value, not a variable", lv.name.span)
                return None, False
            assert loc.var is not None
            self._indices(loc.var.dims, lv.indices, name, lv.span, scopes, ctx)
            return loc.var.vtype, False
        sym = self.global_sym(name) if name in self.decls else self.globals.get(name)
        match sym:
            case VarSym():
                if ctx.in_property:
                    self.err("cannot assign in a property", lv.span)
                self._indices(sym.dims, lv.indices, name, lv.span, scopes, ctx)
                return sym.vtype, sym.ghost
            case ConstSym() | ParamSym():
                self.err(
                    f"cannot assign to '{name}': it is a {sym_kind(sym)}",
                    lv.name.span,
                    ((f"'{name}' declared here", sym.span),),
                )
            case RefSym():
                self.err(
                    f"cannot assign to the refcount '{name}': use get/put/freeze/unfreeze",
                    lv.name.span,
                )
            case None:
                if name not in self.decls:
                    self.err(self._undeclared(name, tuple(_scope_names(scopes))), lv.name.span)
            case _:
                self.err(f"cannot assign to '{name}': it is a {sym_kind(sym)}", lv.name.span)
        return None, False

    def _indices(
        self,
        dims: tuple[VType, ...],
        idx: tuple[S.Expr, ...],
        name: str,
        span: Span,
        scopes: list[dict[str, _Local]],
        ctx: _Ctx,
    ) -> None:
        if len(idx) != len(dims):
            if not dims:
                self.err(f"'{name}' is not an array, but it is indexed", span)
            else:
                self.err(
                    f"wrong number of indices: '{name}' has {len(dims)} dimension(s), {len(idx)} given", span
                )
            for e in idx:
                self.expr(e, scopes, ctx)
            return
        for d, e in zip(dims, idx, strict=True):
            t = self.expr(e, scopes, ctx)
            if t is None:
                continue
            if not _assignable(d, t):
                self.err(
                    f"type mismatch: '{name}' is indexed by {_vt_desc(d)}, the index is {t.show()}", e.span
                )
                continue
            if d.symmetric and t.kind is TyKind.INT:
                self.err(
                    f"symmetric type misuse: '{name}' is indexed by the symmetric type '{d.name}', "
                    "so it cannot be indexed by an integer",
                    e.span,
                )
                continue
            if d.kind is TyKind.INT:
                try:
                    c, _ = eval_static(e, self.static_lookup)
                except _NotStatic:
                    continue
                if not d.lo <= c <= d.hi:
                    self.err(
                        f"index out of range: {c} is not in {d.lo}..{d.hi}, the index type of '{name}'",
                        e.span,
                    )

    def call_proc(
        self, c: S.Call, scopes: list[dict[str, _Local]], ctx: _Ctx, want_value: bool
    ) -> VType | None:
        pr = self.procs[c.name.text]
        caller = ctx.proc.name if ctx.proc is not None else None
        if caller is not None:
            self.call_edges.setdefault(caller, []).append((pr.name, c.span))
        elif ctx.process is not None:
            self.process_calls.setdefault(ctx.process.name, []).append((pr.name, c.span))
        if ctx.in_property:
            self.err("a procedure cannot be called in a property", c.span)
        if len(c.args) != len(pr.params):
            self.err(
                f"wrong number of arguments: '{pr.name}' takes {len(pr.params)}, {len(c.args)} given",
                c.span,
                ((f"'{pr.name}' declared here", pr.span),),
            )
        for (pname, pvt), a in zip(pr.params, c.args, strict=False):
            t = self.expr(a, scopes, ctx)
            if t is not None:
                self._assign_check(pvt, t, a, f"parameter '{pname}' of '{pr.name}'")
        if want_value and pr.ret is None:
            self.err(f"'{pr.name}' returns no value", c.span, ((f"'{pr.name}' declared here", pr.span),))
        return pr.ret

    def builtin_stmt(self, c: S.Call, scopes: list[dict[str, _Local]], ctx: _Ctx) -> None:
        name = c.name.text
        if not self._arity(c):
            return
        self.has_checks = True
        if name in EFFECT_CONDS:
            self.effect_call(c, scopes, ctx)
            return
        if name == "might_sleep":
            return
        if name in LOCK_OPS:
            self.lock_arg(c, c.args[0], scopes, ctx)
            return
        # refcount ops
        self.ref_arg(c, c.args[0], scopes, ctx)
        if name == "unfreeze":
            t = self.expr(c.args[1], scopes, ctx)
            if t is not None and t != INT:
                self.err(
                    f"type mismatch: 'unfreeze' needs an integer value, found {t.show()}", c.args[1].span
                )

    def _arity(self, c: S.Call) -> bool:
        want = ARITY[c.name.text]
        if len(c.args) != want:
            self.err(f"wrong number of arguments: '{c.name.text}' takes {want}, {len(c.args)} given", c.span)
            return False
        return True

    def effect_call(self, c: S.Call, scopes: list[dict[str, _Local]], ctx: _Ctx) -> Ty | None:
        name = c.name.text
        if ctx.in_property:
            self.err(f"'{name}' changes the state and cannot be used in a property", c.span)
            return None
        if not self._arity(c):
            return None
        self.has_checks = True
        if name in ("trylock", "read_trylock", "write_trylock"):
            self.lock_arg(c, c.args[0], scopes, ctx)
        else:
            self.ref_arg(c, c.args[0], scopes, ctx)
            if name == "freeze":
                t = self.expr(c.args[1], scopes, ctx)
                if t is not None and t != INT:
                    self.err(
                        f"type mismatch: 'freeze' needs an integer count, found {t.show()}", c.args[1].span
                    )
        return BOOL

    def _object(self, e: S.Expr, scopes: list[dict[str, _Local]], ctx: _Ctx) -> tuple[Sym | None, Span]:
        """The global symbol named by `x` or `x[i]...` (indices checked)."""
        match e:
            case S.NameRef(name=n):
                if _find(scopes, n.text) is not None:
                    return None, n.span
                return (
                    self.globals.get(n.text) if n.text not in self.decls else self.global_sym(n.text)
                ), n.span
            case S.IndexRef(name=n, indices=idx):
                if _find(scopes, n.text) is not None:
                    return None, n.span
                sym = self.globals.get(n.text) if n.text not in self.decls else self.global_sym(n.text)
                if isinstance(sym, (LockSym, RefSym)):
                    self._indices(sym.dims, idx, n.text, e.span, scopes, ctx)
                return sym, n.span
            case _:
                return None, e.span

    def lock_arg(
        self, c: S.Call, a: S.Expr, scopes: list[dict[str, _Local]], ctx: _Ctx, op: bool = True
    ) -> LockSym | None:
        sym, sp = self._object(a, scopes, ctx)
        if sym is None and _failed_name(self._failed, scopes, _head_name(a)):
            return None  # its declaration failed, and said so: no cascade (`-D PAGES=0`)
        if not isinstance(sym, LockSym):
            what = (
                f"'{_head_name(a)}' is a {sym_kind(sym)}" if sym is not None else "its argument is not a lock"
            )
            if (
                sym is None
                and isinstance(a, (S.NameRef, S.IndexRef))
                and _head_name(a) not in self.decls
                and _find(scopes, _head_name(a)) is None
            ):
                self.err(self._undeclared(_head_name(a), tuple(_scope_names(scopes))), sp)
                return None
            self.err(f"'{c.name.text}' needs a lock, but {what}", a.span)
            return None
        if isinstance(a, S.NameRef) and sym.dims:
            self.err(f"'{sym.name}' is an array of locks; give an index", a.span)
            return None
        name = c.name.text
        rw = sym.kind in (LockKind.RWLOCK, LockKind.RWSEM)
        if name in ("lock", "unlock", "trylock") and rw:
            self.err(
                f"'{name}' on the {sym.kind.value} '{sym.name}': use read_{name.replace('try', 'try')}/write_{name}",
                c.span,
                ((f"'{sym.name}' declared here", sym.span),),
            )
        elif name.startswith(("read_", "write_")) and not rw:
            self.err(
                f"'{name}' on the {sym.kind.value} '{sym.name}': reader/writer operations need an rwlock or rwsem",
                c.span,
                ((f"'{sym.name}' declared here", sym.span),),
            )
        if op and ctx.process is None and ctx.proc is None:
            self.err(f"'{name}' outside process code", c.span)
        return sym

    def ref_arg(self, c: S.Call, a: S.Expr, scopes: list[dict[str, _Local]], ctx: _Ctx) -> RefSym | None:
        sym, sp = self._object(a, scopes, ctx)
        if sym is None and _failed_name(self._failed, scopes, _head_name(a)):
            return None  # its declaration failed, and said so: no cascade
        if not isinstance(sym, RefSym):
            if (
                sym is None
                and isinstance(a, (S.NameRef, S.IndexRef))
                and _head_name(a) not in self.decls
                and _find(scopes, _head_name(a)) is None
            ):
                self.err(self._undeclared(_head_name(a), tuple(_scope_names(scopes))), sp)
                return None
            what = (
                f"'{_head_name(a)}' is a {sym_kind(sym)}"
                if sym is not None
                else "its argument is not a refcount"
            )
            self.err(f"'{c.name.text}' needs a refcount, but {what}", a.span)
            return None
        if isinstance(a, S.NameRef) and sym.dims:
            self.err(f"'{sym.name}' is an array of refcounts; give an index", a.span)
            return None
        return sym

    # ---------------------------------------------------------------- expressions

    def cond(self, e: S.Expr, scopes: list[dict[str, _Local]], ctx: _Ctx, allow_effect: bool) -> None:
        inner = e
        if isinstance(inner, S.UnaryExpr) and inner.op is S.UnaryOp.NOT:
            inner = inner.arg
        if isinstance(inner, S.Call) and inner.name.text in EFFECT_CONDS:
            if not allow_effect:
                where = "a property" if ctx.in_property else "here"
                self.err(
                    f"'{inner.name.text}' changes the state: it can be used only as a whole 'if'/'while' condition "
                    f"or right-hand side, not in {where}",
                    inner.span,
                )
                return
            self.effect_call(inner, scopes, ctx)
            return
        t = self.expr(e, scopes, ctx)
        if t is not None and t != BOOL:
            self.err(f"type mismatch: a condition must be bool, found {t.show()}", e.span)

    def expr(self, e: S.Expr, scopes: list[dict[str, _Local]], ctx: _Ctx) -> Ty | None:
        """The type of `e`, or None after reporting an error in it."""
        match e:
            case S.IntLit():
                return INT
            case S.BoolLit():
                return BOOL
            case S.SelfRef():
                if ctx.in_property:
                    self.err("'self' in a property: name the process instance instead", e.span)
                    return None
                if ctx.self_ty is None:
                    owner = (
                        ctx.process.name if ctx.process is not None else ctx.proc.name if ctx.proc else None
                    )
                    if owner in self.failed_index:
                        return None  # NOTE(failed-decl): its (or a caller's) index type failed, and said so
                    self.err("'self' outside a replicated process", e.span)
                    return None
                if ctx.proc is not None:
                    # NOTE(proc-self): `self` in a procedure is the calling
                    # instance's index.  It has the callers' index type when
                    # they all agree (`proc_self_types`), and is left
                    # unchecked otherwise; only replicated processes may call
                    # such a procedure (`check_proc_self`).
                    self.self_users.setdefault(ctx.proc.name, e.span)
                    return ctx.self_ty if ctx.self_known else None
                return ctx.self_ty
            case S.NameRef(name=n):
                return self.name_expr(n, e.span, scopes, ctx)
            case S.IndexRef(name=n, indices=idx):
                loc = _find(scopes, n.text)
                if loc is not None:
                    if loc.failed:
                        for x in idx:
                            self.expr(x, scopes, ctx)
                        return None
                    if loc.var is None or not loc.var.dims:
                        self.err(f"'{n.text}' is not an array, but it is indexed", e.span)
                        return None
                    self._indices(loc.var.dims, idx, n.text, e.span, scopes, ctx)
                    return loc.var.vtype.ty
                sym = self.global_sym(n.text) if n.text in self.decls else self.globals.get(n.text)
                match sym:
                    case VarSym():
                        self._ghost_read(sym, n.span, ctx)
                        self._indices(sym.dims, idx, n.text, e.span, scopes, ctx)
                        return sym.vtype.ty
                    case RefSym():
                        self._indices(sym.dims, idx, n.text, e.span, scopes, ctx)
                        return INT
                    case LockSym():
                        self.err(f"the lock '{n.text}' is not a value: use held({n.text}[...])", e.span)
                        return None
                    case ProcessSym():
                        self.err(
                            f"the process '{n.text}' is not a value: use at({n.text}[...], label)", e.span
                        )
                        return None
                    case None:
                        if n.text not in self.decls:
                            self.err(self._undeclared(n.text, tuple(_scope_names(scopes))), n.span)
                        return None
                    case _:
                        self.err(f"'{n.text}' is a {sym_kind(sym)} and cannot be indexed", n.span)
                        return None
            case S.Call(name=n, args=args):
                return self.call_expr(e, n, args, scopes, ctx)
            case S.LocalRef(process=pn, index=pi, name=ln):
                return self.local_ref(e, pn, pi, ln, scopes, ctx)
            case S.UnaryExpr(op=op, arg=a):
                t = self.expr(a, scopes, ctx)
                if t is None:
                    return None
                if op is S.UnaryOp.NOT:
                    if t != BOOL:
                        self.err(f"type mismatch: '!' needs bool, found {t.show()}", a.span)
                        return None
                    return BOOL
                if t.kind is TyKind.SYM:
                    self.err(_sym_misuse(t, "negated"), e.span)
                    return None
                if t != INT:
                    self.err(f"type mismatch: '-' needs int, found {t.show()}", a.span)
                    return None
                return INT
            case S.BinaryExpr(op=op, lhs=a, rhs=b):
                ta = self.expr(a, scopes, ctx)
                tb = self.expr(b, scopes, ctx)
                if ta is None or tb is None:
                    return None
                return self.binary(op, ta, tb, e, a, b)
            case S.Conditional(cond=c, then=th, else_=el):
                tc = self.expr(c, scopes, ctx)
                if tc is not None and tc != BOOL:
                    self.err(_conditional_not_bool(tc), c.span)
                tt = self.expr(th, scopes, ctx)
                tf = self.expr(el, scopes, ctx)
                if tt is None or tf is None:
                    return None
                if not _comparable(tt, tf):
                    if TyKind.SYM in (tt.kind, tf.kind) and INT in (tt, tf):
                        st = tt if tt.kind is TyKind.SYM else tf
                        self.err(_sym_misuse(st, "mixed with an integer in 'c ? a : b'"), e.span)
                        return None
                    self.err(_conditional_mismatch(tt, tf), e.span)
                    return None
                return tt  # the result's type is known even after an error in the condition
            case S.Quant(var=v, type=t, body=body):
                vt = self.index_vtype(t, f"the type of '{e.kind.value}'")
                inner: dict[str, _Local] = {}
                if vt is not None:
                    inner[v.text] = _Local(v.text, vt.ty, "value", None, v.span)
                else:
                    inner[v.text] = _Local(v.text, INT, "value", None, v.span, failed=True)
                tb = self.expr(body, [*scopes, inner], ctx)
                if tb is not None and tb != BOOL:
                    self.err(
                        f"type mismatch: the body of '{e.kind.value}' must be bool, found {tb.show()}",
                        body.span,
                    )
                return BOOL
            case _:
                assert_never(e)

    def local_ref(
        self,
        e: S.Expr,
        pn: S.Ident,
        pi: S.Expr | None,
        ln: S.Ident,
        scopes: list[dict[str, _Local]],
        ctx: _Ctx,
    ) -> Ty | None:
        if not ctx.in_property:
            self.err(
                f"'{self_text(pn, pi)}.{ln.text}': another process's local can be read only in a property",
                e.span,
            )
            return None
        p = self.processes.get(pn.text)
        if p is None:
            self.err(f"unknown process '{pn.text}'" + did_you_mean(pn.text, self.processes), pn.span)
            return None
        if p.name in self.failed_index or ln.text in self.failed_locals.get(p.name, ()):
            return None  # NOTE(failed-decl): that declaration failed, and said so
        if pi is None and p.index_type is not None:
            self.err(f"'{pn.text}' is replicated: name an instance, e.g. {pn.text}[...].{ln.text}", e.span)
            return None
        if pi is not None:
            if p.index_type is None:
                self.err(f"'{pn.text}' is not replicated: write {pn.text}.{ln.text}", e.span)
                return None
            self._indices((p.index_type,), (pi,), pn.text, e.span, scopes, ctx)
        for v in p.locals:
            if v.name == ln.text:
                if v.dims:
                    self.err(
                        f"'{ln.text}' is an array local; only scalar locals can be read this way", ln.span
                    )
                    return None
                return v.vtype.ty
        self.err(
            f"process '{pn.text}' has no local '{ln.text}'"
            + did_you_mean(ln.text, [v.name for v in p.locals]),
            ln.span,
        )
        return None

    def binary(self, op: S.BinaryOp, ta: Ty, tb: Ty, e: S.Expr, a: S.Expr, b: S.Expr) -> Ty | None:
        B = S.BinaryOp
        if op in (B.AND, B.OR, B.IMPLIES):
            for t, x in ((ta, a), (tb, b)):
                if t != BOOL:
                    self.err(f"type mismatch: '{op.value}' needs bool operands, found {t.show()}", x.span)
                    return None
            return BOOL
        if op in (B.EQ, B.NE):
            if not _comparable(ta, tb):
                if TyKind.SYM in (ta.kind, tb.kind) and INT in (ta, tb):
                    sym = ta if ta.kind is TyKind.SYM else tb
                    self.err(_sym_misuse(sym, "compared with an integer"), e.span)
                    return None
                self.err(f"type mismatch: cannot compare {ta.show()} with {tb.show()}", e.span)
                return None
            return BOOL
        for t in (ta, tb):
            if t.kind is TyKind.SYM:
                self.err(_sym_misuse(t, f"an operand of '{op.value}'"), e.span)
                return None
        if op in (B.LT, B.LE, B.GT, B.GE):
            if ta.kind is TyKind.ENUM and ta == tb:
                return BOOL
            for t, x in ((ta, a), (tb, b)):
                if t != INT:
                    self.err(f"type mismatch: '{op.value}' needs integers, found {t.show()}", x.span)
                    return None
            return BOOL
        for t, x in ((ta, a), (tb, b)):
            if t != INT:
                self.err(f"type mismatch: '{op.value}' needs integers, found {t.show()}", x.span)
                return None
        return INT

    def _ghost_read(self, sym: VarSym, span: Span, ctx: _Ctx) -> None:
        if sym.ghost and not ctx.ghost_ok and not ctx.in_property:
            self.err(
                f"the ghost variable '{sym.name}' is read by process code (ghosts are for specification only)",
                span,
                ((f"'{sym.name}' declared here", sym.span),),
            )

    def name_expr(self, n: S.Ident, span: Span, scopes: list[dict[str, _Local]], ctx: _Ctx) -> Ty | None:
        loc = _find(scopes, n.text)
        if loc is not None:
            if loc.failed:
                return None
            if loc.var is not None and loc.var.dims:
                self.err(f"'{n.text}' is an array: give {len(loc.var.dims)} index(es)", span)
                return None
            if loc.kind == "param" and ctx.proc is not None:
                for pname, pvt in ctx.proc.params:
                    if pname == n.text:
                        return pvt.ty
            return loc.ty
        sym = self.global_sym(n.text) if n.text in self.decls else self.globals.get(n.text)
        match sym:
            case VarSym():
                self._ghost_read(sym, n.span, ctx)
                if sym.dims:
                    self.err(f"'{n.text}' is an array: give {len(sym.dims)} index(es)", span)
                    return None
                return sym.vtype.ty
            case ConstSym(ty=t):
                return t
            case ParamSym(vtype=vt):
                return vt.ty
            case EnumMemberSym(enum=en):
                enum_sym = self.globals.get(en)
                if isinstance(enum_sym, TypeSym) and enum_sym.vtype.symmetric:
                    self.err(
                        f"symmetric type misuse: '{n.text}' names one value of the symmetric enum '{en}'",
                        span,
                    )
                    return None
                return Ty(TyKind.ENUM, en)
            case RefSym():
                if sym.dims:
                    self.err(f"'{n.text}' is an array of refcounts: give an index", span)
                    return None
                return INT
            case LockSym():
                self.err(f"the lock '{n.text}' is not a value: use held({n.text})", span)
                return None
            case TypeSym():
                self.err(f"'{n.text}' is a type, not a value", span)
                return None
            case ProcSym():
                self.err(f"'{n.text}' is a procedure: call it as a statement or 'x = {n.text}(...)'", span)
                return None
            case ProcessSym():
                self.err(f"the process '{n.text}' is not a value: use at({n.text}, label)", span)
                return None
            case None:
                if n.text not in self.decls:
                    self.err(self._undeclared(n.text, tuple(_scope_names(scopes))), n.span)
                return None
            case _:
                assert_never(sym)

    def call_expr(
        self, e: S.Expr, n: S.Ident, args: tuple[S.Expr, ...], scopes: list[dict[str, _Local]], ctx: _Ctx
    ) -> Ty | None:
        name = n.text
        if name in EFFECT_CONDS:
            self.err(
                f"'{name}' changes the state: it can be used only as a whole 'if'/'while' condition "
                "or right-hand side",
                e.span,
            )
            return None
        if name in self.procs:
            self.err(
                f"the procedure '{name}' can be called only as a statement or as 'x = {name}(...)'",
                e.span,
            )
            return None
        if name not in PREDICATES:
            if name in BUILTIN_STMTS:
                self.err(f"'{name}(...)' is a statement, not a value", e.span)
            else:
                kernel = KERNEL_SPELLINGS.get(name)
                self.err(
                    f"unknown function '{name}'"
                    + (
                        f"; the kernel's {name}() is written '{kernel}(...)' here"
                        if kernel is not None
                        else did_you_mean(name, [*PREDICATES, *self.procs])
                    ),
                    n.span,
                )
            return None
        assert isinstance(e, S.Call)
        if not self._arity(e):
            return None
        if name == "held":
            self.lock_arg(e, args[0], scopes, ctx, op=False)
            return BOOL
        if name == "held_by":
            self.lock_arg(e, args[0], scopes, ctx, op=False)
            self.process_ref(args[1], scopes, ctx)
            return BOOL
        if name == "frozen":
            self.ref_arg(e, args[0], scopes, ctx)
            return BOOL
        # at(P, L)
        if not ctx.in_property:
            self.at_in_code = True
        proc = self.process_ref(args[0], scopes, ctx)
        lab = args[1]
        if not isinstance(lab, S.NameRef):
            self.err("at(P, L) needs a label or state name as L", lab.span)
            return BOOL
        if proc is not None:
            names = [s.text for s in proc.states] if proc.form is Form.STATE_MACHINE else list(proc.labels)
            if lab.name.text not in names:
                kind = "state" if proc.form is Form.STATE_MACHINE else "label"
                in_procs = [
                    pr.name
                    for pr in self.procs.values()
                    if any(lb.text == lab.name.text for st in pr.decl.body for lb in S.labels_in(st))
                ]
                if in_procs:
                    self.err(
                        f"process '{proc.name}' has no label '{lab.name.text}': it is a label of the "
                        f"procedure '{in_procs[0]}', and at() names only a process's own labels "
                        "(label the call, or the statement after it, in the process)",
                        lab.span,
                    )
                    return BOOL
                self.err(
                    f"process '{proc.name}' has no {kind} '{lab.name.text}'"
                    + did_you_mean(lab.name.text, names),
                    lab.span,
                )
        return BOOL

    def process_ref(self, a: S.Expr, scopes: list[dict[str, _Local]], ctx: _Ctx) -> ProcessSym | None:
        match a:
            case S.SelfRef():
                if ctx.in_property:
                    self.err("'self' in a property: name the process instance instead", a.span)
                    return None
                if ctx.process is None and ctx.proc is None:
                    self.err("'self' outside a process", a.span)
                return ctx.process
            case S.NameRef(name=n):
                p = self.processes.get(n.text)
                if p is None:
                    self.err(f"unknown process '{n.text}'" + did_you_mean(n.text, self.processes), n.span)
                    return None
                if p.index_type is not None:
                    self.err(f"'{n.text}' is replicated: name an instance, e.g. {n.text}[...]", a.span)
                return p
            case S.IndexRef(name=n, indices=idx):
                p = self.processes.get(n.text)
                if p is None:
                    self.err(f"unknown process '{n.text}'" + did_you_mean(n.text, self.processes), n.span)
                    return None
                if p.index_type is None:
                    self.err(f"'{n.text}' is not replicated: write just '{n.text}'", a.span)
                    return p
                self._indices((p.index_type,), idx, n.text, a.span, scopes, ctx)
                return p
            case S.Conditional():
                self.err(
                    "expected a process instance ('self', P or P[i]); a conditional can choose the "
                    "index inside it: P[c ? i : j]",
                    a.span,
                )
                return None
            case _:
                self.err("expected a process instance ('self', P or P[i])", a.span)
                return None


def self_text(pn: S.Ident, pi: S.Expr | None) -> str:
    return pn.text if pi is None else f"{pn.text}[...]"


def _atomic_word(ctx: _Ctx) -> str:
    return "a 'trans' body" if ctx.in_atomic == "trans" else "an 'atomic' block"


def _quote(what: str) -> str:
    return what if what.startswith(("the ", "parameter ")) else f"'{what}'"


def _vt_desc(vt: VType) -> str:
    if vt.kind is TyKind.BOOL:
        return "bool"
    if vt.kind is TyKind.ENUM:
        return f"enum {vt.name}"
    if vt.symmetric:
        return f"symmetric type {vt.name}"
    return f"{vt.lo}..{vt.hi}"


def _sym_misuse(t: Ty, what: str) -> str:
    return (
        f"symmetric type misuse: a value of the symmetric type '{t.name}' cannot be {what} "
        "(only ==, !=, indexing and assignment keep its values interchangeable)"
    )


def _assignable(vt: VType, t: Ty) -> bool:
    match vt.kind:
        case TyKind.BOOL:
            return t == BOOL
        case TyKind.ENUM:
            return t == Ty(TyKind.ENUM, vt.name)
        case TyKind.INT:
            if vt.symmetric:
                return t == Ty(TyKind.SYM, vt.name) or t == INT
            return t == INT
        case TyKind.SYM:
            return False
        case _:
            assert_never(vt.kind)


def _comparable(a: Ty, b: Ty) -> bool:
    return a == b


def _find(scopes: list[dict[str, _Local]], name: str) -> _Local | None:
    for sc in reversed(scopes):
        if name in sc:
            return sc[name]
    return None


def _failed_name(failed_globals: set[str], scopes: list[dict[str, _Local]], name: str) -> bool:
    """Whether `name` is a local or global whose declaration failed (NOTE(failed-decl))."""
    loc = _find(scopes, name)
    return loc.failed if loc is not None else name in failed_globals


def _scope_names(scopes: list[dict[str, _Local]]) -> Iterator[str]:
    for sc in scopes:
        yield from sc


def _head_name(e: S.Expr) -> str:
    match e:
        case S.NameRef(name=n) | S.IndexRef(name=n):
            return n.text
        case _:
            return "?"


def _calls_in(st: S.Stmt) -> Iterator[str]:
    """The names called as statements or whole right-hand sides in `st`."""
    for x in S.walk(st):
        match x:
            case S.CallStmt(call=c):
                yield c.name.text
            case S.Assign(value=S.Call(name=n)):
                yield n.text
            case _:
                pass


def _decl_name_span(item: S.Item, name: str) -> Span:
    match item:
        case S.EnumDecl(name=n, members=ms):
            for m in ms:
                if m.text == name:
                    return m.span
            return n.span
        case S.PropDecl() | S.ExpectDecl():
            return item.name.span
        case S.DeadlockDecl():
            return item.span
        case _:
            return item.name.span


def _cmdline() -> Span:
    return Span("<command line>", 0, 0, 0, 0)


def _parse_define(raw: str) -> int | bool | None:
    r = raw.strip()
    if r == "true":
        return True
    if r == "false":
        return False
    if _too_many_digits(r):
        return None
    try:
        return int(r, 10)
    except ValueError:
        return None


def _too_many_digits(raw: str) -> bool:
    """An integer longer than the literals a spec may write (model/syntax.py MAX_INT_DIGITS)."""
    digits = raw.strip().removeprefix("-").removeprefix("+").replace("_", "")
    return digits.isdigit() and len(digits) > S.MAX_INT_DIGITS


def _define_value_error(name: str, raw: str, fallback: str) -> str:
    if _too_many_digits(raw):
        return f"-D {name}={raw[:12]}...: an integer of {len(raw.strip())} characters; at most {S.MAX_INT_DIGITS} digits"
    return fallback


def resolve(ast: S.SpecAst, defines: Mapping[str, str]) -> tuple[Env, tuple[Diagnostic, ...]]:
    """Resolve and type check `ast` under `defines` (see the module docstring)."""
    r = Resolver(ast, defines)
    env = r.run()
    return env, sorted_diagnostics(r.sink.items)
