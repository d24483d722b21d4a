"""The syntax tree of a .mig spec, and the lark Transformer that builds it.

Stage: parse.  `parse_text` turns source text into a `SpecAst` or raises
`lark` exceptions, which `model/frontend.py` turns into diagnostics.  The
Transformer is purely syntactic: it never looks a name up and never fails
on a well-formed parse tree (semantic checks live in `model/resolve.py`).

Every node is a frozen, slotted dataclass with a `span` that takes no part
in equality, so two trees of the same text at different places compare
equal.  Each category (expressions, types, statements, items) is a closed
union.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, assert_never

import lark
from lark import Token, Transformer, v_args
from lark.lark import PostLex
from lark.tree import Meta

from model.source import Span

# --------------------------------------------------------------------------
# Names


@dataclass(frozen=True, slots=True)
class Ident:
    text: str
    span: Span = field(compare=False)


# --------------------------------------------------------------------------
# Expressions


class UnaryOp(enum.Enum):
    NOT = "!"
    NEG = "-"


class BinaryOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"
    MOD = "%"
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    AND = "&&"
    OR = "||"
    IMPLIES = "->"


class QuantKind(enum.Enum):
    FORALL = "forall"
    EXISTS = "exists"


@dataclass(frozen=True, slots=True)
class IntLit:
    value: int
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class BoolLit:
    value: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class SelfRef:
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class NameRef:
    name: Ident
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class IndexRef:
    """`name[i][j]`: an array element, or a process instance in `at(P[i], L)`."""

    name: Ident
    indices: tuple[Expr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class LocalRef:
    """`P.x` / `P[i].x`: a process instance's local, read by a property."""

    process: Ident
    index: Expr | None
    name: Ident
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Call:
    """A built-in (`held(l)`, `trylock(l)`, `at(P, L)`, ...) or a procedure call."""

    name: Ident
    args: tuple[Expr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class UnaryExpr:
    op: UnaryOp
    arg: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class BinaryExpr:
    op: BinaryOp
    lhs: Expr
    rhs: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Quant:
    kind: QuantKind
    var: Ident
    type: TypeExpr
    body: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Conditional:
    """`cond ? then : else_`, C's conditional expression: only the branch taken is evaluated."""

    cond: Expr
    then: Expr
    else_: Expr
    span: Span = field(compare=False)


Expr = (
    IntLit
    | BoolLit
    | SelfRef
    | NameRef
    | IndexRef
    | LocalRef
    | Call
    | UnaryExpr
    | BinaryExpr
    | Quant
    | Conditional
)


# --------------------------------------------------------------------------
# Types


@dataclass(frozen=True, slots=True)
class TypeName:
    name: Ident
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class BoolType:
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ByteType:
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class RangeType:
    lo: Expr
    hi: Expr
    span: Span = field(compare=False)


TypeExpr = TypeName | BoolType | ByteType | RangeType


# --------------------------------------------------------------------------
# Initial values


@dataclass(frozen=True, slots=True)
class InitAny:
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class InitList:
    items: tuple[Expr, ...]
    span: Span = field(compare=False)


Init = Expr | InitAny | InitList


# --------------------------------------------------------------------------
# Statements


@dataclass(frozen=True, slots=True)
class LValue:
    name: Ident
    indices: tuple[Expr, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Assign:
    target: LValue
    value: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class AssignAny:
    target: LValue
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class CallStmt:
    call: Call
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Await:
    cond: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Assert:
    name: Ident | None
    cond: Expr
    message: str | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Return:
    value: Expr | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Goto:
    label: Ident
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Skip:
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Labelled:
    label: Ident
    stmt: Stmt
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Block:
    stmts: tuple[Stmt, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class CondBranch:
    cond: Expr
    body: Block
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class If:
    branches: tuple[CondBranch, ...]  # `if` then each `else if`
    else_: Block | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Case:
    values: tuple[Expr, ...]
    body: Block
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Switch:
    subject: Expr
    cases: tuple[Case, ...]
    default: Block | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class While:
    cond: Expr
    body: Block
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class For:
    var: Ident
    type: TypeExpr
    body: Block
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Atomic:
    body: Block
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Either:
    branches: tuple[Block, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class WithRef:
    """`@"mm/migrate.c:727" stmt`: a statement with its kernel source line."""

    ref: str
    stmt: Stmt
    span: Span = field(compare=False)


Stmt = (
    Assign
    | AssignAny
    | CallStmt
    | Await
    | Assert
    | Return
    | Goto
    | Skip
    | Labelled
    | Block
    | If
    | Switch
    | While
    | For
    | Atomic
    | Either
    | WithRef
)


def walk(st: Stmt) -> Iterator[Stmt]:
    """`st` and every statement nested in it, pre-order (that is, source order)."""
    yield st
    match st:
        case Labelled(stmt=inner) | WithRef(stmt=inner):
            yield from walk(inner)
        case Block(stmts=ss):
            for x in ss:
                yield from walk(x)
        case If(branches=bs, else_=eb):
            for b in bs:
                yield from walk(b.body)
            if eb is not None:
                yield from walk(eb)
        case Switch(cases=cs, default=d):
            for c in cs:
                yield from walk(c.body)
            if d is not None:
                yield from walk(d)
        case While(body=b) | For(body=b) | Atomic(body=b):
            yield from walk(b)
        case Either(branches=bs2):
            for xb in bs2:
                yield from walk(xb)
        case Assign() | AssignAny() | CallStmt() | Await() | Assert() | Return() | Goto() | Skip():
            pass
        case _:
            assert_never(st)


def labels_in(st: Stmt) -> Iterator[Ident]:
    """Every label in `st`, in source order."""
    for x in walk(st):
        if isinstance(x, Labelled):
            yield x.label


# --------------------------------------------------------------------------
# Declarations and items


@dataclass(frozen=True, slots=True)
class ConstDecl:
    name: Ident
    value: Expr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ParamDecl:
    name: Ident
    type: TypeExpr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class EnumDecl:
    name: Ident
    members: tuple[Ident, ...]
    symmetric: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class TypeDecl:
    name: Ident
    type: TypeExpr
    symmetric: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class VarDecl:
    """A global `var`/`ghost var`, or a process/procedure local (`local`)."""

    name: Ident
    dims: tuple[TypeExpr, ...]
    type: TypeExpr
    init: Init | None
    ghost: bool
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class LockDecl:
    name: Ident
    dims: tuple[TypeExpr, ...]
    kind: Ident  # mutex | spinlock | rwlock | rwsem
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class RefcountDecl:
    name: Ident
    dims: tuple[TypeExpr, ...]
    type: TypeExpr
    init: Init | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Formal:
    name: Ident
    type: TypeExpr
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ProcDecl:
    name: Ident
    params: tuple[Formal, ...]
    ret: TypeExpr | None
    locals: tuple[VarDecl, ...]
    body: tuple[Stmt, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class EndDecl:
    names: tuple[Ident, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class StateDecl:
    names: tuple[Ident, ...]
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class InitDecl:
    name: Ident
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class TransDecl:
    ref: str | None
    src: Ident
    dst: Ident
    guard: Expr | None
    body: Block
    span: Span = field(compare=False)


ProcessItem = VarDecl | EndDecl | StateDecl | InitDecl | TransDecl | Stmt


class FairnessKind(enum.Enum):
    NONE = "none"
    WEAK = "weak"
    STRONG = "strong"


@dataclass(frozen=True, slots=True)
class ProcessDecl:
    name: Ident
    fairness: FairnessKind
    index_var: Ident | None
    index_type: TypeExpr | None
    items: tuple[ProcessItem, ...]  # in source order
    span: Span = field(compare=False)


class PropDeclKind(enum.Enum):
    INVARIANT = "invariant"
    REACHABLE = "reachable"
    EVENTUALLY = "eventually"
    ALWAYS_EVENTUALLY = "always eventually"
    LEADS_TO = "leads_to"


@dataclass(frozen=True, slots=True)
class PropDecl:
    kind: PropDeclKind
    name: Ident
    expr: Expr
    expr2: Expr | None  # Q of `P leads_to Q`
    when: Expr | None
    expect: bool  # `expect violated`
    expect_when: Expr | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class ExpectDecl:
    name: Ident
    when: Expr | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class DeadlockDecl:
    on: bool
    span: Span = field(compare=False)


Item = (
    ConstDecl
    | ParamDecl
    | EnumDecl
    | TypeDecl
    | VarDecl
    | LockDecl
    | RefcountDecl
    | ProcDecl
    | ProcessDecl
    | PropDecl
    | ExpectDecl
    | DeadlockDecl
)


@dataclass(frozen=True, slots=True)
class SpecAst:
    path: str
    items: tuple[Item, ...]


# --------------------------------------------------------------------------
# The parser


@lru_cache(maxsize=1)
def grammar_text() -> str:
    return resources.files("model").joinpath("grammar.lark").read_text(encoding="utf-8")


class _GluedKeyword(lark.exceptions.UnexpectedToken):
    """A keyword with a name glued to it (`processP`): the name is the token, the keyword its history."""


class _WholeWords(PostLex):
    """NOTE(whole-words): lark's contextual lexer offers only the terminals the parser accepts
    next, so where a keyword may stand but a name may not (the top level, after `for i`, after
    `trans A -> B`) a keyword matched the start of a longer word: `processP {` read as
    `process P {`, `varx` as `var x`, `for i inPage` as `for i in Page`, and `proces P` failed
    as `proc es P`.  A keyword directly followed by a word character is refused here, as one
    unknown word (NOTE(keyword-typo)).  The state is the generator's own: one per parse.
    """

    always_accept = ()

    def process(self, stream: Iterator[Token]) -> Iterator[Token]:
        prev: Token | None = None
        for tok in stream:
            if (
                prev is not None
                and prev.type != "NAME"
                and str(prev) in KEYWORDS
                and tok.start_pos == prev.end_pos
                and str(tok)[:1].isascii()
                and (str(tok)[:1].isalnum() or str(tok)[:1] == "_")
            ):
                glued: Any = _GluedKeyword  # lark's exception constructors are not annotated
                raise glued(tok, set(), token_history=[prev])
            prev = tok
            yield tok


@lru_cache(maxsize=1)
def _lark() -> lark.Lark:
    return lark.Lark(
        grammar_text(),
        parser="lalr",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
        postlex=_WholeWords(),
    )


def parser() -> lark.Lark:
    """The (cached) LALR parser of the .mig grammar."""
    return _lark()


# NOTE(nesting): every later stage (the Transformer, resolve, lower, the
# engines' code generators and z3) walks the tree recursively, so its depth
# is bounded here, on lark's tree, before any of them runs: a spec nested
# deeper gets a located diagnostic instead of a RecursionError.  The real
# specs nest under 20 levels; the stages are tested at this limit
# (tests/frontend/test_adversarial.py).
MAX_NESTING = 100
MAX_INT_DIGITS = 100  # an integer literal this long is surely not a protocol constant


_CHAINS = frozenset({"or_expr", "and_expr", "expr_sum", "expr_prod"})


class TooComplex(Exception):
    """The parse tree is nested too deeply or holds an absurd literal (plain data)."""

    def __init__(self, message: str, span: Span) -> None:
        super().__init__(message)
        self.message = message
        self.span = span


def _check_limits(tree: lark.Tree[Token], path: str) -> None:
    """Raise `TooComplex` at the first place beyond NOTE(nesting)'s limits (iteratively)."""
    stack: list[tuple[lark.Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        # A flat operator chain `a + b + c` becomes a left-nested tree (one level per operand).
        step = sum(isinstance(c, lark.Tree) for c in node.children) if node.data in _CHAINS else 1
        for child in node.children:
            if isinstance(child, lark.Tree):
                if depth + step > MAX_NESTING:
                    meta = child.meta
                    line, col = (0, 0) if getattr(meta, "empty", True) else (meta.line, meta.column)
                    raise TooComplex(
                        f"nested more than {MAX_NESTING} levels deep; split the expression or statement",
                        Span(path, line, col, line, col + 1),
                    )
                stack.append((child, depth + step))
            elif isinstance(child, Token) and child.type == "INT" and len(child) > MAX_INT_DIGITS:
                line, col = child.line or 0, child.column or 0
                raise TooComplex(
                    f"an integer literal of {len(child)} digits; at most {MAX_INT_DIGITS}",
                    Span(path, line, col, line, col + len(child)),
                )


def parse_text(text: str, path: str) -> SpecAst:
    """Parse `text`; lark's exceptions and `TooComplex` propagate (see `model/frontend.py`)."""
    tree = _lark().parse(text)
    _check_limits(tree, path)
    items = _Builder(path).transform(tree)
    assert isinstance(items, tuple)
    return SpecAst(path, items)


def unquote(s: str) -> str:
    """The contents of a STRING token, escapes resolved (`\\"` and `\\\\`; others kept)."""
    body = s[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            n = body[i + 1]
            out.append({"n": "\n", "t": "\t"}.get(n, n))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


_BIN = {op.value: op for op in BinaryOp}


class _Builder(Transformer[Token, Any]):
    """Parse tree -> AST.  Purely syntactic: never raises on a valid tree."""

    def __init__(self, path: str) -> None:
        super().__init__(visit_tokens=False)
        self.path = path

    # -- helpers
    def _span(self, meta: Meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.path, 0, 0, 0, 0)
        return Span(self.path, meta.line, meta.column, meta.end_line, meta.end_column)

    def _tok_span(self, t: Token) -> Span:
        line = t.line or 0
        col = t.column or 0
        return Span(self.path, line, col, t.end_line or line, t.end_column or col)

    def _id(self, t: Token) -> Ident:
        return Ident(str(t), self._tok_span(t))

    @staticmethod
    def _join(a: Span, b: Span) -> Span:
        return Span(a.path, a.line, a.col, b.end_line, b.end_col)

    # -- top level
    def start(self, children: list[Any]) -> tuple[Item, ...]:
        return tuple(children)

    @v_args(meta=True)
    def const_decl(self, meta: Meta, c: list[Any]) -> ConstDecl:
        return ConstDecl(self._id(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def param_decl(self, meta: Meta, c: list[Any]) -> ParamDecl:
        return ParamDecl(self._id(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def enum_decl(self, meta: Meta, c: list[Any]) -> EnumDecl:
        sym = c[0] is not None
        return EnumDecl(self._id(c[1]), c[2], sym, self._span(meta))

    @v_args(meta=True)
    def type_decl(self, meta: Meta, c: list[Any]) -> TypeDecl:
        sym = c[0] is not None
        return TypeDecl(self._id(c[1]), c[2], sym, self._span(meta))

    def name_list(self, c: list[Token]) -> tuple[Ident, ...]:
        return tuple(self._id(t) for t in c)

    @v_args(meta=True)
    def var_decl(self, meta: Meta, c: list[Any]) -> VarDecl:
        ghost, name, dims, typ, init = c
        return VarDecl(self._id(name), dims or (), typ, init, ghost is not None, self._span(meta))

    @v_args(meta=True)
    def local_decl(self, meta: Meta, c: list[Any]) -> VarDecl:
        name, dims, typ, init = c
        return VarDecl(self._id(name), dims or (), typ, init, False, self._span(meta))

    def array_dims(self, c: list[Any]) -> tuple[TypeExpr, ...]:
        return tuple(c)

    @v_args(meta=True)
    def init_any(self, meta: Meta, c: list[Any]) -> InitAny:
        return InitAny(self._span(meta))

    @v_args(meta=True)
    def init_list(self, meta: Meta, c: list[Any]) -> InitList:
        return InitList(tuple(c), self._span(meta))

    @v_args(meta=True)
    def lock_decl(self, meta: Meta, c: list[Any]) -> LockDecl:
        name, dims, kind = c
        return LockDecl(self._id(name), dims or (), self._id(kind), self._span(meta))

    @v_args(meta=True)
    def refcount_decl(self, meta: Meta, c: list[Any]) -> RefcountDecl:
        name, dims, typ, init = c
        return RefcountDecl(self._id(name), dims or (), typ, init, self._span(meta))

    # -- types
    @v_args(meta=True)
    def type_name(self, meta: Meta, c: list[Any]) -> TypeName:
        return TypeName(self._id(c[0]), self._span(meta))

    @v_args(meta=True)
    def type_bool(self, meta: Meta, c: list[Any]) -> BoolType:
        return BoolType(self._span(meta))

    @v_args(meta=True)
    def type_byte(self, meta: Meta, c: list[Any]) -> ByteType:
        return ByteType(self._span(meta))

    @v_args(meta=True)
    def type_range(self, meta: Meta, c: list[Any]) -> RangeType:
        return RangeType(c[0], c[1], self._span(meta))

    # -- procedures and processes
    @v_args(meta=True)
    def proc_decl(self, meta: Meta, c: list[Any]) -> ProcDecl:
        name, params, ret, *body = c
        locals_ = tuple(x for x in body if isinstance(x, VarDecl))
        stmts = tuple(x for x in body if not isinstance(x, VarDecl))
        return ProcDecl(self._id(name), params or (), ret, locals_, stmts, self._span(meta))

    def param_list(self, c: list[Formal]) -> tuple[Formal, ...]:
        return tuple(c)

    @v_args(meta=True)
    def formal(self, meta: Meta, c: list[Any]) -> Formal:
        return Formal(self._id(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def process_decl(self, meta: Meta, c: list[Any]) -> ProcessDecl:
        fair_tok, name, ivar, itype, *items = c
        fairness = FairnessKind.NONE
        if fair_tok is not None:
            fairness = FairnessKind.STRONG if str(fair_tok).startswith("strong") else FairnessKind.WEAK
        return ProcessDecl(
            self._id(name),
            fairness,
            self._id(ivar) if ivar is not None else None,
            itype,
            tuple(items),
            self._span(meta),
        )

    @v_args(meta=True)
    def end_decl(self, meta: Meta, c: list[Token]) -> EndDecl:
        return EndDecl(tuple(self._id(t) for t in c), self._span(meta))

    @v_args(meta=True)
    def state_decl(self, meta: Meta, c: list[Any]) -> StateDecl:
        return StateDecl(c[0], self._span(meta))

    @v_args(meta=True)
    def init_decl(self, meta: Meta, c: list[Token]) -> InitDecl:
        return InitDecl(self._id(c[0]), self._span(meta))

    @v_args(meta=True)
    def trans_decl(self, meta: Meta, c: list[Any]) -> TransDecl:
        ref, src, dst, guard, body = c
        return TransDecl(ref, self._id(src), self._id(dst), guard, body, self._span(meta))

    @v_args(meta=True)
    def empty_block(self, meta: Meta, c: list[Any]) -> Block:
        return Block((), self._span(meta))

    # -- statements
    @v_args(meta=True)
    def block(self, meta: Meta, c: list[Any]) -> Block:
        return Block(tuple(c), self._span(meta))

    def ref(self, c: list[Token]) -> str:
        return unquote(str(c[0]))

    @v_args(meta=True)
    def with_ref(self, meta: Meta, c: list[Any]) -> WithRef:
        return WithRef(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def labelled(self, meta: Meta, c: list[Any]) -> Labelled:
        return Labelled(self._id(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def while_stmt(self, meta: Meta, c: list[Any]) -> While:
        return While(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def for_stmt(self, meta: Meta, c: list[Any]) -> For:
        return For(self._id(c[0]), c[1], c[2], self._span(meta))

    @v_args(meta=True)
    def atomic_stmt(self, meta: Meta, c: list[Any]) -> Atomic:
        return Atomic(c[0], self._span(meta))

    @v_args(meta=True)
    def either_stmt(self, meta: Meta, c: list[Any]) -> Either:
        return Either(tuple(c), self._span(meta))

    @v_args(meta=True)
    def skip_stmt(self, meta: Meta, c: list[Any]) -> Skip:
        return Skip(self._span(meta))

    @v_args(meta=True)
    def if_stmt(self, meta: Meta, c: list[Any]) -> If:
        cond, body, *rest = c
        first = CondBranch(cond, body, self._join(cond.span, body.span))
        branches = [first]
        else_: Block | None = None
        for x in rest:
            if isinstance(x, CondBranch):
                branches.append(x)
            elif isinstance(x, Block):
                else_ = x
        return If(tuple(branches), else_, self._span(meta))

    @v_args(meta=True)
    def else_if(self, meta: Meta, c: list[Any]) -> CondBranch:
        return CondBranch(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def switch_stmt(self, meta: Meta, c: list[Any]) -> Switch:
        subject, *rest = c
        cases = tuple(x for x in rest if isinstance(x, Case))
        defaults = [x for x in rest if isinstance(x, Block)]
        return Switch(subject, cases, defaults[0] if defaults else None, self._span(meta))

    @v_args(meta=True)
    def case(self, meta: Meta, c: list[Any]) -> Case:
        return Case(tuple(c[:-1]), c[-1], self._span(meta))

    def default(self, c: list[Any]) -> Block:
        b = c[0]
        assert isinstance(b, Block)
        return b

    @v_args(meta=True)
    def assign(self, meta: Meta, c: list[Any]) -> Assign:
        return Assign(c[0], c[1], self._span(meta))

    @v_args(meta=True)
    def assign_any(self, meta: Meta, c: list[Any]) -> AssignAny:
        return AssignAny(c[0], self._span(meta))

    @v_args(meta=True)
    def call_stmt(self, meta: Meta, c: list[Any]) -> CallStmt:
        return CallStmt(c[0], self._span(meta))

    @v_args(meta=True)
    def await_stmt(self, meta: Meta, c: list[Any]) -> Await:
        return Await(c[0], self._span(meta))

    @v_args(meta=True)
    def assert_stmt(self, meta: Meta, c: list[Any]) -> Assert:
        name: Ident | None = None
        msg: str | None = None
        rest = list(c)
        if rest and isinstance(rest[0], Token) and rest[0].type == "NAME":
            name = self._id(rest.pop(0))
        cond = rest.pop(0)
        if rest and isinstance(rest[0], Token):
            msg = unquote(str(rest[0]))
        return Assert(name, cond, msg, self._span(meta))

    @v_args(meta=True)
    def return_stmt(self, meta: Meta, c: list[Any]) -> Return:
        return Return(c[0] if c else None, self._span(meta))

    @v_args(meta=True)
    def goto_stmt(self, meta: Meta, c: list[Token]) -> Goto:
        return Goto(self._id(c[0]), self._span(meta))

    @v_args(meta=True)
    def lvalue(self, meta: Meta, c: list[Any]) -> LValue:
        return LValue(self._id(c[0]), tuple(c[1:]), self._span(meta))

    # -- properties
    def _prop(self, meta: Meta, kind: PropDeclKind, c: list[Any]) -> PropDecl:
        name, body, tail = c
        when, expect, expect_when = tail
        expr, expr2 = body if isinstance(body, tuple) else (body, None)
        return PropDecl(kind, self._id(name), expr, expr2, when, expect, expect_when, self._span(meta))

    @v_args(meta=True)
    def invariant_decl(self, meta: Meta, c: list[Any]) -> PropDecl:
        return self._prop(meta, PropDeclKind.INVARIANT, c)

    @v_args(meta=True)
    def reachable_decl(self, meta: Meta, c: list[Any]) -> PropDecl:
        return self._prop(meta, PropDeclKind.REACHABLE, c)

    @v_args(meta=True)
    def liveness_decl(self, meta: Meta, c: list[Any]) -> PropDecl:
        kind, body = c[1]
        return self._prop(meta, kind, [c[0], body, c[2]])

    def eventually(self, c: list[Any]) -> tuple[PropDeclKind, Expr]:
        return (PropDeclKind.EVENTUALLY, c[0])

    def always_eventually(self, c: list[Any]) -> tuple[PropDeclKind, Expr]:
        return (PropDeclKind.ALWAYS_EVENTUALLY, c[0])

    def leads_to(self, c: list[Any]) -> tuple[PropDeclKind, tuple[Expr, Expr]]:
        return (PropDeclKind.LEADS_TO, (c[0], c[1]))

    def prop_tail(self, c: list[Any]) -> tuple[Expr | None, bool, Expr | None]:
        when, expect = c
        if expect is None:
            return (when, False, None)
        return (when, True, expect[0])

    def when_clause(self, c: list[Any]) -> Expr:
        e: Expr = c[0]
        return e

    def expect_clause(self, c: list[Any]) -> tuple[Expr | None]:
        return (c[0],)

    @v_args(meta=True)
    def expect_decl(self, meta: Meta, c: list[Any]) -> ExpectDecl:
        return ExpectDecl(self._id(c[0]), c[1], self._span(meta))

    @v_args(meta=True)
    def deadlock_decl(self, meta: Meta, c: list[Token]) -> DeadlockDecl:
        return DeadlockDecl(str(c[0]) == "on", self._span(meta))

    # -- expressions
    @v_args(meta=True)
    def forall(self, meta: Meta, c: list[Any]) -> Quant:
        return Quant(QuantKind.FORALL, self._id(c[0]), c[1], c[2], self._span(meta))

    @v_args(meta=True)
    def exists(self, meta: Meta, c: list[Any]) -> Quant:
        return Quant(QuantKind.EXISTS, self._id(c[0]), c[1], c[2], self._span(meta))

    @v_args(meta=True)
    def implies(self, meta: Meta, c: list[Any]) -> Expr:
        lhs, rhs = c
        return BinaryExpr(BinaryOp.IMPLIES, lhs, rhs, self._span(meta))

    @v_args(meta=True)
    def conditional(self, meta: Meta, c: list[Any]) -> Conditional:
        # the node's own span: a parenthesised last value keeps its ')' (a join of the
        # operands' spans would end before it)
        cond, then, else_ = c
        return Conditional(cond, then, else_, self._span(meta))

    # NOTE(operator-span): the outermost node of an operator chain takes the
    # parse node's span, which keeps the parentheses around its first and last
    # operands (`x && (a || b)` ends after the ')': a statement's trace text is
    # cut from its condition's span); the inner nodes of a chain join their
    # operands' spans.
    def _whole(self, e: Expr, meta: Meta) -> Expr:
        if isinstance(e, BinaryExpr) and not getattr(meta, "empty", True):
            return BinaryExpr(e.op, e.lhs, e.rhs, self._span(meta))
        return e

    def _fold(self, op: BinaryOp, c: list[Any]) -> Expr:
        acc: Expr = c[0]
        for rhs in c[1:]:
            acc = BinaryExpr(op, acc, rhs, self._join(acc.span, rhs.span))
        return acc

    @v_args(meta=True)
    def or_expr(self, meta: Meta, c: list[Any]) -> Expr:
        return self._whole(self._fold(BinaryOp.OR, c), meta)

    @v_args(meta=True)
    def and_expr(self, meta: Meta, c: list[Any]) -> Expr:
        return self._whole(self._fold(BinaryOp.AND, c), meta)

    def _fold_ops(self, c: list[Any]) -> Expr:
        acc: Expr = c[0]
        for i in range(1, len(c), 2):
            op = _BIN[str(c[i])]
            rhs = c[i + 1]
            acc = BinaryExpr(op, acc, rhs, self._join(acc.span, rhs.span))
        return acc

    @v_args(meta=True)
    def cmp(self, meta: Meta, c: list[Any]) -> Expr:
        return self._whole(self._fold_ops(c), meta)

    @v_args(meta=True)
    def expr_sum(self, meta: Meta, c: list[Any]) -> Expr:
        return self._whole(self._fold_ops(c), meta)

    @v_args(meta=True)
    def expr_prod(self, meta: Meta, c: list[Any]) -> Expr:
        return self._whole(self._fold_ops(c), meta)

    @v_args(meta=True)
    def not_(self, meta: Meta, c: list[Any]) -> Expr:
        return UnaryExpr(UnaryOp.NOT, c[0], self._span(meta))

    @v_args(meta=True)
    def neg(self, meta: Meta, c: list[Any]) -> Expr:
        return UnaryExpr(UnaryOp.NEG, c[0], self._span(meta))

    def int_lit(self, c: list[Token]) -> IntLit:
        return IntLit(int(str(c[0])), self._tok_span(c[0]))

    @v_args(meta=True)
    def true_lit(self, meta: Meta, c: list[Any]) -> BoolLit:
        return BoolLit(True, self._span(meta))

    @v_args(meta=True)
    def false_lit(self, meta: Meta, c: list[Any]) -> BoolLit:
        return BoolLit(False, self._span(meta))

    @v_args(meta=True)
    def self_ref(self, meta: Meta, c: list[Any]) -> SelfRef:
        return SelfRef(self._span(meta))

    @v_args(meta=True)
    def call(self, meta: Meta, c: list[Any]) -> Call:
        args = c[1] if len(c) > 1 and c[1] is not None else ()
        return Call(self._id(c[0]), args, self._span(meta))

    def args(self, c: list[Any]) -> tuple[Expr, ...]:
        return tuple(c)

    @v_args(meta=True)
    def index(self, meta: Meta, c: list[Any]) -> IndexRef:
        return IndexRef(self._id(c[0]), tuple(c[1:]), self._span(meta))

    @v_args(meta=True)
    def local_ref(self, meta: Meta, c: list[Any]) -> LocalRef:
        if len(c) == 2:
            return LocalRef(self._id(c[0]), None, self._id(c[1]), self._span(meta))
        return LocalRef(self._id(c[0]), c[1], self._id(c[2]), self._span(meta))

    @v_args(meta=True)
    def name_ref(self, meta: Meta, c: list[Token]) -> NameRef:
        return NameRef(self._id(c[0]), self._span(meta))


# --------------------------------------------------------------------------
# Syntax errors in plain words


_TOKEN_WORDS = {
    "NAME": "a name",
    "INT": "a number",
    "STRING": "a string",
    "CMP_OP": "a comparison",
    "ADD_OP": "'+' or '-'",
    "MUL_OP": "'*', '/' or '%'",
    "LOCK_KIND": "a lock kind (mutex, spinlock, rwlock or rwsem)",
    "FAIRNESS": "'fair'",
    "ANY": "'any'",
    "GHOST": "'ghost'",
    "SYMMETRIC": "'symmetric'",
    "DEADLOCK_MODE": "'on' or 'off'",
    "$END": "the end of the file",
}

_STATEMENT_STARTS = {"IF", "WHILE", "AWAIT", "ASSERT"}
_EXPR_STARTS = {"INT", "LPAR"}


def _token_word(name: str) -> str:
    if name in _TOKEN_WORDS:
        return _TOKEN_WORDS[name]
    try:
        term = _lark().get_terminal(name)
    except KeyError:
        return name.lower()
    pat = term.pattern
    if isinstance(pat, lark.lexer.PatternStr):
        return f"'{pat.value}'"
    return name.lower()


def _expected_words(expected: set[str]) -> str:
    names = set(expected)
    if names >= _STATEMENT_STARTS:
        return "a statement" + (" or '}'" if "RBRACE" in names else "")
    if names >= _EXPR_STARTS:
        return "an expression"
    if {"CONST", "VAR", "PROCESS"} <= names:
        return "a declaration (const, var, process, invariant, ...)"
    words = sorted({_token_word(n) for n in names})
    if len(words) == 1:
        return words[0]
    if len(words) > 8:
        words = [*words[:8], "..."]
    return ", ".join(words[:-1]) + " or " + words[-1]


KEYWORDS = frozenset(
    {
        "const", "param", "enum", "type", "var", "lock", "refcount", "proc", "process", "end", "state",
        "init", "trans", "when", "while", "for", "in", "atomic", "either", "or", "switch", "case",
        "default", "if", "else", "await", "assert", "return", "goto", "skip", "invariant", "reachable",
        "liveness", "eventually", "always", "leads_to", "expect", "violated", "deadlock", "forall",
        "exists", "true", "false", "self", "bool", "byte", "any", "ghost", "symmetric", "fair", "mutex",
        "spinlock", "rwlock", "rwsem",
    }
)  # fmt: skip


# Tokens that show a statement or declaration has ended (or should have).
_ENDS_A_STATEMENT = frozenset(
    {"RBRACE", "PROCESS", "VAR", "CONST", "INVARIANT", "REACHABLE", "LIVENESS", "LOCK"}
)
_STRUCTURAL = frozenset({"SEMICOLON", "LBRACE", "RBRACE", "COLON", "RPAR", "RSQB", "EQUAL"})


_C_TYPES = frozenset({"int", "char", "short", "long", "unsigned", "u8", "u16", "u32", "u64", "size_t"})


_LOCAL_REF_BEFORE = re.compile(r"[A-Za-z_]\w*(\[[^\]]*\])?\.[A-Za-z_]\w*$")


def _c_habit(text: str, pos: int, value: str, prev: Token | None) -> str | None:
    """A plain-words hint for a habit from C or Python, or None."""
    if value == "=" and pos > 0 and text[pos - 1] == ":":
        return "':=' is not assignment here: write '='"
    x = str(prev) if prev is not None and prev.type == "NAME" else "x"
    if text.startswith(("++", "--"), pos):
        return f"'{text[pos : pos + 2]}' is not supported: write '{x} = {x} {text[pos]} 1;'"
    if text.startswith(("+=", "-=", "*="), pos):
        return f"'{text[pos : pos + 2]}' is not supported: write '{x} = {x} {text[pos]} ...;'"
    if value == "." and _LOCAL_REF_BEFORE.search(text, 0, pos):
        return (
            "a property reads a process's own scalar locals ('P.x', 'P[i].x'); the locals of a "
            "procedure it calls cannot be named (copy the value to a process local)"
        )
    if value == "(" and prev is not None and str(prev) == "for":
        return "a 'for' loop is 'for i in T { ... }' over an index type or a range ('for i in 0..N-1')"
    if prev is not None and str(prev) in ("elif", "elsif", "elseif"):
        return f"'{prev}' is not a keyword: write 'else if'"
    if value in ("bool", "byte", "int") and (prev is None or str(prev) in (";", "}")):
        kind = "LO..HI" if value == "int" else value  # there is no int: types are bounded
        return f"a declaration starts with 'var': write 'var NAME: {kind};'"
    if prev is not None and str(prev) in _C_TYPES and value.isidentifier() and value not in _C_TYPES:
        return f"a declaration starts with 'var': write 'var {value}: LO..HI;'"
    return None


# Keywords that begin a statement or a process item: a misspelling of one
# lexes as a name, and the parser then fails on the token after it.
_STATEMENT_KEYWORDS = frozenset(
    {"if", "while", "for", "atomic", "either", "switch", "await", "assert", "return", "goto", "skip",
     "var", "end", "state", "init", "trans"}
)  # fmt: skip
_NAME_FOLLOWERS = frozenset({"COLON", "EQUAL", "LPAR", "LSQB"})  # what may follow a name opening a statement


def _keyword_typo(
    text: str, path: str, tok: Token, prev: Token | None, expected: set[str]
) -> tuple[str, Span] | None:
    """`unknown keyword 'awiat'; did you mean 'await'?` for a misspelled keyword, or None.

    NOTE(keyword-typo): three shapes.  A word where only keywords may stand
    (`invarant` at the top level) fails on the word itself.  A word opening
    a statement (`awiat x;`) is read as an assignment, call or label and
    fails on the token after it.  A misspelling that starts with a keyword
    (`proces`: `proc` + `es`) is refused by the lexer (NOTE(whole-words),
    `_glued_keyword`).
    """

    def close(word: str, candidates: set[str] | frozenset[str]) -> str | None:
        found = difflib.get_close_matches(word, sorted(candidates), n=1, cutoff=0.7)
        return found[0] if found else None

    def span_of(start: int, end: int) -> Span:
        line = text.count("\n", 0, start) + 1
        col = start - (text.rfind("\n", 0, start) + 1) + 1
        return Span(path, line, col, line, col + (end - start))

    if (
        prev is not None
        and prev.type == "NAME"
        and prev.start_pos is not None
        and prev.end_pos is not None
        and expected <= _NAME_FOLLOWERS
        and str(prev) not in KEYWORDS
    ):
        match = close(str(prev), _STATEMENT_KEYWORDS)
        if match is not None:
            return f"unknown keyword '{prev}'; did you mean '{match}'?", span_of(prev.start_pos, prev.end_pos)
    if (
        tok.type == "NAME"
        and "NAME" not in expected
        and tok.start_pos is not None
        and tok.end_pos is not None
    ):
        match = close(str(tok), {n.lower() for n in expected} & KEYWORDS)
        if match is not None:
            return f"unknown keyword '{tok}'; did you mean '{match}'?", span_of(tok.start_pos, tok.end_pos)
    return None


def _glued_keyword(exc: _GluedKeyword, path: str) -> tuple[str, Span]:
    """`unknown keyword 'processP'; did you mean 'process'?` (NOTE(whole-words))."""
    (kw,) = exc.token_history or [exc.token]
    tok = exc.token
    word = f"{kw}{tok}"
    found = difflib.get_close_matches(word, sorted(KEYWORDS), n=1, cutoff=0.7)
    fix = found[0] if found else f"{kw} {tok}"
    line, col = kw.line or 1, kw.column or 1
    span = Span(path, line, col, tok.end_line or line, tok.end_column or col + len(word))
    return f"unknown keyword '{word}'; did you mean '{fix}'?", span


# C operators the language does not have, and what to write instead (a reviewer's first guesses).
_C_OPERATOR_HINTS = {
    "&": (
        ": there are no pointers or bitwise operators; name a lock or refcount directly ('lock(l)'), "
        "use '&&' for a condition"
    ),
    "|": ": there are no bitwise operators; use '||' for a condition, or one bool variable per flag",
    "^": ": there are no bitwise operators; use one bool variable per flag",
    "~": ": there are no bitwise operators; use '!' on a bool",
}


def _conditional_hint(
    exc: Any, text: str, pos: int, value: str, prev: Token | None, expected: set[str]
) -> str | None:
    """A plain message for a broken conditional expression `c ? a : b`, or None.

    Four shapes: GNU C's `c ?: b`; nothing usable after the `?`; no `:`
    after the middle value; a `?` in a range bound (a sum).  The third is
    told by the parser's value stack: a `?` on it with no `:` after it is a
    conditional still in its middle.
    """
    if value == "?" and "QMARK" not in expected:
        line_start = text.rfind("\n", 0, pos) + 1
        if ".." in text[line_start:pos]:
            return "a range bound is a sum: write a conditional there in parentheses, 'lo..(c ? a : b)'"
        return None
    if prev is not None and prev.type == "QMARK":
        if value == ":":
            return "'c ?: b' (GNU C) is not supported: write 'c ? c : b'"
        return f"a conditional expression is 'c ? a : b': expected the value after '?', found '{value}'"
    if "COLON" not in expected:
        return None
    ip = getattr(exc, "interactive_parser", None)
    stack = list(getattr(getattr(ip, "parser_state", None), "value_stack", None) or [])
    types = [x.type if isinstance(x, Token) else None for x in stack]
    if "QMARK" in types and "COLON" not in types[len(types) - types[::-1].index("QMARK") :]:
        return (
            "a conditional expression is 'c ? a : b': expected ':' and the value when the condition "
            f"is false, found '{value}'"
        )
    return None


def _label_before(text: str, colon: Any) -> str | None:
    """The name of `L:` when `colon` is its ':' token (a label with no statement after it)."""
    if colon is None or str(colon) != ":" or colon.start_pos is None:
        return None
    m = re.search(r"([A-Za-z_][A-Za-z0-9_]*)\s*$", text[: colon.start_pos])
    return m.group(1) if m and m.group(1) not in KEYWORDS else None


def syntax_error(exc: Exception, text: str, path: str) -> tuple[str, Span]:
    """A lark parse error as (plain message, span)."""
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        line, col = exc.line, exc.column
        pos = exc.pos_in_stream or 0
        rest = text[pos : pos + 2]
        span = Span(path, line, col, line, col + 1)
        if rest.startswith("/*"):
            return "unterminated comment: this '/*' has no matching '*/'", Span(
                path, line, col, line, col + 2
            )
        if rest.startswith('"'):
            return "unterminated string: this '\"' has no closing quote on its line", span
        ch = text[pos] if pos < len(text) else ""
        shown = repr(ch)[1:-1] if ch.isprintable() else f"\\u{ord(ch):04x}" if ch else "end of file"
        return f"unexpected character '{shown}'" + _C_OPERATOR_HINTS.get(ch, ""), span
    if isinstance(exc, _GluedKeyword):
        return _glued_keyword(exc, path)
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        tok = exc.token
        expected = set(exc.expected)
        try:
            # LALR merges states, so `expected` can list tokens that would
            # fail a step later; the interactive parser knows the real ones.
            ip: Any = exc.interactive_parser  # lark's accepts() is not annotated
            accepts: set[str] = set(ip.accepts()) if ip is not None else set()
        except Exception:  # best effort: keep lark's list
            accepts = set()
        if accepts:
            expected = accepts
        if tok.type == "$END":
            lines = text.split("\n")
            ln = len(lines)
            while ln > 1 and not lines[ln - 1].strip():
                ln -= 1
            col = len(lines[ln - 1]) + 1 if lines else 1
            return (
                f"unexpected end of file: expected {_expected_words(expected)}"
                + (" (a '}' is missing?)" if "RBRACE" in expected else ""),
                Span(path, ln, max(col - 1, 1), ln, col),
            )
        line = tok.line or 1
        col = tok.column or 1
        span = Span(path, line, col, tok.end_line or line, tok.end_column or col + 1)
        pos = tok.start_pos or 0
        if text.startswith("/*", pos):
            return "unterminated comment: this '/*' has no matching '*/'", Span(
                path, line, col, line, col + 2
            )
        prev = getattr(exc, "token_history", None) or []
        prev_tok = prev[-1] if prev else None
        lab = _label_before(text, prev_tok) if str(tok) == "}" and {"IF", "WHILE"} <= expected else None
        if lab is not None:
            return (
                f"the label '{lab}' needs a statement after it; '{lab}: {{}}' labels the end of the block "
                "at no step (an empty block is no step)",
                span,
            )
        cond = _conditional_hint(exc, text, pos, str(tok), prev_tok, expected)
        if cond is not None:
            return cond, span
        if "SEMICOLON" in expected and prev_tok is not None and (prev_tok.end_line or 0) < line:
            pl = prev_tok.end_line or line
            pc = prev_tok.end_column or 1
            return f"missing ';' after '{prev_tok}'", Span(path, pl, pc, pl, pc + 1)
        value = str(tok)
        if "NAME" in expected and value in KEYWORDS:
            return f"'{value}' is a keyword and cannot be used as a name", span
        hint = _c_habit(text, pos, value, prev_tok)
        if hint is not None:
            return hint, span
        if value == "=" and "CMP_OP" in expected:
            return "'=' assigns; compare with '=='", span
        typo = _keyword_typo(text, path, tok, prev_tok, expected)  # NOTE(keyword-typo)
        if typo is not None:
            return typo
        found = f"'{value}'" if tok.type != "$END" else "the end of the file"
        if "SEMICOLON" in expected and tok.type in _ENDS_A_STATEMENT:
            return f"missing ';' before {found}", span
        key = expected & _STRUCTURAL
        if len(expected - _STRUCTURAL) > 4 and key and not {"IF", "WHILE"} <= expected:
            words = " or ".join(sorted(_token_word(n) for n in key))
            return f"expected an operator or {words}, found {found}", span
        return f"expected {_expected_words(expected)}, found {found}", span
    if isinstance(exc, lark.exceptions.UnexpectedEOF):
        lines = text.split("\n")
        ln = max(len(lines), 1)
        return "unexpected end of file", Span(path, ln, 1, ln, 2)
    return f"syntax error: {exc}", Span(path, 1, 1, 1, 2)


MAX_SYNTAX_ERRORS = 20


def _error_pos(exc: Exception) -> tuple[int, int]:
    """(start, end) character offsets of a parse error."""
    if isinstance(exc, lark.exceptions.UnexpectedToken):
        tok = exc.token
        start = tok.start_pos or 0
        return start, tok.end_pos if tok.end_pos is not None else start + 1
    if isinstance(exc, lark.exceptions.UnexpectedCharacters):
        p = exc.pos_in_stream or 0
        return p, p + 1
    return 0, 0


def _blank_statement(text: str, pos: int) -> str:
    """`text` with the statement around `pos` replaced by spaces (positions kept).

    The statement runs from the start of `pos`'s line to the next ';' at the
    same brace depth (outside parentheses), or up to (not including) a '}' that closes an
    enclosing block.
    """
    start = text.rfind("\n", 0, pos) + 1
    depth = 0
    parens = 0  # a ';' inside parentheses (C's `for (i = 0; ...)`) does not end the statement
    end = len(text)
    for k in range(start, len(text)):
        c = text[k]
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                end = k
                break
            depth -= 1
        elif c == "(":
            parens += 1
        elif c == ")":
            parens = max(parens - 1, 0)
        elif c == ";" and depth == 0 and parens == 0:
            end = k + 1
            break
    blanked = "".join(ch if ch == "\n" else " " for ch in text[start:end])
    return text[:start] + blanked + text[end:]


def syntax_errors(first: Exception, text: str, path: str) -> list[tuple[str, Span]]:
    """Every syntax error worth reporting, starting with `first` (already raised).

    After an error, the statement holding it is blanked out (positions
    kept) and the text parsed again, so each broken statement gives one
    message and no cascade; an error at the end of the file after another
    error, or inside an unterminated comment or string, ends the search.
    """
    out = [syntax_error(first, text, path)]
    cur, exc = text, first
    for _ in range(MAX_SYNTAX_ERRORS - 1):
        start, _end = _error_pos(exc)
        if text.startswith(("/*", '"'), start) or isinstance(exc, lark.exceptions.UnexpectedEOF):
            break
        if isinstance(exc, lark.exceptions.UnexpectedToken) and exc.token.type == "$END":
            break
        anchor = start
        if isinstance(exc, lark.exceptions.UnexpectedToken) and "SEMICOLON" in exc.expected:
            history = getattr(exc, "token_history", None) or []
            if history and history[-1].start_pos is not None:
                anchor = history[-1].start_pos  # a missing ';': drop the statement it ends too
        cur = _blank_statement(cur, anchor)
        try:
            _lark().parse(cur)
            break
        except (lark.exceptions.UnexpectedInput, lark.exceptions.UnexpectedEOF) as e:
            nstart, _ = _error_pos(e)
            if nstart <= start or (isinstance(e, lark.exceptions.UnexpectedToken) and e.token.type == "$END"):
                break
            out.append(syntax_error(e, cur, path))
            exc = e
    return out
