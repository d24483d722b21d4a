"""Exit-code rules (DESIGN.md §5) as properties over random answers: 70 > 1 > 3 > 0."""

from __future__ import annotations

from cli_fakes import make_model, result
from hypothesis import given, settings
from hypothesis import strategies as st

from checker.result import StopReason, Verdict
from checker.run import ConfigOutcome, ExitCode, Status, exit_of, merge
from model.ir import Property, PropKind

MODEL = make_model()
SAFETY = next(p for p in MODEL.properties if p.kind is PropKind.INVARIANT)
TARGET = next(p for p in MODEL.properties if p.kind is PropKind.REACHABLE)

SAFETY_VERDICTS = [Verdict.HOLDS, Verdict.PROVED, Verdict.VIOLATED, Verdict.INCOMPLETE, Verdict.UNKNOWN]
TARGET_VERDICTS = [Verdict.REACHED, Verdict.NOT_REACHED, Verdict.INCOMPLETE, Verdict.UNKNOWN]


@st.composite
def outcome_inputs(draw: st.DrawFn) -> tuple[Property, list[Verdict]]:
    base = draw(st.sampled_from([SAFETY, TARGET]))
    prop = Property(base.name, base.kind, base.span, base.expr, expect_violation=draw(st.booleans()))
    pool = SAFETY_VERDICTS if prop.kind is PropKind.INVARIANT else TARGET_VERDICTS
    return prop, draw(st.lists(st.sampled_from(pool), min_size=1, max_size=2))


def answers_for(prop: Property, verdicts: list[Verdict]) -> list:  # type: ignore[type-arg]
    engines = ["explicit", "symbolic"]
    out = []
    for engine, v in zip(engines, verdicts, strict=False):
        reason = None if v.is_definite else StopReason.TIMEOUT
        out.append(result(prop, v, engine, reason=reason))
    return out


def expected_status(prop: Property, verdicts: list[Verdict]) -> Status:
    found = {Verdict.VIOLATED, Verdict.REACHED}
    absent = {Verdict.HOLDS, Verdict.PROVED, Verdict.NOT_REACHED}
    if any(v in found for v in verdicts) and any(v in absent for v in verdicts):
        return Status.INTERNAL
    definite = [v for v in verdicts if v.is_definite]
    if not definite:
        return Status.INCOMPLETE
    failed = definite[0] in (Verdict.VIOLATED, Verdict.NOT_REACHED)
    return Status.AS_EXPECTED if failed == prop.expect_violation else Status.UNEXPECTED


@settings(max_examples=100, deadline=None)
@given(st.lists(outcome_inputs(), min_size=1, max_size=6))
def test_status_and_exit_code(cases: list[tuple[Property, list[Verdict]]]) -> None:
    outcomes = []
    for prop, verdicts in cases:
        o = merge(prop, answers_for(prop, verdicts))
        assert o.status is expected_status(prop, verdicts)
        outcomes.append(o)
    code, reason = exit_of([ConfigOutcome(MODEL, tuple(outcomes), 0.0)])
    statuses = {o.status for o in outcomes}
    if Status.INTERNAL in statuses:
        assert code is ExitCode.INTERNAL
    elif Status.UNEXPECTED in statuses:
        assert code is ExitCode.UNEXPECTED
    elif Status.INCOMPLETE in statuses:
        assert code is ExitCode.INCOMPLETE
    else:
        assert code is ExitCode.OK
    assert reason
