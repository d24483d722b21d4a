"""Adversarial specs the grammar fuzzer does not reach (task h11's audit).

Resource-shaped inputs (deep nesting, long chains, huge literals, wide
quantifiers): each gets a located diagnostic (exit 2) or is checked, never a
RecursionError, a MemoryError or a hang.  See NOTE(nesting) in
model/syntax.py and NOTE(quantifiers) in model/lower.py.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from checker import cli
from model import ir, lower
from model.diagnostics import EXCERPT_WIDTH, render
from model.frontend import SpecError, configurations, load_spec_text
from model.lower import CHAIN_WIDTH
from model.syntax import MAX_NESTING

HEAD = "var x: 0..3 = 0;\nvar a: [0..3] 0..3;\n"
TAIL = "\ninvariant small: x < 4;\n"


def nested(kind: str, n: int) -> str:
    """A spec whose one process nests `kind` n times."""
    match kind:
        case "if":
            body = "if x == 0 { " * n + "x = 1;" + " }" * n
        case "while":
            body = "while x == 0 { " * n + "x = 1;" + " }" * n
        case "atomic":
            body = "atomic { " * n + "x = 1;" + " }" * n
        case "block":
            body = "{ " * n + "x = 1;" + " }" * n
        case "either":
            body = "either { " * n + "x = 1;" + " } or { skip; }" * n
        case "sum":
            body = "x = (x" + " + x" * n + ") % 4;"
        case "and":
            body = "if x == 0" + "".join(f" && a[{i % 4}] < {i % 3 + 1}" for i in range(n)) + " { x = 1; }"
        case "not":
            body = "if " + "!" * n + "(x == 0) { x = 1; }"
        case "neg":
            body = "x = (" + "-" * n + "x) % 4;"
        case "parens":
            body = "x = (x" + " + (0" * n + ")" * n + ") % 4;"
        case "index":
            body = "x = " + "a[" * n + "0" + "]" * n + ";"
        case _:
            raise AssertionError(kind)
    return HEAD + "process P { " + body + " }" + TAIL


KINDS = ["if", "while", "atomic", "block", "either", "sum", "and", "not", "neg", "parens", "index"]


def accepted(text: str) -> bool:
    try:
        configurations(load_spec_text(text, "deep.mig"))
    except SpecError:
        return False
    return True


@pytest.mark.parametrize("kind", KINDS)
def test_too_deep_is_a_located_diagnostic(kind: str) -> None:
    """Thousands of levels were a RecursionError (VisitError, exit 70) or an unlocated message."""
    with pytest.raises(SpecError) as info:
        load_spec_text(nested(kind, 3 * MAX_NESTING), "deep.mig")
    (d,) = info.value.diagnostics
    assert d.message.startswith(f"nested more than {MAX_NESTING} levels deep")
    assert d.span.line == 3 and d.span.col > 1


DEEPEST = {"if": 48, "sum": 93, "parens": 47, "index": 96, "neg": 94}  # at MAX_NESTING = 100


@pytest.mark.parametrize("kind", sorted(DEEPEST))
def test_the_deepest_accepted_spec_runs_in_both_engines(kind: str, tmp_path: Path) -> None:
    """At the nesting limit the engines' code generators and z3 cope (no 'too many nested parentheses')."""
    n = DEEPEST[kind]
    assert accepted(nested(kind, n)) and not accepted(nested(kind, n + 1))
    assert n >= 20  # the limit leaves room for real specs (no_copy nests 19 levels)
    path = tmp_path / "deep.mig"
    path.write_text(nested(kind, n), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = cli.execute(
        [str(path), "--engine", "both", "--bmc-depth", "1", "--no-timing", "--quiet"], out, err
    )
    assert code in (0, 1), err
    assert "internal error" not in err and "disagree" not in out


def test_huge_integer_literal_is_a_located_diagnostic() -> None:
    """5000 digits: int() refused it inside the Transformer (VisitError, exit 70)."""
    with pytest.raises(SpecError) as info:
        load_spec_text("const N = " + "9" * 5000 + ";\n" + HEAD + "process P { x = 1; }" + TAIL, "big.mig")
    (d,) = info.value.diagnostics
    assert (d.span.line, d.span.col, d.message) == (1, 11, "an integer literal of 5000 digits; at most 100")


def test_long_literal_below_the_limit_is_a_value() -> None:
    text = "const N = " + "9" * 100 + ";\n" + HEAD + "process P { x = 1; }\ninvariant big: x < N;\n"
    (model,) = configurations(load_spec_text(text, "big.mig"))
    assert "9" * 100 in str(model.properties[0].expr)


WIDE = """\
type T = 0..299;
type L = 0..63;
var a: [T] bool;
lock l: [L] spinlock;
process P { lock(l[3]); a[0] = true; unlock(l[3]); }
invariant only_first: forall k in T: k == 0 || !a[k];
invariant some_clear: exists k in T: !a[k];
"""


@pytest.mark.parametrize(
    "engine",
    ["explicit", pytest.param("both", marks=pytest.mark.slow)],  # z3 on 364 variables: ~7 s
)
def test_wide_quantifier_is_checked(engine: str, tmp_path: Path) -> None:
    """`forall` over 300 values nested 300 deep in the IR: the explicit code generator overflowed (exit 70)."""
    path = tmp_path / "wide.mig"
    path.write_text(WIDE, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    argv = [str(path), "--engine", engine, "--bmc-depth", "1", "--timeout", "20", "--no-timing"]
    code = cli.execute(argv, out, err)
    assert (code, err.getvalue()) == (0, "") and "HOLDS" in out.getvalue()


def expr_depth(e: ir.Expr) -> int:
    match e:
        case ir.Const() | ir.VarRef():
            return 1
        case ir.Select(index=i) | ir.Unary(arg=i):
            return 1 + expr_depth(i)
        case ir.Binary(lhs=a, rhs=b):
            return 1 + max(expr_depth(a), expr_depth(b))
        case ir.Ite(cond=c, then=t, else_=f):
            return 1 + max(expr_depth(c), expr_depth(t), expr_depth(f))


def test_wide_conjunctions_are_balanced() -> None:
    (model,) = configurations(load_spec_text(WIDE, "wide.mig"))
    exprs = [p.expr for p in model.properties if p.expr is not None] + [t.guard for t in model.transitions]
    assert max(expr_depth(e) for e in exprs) <= CHAIN_WIDTH + 12


def test_nested_quantifier_blowup_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three nested `forall` over 0..4000 (6.4e10 copies) hung; the limit is lowered to keep this fast."""
    monkeypatch.setattr(lower, "MAX_QUANTIFIER_INSTANCES", 1000)
    text = (
        "type T = 0..4000;\n"
        + HEAD
        + "process P { x = 1; }\ninvariant i: forall i in T: forall j in T: x < 5;\n"
    )
    with pytest.raises(SpecError) as info:
        configurations(load_spec_text(text, "q.mig"))
    (d,) = info.value.diagnostics
    assert d.message.startswith("the quantifiers of this spec expand to more than 1,000 instances")
    assert (d.span.line, d.span.col) == (5, 29)
    assert info.value.sources == {"q.mig": text}  # the excerpt's text, so the file is not read again


def test_long_line_excerpt_is_a_window_around_the_caret() -> None:
    """A one-line generated spec printed the whole line (megabytes) in each excerpt."""
    text = "var x: 0..3 = 0; process P { x = 1; }" + " " * 300 + "invariant i: x < 3 +; // end\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "one.mig")
    rendered = render(info.value.diagnostics, {"one.mig": text}).splitlines()
    assert rendered[0] == "one.mig:1:358: error: expected an expression, found ';'"
    assert all(len(line) <= EXCERPT_WIDTH + 20 for line in rendered)
    assert rendered[1][rendered[2].index("^")] == ";"


def test_caret_stays_under_the_text_after_escaped_control_characters() -> None:
    """`\\x1b` is shown as four characters: the caret was three columns short."""
    text = "var x: 0..3 = 0;\nprocess P { x = 1; }\nvar q: 0..1 = 0 \x1b]0;title\x07;\n"
    with pytest.raises(SpecError) as info:
        load_spec_text(text, "esc.mig")
    rendered = render(info.value.diagnostics, {"esc.mig": text}).splitlines()
    assert "\x1b" not in "".join(rendered) and "\\x1b]0;title\\x07" in rendered[1]
    assert rendered[3].startswith("esc.mig:3:21: error:") and "found 'title'" in rendered[3]
    caret = rendered[5].index("^")
    assert rendered[4][caret : caret + 5] == "title" and rendered[5][caret:] == "^~~~~"


def test_repeated_squaring_of_constants_is_refused() -> None:
    """`const C1 = C0 * C0; const C2 = C1 * C1; ...` grew 2^(2^k) digits: a hang."""
    text = "const C0 = 99;\n" + "".join(f"const C{i} = C{i - 1} * C{i - 1};\n" for i in range(1, 40))
    with pytest.raises(SpecError) as info:
        load_spec_text(text + HEAD + "process P { x = 1; }" + TAIL, "sq.mig")
    first = info.value.diagnostics[0]
    assert first.message.startswith("a constant expression too large: more than 512 bits")
    assert (first.span.line, first.span.col) == (8, 12)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # 300 writes building on each other: the explicit code generator's 'too many nested parentheses' (exit 70)
        ("x = (x + 1) % 4; " * 300, "this atomic step builds a value nested more than 100 levels deep"),
        # unrolled: the same, and a RecursionError in lowering before the limit existed
        (
            "for i in 0..4095 { for j in 0..4095 { x = (x + 1) % 4; } }",
            "this atomic step builds a value nested",
        ),
        # a constant squaring itself 40 times: 2^40 digits, a hang
        ("y = 99; " + "y = y * y; " * 40, "this value has more than 512 bits"),
    ],
    ids=["sequence", "unrolled", "squaring"],
)
def test_values_built_inside_an_atomic_step_are_bounded(body: str, message: str) -> None:
    text = HEAD + "process P { var y: 0..100 = 0; atomic { " + body + "} }" + TAIL
    with pytest.raises(SpecError) as info:
        configurations(load_spec_text(text, "step.mig"))
    (d,) = info.value.diagnostics
    assert d.message.startswith(message) and d.span.line == 3


def test_unrolled_branches_in_an_atomic_step_stop_quickly(monkeypatch: pytest.MonkeyPatch) -> None:
    """16M unrolled `if`s in one atomic step ran for minutes: every decided branch grew the path's
    guard list, scanned once per statement (quadratic).  The work limit is lowered to keep this fast."""
    monkeypatch.setattr(lower, "MAX_SYMBOLIC_WORK", 5000)
    body = "for i in 0..4095 { for j in 0..4095 { if x == 0 { x = 1; } else { x = 0; } } }"
    with pytest.raises(SpecError) as info:
        configurations(load_spec_text(HEAD + "process P { atomic { " + body + " } }" + TAIL, "if.mig"))
    (d,) = info.value.diagnostics
    assert d.message == "the atomic steps of this spec unroll to too many statements"


def test_a_decided_branch_adds_no_guard() -> None:
    lowerer = lower.Lowerer.__new__(lower.Lowerer)
    path = lower._Path()
    assert lowerer.split(path, ir.TRUE) == (path, None) and path.guard == []
    assert lowerer.split(path, ir.FALSE) == (None, path) and path.guard == []
