"""Hand-built IR models for the symbolic engine's tests (no front end needed).

`Builder` assembles a `model.ir.Model` directly; `zoo` holds small models
with known answers.  The hypothesis generator of random models lives in
tests/symbolic/randgen.py and uses this builder too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from model.ir import (
    TRUE,
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
    Transition,
    Variable,
    VarKind,
    VarRef,
    Write,
)
from model.source import NO_SPAN


@dataclass
class _Proc:
    name: str
    pc_var: int
    labels: list[str]
    end: set[int]


@dataclass
class Builder:
    variables: list[Variable] = field(default_factory=list)
    initial: list[tuple[int, ...]] = field(default_factory=list)
    procs: list[_Proc] = field(default_factory=list)
    transitions: list[Transition] = field(default_factory=list)
    properties: list[Property] = field(default_factory=list)

    def var(
        self,
        name: str,
        lo: int,
        hi: int,
        init: tuple[int, ...] | None = None,
        *,
        dkind: DomainKind = DomainKind.INT,
        kind: VarKind = VarKind.STATE,
        labels: tuple[str, ...] | None = None,
        owner: int | None = None,
    ) -> int:
        i = len(self.variables)
        base, _, idx = name.partition("[")
        indices = (int(idx.rstrip("]")),) if idx else ()
        self.variables.append(
            Variable(i, name, base, indices, Domain(dkind, lo, hi, labels), kind, NO_SPAN, owner=owner)
        )
        self.initial.append(init if init is not None else (lo,))
        return i

    def boolean(self, name: str, init: int = 0) -> int:
        return self.var(name, 0, 1, (init,), dkind=DomainKind.BOOL)

    def lock(self, name: str) -> int:
        nprocs = 8  # owners are filled in at build time
        return self.var(name, 0, nprocs, (0,), dkind=DomainKind.PROC, kind=VarKind.LOCK)

    def proc(self, name: str, labels: list[str], end: tuple[str, ...] = ()) -> int:
        pid = len(self.procs)
        pc = self.var(f"{name}.pc", 0, len(labels) - 1, (0,), dkind=DomainKind.PC, kind=VarKind.PC, owner=pid)
        self.procs.append(_Proc(name, pc, labels, {labels.index(e) for e in end}))
        return pid

    def pc(self, pid: int) -> int:
        return self.procs[pid].pc_var

    def at(self, pid: int, label: str) -> Expr:
        return Binary(BinOp.EQ, VarRef(self.pc(pid)), Const(self.procs[pid].labels.index(label)))

    def trans(
        self,
        pid: int,
        frm: str,
        to: str,
        guard: Expr = TRUE,
        writes: tuple[Write, ...] = (),
        checks: tuple[tuple[Expr, str], ...] = (),
        text: str = "",
    ) -> int:
        p = self.procs[pid]
        i = len(self.transitions)
        cs = tuple(Check(c, CheckKind.ASSERT, prop, f"check {prop}", NO_SPAN) for c, prop in checks)
        self.transitions.append(
            Transition(
                i, pid, p.labels.index(frm), p.labels.index(to), guard, cs, writes, text or f"t{i}", NO_SPAN
            )
        )
        return i

    def prop(self, name: str, kind: PropKind, expr: Expr | None = None, expr2: Expr | None = None) -> None:
        self.properties.append(Property(name, kind, NO_SPAN, expr, expr2))

    def build(self, path: str = "<test>") -> Model:
        nprocs = len(self.procs)
        variables = []
        for v in self.variables:
            if v.domain.kind is DomainKind.PROC:
                v = Variable(
                    v.index, v.name, v.base, v.indices, Domain(DomainKind.PROC, 0, nprocs), v.kind, NO_SPAN
                )
            variables.append(v)
        processes = tuple(
            Process(
                i,
                p.name,
                p.name,
                None,
                None,
                p.pc_var,
                tuple(Location(k, lab, NO_SPAN) for k, lab in enumerate(p.labels)),
                0,
                frozenset(p.end),
                Fairness.NONE,
                NO_SPAN,
            )
            for i, p in enumerate(self.procs)
        )
        return Model(
            path,
            (),
            tuple(variables),
            tuple(self.initial),
            processes,
            tuple(self.transitions),
            tuple(self.properties),
        )


def eq(a: Expr, b: Expr) -> Expr:
    return Binary(BinOp.EQ, a, b)


def c(v: int) -> Expr:
    return Const(v)


def v(i: int) -> Expr:
    return VarRef(i)


def peterson(buggy: bool = False) -> Model:
    """Peterson's mutual exclusion for two processes (buggy: turn = self)."""
    from model.ir import Assign, Unary, UnOp

    b = Builder()
    flag = [b.boolean("flag[0]"), b.boolean("flag[1]")]
    turn = b.var("turn", 0, 1)
    ps = [b.proc(f"P_{i}", ["ncs", "set_turn", "wait", "cs"], end=("ncs",)) for i in range(2)]
    for i in range(2):
        o = 1 - i
        b.trans(ps[i], "ncs", "set_turn", writes=(Assign(flag[i], Const(1)),))
        b.trans(ps[i], "set_turn", "wait", writes=(Assign(turn, Const(i if buggy else o)),))
        enter = Binary(BinOp.OR, eq(v(flag[o]), c(0)), eq(v(turn), c(i)))
        b.trans(ps[i], "wait", "cs", guard=enter)
        b.trans(ps[i], "cs", "ncs", writes=(Assign(flag[i], Const(0)),))
    mutex = Unary(UnOp.NOT, Binary(BinOp.AND, b.at(ps[0], "cs"), b.at(ps[1], "cs")))
    b.prop("mutex", PropKind.INVARIANT, mutex)
    b.prop("both_in", PropKind.REACHABLE, Binary(BinOp.AND, b.at(ps[0], "cs"), b.at(ps[1], "cs")))
    b.prop("p0_in", PropKind.REACHABLE, b.at(ps[0], "cs"))
    b.prop("deadlock", PropKind.DEADLOCK)
    return b.build("peterson")
