"""C's conditional expression `c ? a : b` in the .mig language.

Parsing and precedence (C's, with `->` at the level of C's assignment),
typing (a bool condition, two values of one type), the short-circuit (only
the branch taken is evaluated, so a runtime check in the other one never
fires), no step of its own, and both engines agreeing on specs that use it.
docs/LANGUAGE.md ("Expressions") is the reference.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from checker.cli import execute
from checker.explicit import ExplicitOptions, replay
from checker.explicit import check as explicit_check
from checker.result import PropertyResult, Verdict
from checker.symbolic import SymbolicOptions
from checker.symbolic import check as symbolic_check
from model import ir
from model import syntax as S
from model.diagnostics import SpecError
from model.frontend import configurations, load_spec_text
from model.ir_text import format_expr

# ---------------------------------------------------------------- helpers


def expr_of(text: str) -> S.Expr:
    """The expression of `invariant I: <text>;`."""
    ast = S.parse_text(f"invariant I: {text};", "t.mig")
    (item,) = ast.items
    assert isinstance(item, S.PropDecl)
    return item.expr


def shape(e: S.Expr) -> str:
    """A fully parenthesised rendering of `e`, to pin how it was grouped."""
    match e:
        case S.NameRef(name=n):
            return n.text
        case S.IntLit(value=v):
            return str(v)
        case S.BoolLit(value=b):
            return "true" if b else "false"
        case S.UnaryExpr(op=op, arg=a):
            return f"{op.value}{shape(a)}"
        case S.BinaryExpr(op=op, lhs=a, rhs=b):
            return f"({shape(a)} {op.value} {shape(b)})"
        case S.Conditional(cond=c, then=t, else_=f):
            return f"({shape(c)} ? {shape(t)} : {shape(f)})"
        case S.Quant(kind=k, var=v, body=body):
            return f"({k.value} {v.text}: {shape(body)})"
        case S.IndexRef(name=n, indices=idx):
            return n.text + "".join(f"[{shape(i)}]" for i in idx)
        case _:
            return type(e).__name__


def one(text: str, **defines: str) -> ir.Model:
    (m,) = configurations(load_spec_text(text, "t.mig", defines))
    return m


def explicit(model: ir.Model) -> dict[str, PropertyResult]:
    out = {}
    for r in explicit_check(model, ExplicitOptions()):
        if r.trace is not None:
            assert replay(model, r.trace) is None
        out[r.property] = r
    return out


def cli(tmp_path: Path, text: str, *args: str) -> tuple[int, str, str]:
    spec = tmp_path / "t.mig"
    spec.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = execute([*args, str(spec)], out, err)
    return code, out.getvalue(), err.getvalue()


def failed_check(model: ir.Model, r: PropertyResult) -> ir.Check:
    assert r.trace is not None and r.trace.failed_check is not None
    return model.transitions[r.trace.transitions[-1]].checks[r.trace.failed_check]


# ---------------------------------------------------------------- parsing and precedence


@pytest.mark.parametrize(
    ("text", "grouped"),
    [
        ("a ? b : c", "(a ? b : c)"),
        # right associative: a ? b : (c ? d : e)
        ("a ? b : c ? d : e", "(a ? b : (c ? d : e))"),
        ("a ? b ? c : d : e", "(a ? (b ? c : d) : e)"),
        # below every binary operator but '->'
        ("a || b ? c : d", "((a || b) ? c : d)"),
        ("a && b ? c : d", "((a && b) ? c : d)"),
        ("x == 1 ? y + 1 : y * 2", "((x == 1) ? (y + 1) : (y * 2))"),
        ("!a ? b : c", "(!a ? b : c)"),
        ("a ? b || c : d && e", "(a ? (b || c) : (d && e))"),
        # '->' sits where C's assignment does: same level, right associative
        ("p -> q ? a : b", "(p -> (q ? a : b))"),
        ("c ? a : b -> d", "(c ? a : (b -> d))"),
        ("(p -> q) ? a : b", "((p -> q) ? a : b)"),
        ("c ? p -> q : r", "(c ? (p -> q) : r)"),
        # binders extend as far right as they can
        ("forall i in T: p ? a : b", "(forall i: (p ? a : b))"),
        ("c ? forall i in T: p : q", "(c ? (forall i: p) : q)"),
        ("c ? a : exists i in T: p", "(c ? a : (exists i: p))"),
        # inside an index and in parentheses
        ("x[c ? 0 : 1] == (c ? y : z)", "(x[(c ? 0 : 1)] == (c ? y : z))"),
    ],
)
def test_grouping(text: str, grouped: str) -> None:
    assert shape(expr_of(text)) == grouped


def test_the_span_covers_the_whole_expression() -> None:
    e = expr_of("x == 1 ? y : z")
    assert isinstance(e, S.Conditional)
    assert (e.span.line, e.span.col, e.span.end_col) == (1, 14, 28)
    e = expr_of("x ? (y) : (z)")  # a parenthesised last value keeps its ')': trace texts are whole
    assert isinstance(e, S.Conditional)
    assert (e.span.col, e.span.end_col) == (14, 27)
    m = one("var x: 0..3;\nvar b: bool;\nprocess P { while b ? (x < 3) : (x < 2) { x = x + 1; } }")
    assert m.transitions[0].text == "while b ? (x < 3) : (x < 2)"


def test_an_operator_chain_keeps_the_parentheses_of_its_last_operand() -> None:
    # NOTE(operator-span): the same rule for `&&`, `||`, `->`, comparisons and arithmetic
    m = one("var x: 0..3;\nvar y: 0..3;\nprocess P { while x < 3 && (y == 0 || y == 1) { x = x + 1; } }")
    assert m.transitions[0].text == "while x < 3 && (y == 0 || y == 1)"
    e = expr_of("(a) -> (b + (c))")
    assert (e.span.col, e.span.end_col) == (14, 30)


USES = """
const N = 2;
const K = N == 0 ? 0 : 10 / N;              // a const
param fast: bool;
type Idx = 0..(N > 1 ? N - 1 : 1);           // a range bound (in parentheses)
var a: [Idx] 0..5 = [fast ? 1 : 2, K > 4 ? 3 : 4];
var x: 0..5 = fast ? K : 0;                  // an initial value
var i: 0..3;
process P {
  var l: 0..5 = fast ? 1 : 0;
  await (i < N ? a[i] : 0) > 0;              // await
  a[i < N ? i : 0] = i == 0 ? 1 : 2;         // index of a target, right-hand side
  if fast ? x > 0 : x == 0 { x = 1; }        // if
  while x < 3 && (fast ? true : l == 0) { x = x + 1; }
  switch fast ? 1 : 2 { case 1: { l = 2; } default: { l = 3; } }
  assert x == (fast ? 3 : 3), "x";
  i = 3;
}
process Q {
  state s, t;
  init s;
  trans s -> t when (fast ? i : 0) == 0 { x = fast ? 2 : x; }
}
invariant inv: P.l <= (fast ? 5 : 5) when (N > 1 ? true : false);
reachable r: (fast ? x == 3 : x == 3) when fast ? true : true;
expect r violated when K == 5 ? false : true;
deadlock off;
"""


def test_usable_everywhere_an_expression_is() -> None:
    ms = configurations(load_spec_text(USES, "t.mig", {}))
    assert [m.config for m in ms] == [(("fast", 0, "false"),), (("fast", 1, "true"),)]
    for m in ms:
        fast = m.config[0][1]
        inits = {v.name: m.initial[v.index] for v in m.variables}
        assert inits["a[0]"] == ((1,) if fast else (2,))
        assert inits["a[1]"] == (3,)  # K = 10 / 2 = 5
        assert inits["x"] == ((5,) if fast else (0,))
        assert inits["P.l"] == ((1,) if fast else (0,))
        # the expectation's `when` is false (K == 5): r is expected reached
        assert next(p for p in m.properties if p.name == "r").expect_violation is False


def test_a_constant_conditional_is_folded_and_a_dynamic_one_costs_no_step() -> None:
    m = one("var x: 0..3;\nvar y: 0..3;\nprocess P { x = y > 0 ? 1 : 2; y = x == 1 ? 0 : y; }")
    assert [t.text for t in m.transitions] == ["x = y > 0 ? 1 : 2", "y = x == 1 ? 0 : y"]
    (w,) = m.transitions[0].writes
    assert isinstance(w, ir.Assign) and isinstance(w.value, ir.Ite)
    assert format_expr(m, w.value) == "(if y > 0 then 1 else 2)"
    # a constant condition selects its branch while lowering; an `if` on it folds (NOTE(fold))
    m2 = one("const N = 2;\nvar x: 0..3;\nprocess P { if (N > 1 ? x == 0 : true) { x = 1; } }")
    # the `if` step (taken, not taken: x == 0 is not constant) and `x = 1`; N > 1 chose `x == 0`
    assert [format_expr(m2, t.guard) for t in m2.transitions] == ["x == 0", "true", "x != 0"]
    m3 = one("const N = 2;\nvar x: 0..3;\nprocess P { if (N > 2 ? false : N > 1) { x = 1; } }")
    assert [t.text for t in m3.transitions] == ["x = 1"]
    # constant means built from constants only, as for `&&`: a variable in the branch not taken counts
    m4 = one("const N = 2;\nvar x: 0..3;\nprocess P { if (N > 1 ? true : x == 0) { x = 1; } }")
    assert [t.text for t in m4.transitions] == ["if N > 1 ? true : x == 0", "x = 1"]  # one step more


# ---------------------------------------------------------------- typing


def errors(text: str, **defines: str) -> list[str]:
    with pytest.raises(SpecError) as ei:
        configurations(load_spec_text(text, "t.mig", defines))
    return [d.message for d in ei.value.diagnostics]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("x = x ? 1 : 2;", "the condition of 'c ? a : b' must be bool, found int"),
        ("x = b ? 1 : true;", "must have the same type, found int after '?' and bool after ':'"),
        ("m = b ? A : 1;", "must have the same type, found enum Mode after '?' and int after ':'"),
        ("m = b ? A : C;", "must have the same type, found enum Mode after '?' and enum Other after ':'"),
        ("x = b ? A : B;", "'x' is 0..3, the value is enum Mode"),
        ("o = b ? self : 0;", "symmetric type misuse"),
        ("x = b ? trylock(l) : false;", "'trylock' changes the state"),
        ("await held_by(l, b ? P[0] : P[1]);", "a conditional can choose the index inside it: P[c ? i : j]"),
    ],
)
def test_type_errors(body: str, message: str) -> None:
    text = (
        "enum Mode { A, B }\nenum Other { C }\nsymmetric type Pid = 0..1;\nlock l: mutex;\n"
        "var x: 0..3;\nvar m: Mode;\nvar b: bool;\n"
        f"process P[w: Pid] {{\n  var o: Pid = any;\n  {body}\n}}\n"
    )
    (msg,) = errors(text)
    assert message in msg


def test_well_typed_conditionals_of_each_kind() -> None:
    text = (
        "enum Mode { A, B }\nsymmetric type Pid = 0..1;\nvar x: 0..3;\nvar m: Mode;\nvar b: bool;\n"
        "process P[w: Pid] {\n  var o: Pid = any;\n"
        "  x = b ? 1 : x;  b = x > 0 ? b : !b;  m = b ? A : B;  o = b ? self : o;\n}\n"
    )
    assert len(one(text).transitions) == 8


def test_constant_type_errors() -> None:
    assert errors("const C = 1 ? 2 : 3;\nprocess P {}") == [
        "type mismatch: the condition of 'c ? a : b' must be bool, found int"
    ]
    assert errors("const D = true ? 2 : false;\nprocess P {}") == [
        "type mismatch: the two values of 'c ? a : b' must have the same type, found int after '?' "
        "and bool after ':'"
    ]


def test_a_type_error_through_the_cli_is_located_with_a_caret(tmp_path: Path) -> None:
    code, _, err = cli(tmp_path, "var x: 0..3;\nvar b: bool;\nprocess P {\n  x = b ? 1 : b;\n}\n", "ir")
    assert code == 2
    assert err == (
        f"{tmp_path / 't.mig'}:4:7: error: type mismatch: the two values of 'c ? a : b' must have the "
        "same type, found int after '?' and bool after ':'\n"
        "    4 |   x = b ? 1 : b;\n"
        "      |       ^~~~~~~~~\n"
    )


def test_a_constant_out_of_range_value_is_an_error_of_the_taken_branch_only() -> None:
    # as an assignment of the value chosen (the existing rule for a constant right-hand side)
    (msg,) = errors("const N = 2;\nvar x: 0..3;\nprocess P { x = N > 1 ? 7 : 0; }")
    assert msg.startswith("value out of range: 7 is not in 0..3")
    assert len(one("const N = 2;\nvar x: 0..3;\nprocess P { x = N > 1 ? 0 : 7; }").transitions) == 1


# ---------------------------------------------------------------- syntax errors


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "x = b ? 1;",
            "a conditional expression is 'c ? a : b': expected ':' and the value when the condition "
            "is false, found ';'",
        ),
        ("x = b ? ;", "a conditional expression is 'c ? a : b': expected the value after '?', found ';'"),
        ("x = b ?: 1;", "'c ?: b' (GNU C) is not supported: write 'c ? c : b'"),
        ("x = b ? 1 : 2 : 3;", "expected ';', found ':'"),
        (
            "for i in 0..b ? 1 : 2 { }",
            "a range bound is a sum: write a conditional there in parentheses, 'lo..(c ? a : b)'",
        ),
    ],
)
def test_syntax_errors_in_plain_words(line: str, message: str) -> None:
    assert errors(f"var x: 0..3;\nvar b: bool;\nprocess P {{\n  {line}\n}}\n") == [message]


# ---------------------------------------------------------------- the short-circuit

SHORT = """
var a: [0..2] 0..3 = [1, 2, 3];
var i: 0..3 = IDX;
var d: 0..2 = DIV;
var x: 0..3;
process P {
  x = i < 3 ? a[i] : 0;             // a[3] only when i < 3
  x = d == 0 ? 0 : 6 / d % 4;       // 6 / 0 only when d != 0
  await i == 3 ? true : a[i] > 0;   // a guard too
  fin: {}
}
reachable done: at(P, fin) && x == X;
"""


def short(idx: int, div: int, x: int) -> str:
    return SHORT.replace("IDX", str(idx)).replace("DIV", str(div)).replace("X", str(x))


def test_the_branch_not_taken_raises_no_runtime_check() -> None:
    m = one(short(3, 0, 0))
    r = explicit(m)
    assert r["runtime"].verdict is Verdict.HOLDS
    assert r["deadlock"].verdict is Verdict.HOLDS
    assert r["done"].verdict is Verdict.REACHED
    assert r["done"].trace is not None and r["done"].trace.length == 3


@pytest.mark.parametrize(
    ("spec", "kind", "message", "length"),
    [
        # the taken branch does fail its check: the run ends at that step
        (
            "var a: [0..2] 0..3;\nvar i: 0..3 = 3;\nvar x: 0..3;\nprocess P { x = i > 0 ? a[i] : 0; }",
            ir.CheckKind.INDEX,
            "index out of range in a[i]",
            1,
        ),
        (
            "var d: 0..2;\nvar x: 0..3;\nprocess P { x = 1; x = d == 0 ? 6 / d : 0; }",
            ir.CheckKind.DIV_ZERO,
            "division by zero in 6 / d",
            2,
        ),
        (
            "var x: 0..3 = 3;\nprocess P { x = x > 2 ? x + 1 : 0; }",
            ir.CheckKind.RANGE,
            "x must stay in 0..3",
            1,
        ),
    ],
)
def test_the_taken_branch_fails_its_check(spec: str, kind: ir.CheckKind, message: str, length: int) -> None:
    m = one(spec)
    r = explicit(m)["runtime"]
    assert r.verdict is Verdict.VIOLATED
    assert r.trace is not None and r.trace.length == length
    c = failed_check(m, r)
    assert c.kind is kind
    assert message in c.message


def test_a_constant_branch_not_taken_may_divide_by_zero() -> None:
    text = "const N = 1;\nconst K = N == 0 ? 0 : 12 / N;\nvar x: 0..12 = K;\nprocess P {}"
    assert one(text).initial[0] == (12,)
    assert one(text, N="0").initial[0] == (0,)
    # the taken branch still fails
    (msg,) = errors("const N = 0;\nconst K = N == 0 ? 12 / N : 0;\nprocess P {}")
    assert msg == "division by zero in a constant expression"


# ---------------------------------------------------------------- properties


def test_a_property_using_a_conditional() -> None:
    text = """
enum Mode { COPY, NO_COPY }
param mode: Mode;
var copied: bool;
var locked: bool;
process P {
  locked = true;
  copied = mode == NO_COPY ? false : true;
  locked = false;
  copied = mode == NO_COPY ? true : copied;   // the NO_COPY copy runs unlocked
}
invariant copy_locked: copied -> (mode == NO_COPY ? locked : true);
reachable copy: copied;
"""
    ms = configurations(load_spec_text(text, "t.mig", {}))
    verdicts = [explicit(m)["copy_locked"].verdict for m in ms]
    assert verdicts == [Verdict.HOLDS, Verdict.VIOLATED]
    r = explicit(ms[1])["copy_locked"]
    assert r.trace is not None and r.trace.length == 4


# ---------------------------------------------------------------- both engines


def both(model: ir.Model) -> list[tuple[PropertyResult, PropertyResult]]:
    ex = explicit_check(model, ExplicitOptions())
    depth = max(r.stats.depth for r in ex)
    sy = symbolic_check(model, SymbolicOptions(max_bmc_depth=depth + 2, timeout=20.0, max_k=2))
    return list(zip(ex, sy, strict=True))


AGREE = """
var a: [0..1] 0..3;
var i: 0..2 = any;
var x: 0..3;
process P { i = i < 2 ? i + 1 : i; x = i < 2 ? a[i] : x; }
process Q[k: 0..1] { a[k] = k == 0 ? 1 : 3; x = a[k] > 2 ? x : a[k]; }
invariant three_only_at_one: i == 1 ? true : x != 3;
invariant never_three: x != 3;
reachable both_set: a[0] == 1 && a[1] == 3;
"""


def test_both_engines_agree_and_the_bmc_depth_is_the_explicit_one() -> None:
    m = one(AGREE)
    pairs = both(m)
    seen = {}
    for e, s in pairs:
        assert e.property == s.property
        seen[e.property] = e.verdict
        if e.verdict in (Verdict.VIOLATED, Verdict.REACHED):
            assert s.verdict is e.verdict, (e.property, s.verdict, s.detail)
            assert e.trace is not None and s.trace is not None
            assert s.trace.length == e.trace.length, e.property
            assert replay(m, s.trace) is None
        else:
            assert e.verdict is Verdict.HOLDS, e.property
            assert s.verdict in (Verdict.HOLDS, Verdict.PROVED), (e.property, s.verdict, s.detail)
    assert seen["three_only_at_one"] is Verdict.HOLDS
    # Q[1] writes 3 to a[1], P steps i from 0 to 1, P copies a[1]: three steps
    assert seen["never_three"] is Verdict.VIOLATED
    assert [e.trace.length for e, _ in pairs if e.property == "never_three" and e.trace] == [3]
    assert seen["runtime"] is Verdict.HOLDS  # a[i] with i == 2 is never evaluated
    assert seen["both_set"] is Verdict.REACHED


def test_check_engine_both_through_the_cli(tmp_path: Path) -> None:
    code, out, err = cli(tmp_path, short(3, 0, 0), "check", "--engine", "both", "--no-timing")
    assert code == 0, out + err
    assert "HOLDS + PROVED" in out and "REACHED + REACHED" in out
