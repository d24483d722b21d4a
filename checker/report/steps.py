"""Trace steps: a `Trace` decoded into what every report format prints.

Stage: report (first step).  Input: an IR `Model` and a `Trace` from
`checker/result.py`; output: a `TraceView`, the one reading of a trace that
the swimlane, list, JSON/ITF, SARIF, DOT and Mermaid writers share, so that
every format tells the same story.  Nothing here reads source text.

NOTE(trace-shape): `Trace.states[i]` is the state before step i+1.  A step
that fails a runtime check has no post-state (the trace ends in its
pre-state).  A lasso's last step leads back to `states[loop_start]`; a
lasso whose cycle is a stutter (a state with no successor, see
docs/LANGUAGE.md) has no step back at all: `len(states) == len(steps) + 1`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import assert_never

from checker.result import Trace
from model.ir import Check, CheckKind, DomainKind, Model, Transition, VarKind

# Above this many candidate variables, the initial state shows only the
# ones that are not at the bottom of their range or that the trace changes.
INITIAL_SHOW_ALL = 12

JsonValue = bool | int | str


@dataclass(frozen=True, slots=True)
class Change:
    """One variable written by a step: `old` -> `new` (raw IR values)."""

    var: int
    old: int
    new: int


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a trace, numbered from 1."""

    number: int
    transition: Transition
    changes: tuple[Change, ...]
    failed: Check | None = None  # the runtime check this step fails
    closes_loop: bool = False  # a lasso's last step, back to the cycle start


@dataclass(frozen=True, slots=True)
class TraceView:
    """A trace as the reports print it (see NOTE(trace-shape))."""

    model: Model
    trace: Trace
    initial: tuple[tuple[int, int], ...]  # (variable, value) worth showing
    steps: tuple[Step, ...]
    # The cycle of a lasso begins after this many steps (None: no lasso).
    loop_after: int | None
    stutter: bool  # the lasso's cycle is a stutter on the last state

    def changed_vars(self) -> frozenset[int]:
        return frozenset(c.var for s in self.steps for c in s.changes)


def shown_vars(model: Model) -> tuple[int, ...]:
    """The variables a reader sees in changes (program counters are implied by the statement)."""
    return tuple(v.index for v in model.variables if v.kind is not VarKind.PC)


def view(model: Model, trace: Trace) -> TraceView:
    """Decode `trace` (see NOTE(trace-shape))."""
    states = trace.states
    visible = shown_vars(model)
    steps: list[Step] = []
    n = len(trace.transitions)
    for i, t_index in enumerate(trace.transitions):
        transition = model.transitions[t_index]
        pre = states[i]
        last = i == n - 1
        failed: Check | None = None
        closes_loop = False
        if last and trace.failed_check is not None:
            failed = transition.checks[trace.failed_check]
            post = None
        elif i + 1 < len(states):
            post = states[i + 1]
        elif trace.loop_start is not None:
            post = states[trace.loop_start]
            closes_loop = True
        else:
            raise ValueError(f"trace has {len(states)} states for {n} steps")
        changes = (
            () if post is None else tuple(Change(v, pre[v], post[v]) for v in visible if pre[v] != post[v])
        )
        steps.append(Step(i + 1, transition, changes, failed, closes_loop))
    stutter = trace.loop_start is not None and not (steps and steps[-1].closes_loop)
    initial = _initial_shown(model, states[0], frozenset(c.var for s in steps for c in s.changes))
    return TraceView(model, trace, initial, tuple(steps), trace.loop_start, stutter)


def _initial_shown(
    model: Model, state: tuple[int, ...], changed: frozenset[int]
) -> tuple[tuple[int, int], ...]:
    candidates = shown_vars(model)
    if len(candidates) > INITIAL_SHOW_ALL:
        candidates = tuple(v for v in candidates if v in changed or state[v] != model.variables[v].domain.lo)
    return tuple((v, state[v]) for v in candidates)


def json_value(model: Model, var: int, value: int) -> JsonValue:
    """A value for machine formats: bool, int, or the label of an enum/pc/process value."""
    kind = model.variables[var].domain.kind
    match kind:
        case DomainKind.BOOL:
            return bool(value)
        case DomainKind.INT:
            return value
        case DomainKind.ENUM | DomainKind.PC | DomainKind.PROC:
            return model.show_value(var, value)
        case _:
            assert_never(kind)


def show_change(model: Model, c: Change) -> str:
    name = model.variables[c.var].name
    return f"{name}: {model.show_value(c.var, c.old)} -> {model.show_value(c.var, c.new)}"


def show_assignment(model: Model, var: int, value: int) -> str:
    return f"{model.variables[var].name} = {model.show_value(var, value)}"


def source_of(t: Transition, *, basename: bool = True) -> str:
    """`file:line` of a step's statement (the file's base name by default)."""
    return t.span.file_line(basename=basename)


def where(t: Transition) -> str:
    """`file:line, kernel/ref.c:123`: where a step's statement comes from ("" if nowhere)."""
    return ", ".join(p for p in (source_of(t), t.kernel_ref or "") if p)


def failure_text(check: Check) -> str:
    if check.kind is CheckKind.ASSERT:
        return f"assertion failed: {check.message}" if check.message else "assertion failed"
    if check.message:
        return f"{check.kind.value}: {check.message}"
    return str(check.kind.value)


def blocked(tv: TraceView) -> tuple[str, ...]:
    """For a deadlock trace: each process not at an end location in the last state, and what it waits on.

    One line each, `Migrate waits at: await woken   [spec.mig:85, mm/filemap.c:1072]` (the
    statements of the steps that leave its location, none of them enabled), so a reader sees which
    process is stuck where without replaying the trace.
    """
    last = tv.trace.states[-1]
    out: list[str] = []
    for p in tv.model.processes:
        pc = last[p.pc_var]
        if pc in p.end_locations:
            continue
        leaving = [t for t in tv.model.transitions if t.process == p.index and t.pc_from == pc]
        if not leaving:
            where_ = tv.model.show_value(p.pc_var, pc)
            out.append(f"{p.name} is at {where_}, where no step leaves (not an end location)")
            continue
        texts = list(dict.fromkeys(t.text for t in leaving))
        out.append(f"{p.name} waits at: {' / '.join(texts)}   [{where(leaving[0])}]")
    return tuple(out)
