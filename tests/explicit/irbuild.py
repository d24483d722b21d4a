"""A tiny builder of IR models by hand, for the explicit engine's tests.

Stage: test support only.  It builds `model.ir.Model`s directly (no `.mig`
text), so the engine can be tested independently of the front end.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.ir import (
    TRUE,
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Check,
    CheckKind,
    Const,
    Domain,
    DomainKind,
    Expr,
    Fairness,
    Location,
    Model,
    Process,
    Property,
    PropKind,
    Select,
    SymmetricType,
    Transition,
    Unary,
    UnOp,
    Variable,
    VarKind,
    Write,
)
from model.source import NO_SPAN


def c(n: int) -> Const:
    return Const(n)


def b(op: BinOp, x: Expr, y: Expr | int) -> Binary:
    return Binary(op, x, Const(y) if isinstance(y, int) else y)


def eq(x: Expr, y: Expr | int) -> Binary:
    return b(BinOp.EQ, x, y)


def ne(x: Expr, y: Expr | int) -> Binary:
    return b(BinOp.NE, x, y)


def lt(x: Expr, y: Expr | int) -> Binary:
    return b(BinOp.LT, x, y)


def add(x: Expr, y: Expr | int) -> Binary:
    return b(BinOp.ADD, x, y)


def sub(x: Expr, y: Expr | int) -> Binary:
    return b(BinOp.SUB, x, y)


def and_(x: Expr, y: Expr) -> Binary:
    return Binary(BinOp.AND, x, y)


def or_(x: Expr, y: Expr) -> Binary:
    return Binary(BinOp.OR, x, y)


def not_(x: Expr) -> Unary:
    return Unary(UnOp.NOT, x)


@dataclass
class Builder:
    variables: list[Variable] = field(default_factory=list)
    initial: list[tuple[int, ...]] = field(default_factory=list)
    processes: list[Process] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)
    symmetric: list[SymmetricType] = field(default_factory=list)

    def var(
        self,
        name: str,
        lo: int,
        hi: int,
        init: tuple[int, ...] | None = None,
        *,
        kind: DomainKind = DomainKind.INT,
        vkind: VarKind = VarKind.STATE,
        base: str | None = None,
        indices: tuple[int, ...] = (),
        index_types: tuple[str, ...] = (),
        value_type: str | None = None,
        owner: int | None = None,
    ) -> int:
        idx = len(self.variables)
        self.variables.append(
            Variable(
                idx,
                name,
                base if base is not None else name,
                indices,
                Domain(kind, lo, hi),
                vkind,
                NO_SPAN,
                owner=owner,
                index_types=index_types,
                value_type=value_type,
            )
        )
        self.initial.append(init if init is not None else (lo,))
        return idx

    def array(
        self,
        name: str,
        n: int,
        lo: int,
        hi: int,
        init: int = 0,
        index_type: str | None = None,
        value_type: str | None = None,
    ) -> tuple[int, ...]:
        return tuple(
            self.var(
                f"{name}[{i}]",
                lo,
                hi,
                (init,),
                base=name,
                indices=(i,),
                index_types=(index_type,) if index_type else (),
                value_type=value_type,
            )
            for i in range(n)
        )

    def proc(
        self,
        name: str,
        locations: list[str],
        *,
        end: tuple[str, ...] = (),
        fairness: Fairness = Fairness.NONE,
        family: str | None = None,
        self_value: int | None = None,
        self_type: str | None = None,
    ) -> int:
        pidx = len(self.processes)
        pc = self.var(
            f"{name}.pc",
            0,
            len(locations) - 1,
            kind=DomainKind.PC,
            vkind=VarKind.PC,
            base=f"{family or name}.pc",
            owner=pidx,
        )
        locs = tuple(Location(i, lab, NO_SPAN) for i, lab in enumerate(locations))
        self.processes.append(
            Process(
                pidx,
                name,
                family or name,
                self_value,
                self_type,
                pc,
                locs,
                0,
                frozenset(locations.index(e) for e in end),
                fairness,
                NO_SPAN,
            )
        )
        return pidx

    def local(self, proc: int, name: str, lo: int, hi: int, init: int = 0) -> int:
        p = self.processes[proc]
        return self.var(f"{p.name}.{name}", lo, hi, (init,), base=f"{p.family}.{name}", owner=proc)

    def loc(self, proc: int, label: str) -> int:
        return [lc.label for lc in self.processes[proc].locations].index(label)

    def at(self, proc: int, label: str) -> Expr:
        from model.ir import VarRef

        return eq(VarRef(self.processes[proc].pc_var), self.loc(proc, label))

    def trans(
        self,
        proc: int,
        frm: str,
        to: str,
        guard: Expr = TRUE,
        writes: tuple[Write, ...] = (),
        checks: tuple[Check, ...] = (),
        text: str = "",
    ) -> int:
        idx = len(self.transitions)
        self.transitions.append(
            Transition(
                idx,
                proc,
                self.loc(proc, frm),
                self.loc(proc, to),
                guard,
                checks,
                writes,
                text or f"{frm}->{to}",
                NO_SPAN,
            )
        )
        return idx

    def prop(
        self,
        name: str,
        kind: PropKind,
        expr: Expr | None = None,
        expr2: Expr | None = None,
        expect: bool = False,
    ) -> None:
        self.properties.append(Property(name, kind, NO_SPAN, expr, expr2, expect))

    def build(self) -> Model:
        return Model(
            "<test>",
            (),
            tuple(self.variables),
            tuple(self.initial),
            tuple(self.processes),
            tuple(self.transitions),
            tuple(self.properties),
            tuple(self.symmetric),
        )


def chk(cond: Expr, prop: str = "runtime", kind: CheckKind = CheckKind.ASSERT) -> Check:
    return Check(cond, kind, prop, kind.value, NO_SPAN)


def assign(var: int, value: Expr | int) -> Assign:
    return Assign(var, Const(value) if isinstance(value, int) else value)


def assign_elem(vars_: tuple[int, ...], index: Expr, value: Expr | int) -> AssignElem:
    return AssignElem(vars_, index, Const(value) if isinstance(value, int) else value)


def sel(vars_: tuple[int, ...], index: Expr | int) -> Select:
    return Select(vars_, Const(index) if isinstance(index, int) else index)
