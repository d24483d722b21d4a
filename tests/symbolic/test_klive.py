"""k-liveness (checker/symbolic/klive.py): the monitor and the z3 proofs of liveness.

The monitor is checked against the explicit engine's liveness decision on
random models (NOTE(k-liveness): with a cap above the number of monitor
states, the round count reaches the cap exactly when the property is
violated); z3's PROVED must only ever come with the explicit engine's HOLDS.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from checker.explicit import ExplicitOptions, reachable_states, replay_lasso
from checker.explicit import check as explicit_check
from checker.result import PropertyResult, StopReason, Trace, Verdict
from checker.symbolic import METHODS
from checker.symbolic.klive import _enabled, _goal, monitored, prove_liveness
from checker.symbolic.lasso import find_lasso
from model.frontend import configurations, load_spec
from model.ir import (
    TRUE,
    Assign,
    Binary,
    BinOp,
    Const,
    Fairness,
    Model,
    Property,
    PropKind,
    Unary,
    UnOp,
    VarRef,
    mk_and,
    mk_or,
)
from tests.symbolic.irbuild import Builder
from tests.symbolic.randgen import models

REPO = Path(__file__).resolve().parents[2]


def _explicit(model: Model) -> dict[str, Verdict]:
    return {r.property: r.verdict for r in explicit_check(model, ExplicitOptions())}


def _fair(model: Model, fairness: Fairness) -> Model:
    return replace(model, processes=tuple(replace(p, fairness=fairness) for p in model.processes))


def _handoff(flag_setter_loops: bool = False, idles_after: bool = False) -> Model:
    """A waits for B's flag; B sets it (`flag_setter_loops`: may spin forever first; `idles_after`: loops after)."""
    b = Builder()
    flag = b.boolean("flag")
    a = b.proc("A", ["wait", "done"], end=("done",))
    p = b.proc("B", ["go", "spin", "end"], end=("end",))
    b.trans(a, "wait", "done", VarRef(flag))
    if flag_setter_loops:
        b.trans(p, "go", "spin")
        b.trans(p, "spin", "go")
    b.trans(p, "go", "end", TRUE, (Assign(flag, Const(1)),))
    if idles_after:
        b.trans(p, "end", "end")
    b.prop("finishes", PropKind.EVENTUALLY, b.at(a, "done"))
    b.prop("waits_end", PropKind.LEADS_TO, b.at(a, "wait"), b.at(a, "done"))
    b.prop("often", PropKind.ALWAYS_EVENTUALLY, Unary(UnOp.NOT, VarRef(flag)))
    return b.build("handoff")


def _prove(model: Model, name: str, timeout: float = 30.0) -> tuple[Verdict, StopReason | None, str]:
    prop = next(p for p in model.properties if p.name == name)
    r = prove_liveness(model, prop, timeout, METHODS)
    return r.verdict, r.reason, r.detail


def test_weak_fairness_proves_the_handoff() -> None:
    m = _fair(_handoff(), Fairness.WEAK)
    assert _explicit(m)["finishes"] is Verdict.HOLDS
    verdict, _, detail = _prove(m, "finishes")
    assert verdict is Verdict.PROVED, detail
    # A closes the obligation: its loops (none) and waits (none: it waits from the start) alone
    assert "k-liveness, cycles and waits of A, k = 0" in detail
    assert _prove(m, "waits_end")[0] is Verdict.PROVED


def test_the_two_halves_agree_in_one_process_and_in_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """NOTE(two-halves): the side property in a forked child gives the same proof as in sequence."""
    from checker.symbolic import klive

    m = _fair(_handoff(idles_after=True), Fairness.WEAK)
    prop = next(p for p in m.properties if p.name == "waits_end")
    children: list[object] = []
    real_child = klive._Child

    def counting_child(job: object) -> object:
        children.append(job)
        return real_child(job)  # type: ignore[arg-type]

    monkeypatch.setattr(klive, "_Child", counting_child)
    monkeypatch.setattr(klive, "_cores", lambda: 2)
    monkeypatch.setattr(klive, "PARALLEL", True)
    two = prove_liveness(m, prop, 30.0, METHODS)
    assert children, "the side property was not proved in a child process"
    monkeypatch.setattr(klive, "PARALLEL", False)
    one = prove_liveness(m, prop, 30.0, METHODS)
    assert two.verdict is one.verdict is Verdict.PROVED, (two.detail, one.detail)
    assert "cycles and waits of A" in two.detail and "and (a)" in two.detail
    assert two.invariant == one.invariant


def _side_in_a_child(monkeypatch: pytest.MonkeyPatch, side: Callable[[], None]) -> tuple[Model, Property]:
    """The episodes' model, with the side property's proof (in a forked child) replaced by `side()`."""
    from checker.symbolic import klive

    real = klive.prove_liveness

    def patched(
        model: Model, p: Property, timeout: float, methods: tuple[str, ...], *, episodes: bool = True
    ) -> PropertyResult:
        if not episodes:
            side()
        return real(model, p, timeout, methods, episodes=episodes)

    monkeypatch.setattr(klive, "prove_liveness", patched)
    monkeypatch.setattr(klive, "_cores", lambda: 2)
    monkeypatch.setattr(klive, "PARALLEL", True)
    m = _fair(_handoff(idles_after=True), Fairness.WEAK)
    return m, next(p for p in m.properties if p.name == "waits_end")


def test_a_failure_in_the_side_process_is_an_internal_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.symbolic import klive

    def broken() -> None:
        raise ValueError("side proof broke")

    real = klive.prove_liveness
    m, prop = _side_in_a_child(monkeypatch, broken)
    with pytest.raises(RuntimeError, match="side proof broke"):
        real(m, prop, 30.0, METHODS)


def test_a_side_process_that_dies_is_an_internal_error() -> None:
    """The child ends without sending its answer: the parent says so instead of waiting or crashing."""
    import os

    from checker.symbolic import klive

    child = klive._Child(lambda: os._exit(3))
    try:
        with pytest.raises(RuntimeError, match="exit code 3"):
            child.result(time.monotonic() + 30)
    finally:
        child.cancel()


def test_a_side_process_that_hangs_is_killed_after_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """A child that never answers: no answer (not PROVED) soon after the deadline, and it is gone."""
    from checker.symbolic import klive

    monkeypatch.setattr(klive, "CHILD_GRACE", 0.5)
    child = klive._Child(lambda: time.sleep(600))  # type: ignore[arg-type, return-value]
    start = time.monotonic()
    try:
        assert child.result(start + 0.5) is None
        assert time.monotonic() - start < 20
        assert not child._proc.is_alive()
    finally:
        child.cancel()


def test_a_hung_side_process_leaves_the_episodes_unproved(monkeypatch: pytest.MonkeyPatch) -> None:
    """(the caller then tries the plain rounds, which prove this property without a side property)"""
    from checker.symbolic import klive

    m, prop = _side_in_a_child(monkeypatch, lambda: time.sleep(600))
    monkeypatch.setattr(klive, "CHILD_GRACE", 0.5)
    a = next(p.index for p in m.processes if p.name == "A")
    start = time.monotonic()
    got = klive._prove_episodes(m, prop, a, start + 2.0, METHODS)
    assert isinstance(got, str), got  # not a PropertyResult: the episodes are not proved
    assert "did not answer by the deadline" in got
    assert time.monotonic() - start < 30


def _prove_in_a_daemon(queue: Any) -> None:
    """In a daemonic process (a `multiprocessing.Pool` worker is one): the episodes' proof."""
    from checker.symbolic import klive

    klive._cores = lambda: 2  # this process only: the parallel path is wanted
    klive.PARALLEL = True
    try:
        m = _fair(_handoff(idles_after=True), Fairness.WEAK)
        r = prove_liveness(m, next(p for p in m.properties if p.name == "waits_end"), 30.0, METHODS)
        queue.put((r.verdict.value, r.detail))
    except BaseException as e:  # the failure is the test's answer
        queue.put(("crash", repr(e)))


def test_the_two_halves_in_a_daemonic_process_run_one_after_the_other() -> None:
    """NOTE(two-halves): a daemonic process may not start children; it proves the halves in turn."""
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=_prove_in_a_daemon, args=(queue,), daemon=True)
    proc.start()
    try:
        verdict, detail = queue.get(timeout=120)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.kill()
            proc.join()
    assert verdict == Verdict.PROVED.value, detail
    assert "cycles and waits of A" in detail and "and (a)" in detail


def test_a_spin_that_fairness_allows_forever_is_not_proved() -> None:
    # weak fairness does not stop B spinning: A is disabled all along
    m = _fair(_handoff(flag_setter_loops=True), Fairness.WEAK)
    assert _explicit(m)["finishes"] is Verdict.VIOLATED
    verdict, reason, detail = _prove(m, "finishes")
    assert verdict is Verdict.UNKNOWN and reason is StopReason.NOT_SUPPORTED
    assert "rounds of A: unbounded" in detail


def test_check_refutes_with_the_shortest_lasso() -> None:
    from checker.symbolic import SymbolicOptions
    from checker.symbolic import check as symbolic_check

    m = _fair(_handoff(flag_setter_loops=True), Fairness.WEAK)
    got = {r.property: r for r in symbolic_check(m, SymbolicOptions(timeout=30.0))}
    r = got["finishes"]
    assert r.verdict is Verdict.VIOLATED and r.trace is not None, r.detail
    # B spins go -> spin -> go forever while A waits: two steps, the cycle from the start
    assert (r.trace.length, r.trace.loop_start) == (2, 0)
    assert "shortest fair lasso, 2 steps" in r.detail
    assert got["waits_end"].verdict is Verdict.VIOLATED
    # `often` fails by stuttering: B sets the flag and both end
    often = got["often"]
    assert often.verdict is Verdict.VIOLATED and often.trace is not None
    assert often.trace.loop_start == len(often.trace.states) - 1 == often.trace.length


def test_without_fairness_a_may_never_move() -> None:
    # B sets the flag, then idles forever: only weak fairness makes A take its step
    m = _handoff(idles_after=True)
    assert _explicit(m)["finishes"] is Verdict.VIOLATED
    assert _prove(m, "finishes")[0] is Verdict.UNKNOWN
    fair = _fair(m, Fairness.WEAK)
    assert _explicit(fair)["finishes"] is Verdict.HOLDS
    assert _prove(fair, "finishes")[0] is Verdict.PROVED


def test_a_final_state_stutters_forever() -> None:
    # `often` (flag false infinitely often) fails: both processes end with flag set and stutter there
    m = _fair(_handoff(), Fairness.WEAK)
    assert _explicit(m)["often"] is Verdict.VIOLATED
    assert _prove(m, "often")[0] is Verdict.UNKNOWN


def test_strong_fairness_is_not_supported() -> None:
    m = _fair(_handoff(), Fairness.STRONG)
    verdict, reason, detail = _prove(m, "finishes")
    assert verdict is Verdict.UNKNOWN and reason is StopReason.NOT_SUPPORTED
    assert "strong fairness" in detail


def test_monitored_model_shape() -> None:
    m = _fair(_handoff(), Fairness.WEAK)
    prop = m.properties[0]
    mon = monitored(m, prop, 5)
    names = [v.name for v in mon.model.variables]
    assert names[-4:] == ["live.pending", "live.phase", "live.rounds", "live.stutter.pc"]
    assert mon.model.properties == (mon.goal,)
    assert mon.goal.expr == Binary(BinOp.LT, VarRef(mon.rounds), Const(5))
    # `eventually` starts with the obligation open
    assert mon.model.initial[len(m.variables)] == (1,)
    assert len(mon.model.transitions) == len(m.transitions) + 1
    assert mon.model.processes[-1].fairness is Fairness.NONE


def _max_rounds(model: Model, name: str) -> tuple[int, int]:
    """The largest round count reached, and the cap (above any bound of a holding property)."""
    prop = next(p for p in model.properties if p.name == name)
    states = reachable_states(model, 100_000)
    assert states is not None
    fair = sum(1 for p in model.processes if p.fairness is Fairness.WEAK)
    cap = 2 * len(states) * max(fair, 1) + 2
    mon = monitored(model, prop, cap)
    reached = reachable_states(mon.model, 2_000_000)
    assert reached is not None
    return max(s[mon.rounds] for s in reached), cap


def _monitor_agrees(model: Model) -> None:
    """A fair violating run makes rounds unbounded; without one they stay below the cap."""
    verdicts = _explicit(model)
    for name in ("ev", "inf", "lt"):
        most, cap = _max_rounds(model, name)
        assert (verdicts[name] is Verdict.VIOLATED) == (most == cap), (name, verdicts[name], most, cap)
        if verdicts[name] is Verdict.VIOLATED:
            _episodes_catch(model, name)


def _episodes_catch(model: Model, name: str) -> None:
    """NOTE(episodes) is sound: a violated property has unbounded episodes or a violated side property."""
    prop = next(p for p in model.properties if p.name == name)
    states = reachable_states(model, 100_000)
    assert states is not None
    cap = 2 * len(states) + 2
    for f in (p.index for p in model.processes if p.fairness is Fairness.WEAK):
        mon = monitored(model, prop, cap, turns=(f,), episodes=True)
        reached = reachable_states(mon.model, 2_000_000)
        assert reached is not None
        if max(s[mon.rounds] for s in reached) == cap:
            continue
        goal = _goal(prop)
        en = _enabled(model, f)
        side = Property(
            "side",
            PropKind.LEADS_TO,
            prop.span,
            mk_and([Unary(UnOp.NOT, goal), Unary(UnOp.NOT, en)]),
            mk_or([goal, en]),
        )
        got = _explicit(replace(model, properties=(side,)))
        assert got["side"] is Verdict.VIOLATED, (name, model.processes[f].name)


def _z3_proves_only_what_holds(model: Model) -> None:
    verdicts = _explicit(model)
    for prop in model.properties:
        r = prove_liveness(model, prop, 20.0, METHODS)
        assert r.verdict in (Verdict.PROVED, Verdict.UNKNOWN), r
        if r.verdict is Verdict.PROVED:
            assert verdicts[prop.name] is Verdict.HOLDS, (prop.name, r.detail)
        elif verdicts[prop.name] is Verdict.VIOLATED:
            assert r.reason is StopReason.NOT_SUPPORTED  # the rounds reached the cap


def _unrolled(trace: Trace) -> int:
    """A lasso's steps as the lasso search counts them: a final stutter is one more step.

    A stutter lasso keeps its last state (one state more than steps); a
    cycle's last step returns to `states[loop_start]` (as many states as
    steps).  Lassos of equal count are equally short: z3 may return either.
    """
    return trace.length + (1 if len(trace.states) == trace.length + 1 else 0)


def _lassos_agree(model: Model) -> None:
    """z3's lasso: a fair violating run, no longer than the explicit engine's; found whenever one exists."""
    results = {r.property: r for r in explicit_check(model, ExplicitOptions())}
    for prop in model.properties:
        e = results[prop.name]
        if e.verdict is Verdict.VIOLATED:
            assert e.trace is not None
            assert replay_lasso(model, prop, e.trace) is None  # the validator accepts the explicit lasso
            bound = e.trace.length + 1  # a stutter is one step of the unrolling
        else:
            bound = 6
        out = find_lasso(model, prop, bound, time.monotonic() + 60)
        if e.verdict is Verdict.VIOLATED:
            assert out.trace is not None, (prop.name, out)
            assert e.trace is not None and _unrolled(out.trace) <= _unrolled(e.trace), (out.trace, e.trace)
        else:
            assert out.trace is None and out.clean_depth == bound, (prop.name, out)
            continue
        assert replay_lasso(model, prop, out.trace) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(liveness=True))
def test_monitor_agrees_with_the_explicit_liveness_check(model: Model) -> None:
    _monitor_agrees(model)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(max_procs=2, max_trans=3, liveness=True))
def test_z3_proves_only_what_holds(model: Model) -> None:
    _z3_proves_only_what_holds(model)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(liveness=True))
def test_lassos_agree_with_the_explicit_engine(model: Model) -> None:
    _lassos_agree(model)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(liveness=True))
def test_lassos_agree_many(model: Model) -> None:
    _lassos_agree(model)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(liveness=True))
def test_monitor_agrees_many(model: Model) -> None:
    _monitor_agrees(model)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(liveness=True))
def test_z3_proves_only_what_holds_many(model: Model) -> None:
    _z3_proves_only_what_holds(model)


def _no_copy(**params: str) -> Model:
    from checker.run import load_models

    (m,) = load_models(str(REPO / "specs" / "no_copy.mig"), params)
    return m


@pytest.mark.slow
@pytest.mark.parametrize(
    "params",
    [
        {"mode": "SYNC_NO_COPY", "cb": "AIO", "patched": "true"},
        {"mode": "ASYNC", "cb": "BUFFER", "patched": "true"},
    ],
)
def test_no_copy_page_unlocked_proved(params: dict[str, str]) -> None:
    """Two of the smaller configurations (docs/PROOFS.md has every configuration's figure)."""
    m = _no_copy(**params)
    assert _explicit(m)["page_unlocked"] is Verdict.HOLDS
    verdict, _, detail = _prove(m, "page_unlocked", 300.0)
    assert verdict is Verdict.PROVED, detail


def test_the_enumeration_of_the_monitored_model_stops_at_the_deadline() -> None:
    """peterson.1's p4 monitored model takes seconds to enumerate; a tiny timeout cuts it (UNKNOWN)."""
    m = configurations(load_spec(str(Path(__file__).parents[2] / "specs" / "classic" / "peterson.1.mig")))[0]
    prop = next(p for p in m.properties if p.name == "p4_someone_in_cs")
    t = time.monotonic()
    r = prove_liveness(m, prop, 0.01, METHODS)
    assert r.verdict is Verdict.UNKNOWN and "out of time enumerating the monitored model" in r.detail
    assert time.monotonic() - t < 1.5  # it took about 2.5 s when the enumeration ignored the deadline
