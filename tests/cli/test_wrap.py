"""Cell wrapping in the verdict table and swimlanes (checker/report/grid.py `wrap`).

A configuration's `recheck_mapping=false` in a narrow column was cut as
`recheck_mapping=f` / `  alse`; a long word now breaks after a `=` or `_` when it has one.
"""

from __future__ import annotations

from checker.report.grid import wrap


def test_a_param_breaks_after_the_equals_sign() -> None:
    assert wrap("recheck_mapping=false", 17) == ["recheck_mapping=", "  false"]


def test_a_long_name_breaks_after_an_underscore() -> None:
    assert wrap("lookup_retried_on_frozen", 17) == ["lookup_retried_", "  on_frozen"]


def test_words_that_fit_are_not_split() -> None:
    assert wrap("use_freeze=true", 17) == ["use_freeze=true"]
    assert wrap("x = a_b + c_d", 8) == ["x = a_b", "  + c_d"]


def test_a_word_with_no_break_point_is_still_cut() -> None:
    assert wrap("abcdefghij", 4) == ["abcd", "  ef", "  gh", "  ij"]
    assert all(len(line) <= 10 for line in wrap("a==b==c==d==e==f==g", 10))


def test_a_step_list_wraps_its_initial_state_to_the_width() -> None:
    from checker.report.steps import view
    from checker.report.swimlane import TraceStyle, render_trace
    from checker.result import Trace
    from model.frontend import configurations, load_spec_text

    names = [f"variable_{k}" for k in range(12)]
    text = "".join(f"var {n}: 0..1 = 1;\n" for n in names) + "process P { variable_0 = 0; }\n"
    (model,) = configurations(load_spec_text(text, "t.mig"))
    (state,) = model.initial_states()
    (t,) = model.transitions
    post = tuple(0 if model.variables[i].name == "variable_0" else v for i, v in enumerate(state))
    lines = render_trace(view(model, Trace((state, post), (t.index,))), TraceStyle.LIST, width=60)
    assert lines[0].startswith("initial state: variable_0 = 1")
    head = [ln for ln in lines if not ln.lstrip()[:1].isdigit() and "->" not in ln]
    assert len(head) > 1 and all(len(ln) <= 60 for ln in head), lines
    assert "variable_11 = 1" in " ".join(head)
