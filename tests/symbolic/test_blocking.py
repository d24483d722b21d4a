"""The blocking proof method: cubes generalised against the reachable states, and its proofs."""

from __future__ import annotations

import importlib
import time
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.explicit import ExplicitOptions, reachable_states
from checker.explicit import check as explicit_check
from checker.result import StopReason, Verdict
from checker.symbolic import SymbolicOptions, prove
from checker.symbolic.certify import Certificate, certify, property_lemma
from checker.symbolic.concrete import evaluate
from checker.symbolic.encode import Arith, Encoder, is_safety
from model.frontend import configurations, load_spec
from model.ir import DomainKind, Model
from tests.symbolic.irbuild import Builder, peterson
from tests.symbolic.randgen import models

ROOT = Path(__file__).resolve().parents[2]
BLOCKING = SymbolicOptions(max_bmc_depth=4, timeout=60.0, methods=("blocking",))

# the module itself: the package re-exports a function of the same name
_blocking_module = importlib.import_module("checker.symbolic.blocking")
Reached = _blocking_module._Reached
cube_lemma = _blocking_module.cube_lemma
cube_lemma_holds = _blocking_module.cube_lemma_holds
blocking_joint = _blocking_module.blocking_joint


def _three_vars() -> Model:
    b = Builder()
    b.var("x", 0, 3)
    b.var("y", 0, 200)  # a domain printed with runs of values
    b.var("k", 0, 1, dkind=DomainKind.BOOL)
    b.proc("P", ["a"], end=("a",))
    return b.build()


_VALUES = st.tuples(st.integers(0, 3), st.integers(0, 200), st.integers(0, 1), st.just(0))


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=40), _VALUES, st.sets(st.integers(0, 2)))
def test_a_cube_lemma_holds_in_every_reached_state_and_excludes_the_blocked_one(
    reached: list[tuple[int, ...]], s: tuple[int, ...], prefer: set[int]
) -> None:
    if s in reached:
        return
    cube = _cube_lemma_checked(_three_vars(), reached, s, prefer)
    assert all(s[v] not in meet for v, meet in cube)


def _cube_lemma_checked(
    model: Model,
    reached: list[tuple[int, ...]],
    s: tuple[int, ...],
    prefer: set[int],
    *others: tuple[int, ...],
) -> list[tuple[int, frozenset[int]]]:
    """The cube blocking `s`: its lemma is false in `s`, true in every reached state, and
    `cube_lemma_holds` is the lemma's value in `s`, `others` and the reached states."""
    cube = Reached(model, reached).cube(model, s, frozenset(prefer))
    lemma = cube_lemma(model, cube)
    assert evaluate(lemma, s) == 0
    for x in reached:
        assert evaluate(lemma, x) == 1, (cube, x)
    for x in (s, *others, *reached):
        assert cube_lemma_holds(cube, x) == (evaluate(lemma, x) == 1), (cube, x)
    return cube


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, min_size=1, max_size=40), _VALUES, st.sets(st.integers(0, 2)), _VALUES)
def test_a_cube_lemma_read_off_its_cube_agrees_with_its_expression(
    reached: list[tuple[int, ...]], s: tuple[int, ...], prefer: set[int], other: tuple[int, ...]
) -> None:
    """The learning loop evaluates its lemmas on concrete states from their cubes."""
    if s in reached:
        return
    model = _three_vars()
    cube = Reached(model, reached).cube(model, s, frozenset(prefer))
    lemma = cube_lemma(model, cube)
    for x in (s, other, *reached):
        assert cube_lemma_holds(cube, x) == (evaluate(lemma, x) == 1), (cube, x)


def _wide_vars() -> Model:
    """Domains off the byte path of `_column_masks` and past MAX_ENUMERATED."""
    b = Builder()
    b.var("n", -5, 5)  # negative values: masks bit by bit
    b.var("h", 0, 9000)  # printed with a negation (more than MAX_ENUMERATED values)
    b.var("e", 0, 4, dkind=DomainKind.ENUM)  # printed as == / != lists
    b.var("w", 250, 300)  # values on both sides of 255
    b.proc("P", ["a", "b", "c"], end=("a",))
    return b.build()


_WIDE = st.tuples(
    st.integers(-5, 5),
    st.sampled_from([0, 1, 255, 256, 4095, 4096, 4097, 8999, 9000]),
    st.integers(0, 4),
    st.integers(250, 300),
    st.integers(0, 2),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_WIDE, min_size=1, max_size=30), _WIDE, st.sets(st.integers(0, 4)), _WIDE)
def test_cube_lemmas_over_wide_domains_hold_in_reach_and_read_off_their_cubes(
    reached: list[tuple[int, ...]], s: tuple[int, ...], prefer: set[int], other: tuple[int, ...]
) -> None:
    """The learning loop drops and keeps lemmas by `cube_lemma_holds`: it must be the expression's value."""
    if s in reached:
        return
    model = _wide_vars()
    _cube_lemma_checked(model, reached, s, prefer, other)
    # a state added later gets the masks it would have had from the start
    r = Reached(model, reached)
    r.add(other)
    fresh = Reached(model, [*reached, other])
    assert (r.masks, r.n) == (fresh.masks, fresh.n)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(max_procs=3, max_trans=4), st.booleans())
def test_every_joint_candidate_for_holding_properties_certifies(model: Model, complete: bool) -> None:
    """NOTE(checked-steps), NOTE(joint): a step is re-asked only about lemmas learned since it was
    shown to keep the others; if that skipped a needed query, the candidate would fail the re-check.
    """
    verdicts = {r.property: r.verdict for r in explicit_check(model, ExplicitOptions(max_states=100_000))}
    props = [
        p
        for p in model.properties
        if is_safety(p) and verdicts[p.name] in (Verdict.HOLDS, Verdict.NOT_REACHED)
    ]
    reach = reachable_states(model, 100_000)
    if not props or reach is None:
        return
    goals = [(p, property_lemma(p, p.name)) for p in props]
    enc = Encoder(model, Arith.BV)
    attempts = blocking_joint(enc, goals, reach if complete else None, time.monotonic() + 30)
    for p in props:
        a = attempts[p.name]
        if a.lemmas is None:
            # with every reachable state known, only the clock may stop it
            assert not complete or a.stop is StopReason.TIMEOUT, (p.name, a.detail)
            continue
        cert = certify(model, p, a.lemmas, a.arith, time.monotonic() + 30)
        assert cert.certificate is not Certificate.INVALID, (p.name, cert.detail, a.detail)


def test_peterson_proved_by_blocking_alone() -> None:
    model = peterson()
    mutex = model.properties[0]
    r = prove(model, mutex, BLOCKING)
    assert r.verdict is Verdict.PROVED, r.detail
    assert "blocking" in r.detail
    assert r.invariant[0] == "!(at(P_0, cs) && at(P_1, cs))"
    assert len(r.invariant) > 1  # mutual exclusion alone is not inductive


def test_blocking_with_only_the_initial_states_still_certifies() -> None:
    """NOTE(sample): a partial R grows from reachable CTIs; the answer is re-checked either way."""
    model = peterson()
    mutex = model.properties[0]
    full = reachable_states(model, 1000)
    assert full is not None
    r = prove(
        model,
        mutex,
        SymbolicOptions(max_bmc_depth=4, timeout=30.0, methods=("blocking",), reachable_states=full[:1]),
    )
    assert r.verdict is Verdict.PROVED, r.detail


def _first_config(path: str, defines: dict[str, str]) -> Model:
    return configurations(load_spec(str(ROOT / path), defines))[0]


def test_bakery1_collision_not_reached_by_blocking() -> None:
    model = _first_config("specs/classic/bakery.1.mig", {})
    collision = next(p for p in model.properties if p.name == "collision")
    r = prove(model, collision, BLOCKING)
    assert r.verdict is Verdict.NOT_REACHED, r.detail
    assert "blocking" in r.detail


def test_no_copy_patched_aio_every_safety_property_proved() -> None:
    model = _first_config("specs/no_copy.mig", {"mode": "SYNC_NO_COPY", "cb": "AIO", "patched": "true"})
    safety = [p for p in model.properties if p.kind.value in ("invariant", "assertion", "deadlock")]
    assert len(safety) >= 6
    for p in safety:
        r = prove(model, p, BLOCKING)
        assert r.verdict is Verdict.PROVED, (p.name, r.detail)
        assert r.invariant, p.name


@pytest.mark.slow
@pytest.mark.parametrize("name", ["fischer.1", "anderson.2", "peterson.1", "lamport.1"])
def test_collision_free_beem_instances_not_reached(name: str) -> None:
    model = _first_config(f"specs/classic/{name}.mig", {})
    collision = next(p for p in model.properties if p.name == "collision")
    r = prove(model, collision, SymbolicOptions(max_bmc_depth=4, timeout=120.0, methods=("blocking",)))
    assert r.verdict is Verdict.NOT_REACHED, r.detail


@pytest.mark.slow
@pytest.mark.parametrize(
    "defines",
    [
        {"mode": "SYNC_NO_COPY", "cb": "ZSMALLOC", "patched": "false"},
        {"mode": "SYNC", "cb": "AIO", "patched": "true"},
    ],
)
def test_no_copy_configuration_both_engines_agree(defines: dict[str, str]) -> None:
    """Every safety verdict of the explicit engine, from z3: violations at the same depth, the rest PROVED."""
    from checker.explicit import ExplicitOptions
    from checker.explicit import check as explicit_check
    from checker.symbolic import check as symbolic_check

    model = _first_config("specs/no_copy.mig", defines)
    explicit = {r.property: r for r in explicit_check(model, ExplicitOptions())}
    reach = reachable_states(model, 50_000)
    assert reach is not None
    # liveness (k-liveness, its own budget) is tested in test_klive.py
    model = replace(model, properties=tuple(p for p in model.properties if not p.kind.is_liveness))
    results = symbolic_check(model, SymbolicOptions(timeout=120.0, reachable_states=reach))
    safety = list(results)
    assert len(safety) >= 8
    for r in safety:
        e = explicit[r.property]
        match e.verdict:
            case Verdict.VIOLATED | Verdict.REACHED:
                assert r.verdict is e.verdict, (r.property, r.detail)
                assert r.trace is not None and e.trace is not None
                assert r.trace.length == e.trace.length, r.property
            case Verdict.HOLDS:
                assert r.verdict is Verdict.PROVED, (r.property, r.detail)
            case Verdict.NOT_REACHED:
                assert r.verdict is Verdict.NOT_REACHED, (r.property, r.detail)
            case _:
                raise AssertionError(f"{r.property}: explicit {e.verdict}")
