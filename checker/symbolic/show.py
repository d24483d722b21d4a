"""Invariants in the spec's own syntax.

Stage: output side of `checker/symbolic`.  Turns the conjuncts of a proof
(IR expressions from Houdini, z3 formulas from Spacer) into lines a reviewer
reads: variable display names (`Variable.name`), program counters as
`at(Proc, label)`, lock owners as `held_by(l, Proc)` / `!held(l)`, enum
values by name, booleans as true/false.  Printing never decides anything:
the z3 formula that was re-checked is the proof, the text is its reading.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import assert_never

import z3

from model.ir import (
    Binary,
    BinOp,
    Const,
    DomainKind,
    Expr,
    Ite,
    LockKind,
    Model,
    Select,
    Unary,
    UnOp,
    VarKind,
    VarRef,
)

_PREC = {
    BinOp.IMPLIES: 1,
    BinOp.OR: 2,
    BinOp.AND: 3,
    BinOp.EQ: 4,
    BinOp.NE: 4,
    BinOp.LT: 5,
    BinOp.LE: 5,
    BinOp.GT: 5,
    BinOp.GE: 5,
    BinOp.ADD: 6,
    BinOp.SUB: 6,
    BinOp.MUL: 7,
    BinOp.DIV: 7,
    BinOp.MOD: 7,
}


# NOTE(legend): a location without a label prints as `@N` (its number in
# the process, as in traces' pc values), which means nothing to a reader on
# its own.  `with_legend` appends one comment line per such location that an
# invariant names, saying which statement of the spec it is about to run:
#     // @21 of Batch[0]: before no_copy.mig:471  atomic { // remove_migration_ptes ...
# A location no transition leaves is described by a statement that ends
# there ("after ...").  Instances of one family that name the same `@N` share
# a line when the statement there is the same: it need not be, since the
# lowering numbers each instance's locations after pruning the branches its
# parameter rules out.  The lines are comments, like the other notes in a
# printed invariant, so the conjuncts above them stay the spec's syntax.
# The liveness proofs nest (klive.py proves invariants of a monitored model
# with `checker.symbolic.prove`), so an existing legend is dropped and one
# legend for the whole invariant is put at its end.
_LEGEND_LINE = re.compile(r"// @\d+ of ")
_AT_UNLABELED = re.compile(r"at\(([A-Za-z_]\w*(?:\[[^\]]*\])*), @(\d+)\)")
_LEGEND_TEXT = 60  # characters of a statement's text shown in a legend line


def with_legend(model: Model, lines: Sequence[str]) -> tuple[str, ...]:
    """NOTE(legend): `lines`, then comments naming the statements at the `@N` locations they mention."""
    body = tuple(line for line in lines if not _LEGEND_LINE.match(line))
    by_name = {p.name: p for p in model.processes}
    named: dict[tuple[int, int], None] = {}  # (process, pc), in the order first named
    for line in body:
        if line.startswith("//"):
            continue
        for m in _AT_UNLABELED.finditer(line):
            proc = by_name.get(m.group(1))
            pc = int(m.group(2))
            if proc is None or not 0 <= pc < len(proc.locations) or proc.locations[pc].label is not None:
                continue
            named.setdefault((proc.index, pc))
    groups: dict[tuple[str, int, str], list[str]] = {}
    for proc_index, pc in named:
        what = _statement_at(model, proc_index, pc)
        if what is not None:
            proc = model.processes[proc_index]
            groups.setdefault((proc.family, pc, what), []).append(proc.name)
    out = [f"// @{pc} of {', '.join(names)}: {what}" for (_family, pc, what), names in sorted(groups.items())]
    return (*body, *out)


def _statement_at(model: Model, proc: int, pc: int) -> str | None:
    """NOTE(legend): the statement process `proc` is about to run at `pc` (or has just run)."""
    leaving = [t for t in model.transitions if t.process == proc and t.pc_from == pc]
    entering = [t for t in model.transitions if t.process == proc and t.pc_to == pc]
    where = "before" if leaving else "after"
    steps = leaving or entering
    if not steps:
        return None
    t = min(steps, key=lambda t: t.index)
    text = t.text if len(t.text) <= _LEGEND_TEXT else t.text[: _LEGEND_TEXT - 4].rstrip() + " ..."
    at = t.span.file_line() or "(no source line)"
    return f"{where} {at}  {text}"


def atom(model: Model, var: int, value: int, equal: bool) -> str:
    """`var == value` (or `!=`) in the spec's syntax."""
    v = model.variables[var]
    k = v.domain.kind
    if v.kind is VarKind.PC and v.owner is not None:
        p = model.processes[v.owner]
        loc = p.locations[value] if 0 <= value < len(p.locations) else None
        label = loc.label if loc is not None and loc.label is not None else f"@{value}"
        text = f"at({p.name}, {label})"
        return text if equal else f"!{text}"
    if v.kind is VarKind.LOCK and k is DomainKind.PROC and v.lock_kind in (LockKind.RWLOCK, LockKind.RWSEM):
        # NOTE(rw-atoms): the writer field alone has no spec syntax (`held`/`held_by`
        # count readers too), so invariants name it `writer(l)`; see docs/PROOFS.md.
        who = "-" if value == 0 else model.processes[value - 1].name
        return f"writer({v.name}) {'==' if equal else '!='} {who}"
    if v.kind is VarKind.LOCK and k is DomainKind.PROC:
        if value == 0:
            return f"!held({v.name})" if equal else f"held({v.name})"
        text = f"held_by({v.name}, {model.processes[value - 1].name})"
        return text if equal else f"!{text}"
    if k is DomainKind.BOOL:
        name = _bool_name(model, var)
        return name if (value != 0) == equal else f"!{name}"
    shown = model.show_value(var, value)
    return f"{v.name} {'==' if equal else '!='} {shown}"


def _bool_name(model: Model, var: int) -> str:
    v = model.variables[var]
    if v.kind is VarKind.LOCK_READER and v.owner is not None:
        return f"reader({v.base.removesuffix('.reader')}, {model.processes[v.owner].name})"
    if v.kind is VarKind.FROZEN and not v.name.startswith("frozen("):
        base = v.name.removesuffix(".frozen")
        return f"frozen({base})"
    return v.name


def _index_parts(model: Model, vs: tuple[int, ...], index: Expr) -> list[Expr] | None:
    """The indices of a flattened multi-dimensional Select, one per dimension.

    The lowering writes `a[i][j]` over a row-major array as one index
    `(i - lo0) * stride + (j - lo1)` (constants folded, e.g. `0 + alias[0]`);
    this undoes that for printing (`ver[0][alias[0]]`).  None when the index
    is not of that shape (then it prints flattened).
    """
    rows = [model.variables[v].indices for v in vs]
    if not rows or len(rows[0]) < 2:
        return None
    ndim = len(rows[0])
    los = [min(r[d] for r in rows) for d in range(ndim)]
    sizes = [max(r[d] for r in rows) - los[d] + 1 for d in range(ndim)]
    strides = [1] * ndim
    for d in range(ndim - 2, -1, -1):
        strides[d] = strides[d + 1] * sizes[d + 1]
    terms: list[Expr] = []
    stack = [index]
    while stack:
        x = stack.pop()
        if isinstance(x, Binary) and x.op is BinOp.ADD:
            stack += [x.lhs, x.rhs]
        else:
            terms.append(x)
    const = 0
    per_dim: list[Expr | None] = [None] * ndim
    for x in terms:
        k = 1
        if isinstance(x, Const):
            const += x.value
            continue
        match x:
            case Binary(op=BinOp.MUL, lhs=factor, rhs=Const(value=c)):
                x, k = factor, c
            case _:
                pass
        if k not in strides or per_dim[strides.index(k)] is not None:
            return None
        d = strides.index(k)
        match x:
            case Binary(op=BinOp.SUB, lhs=inner, rhs=Const(value=c)) if c == los[d]:
                x = inner
            case _ if los[d] != 0:
                return None
            case _:
                pass
        per_dim[d] = x
    if const < 0:
        return None
    out: list[Expr] = []
    for d in range(ndim):
        digit, const = divmod(const, strides[d])
        got = per_dim[d]
        if got is None:
            out.append(Const(digit + los[d]))
        elif digit:
            return None
        else:
            out.append(got)
    return out if const == 0 else None


def _chain_part(model: Model, op: BinOp, x: Expr) -> str:
    p = _PREC[op]
    if isinstance(x, Binary) and x.op is op:
        return show_expr(model, x, p - 1)
    text = show_expr(model, x, p + 1)
    if op is BinOp.OR and isinstance(x, Binary) and x.op is BinOp.AND and not text.startswith("("):
        return f"({text})"
    return text


def show_expr(model: Model, e: Expr, prec: int = 0) -> str:
    """An IR expression in the spec's syntax."""
    match e:
        case Binary(op=BinOp.EQ | BinOp.NE as op, lhs=VarRef(var=v), rhs=Const(value=c)):
            return atom(model, v, c, op is BinOp.EQ)
        case Const(value=v, is_bool=b):
            if b:
                return "true" if v else "false"
            return str(v)
        case VarRef(var=v):
            if model.variables[v].domain.kind is DomainKind.BOOL:
                return _bool_name(model, v)
            return model.variables[v].name
        case Select(vars=vs, index=i):
            base = model.variables[vs[0]].base
            parts = _index_parts(model, vs, i)
            if parts is None:
                return f"{base}[{show_expr(model, i)}]"
            return base + "".join(f"[{show_expr(model, x)}]" for x in parts)
        case Unary(op=op, arg=a):
            inner = show_expr(model, a, 8)
            match op:
                case UnOp.NOT:
                    return f"!{inner}"
                case UnOp.NEG:
                    return f"-{inner}"
                case _:
                    assert_never(op)
        case Binary(op=BinOp.AND | BinOp.OR as op, lhs=a, rhs=b):
            # NOTE(flat-chains): a chain of one connective prints without nested
            # parentheses, and a conjunction inside a disjunction keeps its own.
            p = _PREC[op]
            text = f"{_chain_part(model, op, a)} {op.value} {_chain_part(model, op, b)}"
            return f"({text})" if p < prec or (p == prec and p <= 5) else text
        case Binary(op=op, lhs=a, rhs=b):
            p = _PREC[op]
            rhs_const = isinstance(b, Const) and isinstance(a, VarRef)
            right = (
                model.show_value(a.var, b.value)
                if rhs_const and isinstance(a, VarRef) and isinstance(b, Const)
                else show_expr(model, b, p + 1)
            )
            text = f"{show_expr(model, a, p + (1 if op is BinOp.IMPLIES else 0))} {op.value} {right}"
            return f"({text})" if p < prec or (p == prec and p <= 5) else text
        case Ite(cond=c, then=t, else_=f):
            text = f"{show_expr(model, c, 1)} ? {show_expr(model, t, 1)} : {show_expr(model, f, 1)}"
            return f"({text})" if prec > 0 else text
        case _:
            assert_never(e)


# --------------------------------------------------------------------------
# z3 formulas (Spacer's answers) over the constants of one state.


class Z3Printer:
    """Prints z3 formulas over `state` (a tuple of z3 constants) in spec syntax."""

    def __init__(self, model: Model, state: tuple[z3.ExprRef, ...], values: dict[int, list[int]]) -> None:
        self.model = model
        self.index = {c.get_id(): i for i, c in enumerate(state)}
        self.state = state
        self.values = values  # small domains: the values to enumerate per variable

    def _vars(self, f: z3.ExprRef) -> set[int]:
        out: set[int] = set()
        todo = [f]
        seen: set[int] = set()
        while todo:
            g = todo.pop()
            if g.get_id() in seen:
                continue
            seen.add(g.get_id())
            if g.get_id() in self.index:
                out.add(self.index[g.get_id()])
            todo.extend(g.children())
        return out

    def conjuncts(self, f: z3.ExprRef) -> list[str]:
        if z3.is_and(f):
            return [line for c in f.children() for line in self.conjuncts(c)]
        if z3.is_true(f):
            return []
        return [self.show(f)]

    def show(self, f: z3.ExprRef, prec: int = 0) -> str:
        vs = self._vars(f)
        if z3.is_bool(f) and len(vs) == 1 and not z3.is_and(f) and not z3.is_or(f):
            (v,) = vs
            if v in self.values:
                return self._value_set(f, v, prec)
        if z3.is_true(f):
            return "true"
        if z3.is_false(f):
            return "false"
        if f.get_id() in self.index:
            return self.model.variables[self.index[f.get_id()]].name
        if z3.is_int_value(f) or z3.is_bv_value(f):
            return str(f)
        kids = f.children()
        name: str | None = None
        p = 0
        if z3.is_and(f):
            name, p = "&&", 3
        elif z3.is_or(f):
            name, p = "||", 2
        elif z3.is_implies(f):
            name, p = "->", 1
        elif z3.is_not(f):
            return f"!{self.show(kids[0], 8)}"
        elif z3.is_eq(f):
            name, p = "==", 4
        elif z3.is_distinct(f):
            name, p = "!=", 4
        elif z3.is_le(f):
            name, p = "<=", 5
        elif z3.is_lt(f):
            name, p = "<", 5
        elif z3.is_ge(f):
            name, p = ">=", 5
        elif z3.is_gt(f):
            name, p = ">", 5
        elif z3.is_add(f):
            name, p = "+", 6
        elif z3.is_sub(f):
            name, p = "-", 6
        elif z3.is_mul(f):
            name, p = "*", 7
        if name is None:
            return str(f)
        text = f" {name} ".join(self.show(k, p + 1) for k in kids)
        return f"({text})" if p < prec or (p == prec and p <= 5) else text

    def _value_set(self, f: z3.ExprRef, v: int, prec: int) -> str:
        x = self.state[v]
        ok = [c for c in self.values[v] if z3.is_true(z3.simplify(z3.substitute(f, (x, self._lit(x, c)))))]
        bad = [c for c in self.values[v] if c not in ok]
        if not ok:
            return "false"
        if not bad:
            return "true"
        if len(ok) <= len(bad):
            parts = [atom(self.model, v, c, True) for c in ok]
            text = " || ".join(parts)
            return f"({text})" if len(parts) > 1 and prec > 2 else text
        parts = [atom(self.model, v, c, False) for c in bad]
        text = " && ".join(parts)
        return f"({text})" if len(parts) > 1 and prec > 3 else text

    @staticmethod
    def _lit(x: z3.ExprRef, c: int) -> z3.ExprRef:
        if z3.is_bv(x):
            return z3.BitVecVal(c, x.sort().size())
        return z3.IntVal(c)
