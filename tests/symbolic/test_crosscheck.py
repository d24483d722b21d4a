"""The two engines must agree on random small models (DESIGN.md §4, issue #4).

For every property of a random model: a definite answer of one engine is
never contradicted by the other; a violation the explicit engine finds at
depth d is found by BMC at exactly depth d; every trace of either engine
replays in the other (z3 traces by `checker.explicit.replay`, which
`checker.symbolic.check` already runs; explicit traces inside the z3
encoding by `symbolic_replay`).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from checker.explicit import ExplicitOptions, replay
from checker.explicit import check as explicit_check
from checker.result import PropertyResult, Verdict
from checker.symbolic import METHODS, SymbolicOptions
from checker.symbolic import check as symbolic_check
from checker.symbolic.replay import symbolic_replay
from model.ir import Model
from tests.symbolic.randgen import models

TRACE_EXISTS = (Verdict.VIOLATED, Verdict.REACHED)
NO_TRACE = (Verdict.HOLDS, Verdict.PROVED, Verdict.NOT_REACHED)


def _agree(model: Model, timeout: float, methods: tuple[str, ...] = METHODS) -> None:
    ex = explicit_check(model, ExplicitOptions(max_states=100_000))
    depth = max((r.stats.depth for r in ex), default=0)
    opts = SymbolicOptions(max_bmc_depth=depth + 2, timeout=timeout, max_k=2, methods=methods)
    sy = symbolic_check(model, opts)
    assert len(sy) == len(ex) == len(model.properties)
    for e, s in zip(ex, sy, strict=True):
        _agree_on(model, e, s)


def _agree_on(model: Model, e: PropertyResult, s: PropertyResult) -> None:
    assert e.property == s.property
    assert e.verdict.is_definite, e
    where = f"{e.property}: explicit {e.verdict.value} / symbolic {s.verdict.value} ({s.detail})"
    if e.verdict in TRACE_EXISTS:
        # BMC searched deeper than the explicit engine's whole graph: it must find it
        assert s.verdict is e.verdict, where
        assert e.trace is not None and s.trace is not None
        assert s.trace.length == e.trace.length, where
        assert (s.trace.failed_check is None) == (e.trace.failed_check is None), where
        assert replay(model, s.trace) is None, where
        assert symbolic_replay(model, e.trace) is None, where
    else:
        assert e.verdict in NO_TRACE, where
        assert s.verdict not in TRACE_EXISTS, where
        if s.verdict.is_definite:
            assert s.verdict in NO_TRACE, where


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_bmc_agrees_with_explicit_on_random_models(model: Model) -> None:
    """Violations, depths and traces; holding properties stay UNKNOWN (no proof methods)."""
    _agree(model, timeout=5.0, methods=())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models(max_procs=2, max_trans=3))
def test_proofs_agree_with_explicit_on_random_models(model: Model) -> None:
    _agree(model, timeout=3.0)


# NOTE(ci-budget): the issue asks for a few hundred random models in the fast
# suite (the 260 above) and thousands in CI's separate slow step: 1,700 models
# with BMC only (violations, depths, traces both ways) and 300 with the proof
# methods as well.  The slow step runs as two pytest processes, one per core
# (NOTE(shards) in tests/conftest.py), each test in one of them.
@pytest.mark.slow
@settings(max_examples=1700, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_bmc_agrees_on_thousands_of_random_models(model: Model) -> None:
    _agree(model, timeout=5.0, methods=())


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(models())
def test_engines_agree_on_many_random_models(model: Model) -> None:
    _agree(model, timeout=10.0)
