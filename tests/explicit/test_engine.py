"""The explicit engine on the reference zoo: hand-checked figures and verdicts."""

from __future__ import annotations

import dataclasses

import networkx as nx
import pytest

from checker.explicit import ExplicitOptions, check, reachable_states, replay, state_graph
from checker.explicit import search as search_mod
from checker.explicit.search import compile_model
from checker.result import PropertyResult, StopReason, Trace, Verdict
from model.ir import Expr, Fairness, Model, PropKind, c_div, c_mod

from . import zoo
from .irbuild import lt

NOSYM = ExplicitOptions(symmetry=False)


def by_name(model: Model, options: ExplicitOptions | None = None) -> dict[str, PropertyResult]:
    results = check(model, options)
    assert [r.property for r in results] == [p.name for p in model.properties]
    for r in results:
        if r.trace is not None:
            assert replay(model, r.trace) is None, (r.property, replay(model, r.trace))
    return {r.property: r for r in results}


# ---------------------------------------------------------------- peterson.1


def test_peterson1_matches_beem_counts() -> None:
    r = by_name(zoo.peterson(3))
    for res in r.values():
        assert (res.stats.states, res.stats.transitions, res.stats.depth) == (12498, 33369, 54)
    assert r["mutex"].verdict is Verdict.HOLDS
    assert r["runtime"].verdict is Verdict.HOLDS
    assert r["deadlock"].verdict is Verdict.HOLDS
    # P_0 alone: 3 steps in, 3 k-steps, out, again 2 + 3 + 1, then wait -> CS.
    assert r["cs0"].verdict is Verdict.REACHED
    assert r["cs0"].trace is not None and r["cs0"].trace.length == 14


def test_peterson1_liveness_as_beem() -> None:
    m = zoo.peterson(3, with_props=False)
    from model.ir import Property, Unary, UnOp, VarRef
    from model.source import NO_SPAN

    from .irbuild import (
        Builder,  # noqa: F401  (documents the origin)
        and_,
        eq,
        not_,
        or_,
    )

    def at(p: int, label: str) -> Expr:
        locs = [x.label for x in m.processes[p].locations]
        return eq(VarRef(m.processes[p].pc_var), locs.index(label))

    cs = [at(p, "CS") for p in range(3)]
    one = or_(
        or_(and_(cs[0], and_(not_(cs[1]), not_(cs[2]))), and_(cs[1], and_(not_(cs[0]), not_(cs[2])))),
        and_(cs[2], and_(not_(cs[0]), not_(cs[1]))),
    )
    props = (
        Property("p2", PropKind.LEADS_TO, NO_SPAN, at(0, "wait"), cs[0]),
        Property("p3", PropKind.LEADS_TO, NO_SPAN, Unary(UnOp.NOT, cs[0]), cs[0]),
        Property("p4", PropKind.ALWAYS_EVENTUALLY, NO_SPAN, one),
    )
    r = by_name(dataclasses.replace(m, properties=props))
    assert r["p2"].verdict is Verdict.VIOLATED
    assert r["p3"].verdict is Verdict.VIOLATED
    assert r["p4"].verdict is Verdict.HOLDS
    for name in ("p2", "p3"):
        t = r[name].trace
        assert t is not None and t.loop_start is not None
        assert len(t.transitions) == len(t.states)


# ---------------------------------------------------------------- safety


def test_counter_runtime_check_ends_trace_with_failing_step() -> None:
    r = by_name(zoo.counter())
    rt = r["runtime"]
    assert rt.verdict is Verdict.VIOLATED
    assert rt.trace is not None
    assert rt.trace.length == 4 and len(rt.trace.states) == 4
    assert rt.trace.failed_check == 0 and rt.trace.states[-1][0] == 3
    assert "value out of range" in rt.detail
    assert r["small"].verdict is Verdict.VIOLATED
    assert r["small"].trace is not None and r["small"].trace.length == 2
    assert r["two"].verdict is Verdict.REACHED
    assert r["deadlock"].verdict is Verdict.HOLDS  # the failing step is enabled
    assert (rt.stats.states, rt.stats.transitions, rt.stats.depth) == (4, 3, 4)


def test_multiple_initial_states() -> None:
    r = by_name(zoo.counter(3, (0, 1, 2)))
    assert (r["small"].stats.states, r["small"].stats.depth) == (4, 2)
    small = r["small"].trace
    assert small is not None and small.length == 0 and small.states == ((2, 0),)
    rt = r["runtime"].trace
    assert rt is not None and rt.length == 2 and rt.states[0] == (2, 0)


def test_unreached_target_and_invariant_holding() -> None:
    m = zoo.counter(3)
    props = tuple(
        dataclasses.replace(p, expr=lt(p.expr, 0) if p.expr is not None else None)
        if p.kind is PropKind.REACHABLE
        else p
        for p in m.properties
    )
    r = by_name(dataclasses.replace(m, properties=props))
    assert r["two"].verdict is Verdict.NOT_REACHED
    assert r["two"].trace is None


@pytest.mark.parametrize("end", [False, True])
def test_deadlock_vs_end_labels(end: bool) -> None:
    r = by_name(zoo.stuck(end))
    if end:
        assert r["deadlock"].verdict is Verdict.HOLDS
    else:
        d = r["deadlock"]
        assert d.verdict is Verdict.VIOLATED
        assert d.trace is not None and d.trace.length == 2 and d.trace.states[-1] == (0, 0, 2)


# ---------------------------------------------------------------- liveness


def test_stutter_lasso_shape() -> None:
    r = by_name(zoo.stuck(False))
    assert r["b_done"].verdict is Verdict.HOLDS
    t = r["a_go"].trace
    assert r["a_go"].verdict is Verdict.VIOLATED and t is not None
    # B runs to its end; then nothing moves and the run stutters there.
    assert t.length == 2 and len(t.states) == 3 and t.loop_start == 2


@pytest.mark.parametrize(
    ("fairness", "guarded", "holds"),
    [
        (Fairness.NONE, False, False),
        (Fairness.NONE, True, False),
        (Fairness.WEAK, False, True),
        (Fairness.WEAK, True, False),
        (Fairness.STRONG, False, True),
        (Fairness.STRONG, True, True),
    ],
)
def test_fairness(fairness: Fairness, guarded: bool, holds: bool) -> None:
    r = by_name(zoo.toggler(fairness, guarded))
    want = Verdict.HOLDS if holds else Verdict.VIOLATED
    assert r["b_done"].verdict is want
    assert r["wait_done"].verdict is want
    assert r["f_on"].verdict is Verdict.HOLDS
    if not holds:
        t = r["b_done"].trace
        assert t is not None and t.loop_start == 0 and t.length == 2
        # the cycle never lets B step
        m = zoo.toggler(fairness, guarded)
        assert all(m.transitions[tr].process == 0 for tr in t.transitions)


# ---------------------------------------------------------------- symmetry


def test_symmetry_same_verdicts_fewer_states() -> None:
    full = by_name(zoo.lockers(3, True), NOSYM)
    red = by_name(zoo.lockers(3, True))
    assert (full["mutex"].stats.states, full["mutex"].stats.transitions) == (32, 48)
    assert (red["mutex"].stats.states, red["mutex"].stats.transitions) == (10, 18)
    assert full["mutex"].stats.depth == red["mutex"].stats.depth == 8
    for name in full:
        assert full[name].verdict is red[name].verdict, name
        ft, rt = full[name].trace, red[name].trace
        assert (ft is None) == (rt is None)
        if ft is not None and rt is not None:
            assert ft.length == rt.length
    # non-symmetric properties: the trace ends at the right orbit member
    last = red["last_never_in"].trace
    assert last is not None and last.length == 1 and last.states[-1][3] == 1
    odd = red["last_in_odd"].trace
    assert odd is not None and odd.length == 3


def test_symmetry_off_flag_and_undeclared() -> None:
    plain = by_name(zoo.lockers(3, False))
    assert plain["mutex"].stats.states == 32


# ---------------------------------------------------------------- limits


def test_max_states() -> None:
    r = by_name(zoo.peterson(3), ExplicitOptions(max_states=100))
    assert r["mutex"].verdict is Verdict.INCOMPLETE
    assert r["mutex"].reason is StopReason.MAX_STATES
    assert r["cs0"].verdict is Verdict.INCOMPLETE
    r = by_name(zoo.peterson(3), ExplicitOptions(max_states=5000))
    assert r["cs0"].verdict is Verdict.REACHED  # found before the limit: definite
    assert r["mutex"].verdict is Verdict.INCOMPLETE
    # a limit the model fits in changes nothing
    r = by_name(zoo.peterson(3), ExplicitOptions(max_states=12498))
    assert r["mutex"].verdict is Verdict.HOLDS


def test_a_timeout_stops_a_model_whose_states_are_slow_to_expand() -> None:
    """NOTE(limits): 1,500 processes, about 0.1 s a state; 2,048 states at a time overran by minutes."""
    import time

    from model.frontend import configurations, load_spec_text

    text = "var x: 0..1;\n" + "".join(f"process P{i} {{ x = 1; }}\n" for i in range(1500))
    text += "liveness set: eventually x == 1;\n"  # the liveness graph has its own loop
    m = configurations(load_spec_text(text, "wide.mig"))[0]
    began = time.monotonic()
    r = by_name(m, ExplicitOptions(timeout=1.0))
    for name in ("deadlock", "set"):
        assert r[name].verdict is Verdict.INCOMPLETE and r[name].reason is StopReason.TIMEOUT, r[name]
    assert time.monotonic() - began < 60  # not a speed figure: the old chunking took minutes here


def test_the_timeout_holds_for_the_liveness_decisions_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A liveness property not begun by the time limit is INCOMPLETE, not decided late."""
    import time

    from checker.explicit import liveness
    from model.frontend import configurations, load_spec

    real = liveness.decide

    def slow_decide(*args: object) -> object:
        time.sleep(1.2)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(liveness, "decide", slow_decide)
    m = configurations(load_spec("specs/classic/peterson.1.mig"))[0]
    live = [p.name for p in m.properties if p.kind.is_liveness]
    assert len(live) >= 2
    began = time.monotonic()
    r = by_name(m, ExplicitOptions(timeout=1.0))
    assert time.monotonic() - began < 20
    late = [r[n] for n in live[1:]]  # the first decision alone takes longer than the limit
    assert all(x.verdict is Verdict.INCOMPLETE and x.reason is StopReason.TIMEOUT for x in late), late


def test_max_depth() -> None:
    r = by_name(zoo.peterson(3), ExplicitOptions(max_depth=10))
    assert r["deadlock"].verdict is Verdict.INCOMPLETE
    assert r["deadlock"].reason is StopReason.MAX_DEPTH
    r = by_name(zoo.peterson(3), ExplicitOptions(max_depth=53))
    assert r["mutex"].verdict is Verdict.INCOMPLETE
    r = by_name(zoo.peterson(3), ExplicitOptions(max_depth=54))
    assert r["mutex"].verdict is Verdict.HOLDS


def test_timeout_and_memory() -> None:
    r = by_name(zoo.peterson(3), ExplicitOptions(timeout=0.0))
    assert r["mutex"].verdict is Verdict.INCOMPLETE and r["mutex"].reason is StopReason.TIMEOUT
    r = by_name(zoo.peterson(3), ExplicitOptions(memory_mb=1))
    assert r["mutex"].verdict is Verdict.INCOMPLETE and r["mutex"].reason is StopReason.MEMORY


def test_liveness_limits() -> None:
    r = by_name(zoo.toggler(Fairness.WEAK, False), ExplicitOptions(max_depth=1))
    assert r["b_done"].verdict is Verdict.INCOMPLETE
    assert r["b_done"].reason is StopReason.MAX_DEPTH


def test_interrupt_gives_incomplete(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(self: object, states: int, depth: int) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(search_mod.Progress, "update", boom)
    r = by_name(zoo.peterson(3))
    assert r["mutex"].verdict is Verdict.INCOMPLETE
    assert r["mutex"].reason is StopReason.INTERRUPTED
    assert 0 < r["mutex"].stats.states < 12498


# ---------------------------------------------------------------- replay


def test_replay_rejects_corrupted_traces() -> None:
    m = zoo.counter()
    r = by_name(m)
    good = r["small"].trace
    assert good is not None and replay(m, good) is None
    bad_init = Trace(((1, 0), (2, 0), (3, 0)), good.transitions)
    assert replay(m, bad_init) is not None
    assert "not lead" in (replay(m, Trace(((0, 0), (2, 0), (2, 0)), good.transitions)) or "")
    assert replay(m, Trace(good.states, good.transitions[:1])) is not None
    assert replay(m, Trace(((0, 0), (9, 0)), (0,))) is not None  # outside the domain
    assert replay(m, Trace(good.states, (0, 5))) is not None  # no such transition
    rt = r["runtime"].trace
    assert rt is not None
    assert replay(m, dataclasses.replace(rt, failed_check=None)) is not None
    early = Trace(rt.states[:2], rt.transitions[:2], failed_check=0)
    assert "does not fail" in (replay(m, early) or "")
    lasso_bad = Trace(((0, 0), (1, 0)), (0, 0), loop_start=0)  # 1 -> 2, not back to 0
    assert replay(m, lasso_bad) is not None
    stutter_bad = Trace(((0, 0),), (), loop_start=0)  # x = 0 has a successor
    assert "stutters" in (replay(m, stutter_bad) or "")


# ---------------------------------------------------------------- graph API


def test_reachable_states_and_graph() -> None:
    m = zoo.counter()
    assert reachable_states(m, 10) == [(0, 0), (1, 0), (2, 0), (3, 0)]
    assert reachable_states(m, 3) is None
    assert reachable_states(m, 10, timeout=60.0) == [(0, 0), (1, 0), (2, 0), (3, 0)]
    g = state_graph(m)
    assert isinstance(g, nx.DiGraph) and g.graph["complete"]
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 3
    assert g.nodes[0]["initial"] and g.edges[0, 1]["transitions"] == [0]


def test_reachable_states_stop_at_their_timeout() -> None:
    """The proofs' sample of reachable states (run.py) is cut short by --timeout: no sample, not a hang."""
    from pathlib import Path

    from model.frontend import configurations, load_spec

    spec = Path(__file__).resolve().parents[2] / "specs" / "classic" / "peterson.4.mig"
    m = configurations(load_spec(str(spec)))[0]  # about a million states: minutes without the limit
    assert reachable_states(m, 10**8, timeout=0.3) is None


# ---------------------------------------------------------------- codegen


def test_c_division() -> None:
    assert (c_div(7, 2), c_div(-7, 2), c_div(7, -2), c_div(-7, -2)) == (3, -3, -3, 3)
    assert (c_mod(7, 2), c_mod(-7, 2), c_mod(7, -2), c_mod(-7, -2)) == (1, -1, 1, -1)


def test_spec_names_never_enter_generated_code() -> None:
    m = zoo.counter()
    evil = "__import__('os').system('false')"
    variables = tuple(dataclasses.replace(v, name=evil, base=evil) for v in m.variables)
    trs = tuple(
        dataclasses.replace(
            t, text=evil, checks=tuple(dataclasses.replace(k, message=evil) for k in t.checks)
        )
        for t in m.transitions
    )
    m2 = dataclasses.replace(m, variables=variables, transitions=trs)
    eng = compile_model(m2, True)
    assert evil not in eng.code.source and "import" not in eng.code.source
    r = check(m2)
    assert [x.verdict for x in r] == [x.verdict for x in check(m)]


def test_narrow_fields_widen_on_overflow() -> None:
    """x: 0..255 grows past every constant + 1 (NOTE(narrow-layout)): same answers."""
    from checker.explicit.layout import narrow_width, narrowable
    from model.ir import BinOp, CheckKind, VarRef

    from .irbuild import Builder, add, assign, b, chk, ne

    bld = Builder()
    x = bld.var("x", 0, 255)
    p = bld.proc("P", ["l"])
    val = add(b(BinOp.MUL, VarRef(x), 3), 1)
    ok = b(BinOp.LE, val, 255)
    bld.trans(p, "l", "l", lt(VarRef(x), 30), (assign(x, val),), (chk(ok, kind=CheckKind.RANGE),))
    bld.prop("not13", PropKind.INVARIANT, ne(VarRef(x), 13))
    bld.prop("deadlock", PropKind.DEADLOCK)
    m = bld.build()
    assert narrowable(m) == frozenset({"x"}) and narrow_width(m) == 5  # 0..31
    r = by_name(m)
    # 0, 1, 4, 13, 40: 40 does not fit 5 bits, so the run restarts wider
    assert (r["not13"].stats.states, r["not13"].stats.depth) == (5, 5)
    assert r["not13"].verdict is Verdict.VIOLATED
    assert r["not13"].trace is not None and r["not13"].trace.length == 3
    dead = r["deadlock"].trace
    assert dead is not None and dead.states[-1][0] == 40 and dead.length == 4
