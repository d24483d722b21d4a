"""One exploration for safety and liveness gives what the two separate ones give.

NOTE(shared-exploration) in checker/explicit/liveness.py: when no symmetry
reduction applies, `check` decides the safety and the liveness properties
from one full-width BFS (`explore_graph`) instead of the narrowed safety BFS
(`explore_adaptive`) followed by the liveness graph (`build_graph`).  These
tests run both paths (`_shared=False` asks for the separate one) and require
identical results: verdicts, reasons, details, traces (shortest safety
traces, lasso traces) and figures (states, transitions, levels), also under
`max_states` and `max_depth` limits that cut the search short, and when
the memory guard stops it (the safety properties are then decided by the
narrowed safety search, as on the separate path).  The one documented
difference: a liveness result cut short by `max_states` or the memory guard
carries the figures of the exploration that was cut (the shared one), not
those of the graph's own search, so its figures are not compared.
"""

from __future__ import annotations

import dataclasses
import random
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import checker.explicit
from checker.explicit import ExplicitOptions, check
from checker.result import PropertyResult, StopReason, Verdict
from model.frontend import configurations, load_spec
from model.ir import Model, Property, PropKind

from .test_liveness_reference import live_model
from .test_random import random_model

ROOT = Path(__file__).resolve().parents[2]
# the BEEM ports small enough for the fast suite (BEEM's counts: 80 to 12,498 states)
CLASSIC = ("adding.1", "anderson.2", "bakery.1", "bakery.2", "fischer.1", "phils.1", "phils.2", "phils.3")


@pytest.fixture(autouse=True)
def _chunks_by_count_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunk sizes that do not depend on the clock (NOTE(limits) halves a chunk that took long).

    Under `max_states` the search stops after the chunk that passes the
    limit, so the figures compared depend on the chunk sizes; on a loaded
    machine one path's chunk could take longer than the other's and be
    halved.  With this the sizes double to CHUNK on both paths alike.
    """
    monkeypatch.setattr(checker.explicit.search, "CHUNK_SECONDS", 1e9)


def _key(r: PropertyResult, figures: bool) -> tuple[object, ...]:
    stats = (r.stats.states, r.stats.transitions, r.stats.depth) if figures else None
    return (
        r.property,
        r.kind,
        r.verdict,
        r.reason,
        r.detail,
        r.trace,
        r.expect_violation,
        r.invariant,
        stats,
    )


def _same(m: Model, opts: ExplicitOptions) -> tuple[PropertyResult, ...]:
    """Both paths on `m`; asserts that the shared one ran and that they agree."""
    real = checker.explicit.explore_graph
    with mock.patch.object(checker.explicit, "explore_graph", wraps=real) as spy:
        shared = check(m, opts)
    assert spy.call_count == 1, "the shared exploration was not used"
    with mock.patch.object(checker.explicit, "explore_graph", wraps=real) as spy:
        separate = check(m, opts, _shared=False)
    assert spy.call_count == 0
    assert len(shared) == len(separate) == len(m.properties)
    for a, b in zip(shared, separate, strict=True):
        cut_graph = a.kind.is_liveness and a.reason in (StopReason.MAX_STATES, StopReason.MEMORY)
        assert _key(a, not cut_graph) == _key(b, not cut_graph), (a, b)
    return shared


def _with_liveness(m: Model) -> Model:
    """`m` with liveness properties over its own state predicates (so both kinds are present)."""
    if any(p.kind.is_liveness for p in m.properties):
        return m
    exprs = [p for p in m.properties if p.expr is not None]
    assert exprs, "a model with no state predicate"
    a, b = exprs[0], exprs[-1]
    extra = (
        dataclasses.replace(a, name="_ev", kind=PropKind.EVENTUALLY, expect_violation=False),
        dataclasses.replace(b, name="_ae", kind=PropKind.ALWAYS_EVENTUALLY, expect_violation=False),
        dataclasses.replace(a, name="_lt", kind=PropKind.LEADS_TO, expr2=b.expr, expect_violation=False),
    )
    return dataclasses.replace(m, properties=(*m.properties, *extra))


def _with_safety(m: Model) -> Model:
    """`m` (liveness only) with an invariant, a target, its assertion groups and deadlock."""
    live = [p for p in m.properties if p.expr is not None]
    base = live[0]

    def prop(name: str, kind: PropKind, src: Property) -> Property:
        has_expr = kind in (PropKind.INVARIANT, PropKind.REACHABLE)
        return Property(name, kind, base.span, src.expr if has_expr else None)

    extra = [
        prop("_inv", PropKind.INVARIANT, live[0]),
        prop("_target", PropKind.REACHABLE, live[-1]),
        prop("runtime", PropKind.ASSERTION, base),
        prop("asserts", PropKind.ASSERTION, base),
        prop("deadlock", PropKind.DEADLOCK, base),
    ]
    return dataclasses.replace(m, properties=(*extra, *m.properties))


def _limits(rnd: random.Random, states: int, levels: int) -> list[ExplicitOptions]:
    """No limit, then max_states and max_depth limits (one at a time) that may cut the search."""
    opts = [ExplicitOptions(symmetry=False)]
    for _ in range(2):
        opts.append(ExplicitOptions(max_states=rnd.randint(1, states + 1), symmetry=False))
        opts.append(ExplicitOptions(max_depth=rnd.randint(0, levels), symmetry=False))
    return opts


def _check_all(m: Model, seed: int) -> list[tuple[PropertyResult, ...]]:
    full = _same(m, ExplicitOptions(symmetry=False))
    states, levels = full[0].stats.states, full[0].stats.depth
    return [_same(m, o) for o in _limits(random.Random(seed), states, levels)]


@pytest.mark.parametrize("name", CLASSIC)
def test_classic_specs(name: str) -> None:
    (m,) = configurations(load_spec(str(ROOT / "specs" / "classic" / f"{name}.mig"), {}))
    runs = _check_all(_with_liveness(m), len(name))
    # the limits did cut some runs short, and the complete run decided something
    assert any(r.verdict is Verdict.INCOMPLETE for rs in runs for r in rs)
    assert any(r.verdict is not Verdict.INCOMPLETE for r in runs[0])


def _no_copy(defines: dict[str, str], picks: tuple[int, ...]) -> None:
    models = configurations(load_spec(str(ROOT / "specs" / "no_copy.mig"), defines))
    for k in picks:
        m = models[k % len(models)]
        assert any(p.kind.is_liveness for p in m.properties)
        full = _same(m, ExplicitOptions())
        states, levels = full[0].stats.states, full[0].stats.depth
        assert states > 50
        rnd = random.Random(k)
        cut = _same(m, ExplicitOptions(max_states=rnd.randint(1, states // 10)))
        assert all(r.verdict is Verdict.INCOMPLETE or r.trace is not None for r in cut)
        _same(m, ExplicitOptions(max_depth=rnd.randint(1, levels // 2)))


def test_no_copy_configurations() -> None:
    """The NO_COPY flow, unpatched (violations: safety and lasso traces) and patched."""
    _no_copy({"mode": "SYNC_NO_COPY", "cb": "AIO"}, (0, 1))


@pytest.mark.slow
def test_no_copy_many_configurations() -> None:
    """Every third of the 72 configurations (all of them took 33 s of CI's slow step)."""
    _no_copy({}, tuple(range(0, 72, 3)))


def test_memory_guard() -> None:
    """A 1 MB guard stops every search: the BFS after 16 chunks (NOTE(limits)), the graph's own
    search after 16,384 states (so the model has more: 21,733)."""
    (m,) = configurations(load_spec(str(ROOT / "specs" / "classic" / "fischer.2.mig"), {}))
    results = _same(m, ExplicitOptions(memory_mb=1))
    # the shared exploration stopped, and the safety properties came from the safety search
    real = checker.explicit.explore_adaptive
    with mock.patch.object(checker.explicit, "explore_adaptive", wraps=real) as spy:
        check(m, ExplicitOptions(memory_mb=1))
    assert spy.call_count == 1
    assert results and all(r.reason is StopReason.MEMORY for r in results)
    assert len({(r.stats.states, r.stats.transitions) for r in results if not r.kind.is_liveness}) == 1


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_random_safety_models(seed: int) -> None:
    _check_all(_with_liveness(random_model(seed)), seed)


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_random_liveness_models(seed: int) -> None:
    _check_all(_with_safety(live_model(seed)), seed)


def test_the_shared_exploration_builds_no_bfs_chunk_function() -> None:
    """It steps with `succ` alone, so its engine is built without `_expand` (half the code to generate)."""
    m = configurations(load_spec(str(ROOT / "specs" / "classic" / "bakery.1.mig")))[0]
    real = checker.explicit.explore_graph
    with mock.patch.object(checker.explicit, "explore_graph", wraps=real) as spy:
        results = check(m)
    eng = spy.call_args.args[0]
    assert "def _expand(order" not in eng.code.source and "def _succ(s)" in eng.code.source
    with pytest.raises(AssertionError, match="built without _expand"):
        eng.code.expand([], set(), [], 0, 0, [], print)
    assert {r.property: r.verdict for r in results} == {
        r.property: r.verdict for r in check(m, _shared=False)
    }
