"""Liveness proofs by k-liveness: a liveness property becomes an invariant.

Stage: the symbolic engine's reduction of `eventually`, `always eventually`
and `leads_to` (under weak fairness, or none) to a safety property that the
proof methods of `checker/symbolic` prove like any other (Claessen and
Sörensson, "A Liveness Checking Algorithm that Counts", FMCAD 2012).

`monitored(model, prop, cap)` builds a new IR model, the original with a
monitor beside it (NOTE(k-liveness)); `prove_liveness` picks the processes
whose rounds are counted and the bound k from the monitored model's
reachable states (NOTE(fair-subset)), proves the invariant
`live.rounds <= k` with `checker.symbolic.prove` (BMC, then the proof
methods, every candidate re-checked by a fresh solver), and reports that as
the liveness property's answer: PROVED with the invariant, or UNKNOWN with
the reason.  It never answers VIOLATED: a fair cycle shows as a count that
keeps growing, and refutation is lasso.py's bounded lasso search.

NOTE(k-liveness): the monitor reads each step's pre-state s, so its
variables describe the run up to the state before the current one:
* `live.pending`: the obligation is open.  With start condition S and goal
  G (`S leads_to G`; `always eventually G` is `true leads_to G`;
  `eventually G` starts open at the initial state, S = false), the step
  from s writes  open(s) = (pending || S(s)) && !G(s).  `open` holds from
  some time on forever exactly when the property is violated from there
  (liveness.py's semantics: the P-state itself counts for Q).
* `live.phase`: round-robin over weakly fair processes f0 .. f(F-1), all
  of them or a subset (NOTE(fair-subset)); none when F <= 1.
  A step advances it from f when f takes the step or f is disabled in s
  (no transition of f has its pc and guard true: a step that fails a
  check is enabled, as in liveness.py).  Every wrap from f(F-1) to f0 is a
  fairness round: each fair process has stepped or been disabled since the
  last one.  With no fair process every step is a round.
* `live.rounds`: rounds completed while the obligation stayed open, reset
  to 0 when it closes, saturating at k + 1.
* A state where no transition can step (none enabled, or every enabled one
  fails a check) stutters forever in liveness.py's semantics; here the
  process `live.stutter` takes that stutter as a step that changes only the
  monitor, with no fair process stepping.
A fair run violating the property keeps `open` forever and makes infinitely
many rounds (each fair process is infinitely often disabled or taken, so
the phase advances infinitely often), so `rounds` reaches k + 1 for every k.
Contrapositive: if `rounds <= k` is an invariant of the monitored model for
some k, the property holds.  NOTE(episodes) in `_prove_episodes` is a
second count for one process, with a side property.  Strong fairness needs a guess the round-robin
cannot make: a model with a strongly fair process is not supported.
"""

from __future__ import annotations

import multiprocessing
import os
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection

from checker.result import PropertyResult, StopReason, Verdict
from model.ir import (
    TRUE,
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    Domain,
    DomainKind,
    Expr,
    Fairness,
    Ite,
    Location,
    Model,
    Process,
    Property,
    PropKind,
    Transition,
    Unary,
    UnOp,
    Variable,
    VarKind,
    VarRef,
    Write,
    mk_and,
    mk_or,
    vars_read,
)

ROUNDS = "live.rounds"  # the round counter's name
# The largest bound tried: a run that keeps an obligation open for this many
# fairness rounds is most likely a fair cycle (the explicit engine's answer).
ROUND_CAP = 64
# The monitored model is enumerated to choose k; larger ones are not tried.
STATE_LIMIT = 400_000


@dataclass(frozen=True, slots=True)
class Monitored:
    """The monitored model and where its monitor lives."""

    model: Model
    goal: Property  # the invariant `live.rounds <= k`
    rounds: int  # variable index of live.rounds (-1 without counting)


def supported(model: Model, prop: Property) -> str | None:
    """None if k-liveness applies to `prop`, else why not (in plain words)."""
    if not prop.kind.is_liveness:
        return "not a liveness property"
    if any(p.fairness is Fairness.STRONG for p in model.processes):
        return "strong fairness is not supported by the z3 engine's k-liveness"
    return None


def _eq(a: Expr, v: int) -> Expr:
    return Binary(BinOp.EQ, a, Const(v))


def _not(e: Expr) -> Expr:
    if isinstance(e, Const):
        return Const(1 - int(bool(e.value)), True)
    return Unary(UnOp.NOT, e)


def monitored(
    model: Model,
    prop: Property,
    cap: int,
    counting: bool = True,
    turns: Sequence[int] | None = None,
    episodes: bool = False,
) -> Monitored:
    """`model` with the monitor of NOTE(k-liveness) for `prop`; rounds saturate at `cap`.

    Without `counting` only `live.pending` and the stutter are added (the
    lasso search of lasso.py needs no rounds); the goal is then `true`.
    `turns` are the weakly fair processes the rounds go over (default: all
    of them); any subset is sound (NOTE(fair-subset)).  With `episodes`
    (one process f in `turns`) a round is a step of f that closes a cycle
    of its control flow, or the start of a spell in which f is disabled
    (NOTE(episodes)).
    """
    assert supported(model, prop) is None
    assert prop.expr is not None
    span = prop.span
    start: Expr
    goal: Expr
    match prop.kind:
        case PropKind.EVENTUALLY:
            start, goal, opened = Const(0, True), prop.expr, 1
        case PropKind.ALWAYS_EVENTUALLY:
            start, goal, opened = TRUE, prop.expr, 0
        case PropKind.LEADS_TO:
            assert prop.expr2 is not None
            start, goal, opened = prop.expr, prop.expr2, 0
        case _:
            raise AssertionError(f"not a liveness property: {prop.kind}")
    fair = [p for p in model.processes if p.fairness is Fairness.WEAK]
    if turns is not None:
        assert all(model.processes[i].fairness is Fairness.WEAK for i in turns)
        fair = [model.processes[i] for i in turns]
    n = len(model.variables)
    variables = list(model.variables)
    initial = list(model.initial)

    def add(
        name: str, domain: Domain, init: int, owner: int | None = None, kind: VarKind = VarKind.STATE
    ) -> int:
        variables.append(
            Variable(len(variables), name, name, (), domain, kind, span, ghost=True, owner=owner)
        )
        initial.append((init,))
        return len(variables) - 1

    pending = add("live.pending", Domain(DomainKind.BOOL, 0, 1), opened)
    # the phase's values print as the fair process whose turn it is
    whose = Domain(DomainKind.ENUM, 0, len(fair) - 1, tuple(p.name for p in fair))
    phase = add("live.phase", whose, 0) if len(fair) > 1 and counting else None
    rounds = add(ROUNDS, Domain(DomainKind.INT, 0, cap), 0) if counting else -1
    assert not episodes or len(fair) == 1
    was_enabled = add("live.was_enabled", Domain(DomainKind.BOOL, 0, 1), 0) if episodes and counting else None
    stutter_proc = len(model.processes)
    stutter_pc = add("live.stutter.pc", Domain(DomainKind.PC, 0, 0), 0, stutter_proc, VarKind.PC)
    assert pending == n

    enabled_of = {f.index: _enabled(model, f.index) for f in fair}

    def can_step(t: Transition) -> Expr:
        return mk_and(
            [_eq(VarRef(model.processes[t.process].pc_var), t.pc_from), t.guard, *(c.cond for c in t.checks)]
        )

    open_now = mk_and([mk_or([VarRef(pending), start]), _not(goal)])
    rounds_ref = VarRef(rounds)

    loops = _back_edges(model, fair[0].index) if was_enabled is not None else frozenset()

    def monitor_writes(stepper: int | None, tr: int = -1) -> tuple[Write, ...]:
        """The monitor's writes for a step of process `stepper` by transition `tr` (None: the stutter)."""
        if not counting:
            return (Assign(pending, open_now),)
        if was_enabled is not None:
            (f,) = fair
            en_f = enabled_of[f.index]
            if f.index == stepper:
                wrap: Expr = TRUE if tr in loops else Const(0, True)
            else:
                wrap = mk_and([VarRef(was_enabled), _not(en_f)])
            phase_writes: list[Write] = [Assign(was_enabled, en_f)]
        elif not fair:
            wrap = TRUE
            phase_writes = []
        else:
            disabled = []
            for k, f in enumerate(fair):
                if f.index == stepper:
                    continue  # the stepping process is enabled
                here = _eq(VarRef(phase), k) if phase is not None else TRUE
                disabled.append(mk_and([here, _not(enabled_of[f.index])]))
            turn = [k for k, f in enumerate(fair) if f.index == stepper]
            mine: list[Expr] = []
            if turn:
                mine = [_eq(VarRef(phase), turn[0]) if phase is not None else TRUE]
            advance = mk_or([*mine, *disabled])
            if phase is None:
                wrap = advance
                phase_writes = []
            else:
                last = len(fair) - 1
                wrap = mk_and([advance, _eq(VarRef(phase), last)])
                nxt = Ite(_eq(VarRef(phase), last), Const(0), Binary(BinOp.ADD, VarRef(phase), Const(1)))
                phase_writes = [Assign(phase, Ite(advance, nxt, VarRef(phase)))]
        counted = Ite(
            wrap,
            Ite(_eq(rounds_ref, cap), Const(cap), Binary(BinOp.ADD, rounds_ref, Const(1))),
            rounds_ref,
        )
        return (
            Assign(pending, open_now),
            *phase_writes,
            Assign(rounds, Ite(open_now, counted, Const(0))),
        )

    transitions = [
        replace(t, writes=(*t.writes, *monitor_writes(t.process, t.index))) for t in model.transitions
    ]
    stuck = _not(mk_or(can_step(t) for t in model.transitions))
    transitions.append(
        Transition(
            index=len(transitions),
            process=stutter_proc,
            pc_from=0,
            pc_to=0,
            guard=stuck,
            checks=(),
            writes=monitor_writes(None),
            text="(no step can be taken: the run stutters here)",
            span=span,
        )
    )
    stutter = Process(
        index=stutter_proc,
        name="live.stutter",
        family="live.stutter",
        self_value=None,
        self_type=None,
        pc_var=stutter_pc,
        locations=(Location(0, "stutter", span),),
        initial_pc=0,
        end_locations=frozenset({0}),
        fairness=Fairness.NONE,
        span=span,
    )
    goal_prop = Property(
        name=f"{prop.name}.rounds",
        kind=PropKind.INVARIANT,
        span=span,
        expr=Binary(BinOp.LT, rounds_ref, Const(cap)) if counting else TRUE,
    )
    mon = Model(
        path=model.path,
        config=model.config,
        variables=tuple(variables),
        initial=tuple(initial),
        processes=(*model.processes, stutter),
        transitions=tuple(transitions),
        properties=(goal_prop,),
        symmetric_types=(),  # the phase order tells processes apart
    )
    return Monitored(mon, goal_prop, rounds)


def _turn_candidates(model: Model, prop: Property) -> list[tuple[int, ...]]:
    """NOTE(fair-subset): the fairness sets tried, the likeliest first.

    A fair run is fair to every subset of the weakly fair processes, so a
    violating fair run makes the rounds over any subset unbounded: proving
    `live.rounds <= k` with the rounds over a subset is as sound as over all
    of them, and far cheaper (one process: no phase variable at all).  It
    is complete only when the property needs no other process's fairness,
    so the processes that can close the obligation (they write what its
    goal reads) come first, one at a time, then all of them together.
    """
    fair = [p.index for p in model.processes if p.fairness is Fairness.WEAK]
    reads = vars_read(_goal(prop))
    writes: dict[int, set[int]] = {}
    for t in model.transitions:
        mine = writes.setdefault(t.process, set())
        mine.add(model.processes[t.process].pc_var)
        for w in t.writes:
            mine.update(w.vars if isinstance(w, AssignElem) else (w.var,))
    closers = [i for i in fair if writes.get(i, set()) & reads]
    out: list[tuple[int, ...]] = [(i,) for i in closers]
    if len(fair) > 1 or not out:
        out.append(tuple(fair))
    return out


def _back_edges(model: Model, proc: int) -> frozenset[int]:
    """Transitions of `proc` closing a cycle of its control flow (DFS back edges from its initial pc).

    Every cycle of the control-flow graph through locations reachable from
    the initial pc contains one, so a process that steps forever takes one
    of them infinitely often (NOTE(episodes)).
    """
    out: dict[int, list[tuple[int, int]]] = {}
    for t in model.transitions:
        if t.process == proc:
            out.setdefault(t.pc_from, []).append((t.index, t.pc_to))
    back: set[int] = set()
    state: dict[int, int] = {}  # 1: on the DFS stack, 2: done
    root = model.processes[proc].initial_pc
    stack: list[tuple[int, int]] = [(root, 0)]
    state[root] = 1
    while stack:
        loc, i = stack[-1]
        edges = out.get(loc, [])
        if i == len(edges):
            state[loc] = 2
            stack.pop()
            continue
        stack[-1] = (loc, i + 1)
        tr, to = edges[i]
        if state.get(to) == 1:
            back.add(tr)
        elif to not in state:
            state[to] = 1
            stack.append((to, 0))
    return frozenset(back)


def _enabled(model: Model, proc: int) -> Expr:
    """Some transition of process `proc` has its pc and guard true (checks aside)."""
    pc = VarRef(model.processes[proc].pc_var)
    return mk_or(mk_and([_eq(pc, t.pc_from), t.guard]) for t in model.transitions if t.process == proc)


def _goal(prop: Property) -> Expr:
    goal = prop.expr2 if prop.kind is PropKind.LEADS_TO else prop.expr
    assert goal is not None
    return goal


@dataclass(frozen=True, slots=True)
class _Bounded:
    """A monitor whose round count stays below the cap in every reachable state."""

    turns: tuple[int, ...]
    episodes: bool
    states: list[tuple[int, ...]]
    k: int


def _bound(
    model: Model, prop: Property, turns: tuple[int, ...], episodes: bool, deadline: float
) -> _Bounded | str:
    """The largest round count of the monitored model, or why there is none (by `deadline`)."""
    from checker.explicit import reachable_states

    probe = monitored(model, prop, ROUND_CAP, turns=turns, episodes=episodes)
    found = reachable_states(probe.model, STATE_LIMIT, timeout=max(0.0, deadline - time.monotonic()))
    if found is None:
        if time.monotonic() >= deadline:
            return "out of time enumerating the monitored model"
        return f"more than {STATE_LIMIT:,} states"
    top = max(s[probe.rounds] for s in found)
    if top >= ROUND_CAP:
        return "unbounded"
    return _Bounded(turns, episodes, found, top)


def _prove_bounded(
    model: Model, prop: Property, b: _Bounded, deadline: float, methods: tuple[str, ...]
) -> PropertyResult:
    """`live.rounds <= k` of the monitored model, by the proof methods."""
    from checker.symbolic import SymbolicOptions, prove

    mon = monitored(model, prop, b.k + 1, turns=b.turns, episodes=b.episodes)
    # every reachable state is known to satisfy the goal: BMC only for k-induction's base case
    options = SymbolicOptions(
        timeout=max(1.0, deadline - time.monotonic()),
        methods=methods,
        reachable_states=b.states,
        max_bmc_depth=4,
    )
    r = prove(mon.model, mon.goal, options)
    if r.verdict is Verdict.VIOLATED:
        # the explicit engine saw at most k rounds: a z3 trace beyond them is a bug
        raise AssertionError(
            f"k-liveness: z3 refutes live.rounds <= {b.k} of {prop.name}, enumeration does not"
        )
    return r


def prove_liveness(
    model: Model,
    prop: Property,
    timeout: float,
    methods: tuple[str, ...],
    *,
    episodes: bool = True,
    status: Callable[[str], None] | None = None,
) -> PropertyResult:
    """PROVED (with the invariant of the monitored model) or UNKNOWN; see the module docstring.

    `status`, if given, hears each stage as it starts (progress.py); the
    side property's proof (NOTE(episodes)) reports nothing of its own.
    """
    from checker.symbolic import symbolic_result

    start = time.monotonic()
    deadline = start + timeout
    why = supported(model, prop)
    if why is not None:
        return symbolic_result(prop, Verdict.UNKNOWN, 0.0, 0, reason=StopReason.NOT_SUPPORTED, detail=why)
    say = status if status is not None else _silent
    tried: list[str] = []
    for turns in _turn_candidates(model, prop):
        who = ", ".join(model.processes[i].name for i in turns) or "every step"
        if episodes and len(turns) == 1:
            say(f"{prop.name}: k-liveness, cycles and waits of {who}")
            # NOTE(episodes): the cheaper count first, with two thirds of the time
            got = _prove_episodes(model, prop, turns[0], start + 2 * timeout / 3, methods, say)
            if isinstance(got, PropertyResult):
                return replace(got, stats=replace(got.stats, seconds=time.monotonic() - start))
            tried.append(f"cycles and waits of {who}: {got}")
        say(f"{prop.name}: k-liveness, rounds of {who}")
        b = _bound(model, prop, turns, episodes=False, deadline=deadline)
        if isinstance(b, str):
            tried.append(f"rounds of {who}: {b}")
            continue
        say(f"{prop.name}: k-liveness, proving live.rounds <= {b.k} (rounds of {who})")
        r = _prove_bounded(model, prop, b, deadline, methods)
        what = (
            f"k-liveness, rounds of {who}, k = {b.k}: live.rounds <= {b.k} in the monitored model "
            f"({len(b.states):,} states)"
        )
        if r.verdict is Verdict.PROVED:
            return symbolic_result(
                prop,
                Verdict.PROVED,
                time.monotonic() - start,
                0,
                detail=f"{what} by {r.detail}",
                invariant=r.invariant,
            )
        tried.append(f"{what}: {r.detail}")
        break  # a bound exists: only the proof is missing
    return symbolic_result(
        prop,
        Verdict.UNKNOWN,
        time.monotonic() - start,
        0,
        reason=StopReason.TIMEOUT if time.monotonic() >= deadline else StopReason.NOT_SUPPORTED,
        detail=f"k-liveness: {'; '.join(tried)}",
    )


def _silent(_: str) -> None:
    pass


def _prove_episodes(
    model: Model,
    prop: Property,
    f: int,
    deadline: float,
    methods: tuple[str, ...],
    say: Callable[[str], None] = _silent,
) -> PropertyResult | str:
    """NOTE(episodes): count f's loops and the starts of its disabled spells, and rule out a last spell.

    A round is a step of f that closes a cycle of its control flow (a DFS
    back edge: every cycle has one, `_back_edges`), or a step from a state
    where f is disabled after one where it was enabled.  A violating fair
    run that f steps in infinitely often (so it closes a cycle infinitely
    often), or is enabled in infinitely often (then a disabled spell starts
    infinitely often, weak fairness giving it disabled infinitely often),
    makes that count unbounded.  The one left is a run that keeps the obligation open with f
    disabled forever from some time on: it violates the side property
    `!G && !enabled(f) leads_to G || enabled(f)` (the obligation open
    implies !G), proved first by the plain rounds (no episodes, so no
    recursion).  Both proved: no violating fair run.
    """
    from checker.symbolic import symbolic_result

    name = model.processes[f].name
    goal = _goal(prop)
    en = _enabled(model, f)
    side = Property(
        name=f"{prop.name}.{name}.waits",
        kind=PropKind.LEADS_TO,
        span=prop.span,
        expr=mk_and([_not(goal), _not(en)]),
        expr2=mk_or([goal, en]),
    )
    # NOTE(two-halves): with two cores the side property is proved in a child process meanwhile
    side_job = None
    if PARALLEL and _cores() >= 2 and not multiprocessing.current_process().daemon:
        side_job = _Child(
            lambda: prove_liveness(
                model, side, max(1.0, deadline - time.monotonic()), methods, episodes=False
            )
        )
    try:
        b = _bound(model, prop, (f,), episodes=True, deadline=deadline)
        if isinstance(b, str):
            return b
        if side_job is None:
            s = prove_liveness(
                model, side, max(1.0, (deadline - time.monotonic()) / 2), methods, episodes=False
            )
            if s.verdict is not Verdict.PROVED:
                return f"{name} may wait forever: not proved ({s.detail})"
        say(f"{prop.name}: k-liveness, proving live.rounds <= {b.k} (cycles and waits of {name})")
        r = _prove_bounded(model, prop, b, deadline, methods)
        what = (
            f"k-liveness, cycles and waits of {name}, k = {b.k}: live.rounds <= {b.k} in the monitored "
            f"model ({len(b.states):,} states)"
        )
        if r.verdict is not Verdict.PROVED:
            return f"{what}: {r.detail}"
        if side_job is not None:
            got = side_job.result(deadline)
            if got is None:
                return f"{name} may wait forever: its proof did not answer by the deadline"
            s = got
            if s.verdict is not Verdict.PROVED:
                return f"{name} may wait forever: not proved ({s.detail})"
    finally:
        if side_job is not None:
            side_job.cancel()
    invariant = (
        f"// (a) {name} does not wait forever with the obligation open ({s.detail.split(': ')[0]})",
        *s.invariant,
        f"// (b) while it is open, {name} closes a loop or starts a wait at most {b.k} time(s)",
        *r.invariant,
    )
    return symbolic_result(
        prop, Verdict.PROVED, 0.0, 0, detail=f"{what} by {r.detail}; and (a) {s.detail}", invariant=invariant
    )


# NOTE(two-halves): the two invariants of NOTE(episodes) are independent
# proofs over two different monitored models, so with two cores the side
# property (its enumeration and its proof) runs in a forked child while the
# parent enumerates and proves the count: SYNC/fallback page_unlocked, whose
# halves take about 30 s and 23 s, is then decided in about 35 s.
# The child inherits the model (nothing of it is pickled) and sends back only
# its PropertyResult; its deadline is the parent's.  An exception in the
# child comes back as its text and is raised here as an internal error; a
# child still running when the count fails is killed.  `PARALLEL = False`,
# a single core, or a daemonic process (a `multiprocessing.Pool` worker: it
# may not start children) proves them one after the other.  The child's
# z3 queries carry the parent's deadline; one that has not answered
# CHILD_GRACE seconds after it is killed, and the side property counts as
# not proved (a hung child never makes the parent wait for good).
PARALLEL = True
CHILD_GRACE = 10.0


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class _Child:
    """`job()` run in a forked process; its PropertyResult read back through a pipe."""

    def __init__(self, job: Callable[[], PropertyResult]) -> None:
        ctx = multiprocessing.get_context("fork")
        self._recv, send = ctx.Pipe(duplex=False)
        self._proc = ctx.Process(target=_run_child, args=(job, send), daemon=True)
        self._proc.start()
        send.close()

    def result(self, deadline: float) -> PropertyResult | None:
        """The child's answer; None when it has none by `deadline` + CHILD_GRACE (it is killed)."""
        if not self._recv.poll(max(0.0, deadline - time.monotonic()) + CHILD_GRACE):
            self.cancel()
            return None
        try:
            status, payload = self._recv.recv()
        except (EOFError, OSError):  # the child ended, or died while sending
            self._proc.join()
            status, payload = "error", f"it ended with exit code {self._proc.exitcode} and no answer"
        self._proc.join()
        if status != "ok":
            raise RuntimeError(f"k-liveness: the side property's proof failed in its process: {payload}")
        assert isinstance(payload, PropertyResult)
        return payload

    def cancel(self) -> None:
        """Stop the child if it still runs (after `result`, it has ended); safe to repeat."""
        if self._proc.is_alive():
            self._proc.kill()
        self._proc.join()
        if not self._recv.closed:
            self._recv.close()


def _run_child(job: Callable[[], PropertyResult], send: Connection) -> None:
    try:
        out: tuple[str, object] = ("ok", job())
    except BaseException:  # reported to the parent, which raises it as an internal error
        out = ("error", traceback.format_exc())
    send.send(out)
    send.close()
