"""Hand-built IR models and results for the CLI/report tests (no front end, no engines).

The model: two processes P[0], P[1] and a monitor Q; variables
`x: 0..3`, `busy: bool`, `l: lock`, `mode: {OFF, ON}`.  Traces are built by
hand, so every expected line of output is known.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from checker.result import PropertyResult, Stats, StopReason, Trace, Verdict
from checker.run import Engines, RunOptions
from model.ir import (
    TRUE,
    Assign,
    Check,
    CheckKind,
    Const,
    Domain,
    DomainKind,
    Fairness,
    Location,
    LockKind,
    Model,
    Process,
    Property,
    PropKind,
    Transition,
    Variable,
    VarKind,
    VarRef,
)
from model.source import Span

PATH = "specs/fake.mig"


def span(line: int, col: int = 3) -> Span:
    return Span(PATH, line, col, line, col + 10)


def _pc_domain(n: int) -> Domain:
    return Domain(DomainKind.PC, 0, n - 1)


def make_model(config: tuple[tuple[str, int, str], ...] = (), *, expect: Sequence[str] = ()) -> Model:
    variables = (
        Variable(0, "x", "x", (), Domain(DomainKind.INT, 0, 3), VarKind.STATE, span(2)),
        Variable(1, "busy", "busy", (), Domain(DomainKind.BOOL, 0, 1), VarKind.STATE, span(3)),
        Variable(
            2, "l", "l", (), Domain(DomainKind.PROC, 0, 3), VarKind.LOCK, span(4), lock_kind=LockKind.MUTEX
        ),
        Variable(3, "mode", "mode", (), Domain(DomainKind.ENUM, 0, 1, ("OFF", "ON")), VarKind.STATE, span(5)),
        Variable(4, "pc(P[0])", "pc", (), _pc_domain(3), VarKind.PC, span(6), owner=0),
        Variable(5, "pc(P[1])", "pc", (), _pc_domain(3), VarKind.PC, span(6), owner=1),
        Variable(6, "pc(Q)", "pc", (), _pc_domain(2), VarKind.PC, span(12), owner=2),
        Variable(7, "grid", "grid", (0, 1), Domain(DomainKind.INT, 0, 1), VarKind.STATE, span(5)),
    )
    locs = (Location(0, "idle", span(7)), Location(1, "cs", span(8)), Location(2, None, span(9)))
    processes = (
        Process(0, "P[0]", "P", 0, "Pid", 4, locs, 0, frozenset({0}), Fairness.WEAK, span(6)),
        Process(1, "P[1]", "P", 1, "Pid", 5, locs, 0, frozenset({0}), Fairness.WEAK, span(6)),
        Process(2, "Q", "Q", None, None, 6, locs[:2], 0, frozenset(), Fairness.NONE, span(12)),
    )
    check = Check(TRUE, CheckKind.ASSERT, "safe", "x stays below 2", span(10))
    transitions = []
    for p in (0, 1):
        base = len(transitions)
        transitions += [
            Transition(
                base, p, 0, 1, TRUE, (), (Assign(2, Const(p + 1)),), "lock(l)", span(7), "mm/migrate.c:984"
            ),
            Transition(base + 1, p, 1, 2, TRUE, (check,), (Assign(0, VarRef(0)),), "x = x + 1", span(8)),
            Transition(base + 2, p, 2, 0, TRUE, (), (Assign(2, Const(0)),), "unlock(l)", span(9)),
        ]
    transitions.append(Transition(6, 2, 0, 1, TRUE, (), (Assign(3, Const(1)),), "mode = ON", span(13)))
    props = (
        Property("safe", PropKind.ASSERTION, span(10), expect_violation="safe" in expect),
        Property("bounded", PropKind.INVARIANT, span(15), TRUE, expect_violation="bounded" in expect),
        Property("done", PropKind.REACHABLE, span(16), TRUE, expect_violation="done" in expect),
        Property("deadlock", PropKind.DEADLOCK, span(1, 1), expect_violation="deadlock" in expect),
        Property(
            "progress", PropKind.ALWAYS_EVENTUALLY, span(17), TRUE, expect_violation="progress" in expect
        ),
    )
    return Model(
        PATH,
        config,
        variables,
        ((0,), (0,), (0,), (0,), (0,), (0,), (0,), (0,)),
        processes,
        tuple(transitions),
        props,
    )


S0 = (0, 0, 0, 0, 0, 0, 0, 0)
S1 = (0, 0, 1, 0, 1, 0, 0, 0)  # P[0] took l
S2 = (0, 0, 1, 1, 1, 0, 1, 0)  # Q set mode


def violation_trace() -> Trace:
    """P[0] locks, Q sets mode, P[0] fails the assertion at `x = x + 1`."""
    return Trace((S0, S1, S2), (0, 6, 1), failed_check=0)


def witness_trace() -> Trace:
    return Trace((S0, S1), (0,))


def lasso_trace() -> Trace:
    """P[0] locks, then P[0] does x = x + 1 ... back to S1 (a cycle of one step)."""
    return Trace((S0, S1), (0, 1), loop_start=1)


def result(
    prop: Property,
    verdict: Verdict,
    engine: str = "explicit",
    *,
    trace: Trace | None = None,
    reason: StopReason | None = None,
    detail: str = "",
    invariant: tuple[str, ...] = (),
) -> PropertyResult:
    return PropertyResult(
        prop.name,
        prop.kind,
        verdict,
        engine,
        Stats(states=42, transitions=97, depth=6, seconds=0.25) if engine == "explicit" else Stats(depth=6),
        prop.expect_violation,
        trace,
        reason,
        detail,
        invariant,
    )


def good_answers(model: Model, engine: str = "explicit") -> list[PropertyResult]:
    out = []
    for p in model.properties:
        if p.kind is PropKind.REACHABLE:
            out.append(result(p, Verdict.REACHED, engine, trace=witness_trace()))
        else:
            out.append(result(p, Verdict.HOLDS if engine == "explicit" else Verdict.PROVED, engine))
    return out


def engines(
    explicit: dict[str, PropertyResult] | None = None,
    symbolic: dict[str, PropertyResult] | None = None,
    replay_failure: str | None = None,
) -> Engines:
    """Fake engines: every property fine unless overridden by name."""

    def run(model: Model, which: str, over: dict[str, PropertyResult] | None) -> list[PropertyResult]:
        base = good_answers(model, which)
        return [dataclasses.replace((over or {}).get(r.property, r)) for r in base]

    def explicit_check(model: Model, options: RunOptions) -> list[PropertyResult]:
        return run(model, "explicit", explicit)

    def symbolic_check(model: Model, options: RunOptions) -> list[PropertyResult]:
        return run(model, "symbolic", symbolic)

    def prove(model: Model, prop: Property, options: RunOptions) -> PropertyResult:
        over = (symbolic or {}).get(prop.name)
        return over or result(
            prop, Verdict.PROVED, "symbolic", detail="k-induction", invariant=("x <= 3", "!busy")
        )

    def replay(model: Model, trace: Trace) -> str | None:
        return replay_failure

    return Engines(explicit_check, symbolic_check, prove, replay)
