"""Fuzzing the front end: any input yields a Spec or a SpecError, never anything else.

Inputs come from the grammar itself (`hypothesis.extra.lark.from_lark`), from
random text and random bytes, and from mutations of a valid spec.
"""

from __future__ import annotations

import re
from pathlib import Path

import lark
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from model.diagnostics import SpecError, render
from model.frontend import Spec, configurations, load_spec_text
from model.syntax import grammar_text

_GRAMMAR = lark.Lark(grammar_text(), start="start")

_VALID = """
const N = 2;
enum Mode { A, B }
param mode: Mode;
type Pid = 0..N-1;
var pos: [Pid] 0..N = 0;
lock l: mutex;
refcount r: 0..3 = 1;
proc f(a: Pid) -> bool { return pos[a] > 0; }
process P[i: Pid] {
  var ok: bool;
  idle: lock(l);
  ok = f(i);
  if trylock(l) { pos[i] = 1; } else { unlock(l); }
  atomic { await pos[0] < N; get(r); put(r); }
  goto idle;
}
invariant inv: forall k in Pid: pos[k] <= N;
reachable seen: at(P[0], idle) when mode == A;
"""


def _check(text: str) -> None:
    try:
        spec = load_spec_text(text, "fuzz.mig")
    except SpecError as e:
        assert e.diagnostics, "a SpecError must carry diagnostics"
        out = render(e.diagnostics, {"fuzz.mig": text})
        assert out.startswith("fuzz.mig") or out.startswith("<command line>")
        return
    assert isinstance(spec, Spec)
    try:
        configurations(spec)
    except SpecError as e:
        assert e.diagnostics


_FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))


_FROM_GRAMMAR = from_lark(
    _GRAMMAR, explicit={"NAME": st.sampled_from(["x", "class", "__import__", "eval", "P", "N"])}
)


# Generating from the grammar is slow (about 0.7 s an example), so the fast
# suite takes a few and the slow step many.
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(_FROM_GRAMMAR)
def test_grammar_generated_inputs(text: str) -> None:
    _check(text)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(_FROM_GRAMMAR)
def test_grammar_generated_inputs_many(text: str) -> None:
    _check(text)


@_FAST
@given(st.text(max_size=200))
def test_random_text(text: str) -> None:
    _check(text)


@_FAST
@given(st.binary(max_size=200))
def test_random_bytes(data: bytes) -> None:
    _check(data.decode("utf-8", errors="replace"))


@_FAST
@given(st.integers(0, len(_VALID)), st.integers(0, 20), st.text(max_size=12))
def test_mutated_valid_spec(pos: int, cut: int, insert: str) -> None:
    _check(_VALID[:pos] + insert + _VALID[pos + cut :])


_RICH = (Path(__file__).resolve().parent.parent / "specs" / "all_constructs.mig").read_text(encoding="utf-8")
_WORDS = sorted(set(re.findall(r"[A-Za-z_][A-Za-z_0-9]*", _RICH)))
_TOKENS = [*_WORDS, "(", ")", "{", "}", ";", "[", "]", ".", "..", "0", "-1", "99", "=", "==", "&&", "->", ","]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 2), st.sampled_from(_TOKENS)), min_size=1, max_size=3
    )
)
def test_mutated_rich_spec(edits: list[tuple[int, int, str]]) -> None:
    """Word-level edits of a spec using every construct reach resolve and lowering."""
    text = _RICH
    for pos, kind, tok in edits:
        words = list(re.finditer(r"[A-Za-z_][A-Za-z_0-9]*|\S", text))
        m = words[pos % len(words)]
        if kind == 0:
            text = text[: m.start()] + tok + text[m.end() :]
        elif kind == 1:
            text = text[: m.start()] + tok + " " + text[m.start() :]
        else:
            text = text[: m.start()] + text[m.end() :]
    try:
        spec = load_spec_text(text, "fuzz.mig", {"patched": "true", "mode": "SYNC"})
    except SpecError as e:
        assert e.diagnostics
        return
    try:
        configurations(spec)
    except SpecError as e:
        assert e.diagnostics


@pytest.mark.slow
@settings(max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(st.integers(0, 10**6), st.integers(0, 2), st.sampled_from(_TOKENS)), min_size=1, max_size=4
    )
)
def test_mutated_rich_spec_many(edits: list[tuple[int, int, str]]) -> None:
    test_mutated_rich_spec.hypothesis.inner_test(edits)  # type: ignore[attr-defined]


def test_valid_spec_lowers() -> None:
    spec = load_spec_text(_VALID, "fuzz.mig")
    assert len(configurations(spec)) == 2
