"""State encoding of the explicit engine: one Python int per state.

Stage: built once per run from `model.ir.Model` by `make_layout`, used by
the code generator (`codegen.py`) and by everything that turns a packed
state back into the IR's value tuple (traces, replay, graphs).

Contract: variable `v` occupies `fields[v].width` bits at bit
`fields[v].offset` and stores `value - fields[v].lo`.  Fields are laid out
in `Variable.index` order within two groups, process-owned variables (pcs
and locals) in the low bits, the others above them (NOTE(hash-order)), so
a flattened array is a run of equal-width fields (the generator relies on
this for dynamic indexing) and a process's pc and locals are neighbours.
A variable with a one-value domain takes no bits.  The layout is plain
integer data, so a native backend could take the same encoding unchanged.

NOTE(hash-order): CPython hashes an int to itself (below 2**61 - 1) and a
set finds its slot from the low bits of the hash, so the fields that
differ most between states belong in the low bits.  Those are the pcs and
locals, which nearly every step writes; with shared arrays there, states
that agree on the arrays crowd the same slots and probe far (adding
peterson.4's 1,119,560 states to a set took 0.98 s in the old order, 0.52 s
in this one).  The order changes nothing but speed: states, counts, BFS
order and, without symmetry, traces are the same; with symmetry the
canonical member of an orbit (the least packed int) may be another one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import cast

from model.ir import CheckKind, Const, DomainKind, Expr, Model, VarKind, subexprs


@dataclass(frozen=True, slots=True)
class Field:
    offset: int
    width: int
    lo: int

    @property
    def mask(self) -> int:
        return (1 << self.width) - 1


@dataclass(frozen=True, slots=True)
class Layout:
    fields: tuple[Field, ...]
    bits: int

    def pack(self, values: Sequence[int]) -> int:
        s = 0
        for f, v in zip(self.fields, values, strict=True):
            raw = v - f.lo
            assert 0 <= raw <= f.mask, "value outside its variable's domain"
            s |= raw << f.offset
        return s

    def unpack(self, s: int) -> tuple[int, ...]:
        return tuple(((s >> f.offset) & f.mask) + f.lo for f in self.fields)

    def unpack_all(self, states: Iterable[int]) -> list[tuple[int, ...]]:
        """`unpack` of each state, by one function generated for this layout.

        The generated source holds only this layout's integers (offsets,
        masks, lows), never text from a spec; it is about three times
        faster than `unpack` on models with many variables.
        """
        if not self.fields:
            return [() for _ in states]
        parts = []
        for f in self.fields:
            x = f"((s >> {f.offset}) & {f.mask})" if f.width else "0"
            parts.append(f"{x} + {f.lo}" if f.lo else x)
        ns: dict[str, object] = {}
        exec(compile(f"def _u(s):\n    return ({', '.join(parts)},)\n", "<modelcheck-unpack>", "exec"), ns)
        fn = cast(Callable[[int], tuple[int, ...]], ns["_u"])
        return [fn(s) for s in states]

    def narrowed(self, v: int, model: Model) -> bool:
        return self.fields[v].width < (model.variables[v].domain.size - 1).bit_length()

    def uniform_run(self, vars_: Sequence[int]) -> tuple[int, int] | None:
        """(base offset, stride) when `vars_` are equal fields at equal spacing."""
        fs = [self.fields[v] for v in vars_]
        if not fs or any(f.width != fs[0].width or f.lo != fs[0].lo for f in fs):
            return None
        stride = fs[1].offset - fs[0].offset if len(fs) > 1 else fs[0].width
        if any(f.offset != fs[0].offset + k * stride for k, f in enumerate(fs)):
            return None
        return fs[0].offset, stride


class Overflow(Exception):
    """A value did not fit a narrowed field (NOTE(narrow-layout)); restart wider."""

    def __init__(self, var: int) -> None:
        super().__init__(var)
        self.var = var


def make_layout(model: Model, narrow: frozenset[str] = frozenset()) -> Layout:
    """The layout; variables whose `base` is in `narrow` get `narrow_width` bits."""
    fields: dict[int, Field] = {}
    offset = 0
    guess = narrow_width(model) if narrow else 0
    # NOTE(hash-order): process-owned variables (pcs, locals) first
    owned = [v for v in model.variables if v.owner is not None]
    rest = [v for v in model.variables if v.owner is None]
    for var in owned + rest:
        width = (var.domain.size - 1).bit_length()
        if var.base in narrow:
            width = min(width, guess)
        fields[var.index] = Field(offset, width, var.domain.lo)
        offset += width
    return Layout(tuple(fields[v.index] for v in model.variables), offset)


# NOTE(narrow-layout): BEEM-style specs declare most variables `byte` while
# their values stay small.  `explore` first tries fields just wide enough
# for every integer constant of the model (in bits, so a counter usually
# has room to step past the largest constant); every write to a narrowed field
# that the generator cannot bound statically
# is checked in the generated code and raises `Overflow` when the value
# does not fit, and the search restarts with that variable at its full
# width.  States, counts and verdicts are the same either way: the fields
# only change how a state is stored.  Only plain integer variables with a
# lower bound of 0 are narrowed (not pcs, booleans, lock owners or values
# of symmetric types).


def narrow_width(model: Model) -> int:
    biggest = 0
    exprs: list[Expr] = []
    for tr in model.transitions:
        exprs.append(tr.guard)
        exprs.extend(w.value for w in tr.writes)
        exprs.extend(c.cond for c in tr.checks if c.kind is not CheckKind.RANGE)
    for prop in model.properties:
        exprs.extend(e for e in (prop.expr, prop.expr2) if e is not None)
    for e in exprs:
        for sub in subexprs(e):
            if isinstance(sub, Const):
                biggest = max(biggest, abs(sub.value))
    for values in model.initial:
        biggest = max([biggest, *(abs(v) for v in values)])
    return max(1, biggest.bit_length())


def narrowable(model: Model) -> frozenset[str]:
    """Bases of the variables worth narrowing (see NOTE(narrow-layout))."""
    guess = narrow_width(model)
    out: set[str] = set()
    for var in model.variables:
        if (
            var.kind is VarKind.STATE
            and var.domain.kind is DomainKind.INT
            and var.domain.lo == 0
            and var.value_type is None
            and (var.domain.size - 1).bit_length() > guess
        ):
            out.add(var.base)
    # a base is narrowed only if all its variables qualify
    for var in model.variables:
        if var.base in out and (var.kind is not VarKind.STATE or var.domain.lo != 0):
            out.discard(var.base)
    return frozenset(out)
