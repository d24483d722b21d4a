"""The IR: the one contract between the language half and the engines.

Stage: produced by `model/lower.py` for exactly one configuration (every
`const` and `param` already has its value), consumed by `checker/explicit`
and `checker/symbolic`.  Neither engine ever sees source text; the IR is
trusted, so an inconsistency found in it is a bug in modelcheck.

Shape of a model (see ARCHITECTURE.md and docs/IR.md):

* `variables`: every finite-domain state variable, arrays flattened; the
  program counter of each process instance is a variable of kind `PC`.
  A state is the tuple of all variable values, in `Variable.index` order.
* `initial`: each variable's allowed initial values; the initial states
  are their cartesian product.
* `transitions`: one per atomic step.  A transition of process instance
  `process` is enabled in a state when that instance's pc equals
  `pc_from` and `guard` holds.  Taking it first evaluates `checks` in the
  pre-state, in order: the first whose `cond` is false is a violation of
  property `Check.prop` (the run of that property ends in the pre-state
  with this step).  Otherwise every `Write` is evaluated in the pre-state
  (values and indices alike) and the writes are applied in order, a later
  write to the same location winning; finally the pc becomes `pc_to`.
* `properties`: invariants, reachability targets, assertion groups (the
  `Check`s that name them), deadlock freedom and liveness.

NOTE(ir-bool): booleans are the integers 0 and 1 everywhere in the state.
`expr_is_bool` tells an engine which expressions are conditions (z3 needs
the sort; Python does not care).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, assert_never

from model.source import Span

# --------------------------------------------------------------------------
# Domains and variables


class DomainKind(enum.Enum):
    BOOL = "bool"
    INT = "int"
    ENUM = "enum"
    PC = "pc"
    # A lock owner or holder: 0 is "nobody", k is process instance k-1.
    PROC = "proc"


@dataclass(frozen=True, slots=True)
class Domain:
    """The closed integer interval [lo, hi]; `labels[v - lo]` names value v."""

    kind: DomainKind
    lo: int
    hi: int
    labels: tuple[str, ...] | None = None

    @property
    def size(self) -> int:
        return self.hi - self.lo + 1

    def show(self, value: int) -> str:
        if self.kind is DomainKind.BOOL:
            return "true" if value else "false"
        if self.labels is not None and self.lo <= value <= self.hi:
            return self.labels[value - self.lo]
        return str(value)


class VarKind(enum.Enum):
    STATE = "state"  # an ordinary `var`
    PC = "pc"  # program counter of one process instance
    LOCK = "lock"  # owner of a mutex/spinlock, or writer of an rwlock
    LOCK_READER = "lock_reader"  # one process instance's read hold of an rwlock
    REFCOUNT = "refcount"  # the count of a refcount
    FROZEN = "frozen"  # whether a refcount is frozen (a ghost bit)


class LockKind(enum.Enum):
    MUTEX = "mutex"  # sleeping lock: acquiring it may block
    SPINLOCK = "spinlock"  # no sleeping while held
    RWLOCK = "rwlock"  # spinning reader-writer lock
    RWSEM = "rwsem"  # sleeping reader-writer lock


@dataclass(frozen=True, slots=True)
class Variable:
    """One flat state variable.

    `base` is the declared name (for a process local, `Process.name`, e.g.
    `P.j`); `indices` are the array index values (empty for a scalar);
    `index_types` names the index type of each array dimension, and
    `value_type` names the index type the values range over, when they do
    (the symmetry reduction permutes both).  For a `PROC` domain the
    values are process instances and `value_type` is None.
    """

    index: int
    name: str
    base: str
    indices: tuple[int, ...]
    domain: Domain
    kind: VarKind
    span: Span = field(compare=False)
    ghost: bool = False
    owner: int | None = None  # process instance of a local or a pc
    index_types: tuple[str, ...] = ()
    value_type: str | None = None
    lock_kind: LockKind | None = None  # for LOCK and LOCK_READER


# --------------------------------------------------------------------------
# Expressions (a closed union; see `Expr`)


class UnOp(enum.Enum):
    NOT = "!"
    NEG = "-"


class BinOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"
    DIV = "/"  # truncating toward zero, as in C; divisor checked non-zero
    MOD = "%"  # C remainder (sign of the dividend)
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="
    AND = "&&"
    OR = "||"
    IMPLIES = "->"


BOOL_RESULT_OPS = frozenset(
    {BinOp.EQ, BinOp.NE, BinOp.LT, BinOp.LE, BinOp.GT, BinOp.GE, BinOp.AND, BinOp.OR, BinOp.IMPLIES}
)
BOOL_OPERAND_OPS = frozenset({BinOp.AND, BinOp.OR, BinOp.IMPLIES})


@dataclass(frozen=True, slots=True)
class Const:
    value: int
    is_bool: bool = False


@dataclass(frozen=True, slots=True)
class VarRef:
    var: int


# NOTE(expr-hash): the composite nodes keep their hash, computed once from
# their children's (kept too), so hashing an expression is O(1) instead of
# a walk of its whole tree.  The engines key memo tables by expressions, and
# the liveness monitor (checker/symbolic/klive.py) shares one large
# condition among hundreds of transitions, where the walk made code
# generation quadratic.  The hash is process-local (an enum's hash is its
# name's string hash), so pickling rebuilds the node (`__reduce__`).


def _kept_hash(node: Any) -> int:
    """`__hash__` of a composite node: the hash its `__post_init__` kept (NOTE(expr-hash))."""
    return int(node._hash)


def _rebuilt(node: Any) -> tuple[type, tuple[object, ...]]:
    """`__reduce__` of a composite node: its class and fields, so unpickling hashes afresh."""
    return (type(node), tuple(getattr(node, name) for name in node.__match_args__))


@dataclass(frozen=True, slots=True)
class Select:
    """`vars[index]`: a dynamically indexed array element.

    `vars` are the variable indices of the flattened array in index order
    (for a 2-D array the lowering computes the linear index).  Every
    transition that evaluates a Select carries a `Check` that the index is
    in range, so an engine may assume 0 <= index < len(vars).
    """

    vars: tuple[int, ...]
    index: Expr
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((Select, self.vars, self.index)))

    __hash__ = _kept_hash
    __reduce__ = _rebuilt


@dataclass(frozen=True, slots=True)
class Unary:
    op: UnOp
    arg: Expr
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((Unary, self.op, self.arg)))

    __hash__ = _kept_hash
    __reduce__ = _rebuilt


@dataclass(frozen=True, slots=True)
class Binary:
    op: BinOp
    lhs: Expr
    rhs: Expr
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((Binary, self.op, self.lhs, self.rhs)))

    __hash__ = _kept_hash
    __reduce__ = _rebuilt


@dataclass(frozen=True, slots=True)
class Ite:
    cond: Expr
    then: Expr
    else_: Expr
    _hash: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash((Ite, self.cond, self.then, self.else_)))

    __hash__ = _kept_hash
    __reduce__ = _rebuilt


Expr = Const | VarRef | Select | Unary | Binary | Ite

TRUE = Const(1, True)
FALSE = Const(0, True)


def _mk_chain(op: BinOp, items: Iterable[Expr], absorbing: bool) -> Expr:
    """Left-nested `op` over `items`, constants folded and duplicates dropped.

    A constant equal to `absorbing` decides the whole chain (false for AND,
    true for OR); the other constant is the unit and is dropped.
    """
    out: list[Expr] = []
    for x in items:
        if isinstance(x, Const):
            if bool(x.value) == absorbing:
                return TRUE if absorbing else FALSE
            continue
        if x not in out:
            out.append(x)
    if not out:
        return FALSE if absorbing else TRUE
    acc = out[0]
    for x in out[1:]:
        acc = Binary(op, acc, x)
    return acc


def mk_and(items: Iterable[Expr]) -> Expr:
    return _mk_chain(BinOp.AND, items, absorbing=False)


def mk_or(items: Iterable[Expr]) -> Expr:
    return _mk_chain(BinOp.OR, items, absorbing=True)


def expr_is_bool(e: Expr, variables: tuple[Variable, ...]) -> bool:
    """Whether `e` is a condition (see NOTE(ir-bool))."""
    match e:
        case Const(is_bool=b):
            return b
        case VarRef(var=v):
            return variables[v].domain.kind is DomainKind.BOOL
        case Select(vars=vs):
            return variables[vs[0]].domain.kind is DomainKind.BOOL
        case Unary(op=op):
            return op is UnOp.NOT
        case Binary(op=op):
            return op in BOOL_RESULT_OPS
        case Ite(then=t):
            return expr_is_bool(t, variables)
        case _:
            assert_never(e)


def c_div(a: int, b: int) -> int:
    """C division, truncating toward zero; 0 for a zero divisor (a Check reports it)."""
    if b == 0:
        return 0
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def c_mod(a: int, b: int) -> int:
    """C remainder (the sign of the dividend); 0 for a zero divisor."""
    return a - b * c_div(a, b) if b != 0 else 0


def apply_binop(op: BinOp, a: int, b: int) -> int:
    """The concrete value of `a op b` (booleans as 0/1, see NOTE(ir-bool)).

    This is the reference semantics of every operator: the explicit engine's
    constant folding and the symbolic engine's concrete interpreter both use
    it, and the z3 encoding must agree with it.  A zero divisor gives 0; the
    lowering guards every division with a DIV_ZERO Check.
    """
    match op:
        case BinOp.ADD:
            return a + b
        case BinOp.SUB:
            return a - b
        case BinOp.MUL:
            return a * b
        case BinOp.DIV:
            return c_div(a, b)
        case BinOp.MOD:
            return c_mod(a, b)
        case BinOp.EQ:
            return int(a == b)
        case BinOp.NE:
            return int(a != b)
        case BinOp.LT:
            return int(a < b)
        case BinOp.LE:
            return int(a <= b)
        case BinOp.GT:
            return int(a > b)
        case BinOp.GE:
            return int(a >= b)
        case BinOp.AND:
            return int(a != 0 and b != 0)
        case BinOp.OR:
            return int(a != 0 or b != 0)
        case BinOp.IMPLIES:
            return int(a == 0 or b != 0)
        case _:
            assert_never(op)


def subexprs(e: Expr) -> Iterator[Expr]:
    """`e` and all its sub-expressions, pre-order (a shared node once per occurrence)."""
    stack: list[Expr] = [e]
    while stack:
        x = stack.pop()
        yield x
        match x:
            case Const() | VarRef():
                pass
            case Select(index=i):
                stack.append(i)
            case Unary(arg=a):
                stack.append(a)
            case Binary(lhs=a, rhs=b):
                stack.append(b)
                stack.append(a)
            case Ite(cond=c, then=t, else_=f):
                stack.append(f)
                stack.append(t)
                stack.append(c)
            case _:
                assert_never(x)


@functools.lru_cache(maxsize=1 << 14)
def vars_read(e: Expr) -> frozenset[int]:
    """The variables `e` reads (memoised: engines ask again for the same expressions).

    A node shared within `e` is walked once (the liveness monitor's
    conditions share large sub-expressions, NOTE(expr-hash)).
    """
    out: set[int] = set()
    seen: set[int] = set()
    stack: list[Expr] = [e]
    while stack:
        x = stack.pop()
        match x:
            case Const():
                pass
            case VarRef(var=v):
                out.add(v)
            case Select(vars=vs, index=i):
                out.update(vs)
                stack.append(i)
            case Unary(arg=a):
                stack.append(a)
            case Binary(lhs=a, rhs=b) if id(x) not in seen:
                seen.add(id(x))
                stack.extend((a, b))
            case Ite(cond=c, then=t, else_=f) if id(x) not in seen:
                seen.add(id(x))
                stack.extend((c, t, f))
            case Binary() | Ite():
                pass
            case _:
                assert_never(x)
    return frozenset(out)


# --------------------------------------------------------------------------
# Transitions


@dataclass(frozen=True, slots=True)
class Assign:
    """var := value."""

    var: int
    value: Expr


@dataclass(frozen=True, slots=True)
class AssignElem:
    """vars[index] := value (index range-checked by a Check, as for Select)."""

    vars: tuple[int, ...]
    index: Expr
    value: Expr


Write = Assign | AssignElem


class CheckKind(enum.Enum):
    ASSERT = "assert"  # an `assert` in the spec
    INDEX = "index out of range"
    RANGE = "value out of range"
    DIV_ZERO = "division by zero"
    LOCK_NOT_HELD = "release of a lock not held"
    LOCK_REACQUIRE = "re-acquire of a lock already held"
    SLEEP_IN_ATOMIC = "sleeping in atomic context"
    REF_UNDERFLOW = "refcount put below zero"
    REF_GET_FROZEN = "refcount get on a frozen count"
    REF_UNFREEZE = "unfreeze of a count that is not frozen"


@dataclass(frozen=True, slots=True)
class Check:
    """A runtime check: `cond` must hold in the pre-state of the step."""

    cond: Expr
    kind: CheckKind
    prop: str  # name of the ASSERTION property it belongs to
    message: str  # plain words, with the names involved
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Transition:
    """One atomic step of one process instance (see the module docstring)."""

    index: int
    process: int
    pc_from: int
    pc_to: int
    guard: Expr
    checks: tuple[Check, ...]
    writes: tuple[Write, ...]
    text: str  # the statement as the reviewer wrote it, for traces
    span: Span = field(compare=False)
    kernel_ref: str | None = None


# --------------------------------------------------------------------------
# Processes


class Fairness(enum.Enum):
    NONE = "none"
    WEAK = "weak"
    STRONG = "strong"


@dataclass(frozen=True, slots=True)
class Location:
    """One pc value of a process: its label, if the spec names it."""

    index: int
    label: str | None
    span: Span = field(compare=False)


@dataclass(frozen=True, slots=True)
class Process:
    """One process instance (a replicated process has one per index value)."""

    index: int
    name: str  # "Migrator[1]" or "Dma"
    family: str  # "Migrator"
    self_value: int | None  # the index value, for a replicated process
    self_type: str | None  # the index type it is replicated over
    pc_var: int
    locations: tuple[Location, ...]
    initial_pc: int
    end_locations: frozenset[int]  # where it may rest for good (not a deadlock)
    fairness: Fairness
    span: Span = field(compare=False)


# --------------------------------------------------------------------------
# Properties


class PropKind(enum.Enum):
    INVARIANT = "invariant"  # expr holds in every reachable state
    REACHABLE = "reachable"  # some reachable state satisfies expr
    ASSERTION = "assertion"  # no reachable step fails a Check naming it
    DEADLOCK = "deadlock"  # no reachable stuck state
    EVENTUALLY = "eventually"  # every run reaches expr
    ALWAYS_EVENTUALLY = "always eventually"  # every run meets expr infinitely often
    LEADS_TO = "leads_to"  # every expr state is followed by an expr2 state

    @property
    def is_liveness(self) -> bool:
        return self in (PropKind.EVENTUALLY, PropKind.ALWAYS_EVENTUALLY, PropKind.LEADS_TO)


@dataclass(frozen=True, slots=True)
class Property:
    """A property of this configuration.

    `expect_violation` is the spec's declared expectation for this
    configuration: True when the spec says this property is violated here
    (for REACHABLE: not reached).
    """

    name: str
    kind: PropKind
    span: Span = field(compare=False)
    expr: Expr | None = None
    expr2: Expr | None = None  # the Q of `P leads_to Q`
    expect_violation: bool = False


# --------------------------------------------------------------------------
# Symmetry


@dataclass(frozen=True, slots=True)
class SymmetricType:
    """An index type declared `symmetric`: its values are interchangeable.

    `families` are the replicated processes indexed by it; their instances
    are permuted with the values.
    """

    name: str
    lo: int
    hi: int
    families: tuple[str, ...]


# --------------------------------------------------------------------------
# The model


@dataclass(frozen=True, slots=True)
class Model:
    """One configuration of one spec, ready for an engine."""

    path: str
    config: tuple[tuple[str, int, str], ...]  # (param name, value, shown value)
    variables: tuple[Variable, ...]
    initial: tuple[tuple[int, ...], ...]  # allowed initial values per variable
    processes: tuple[Process, ...]
    transitions: tuple[Transition, ...]
    properties: tuple[Property, ...]
    symmetric_types: tuple[SymmetricType, ...] = ()

    def config_label(self) -> str:
        return ", ".join(f"{n}={shown}" for n, _, shown in self.config) or "default"

    def initial_states(self) -> Iterator[tuple[int, ...]]:
        """Every initial state, in lexicographic order of the value lists."""
        import itertools

        yield from itertools.product(*self.initial)

    def show_value(self, var: int, value: int) -> str:
        v = self.variables[var]
        if v.domain.kind is DomainKind.PC:
            proc = self.processes[v.owner] if v.owner is not None else None
            if proc is not None and 0 <= value < len(proc.locations):
                loc = proc.locations[value]
                return loc.label if loc.label is not None else f"@{value}"
            return str(value)
        if v.domain.kind is DomainKind.PROC:
            return "-" if value == 0 else self.processes[value - 1].name
        return v.domain.show(value)
