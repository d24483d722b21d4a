"""Limits never turn into verdicts: random models under random --max-states / --max-depth.

A run cut short must answer INCOMPLETE (with its reason) for every property
it has not decided, never HOLDS or NOT REACHED; what it does decide must be
the unlimited answer, with a trace of the same (shortest) length; and a
limit the model does not reach must change nothing.  Safety models are
test_random.py's, liveness models test_liveness_reference.py's; the
answers to compare with come from their references.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from checker.explicit import ExplicitOptions, check, replay
from checker.result import StopReason, Verdict

from .test_liveness_reference import explore, live_model, reference_violated
from .test_random import random_model, reference


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_safety_under_limits(seed: int) -> None:
    m = random_model(seed)
    ref = reference(m)
    states, levels, hits = ref["states"], ref["levels"], ref["hits"]
    assert isinstance(states, set) and isinstance(levels, int) and isinstance(hits, dict)
    rnd = random.Random(seed)
    n = len(states)
    for _ in range(4):
        max_states = rnd.choice([None, rnd.randint(1, n + 1)])
        max_depth = rnd.choice([None, rnd.randint(0, levels + 1)])
        binding = (max_states is not None and max_states < n) or (
            max_depth is not None and max_depth < levels
        )
        opts = ExplicitOptions(max_states=max_states, max_depth=max_depth, symmetry=False)
        for r in check(m, opts):
            if r.verdict is Verdict.INCOMPLETE:
                assert binding, (r.property, max_states, max_depth, n, levels)
                assert r.reason in (StopReason.MAX_STATES, StopReason.MAX_DEPTH)
                continue
            if r.property in hits:
                assert r.verdict in (Verdict.VIOLATED, Verdict.REACHED), r.property
                assert r.trace is not None and r.trace.length == hits[r.property], r.property
                assert replay(m, r.trace) is None
            else:
                assert not binding, (r.property, r.verdict, max_states, max_depth)
                want = Verdict.NOT_REACHED if r.property == "target" else Verdict.HOLDS
                assert r.verdict is want, r.property


@settings(max_examples=10, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_liveness_under_limits(seed: int) -> None:
    m = live_model(seed)
    g = explore(m)
    n = len(g.states)
    rnd = random.Random(seed)
    for _ in range(3):
        max_states = rnd.choice([None, rnd.randint(1, n + 1)])
        opts = ExplicitOptions(max_states=max_states, symmetry=False)
        binding = max_states is not None and max_states < n
        for prop, r in zip(m.properties, check(m, opts), strict=True):
            if binding:
                assert r.verdict is Verdict.INCOMPLETE and r.reason is StopReason.MAX_STATES, prop.name
            else:
                want = Verdict.VIOLATED if reference_violated(m, g, prop) else Verdict.HOLDS
                assert r.verdict is want, prop.name
