"""A declaration that fails is reported once; its uses stay silent (NOTE(failed-decl) in model/resolve.py).

`modelcheck specs/no_copy.mig -D PAGES=0` used to print the empty range and then 14 "undeclared
name" errors for the locals and `for` variables over the empty type.  Each case below is a valid
spec with `N = 2` (checked), and with `-D N=0` has exactly the one real error.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from model.frontend import SpecError, load_spec, load_spec_text

ROOT = Path(__file__).resolve().parent.parent.parent

HEAD = "const N = 2;\ntype T = 0..N-1;\nvar v: [0..1] bool;\n"

CASES = {
    "process local": "process P { var x: T; x = 0; v[x] = true; }",
    "array local": "process P { var a: [T] bool; a[0] = true; await a[1]; }",
    "procedure local": "proc f() { var q: T; q = 1; } process P { f(); }",
    "for variable": "process P { for k in T { v[k] = true; } }",
    "quantifier variable": "process P { await exists j in T: v[j]; }",
    "process index and self": "process P[i: T] { v[i] = true; v[self] = false; }",
    "self in a procedure": "proc f() { v[self] = true; } process P[i: T] { f(); }",
    "local read by a property": "process P[i: T] { var x: T; x = 1; }\ninvariant p: P[0].x == 0;",
    "lock array": "lock l: [T] mutex; process P { var k: T; lock(l[k]); unlock(l[k]); }",
}


def _errors(text: str, defines: dict[str, str]) -> list[str]:
    try:
        load_spec_text(text, "t.mig", defines)
    except SpecError as e:
        return [d.message for d in e.diagnostics]
    return []


@pytest.mark.parametrize("body", CASES.values(), ids=list(CASES))
def test_one_error_for_an_empty_type(body: str) -> None:
    text = HEAD + body + "\n"
    assert _errors(text, {}) == [], "the spec must be valid when T is not empty"
    assert _errors(text, {"N": "0"}) == ["empty range 0..-1: the lower bound is above the upper bound"]


def test_real_errors_next_to_a_failed_declaration_are_kept() -> None:
    # silencing a failed name must not silence a different, real mistake
    text = HEAD + "process P { var x: T; x = 0; y = 1; }\n"
    errs = _errors(text, {"N": "0"})
    assert len(errs) == 2
    assert errs[1].startswith("undeclared name 'y'")


def test_no_copy_pages_zero_has_one_error() -> None:
    with pytest.raises(SpecError) as ei:
        load_spec(str(ROOT / "specs" / "no_copy.mig"), {"PAGES": "0"})
    assert [d.message for d in ei.value.diagnostics] == [
        "empty range 0..-1: the lower bound is above the upper bound"
    ]
