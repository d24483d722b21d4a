"""Test-session hooks: the split of CI's slow step over two processes (NOTE(shards))."""

from __future__ import annotations

import os

import pytest

# NOTE(shards): `.ci/slow` runs the slow tests as two pytest processes, one per
# core of CI's machine, with MODELCHECK_SHARD=0/2 and MODELCHECK_SHARD=1/2.
# Every test that survives `-m slow` runs in exactly one shard: the tests are
# dealt out longest first (SLOW_SECONDS; any test not listed counts one
# second) to the shard with the least work so far, ties to the lower shard,
# so both processes make the same deal and finish at about the same time.
# The figures are the clean-clone CI runs of 2026-11-27 03:41, 03:55 and
# 06:49 UTC (the two halves side by side on the 2 cores, `--durations=5`
# each; the symmetry test from a serial run after its models were capped;
# the others from earlier serial runs); they only balance the two halves.
SLOW_SECONDS = {
    "tests/symbolic/test_crosscheck.py::test_bmc_agrees_on_thousands_of_random_models": 199.0,
    "tests/explicit/test_symmetry_reference.py::test_symmetry_agrees_with_unreduced_reference_many": 16.0,
    "tests/explicit/test_shared_exploration.py::test_no_copy_many_configurations": 13.0,  # measured alone
    "tests/symbolic/test_crosscheck.py::test_engines_agree_on_many_random_models": 65.0,
    "tests/test_fuzz_parser.py::test_grammar_generated_inputs_many": 61.0,
    "tests/symbolic/test_klive.py::test_z3_proves_only_what_holds_many": 20.0,
    "tests/symbolic/test_review_wide.py::test_encoding_matches_the_ir_on_states_of_many_wide_models": 26.0,
    "tests/symbolic/test_review_wide.py::test_engines_agree_on_many_wide_models": 28.0,
    "tests/explicit/test_narrowing_reference.py::test_narrowed_arrays_agree_with_reference_many": 30.0,
    "tests/test_fuzz_parser.py::test_mutated_rich_spec_many": 37.0,
    "tests/explicit/test_liveness_reference.py::test_liveness_agrees_with_reference_many": 18.0,
    "tests/symbolic/test_klive.py::test_lassos_agree_many": 15.0,
    "tests/symbolic/test_klive.py::test_monitor_agrees_many": 13.0,
    "tests/explicit/test_random.py::test_random_models_agree_with_reference_many": 10.0,
    "tests/symbolic/test_blocking.py::test_no_copy_configuration_both_engines_agree": 10.0,
    "tests/test_beem.py::test_peterson_4_safety": 9.0,
    "tests/test_beem.py::test_reported_figures_match_beem": 8.0,
}


def _shard() -> tuple[int, int] | None:
    spec = os.environ.get("MODELCHECK_SHARD", "")
    if not spec:
        return None
    k, _, n = spec.partition("/")
    if not (k.isdigit() and n.isdigit() and 0 <= int(k) < int(n)):
        raise pytest.UsageError(f"MODELCHECK_SHARD must be K/N with 0 <= K < N, not {spec!r}")
    return int(k), int(n)


def _seconds(item: pytest.Item) -> float:
    return SLOW_SECONDS.get(item.nodeid.split("[", 1)[0], 1.0)


@pytest.hookimpl(trylast=True)  # after `-m` and `-k` have deselected what they do
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    shard = _shard()
    if shard is None:
        return
    k, n = shard
    load = [0.0] * n
    mine: set[str] = set()
    for item in sorted(items, key=lambda it: (-_seconds(it), it.nodeid)):
        j = min(range(n), key=lambda i: (load[i], i))
        load[j] += _seconds(item)
        if j == k:
            mine.add(item.nodeid)
    config.hook.pytest_deselected(items=[it for it in items if it.nodeid not in mine])
    items[:] = [it for it in items if it.nodeid in mine]
