"""Orchestration: merging engine answers, expectations and exit codes (fake engines, hand-built IR)."""

from __future__ import annotations

import dataclasses

import pytest
from cli_fakes import engines, lasso_trace, make_model, result, violation_trace, witness_trace

from checker.result import PropertyResult, StopReason, Verdict
from checker.run import (
    Command,
    EngineChoice,
    Engines,
    ExitCode,
    InternalError,
    RunOptions,
    Status,
    UserError,
    run,
    select,
)
from model.ir import Model, Property

CFG_F = (("patched", 0, "false"),)
CFG_T = (("patched", 1, "true"),)


def prop(model: Model, name: str) -> Property:
    return next(p for p in model.properties if p.name == name)


def test_all_fine_is_exit_0() -> None:
    r = run("f.mig", [make_model()], RunOptions(), engines())
    assert r.exit_code is ExitCode.OK
    assert [o.status for _, o in r.outcomes()] == [Status.AS_EXPECTED] * 5


def test_unexpected_violation_is_exit_1() -> None:
    m = make_model()
    e = engines(explicit={"safe": result(prop(m, "safe"), Verdict.VIOLATED, trace=violation_trace())})
    r = run("f.mig", [m], RunOptions(), e)
    assert r.exit_code is ExitCode.UNEXPECTED
    assert "safe [default]" in r.reason


def test_expected_violation_that_happens_is_exit_0() -> None:
    m = make_model(expect=["safe"])
    e = engines(explicit={"safe": result(prop(m, "safe"), Verdict.VIOLATED, trace=violation_trace())})
    r = run("f.mig", [m], RunOptions(), e)
    assert r.exit_code is ExitCode.OK


def test_expected_violation_that_does_not_happen_is_exit_1() -> None:
    r = run("f.mig", [make_model(expect=["safe"])], RunOptions(), engines())
    assert r.exit_code is ExitCode.UNEXPECTED


def test_expectation_comes_from_the_spec_not_the_engine() -> None:
    # NOTE(expectation): an engine that drops expect_violation cannot turn a failure into a pass.
    m = make_model(expect=["safe"])
    lying = dataclasses.replace(result(prop(m, "safe"), Verdict.HOLDS), expect_violation=False)
    r = run("f.mig", [m], RunOptions(), engines(explicit={"safe": lying}))
    assert r.exit_code is ExitCode.UNEXPECTED


def test_not_reached_target_is_a_failure_unless_expected() -> None:
    m = make_model()
    e = engines(explicit={"done": result(prop(m, "done"), Verdict.NOT_REACHED)})
    assert run("f.mig", [m], RunOptions(), e).exit_code is ExitCode.UNEXPECTED
    m2 = make_model(expect=["done"])
    e2 = engines(explicit={"done": result(prop(m2, "done"), Verdict.NOT_REACHED)})
    assert run("f.mig", [m2], RunOptions(), e2).exit_code is ExitCode.OK


def test_incomplete_is_exit_3_but_a_failure_wins() -> None:
    m = make_model()
    inc = result(prop(m, "progress"), Verdict.INCOMPLETE, reason=StopReason.MAX_STATES)
    assert (
        run("f.mig", [m], RunOptions(), engines(explicit={"progress": inc})).exit_code is ExitCode.INCOMPLETE
    )
    bad = result(prop(m, "safe"), Verdict.VIOLATED, trace=violation_trace())
    r = run("f.mig", [m], RunOptions(), engines(explicit={"progress": inc, "safe": bad}))
    assert r.exit_code is ExitCode.UNEXPECTED


def test_incomplete_never_counts_as_expected_violation() -> None:
    m = make_model(expect=["safe"])
    inc = result(prop(m, "safe"), Verdict.INCOMPLETE, reason=StopReason.TIMEOUT)
    r = run("f.mig", [m], RunOptions(), engines(explicit={"safe": inc}))
    assert r.exit_code is ExitCode.INCOMPLETE


def test_both_engines_agreeing_report_both_answers() -> None:
    r = run("f.mig", [make_model()], RunOptions(engine=EngineChoice.BOTH), engines())
    assert r.exit_code is ExitCode.OK
    labels = {o.prop.name: o.verdict_label for _, o in r.outcomes()}
    assert labels["safe"] == "HOLDS + PROVED"
    assert labels["done"] == "REACHED + REACHED"


def test_disagreement_is_exit_70_with_both_answers() -> None:
    m = make_model()
    e = engines(explicit={"safe": result(prop(m, "safe"), Verdict.VIOLATED, trace=violation_trace())})
    r = run("f.mig", [m], RunOptions(engine=EngineChoice.BOTH), e)
    assert r.exit_code is ExitCode.INTERNAL
    outcome = next(o for _, o in r.outcomes() if o.prop.name == "safe")
    assert outcome.status is Status.INTERNAL
    assert "explicit says VIOLATED" in outcome.problem and "symbolic says PROVED" in outcome.problem


def test_symbolic_answer_used_when_explicit_is_incomplete() -> None:
    m = make_model()
    inc = result(prop(m, "bounded"), Verdict.INCOMPLETE, reason=StopReason.MAX_STATES)
    r = run("f.mig", [m], RunOptions(engine=EngineChoice.BOTH), engines(explicit={"bounded": inc}))
    o = next(o for _, o in r.outcomes() if o.prop.name == "bounded")
    assert o.primary.verdict is Verdict.PROVED and o.verdict_label == "INCOMPLETE + PROVED"
    assert r.exit_code is ExitCode.OK


def test_z3_trace_that_does_not_replay_is_exit_70() -> None:
    r = run(
        "f.mig",
        [make_model()],
        RunOptions(engine=EngineChoice.SYMBOLIC),
        engines(replay_failure="step 1 is not enabled"),
    )
    assert r.exit_code is ExitCode.INTERNAL
    o = next(o for _, o in r.outcomes() if o.prop.name == "done")
    assert "does not replay" in o.problem


def test_engine_answering_for_the_wrong_properties_is_internal() -> None:
    m = make_model()
    broken = engines()

    def short(model: Model, options: RunOptions) -> list[PropertyResult]:
        return list(broken.explicit(model, options))[:-1]

    with pytest.raises(InternalError):
        run("f.mig", [m], RunOptions(), dataclasses.replace(broken, explicit=short))


def test_violation_without_trace_is_internal() -> None:
    m = make_model()
    e = engines(explicit={"safe": result(prop(m, "safe"), Verdict.VIOLATED)})
    with pytest.raises(InternalError):
        run("f.mig", [m], RunOptions(), e)


def test_holds_after_a_limit_is_internal() -> None:
    m = make_model()
    e = engines(explicit={"safe": result(prop(m, "safe"), Verdict.HOLDS, reason=StopReason.MAX_STATES)})
    with pytest.raises(InternalError):
        run("f.mig", [m], RunOptions(), e)


def test_ctrl_c_leaves_incomplete_results_and_exit_3() -> None:
    calls: list[str] = []
    base = engines()

    def interrupted(model: Model, options: RunOptions) -> list[PropertyResult]:
        calls.append(model.config_label())
        if len(calls) == 2:
            raise KeyboardInterrupt
        return list(base.explicit(model, options))

    models = [make_model(CFG_F), make_model(CFG_T), make_model((("patched", 2, "maybe"),))]
    r = run("f.mig", models, RunOptions(), dataclasses.replace(base, explicit=interrupted))
    assert calls == ["patched=false", "patched=true"]  # the third is not run
    assert r.exit_code is ExitCode.INCOMPLETE
    assert r.reason.startswith("interrupted")
    statuses = [[o.status for o in c.outcomes] for c in r.configs]
    assert statuses[0] == [Status.AS_EXPECTED] * 5
    assert statuses[1] == statuses[2] == [Status.INCOMPLETE] * 5
    assert all(o.primary.reason is StopReason.INTERRUPTED for o in r.configs[2].outcomes)


def test_prove_runs_safety_and_liveness_expected_to_hold() -> None:
    r = run("f.mig", [make_model()], RunOptions(command=Command.PROVE), engines())
    assert [o.prop.name for _, o in r.outcomes()] == ["safe", "bounded", "deadlock", "progress"]
    assert all(o.primary.verdict is Verdict.PROVED for _, o in r.outcomes())
    assert r.skipped == 1 and r.exit_code is ExitCode.OK
    # liveness declared violated is left to `check` (z3 proves; its lasso search is part of `check`)
    r = run("f.mig", [make_model(expect=["progress"])], RunOptions(command=Command.PROVE), engines())
    assert "progress" not in [o.prop.name for _, o in r.outcomes()] and r.skipped == 2


def test_lasso_and_witness_traces_are_kept() -> None:
    m = make_model(expect=["progress"])
    e = engines(explicit={"progress": result(prop(m, "progress"), Verdict.VIOLATED, trace=lasso_trace())})
    r = run("f.mig", [m], RunOptions(), e)
    got = {o.prop.name: o.primary.trace for _, o in r.outcomes()}
    assert got["progress"] == lasso_trace() and got["done"] == witness_trace()
    assert r.exit_code is ExitCode.OK


# ---------------------------------------------------------------- selection


def test_config_filter_by_shown_or_raw_value() -> None:
    models = [make_model(CFG_F), make_model(CFG_T)]
    assert [m.config for m in select(models, RunOptions(configs=(("patched", "true"),)))] == [CFG_T]
    assert [m.config for m in select(models, RunOptions(configs=(("patched", "0"),)))] == [CFG_F]
    both = RunOptions(configs=(("patched", "0"), ("patched", "true")))
    assert len(select(models, both)) == 2


def test_config_filter_errors_say_what_exists() -> None:
    models = [make_model(CFG_F), make_model(CFG_T)]
    with pytest.raises(UserError, match="did you mean 'patched'"):
        select(models, RunOptions(configs=(("pached", "true"),)))
    with pytest.raises(UserError, match="no configuration matches"):
        select(models, RunOptions(configs=(("patched", "maybe"),)))


def test_property_filter() -> None:
    chosen = select([make_model()], RunOptions(properties=("safe", "done")))
    assert [p.name for p in chosen[0].properties] == ["safe", "done"]
    with pytest.raises(UserError, match="did you mean 'safe'"):
        select([make_model()], RunOptions(properties=("saf",)))


def test_nothing_to_check_is_a_user_error() -> None:
    empty = dataclasses.replace(make_model(), properties=())
    with pytest.raises(UserError, match="no property"):
        select([empty], RunOptions())


def test_engines_type_is_injectable() -> None:
    assert isinstance(engines(), Engines)


def test_engine_that_caught_ctrl_c_stops_the_run() -> None:
    calls: list[str] = []
    base = engines()

    def caught(model: Model, options: RunOptions) -> list[PropertyResult]:
        calls.append(model.config_label())
        return [
            dataclasses.replace(r, verdict=Verdict.INCOMPLETE, reason=StopReason.INTERRUPTED, trace=None)
            for r in base.explicit(model, options)
        ]

    r = run(
        "f.mig",
        [make_model(CFG_F), make_model(CFG_T)],
        RunOptions(),
        dataclasses.replace(base, explicit=caught),
    )
    assert calls == ["patched=false"]
    assert r.exit_code is ExitCode.INCOMPLETE and r.reason.startswith("interrupted")


def test_symbolic_trace_that_fails_replay_inside_the_engine_is_exit_70() -> None:
    from checker.run import TraceReplayError

    base = engines()

    def bad(model: Model, options: RunOptions) -> list[PropertyResult]:
        raise TraceReplayError("safe", "step 2 is not enabled", violation_trace())

    r = run(
        "f.mig", [make_model()], RunOptions(engine=EngineChoice.BOTH), dataclasses.replace(base, symbolic=bad)
    )
    assert r.exit_code is ExitCode.INTERNAL
    safe = next(o for _, o in r.outcomes() if o.prop.name == "safe")
    assert safe.status is Status.INTERNAL and "step 2 is not enabled" in safe.problem
    assert [a.trace for a in safe.evidence()] == [violation_trace()]  # the z3 trace is shown
    others = [o for _, o in r.outcomes() if o.prop.name != "safe"]
    assert all(o.status is Status.AS_EXPECTED for o in others)  # explicit answers stand
