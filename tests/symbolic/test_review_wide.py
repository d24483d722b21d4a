"""The two engines agree on models with wide ranges and deep arithmetic (tests/symbolic/randgen_wide.py).

test_crosscheck.py's models keep every value within -3..3; these reach the bit-vector encoding's
edges (NOTE(bv-width), NOTE(div-zero)): widths up to ~30 bits, offset and negative domains,
products, C division and remainder of negative operands, computed one- and two-dimensional
indices, widened guards.  The same agreement as test_crosscheck.py's `_agree`: a definite answer is
never contradicted, BMC finds each violation at the explicit engine's depth, traces replay both ways.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from checker.symbolic.encode import Arith
from model.ir import Model
from tests.symbolic.randgen_wide import wide_models
from tests.symbolic.test_crosscheck import _agree
from tests.symbolic.test_review_step import _agree_on_states


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_models())
def test_bmc_agrees_with_explicit_on_wide_models(model: Model) -> None:
    _agree(model, timeout=5.0, methods=())


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_models())
def test_proofs_agree_with_explicit_on_wide_models(model: Model) -> None:
    _agree(model, timeout=3.0)


@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_models())
def test_engines_agree_on_many_wide_models(model: Model) -> None:
    _agree(model, timeout=3.0)


@pytest.mark.slow
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_models(), st.integers(0, 2**32))
def test_encoding_matches_the_ir_on_states_of_many_wide_models(model: Model, seed: int) -> None:
    _agree_on_states(model, seed, Arith.BV, 8)
