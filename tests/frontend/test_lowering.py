"""Unit tests pinning the lowering of each construct, step granularity first.

Each test lowers a tiny spec and checks the IR: how many transitions a
statement becomes, from which location to which, with which guard, checks
and writes.  docs/LANGUAGE.md's step table is the reference.
"""

from __future__ import annotations

import pytest

from model import ir
from model.diagnostics import SpecError
from model.frontend import configurations, load_spec_text
from model.ir_text import format_expr, format_model


def lower1(text: str, **defines: str) -> ir.Model:
    (m,) = configurations(load_spec_text(text, "t.mig", defines))
    return m


def trans_of(m: ir.Model, proc: str) -> list[ir.Transition]:
    p = next(p for p in m.processes if p.name == proc)
    return [t for t in m.transitions if t.process == p.index]


def var(m: ir.Model, name: str) -> int:
    return next(v.index for v in m.variables if v.name == name)


def show(m: ir.Model, e: ir.Expr) -> str:
    return format_expr(m, e)


def writes(m: ir.Model, t: ir.Transition) -> dict[str, str]:
    out: dict[str, str] = {}
    for w in t.writes:
        assert isinstance(w, ir.Assign)
        v = w.value
        shown = m.show_value(w.var, v.value) if isinstance(v, ir.Const) and not v.is_bool else show(m, v)
        out[m.variables[w.var].name] = shown
    return out


def errors(text: str, **defines: str) -> list[str]:
    with pytest.raises(SpecError) as ei:
        configurations(load_spec_text(text, "t.mig", defines))
    return [d.message for d in ei.value.diagnostics]


# ---------------------------------------------------------------- simple statements


def test_each_simple_statement_is_one_step() -> None:
    m = lower1("var x: 0..3; process P { x = 1; skip; ; await x == 1; assert x > 0; }")
    ts = trans_of(m, "P")
    assert [t.text for t in ts] == ["x = 1", "skip", ";", "await x == 1", "assert x > 0"]
    assert [(t.pc_from, t.pc_to) for t in ts] == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]
    assert show(m, ts[3].guard) == "x == 1"
    assert ts[4].checks[0].kind is ir.CheckKind.ASSERT and ts[4].checks[0].prop == "assert"
    p = m.processes[0]
    assert p.end_locations == frozenset({5})  # falling off the end is an end location


def test_assign_any_is_one_step_per_value() -> None:
    m = lower1("var x: 0..2; process P { x = any; }")
    ts = trans_of(m, "P")
    assert len(ts) == 3
    assert [writes(m, t) for t in ts] == [{"x": "0"}, {"x": "1"}, {"x": "2"}]
    assert all((t.pc_from, t.pc_to) == (0, 1) for t in ts)


def test_range_check_kept_or_omitted_by_interval_reasoning() -> None:
    m = lower1("var x: 0..3; var y: 0..9; process P { x = x + 1; y = x + 1; }")
    t1, t2 = trans_of(m, "P")
    assert [c.kind for c in t1.checks] == [ir.CheckKind.RANGE]
    assert t1.checks[0].prop == "runtime" and "x must stay in 0..3" in t1.checks[0].message
    assert t2.checks == ()  # x + 1 is within 1..4, inside 0..9


def test_range_check_uses_the_steps_guard() -> None:
    m = lower1("var n: 0..3; process P { state a; init a; trans a -> a when n < 3 { n = n + 1; } }")
    (t,) = trans_of(m, "P")
    assert t.checks == ()


# ---------------------------------------------------------------- control flow


def test_if_else_is_one_step_then_the_branch() -> None:
    m = lower1("var x: 0..3; process P { if x == 0 { x = 1; } else if x == 1 { x = 2; } else { x = 3; } }")
    ts = trans_of(m, "P")
    heads = [t for t in ts if t.pc_from == 0]
    assert [t.text for t in heads] == ["if x == 0", "else if x == 1", "else"]
    assert [show(m, t.guard) for t in heads] == ["x == 0", "x != 0 && x == 1", "x != 0 && x != 1"]
    assert all(t.writes == () for t in heads)
    assert len(ts) == 6  # 3 condition steps + 3 branch bodies


def test_if_without_else_falls_through_in_one_step() -> None:
    m = lower1("var x: 0..3; process P { if x == 0 { x = 1; } x = 2; }")
    ts = trans_of(m, "P")
    skip = next(t for t in ts if t.text.endswith("not taken"))
    assert show(m, skip.guard) == "x != 0"
    after = next(t for t in ts if t.text == "x = 2")
    assert skip.pc_to == after.pc_from


def test_switch_is_one_step_without_fall_through() -> None:
    m = lower1(
        "enum M { A, B, C } var m: M = any; var x: 0..3;"
        "process P { switch m { case A, B: { x = 1; } default: { x = 2; } } }"
    )
    heads = [t for t in trans_of(m, "P") if t.pc_from == 0]
    assert [show(m, t.guard) for t in heads] == ["m == A || m == B", "!(m == A || m == B)"]


def test_while_is_one_step_per_evaluation() -> None:
    m = lower1("var x: 0..3; process P { while x < 3 { x = x + 1; } }")
    ts = trans_of(m, "P")
    enter, leave, body = ts
    assert enter.text == "while x < 3" and enter.pc_from == 0
    assert leave.text.endswith("done") and show(m, leave.guard) == "x >= 3"
    assert body.pc_to == 0  # back to the condition


def test_for_is_unrolled_with_no_step_of_its_own() -> None:
    m = lower1("var a: [0..2] bool; process P { for i in 0..2 { a[i] = true; } }")
    ts = trans_of(m, "P")
    assert [writes(m, t) for t in ts] == [{"a[0]": "true"}, {"a[1]": "true"}, {"a[2]": "true"}]
    assert [(t.pc_from, t.pc_to) for t in ts] == [(0, 1), (1, 2), (2, 3)]


def test_either_is_one_step_to_choose() -> None:
    m = lower1("var x: 0..3; process P { either { x = 1; } or { x = 2; } or { skip; } }")
    choose = [t for t in trans_of(m, "P") if t.pc_from == 0]
    assert len(choose) == 3 and all(t.writes == () and t.guard == ir.TRUE for t in choose)


def test_labels_and_goto_take_no_step() -> None:
    m = lower1("var x: 0..3; process P { top: x = 1; goto top; }")
    (t,) = trans_of(m, "P")
    assert (t.pc_from, t.pc_to) == (0, 0)
    assert m.processes[0].locations[0].label == "top"


def test_end_labels_are_end_locations() -> None:
    m = lower1("var x: 0..3; process P { end idle; idle: await x > 0; goto idle; }")
    p = m.processes[0]
    assert p.locations[p.initial_pc].label == "idle"
    assert p.initial_pc in p.end_locations


def test_kernel_references_reach_transitions() -> None:
    m = lower1('var x: 0..3; process P { @"mm/migrate.c:727" x = 1; }')
    (t,) = trans_of(m, "P")
    assert t.kernel_ref == "mm/migrate.c:727"
    assert t.span.line == 1


# ---------------------------------------------------------------- atomic


def test_atomic_is_one_step_over_the_pre_state() -> None:
    m = lower1("var x: 0..3; var y: 0..3; process P { atomic { await x == 0; x = 1; y = x + 1; } }")
    (t,) = trans_of(m, "P")
    assert show(m, t.guard) == "x == 0"
    assert writes(m, t) == {"x": "1", "y": "2"}  # y sees the earlier write


def test_atomic_blocks_on_a_later_await_with_earlier_effects_applied() -> None:
    m = lower1("var x: 0..3; process P { atomic { x = 2; await x == 2; } }")
    (t,) = trans_of(m, "P")
    assert t.guard == ir.TRUE  # x == 2 after the write: always enabled


def test_atomic_with_branches_splits_into_transitions() -> None:
    m = lower1(
        "var x: 0..3; var y: 0..3; process P { atomic { if x > 0 { y = 1; } else { y = 2; } x = 0; } }"
    )
    ts = trans_of(m, "P")
    assert len(ts) == 2
    assert [show(m, t.guard) for t in ts] == ["x > 0", "x <= 0"]
    assert [writes(m, t) for t in ts] == [{"y": "1", "x": "0"}, {"y": "2", "x": "0"}]


def test_atomic_rejects_loops_and_jumps() -> None:
    msgs = errors("var x: 0..3; process P { l: skip; atomic { while x < 3 { x = x + 1; } goto l; } }")
    assert any("'while' inside an 'atomic' block" in s for s in msgs)
    assert any("'goto' inside an 'atomic' block" in s for s in msgs)


# ---------------------------------------------------------------- procedures


def test_constant_arguments_cost_no_step() -> None:
    m = lower1("var x: 0..3; proc set(v: 0..3) { x = v; } process P { set(2); }")
    (t,) = trans_of(m, "P")
    assert writes(m, t) == {"x": "2"}


def test_variable_arguments_and_locals_cost_one_binding_step_and_return_one() -> None:
    m = lower1(
        "var x: 0..3; var r: bool;"
        "proc pos(v: 0..3) -> bool { var t: bool; t = v > 0; return t; }"
        "process P { r = pos(x); }"
    )
    bind, assign, ret = trans_of(m, "P")
    assert writes(m, bind) == {"P.pos.v": "x", "P.pos.t": "false"}
    assert writes(m, assign) == {"P.pos.t": "P.pos.v > 0"}
    assert writes(m, ret) == {"r": "P.pos.t"}
    assert ret.text == "return t"


def test_return_without_value_takes_no_step() -> None:
    m = lower1("var x: 0..3; proc f() { if x == 0 { return; } x = 0; } process P { f(); x = 3; }")
    ts = trans_of(m, "P")
    taken = next(t for t in ts if t.text == "if x == 0")
    last = next(t for t in ts if t.text == "x = 3")
    assert taken.pc_to == last.pc_from


def test_recursion_is_an_error() -> None:
    msgs = errors("proc f() { g(); } proc g() { f(); } process P { f(); }")
    assert any("recursion" in s for s in msgs)


# ---------------------------------------------------------------- locks and refcounts


def test_lock_unlock_and_trylock() -> None:
    m = lower1("lock l: mutex; process P { lock(l); unlock(l); if trylock(l) { skip; } }")
    lk, ul, try_yes, _, try_no = trans_of(m, "P")
    assert show(m, lk.guard) == "l == - || l == P"
    assert [c.kind for c in lk.checks] == [ir.CheckKind.LOCK_REACQUIRE]
    assert writes(m, lk) == {"l": "P"}
    assert [c.kind for c in ul.checks] == [ir.CheckKind.LOCK_NOT_HELD]
    assert "unlock(l)" in ul.checks[0].message and "P" in ul.checks[0].message
    assert writes(m, ul) == {"l": "-"}
    assert show(m, try_yes.guard) == "l == -" and writes(m, try_yes) == {"l": "P"}
    assert show(m, try_no.guard) == "l != -" and try_no.writes == ()
    v = m.variables[var(m, "l")]
    assert (
        v.kind is ir.VarKind.LOCK and v.domain.kind is ir.DomainKind.PROC and v.lock_kind is ir.LockKind.MUTEX
    )


def test_mutex_under_spinlock_is_sleeping_in_atomic_context() -> None:
    m = lower1("lock s: spinlock; lock m: mutex; process P { lock(s); lock(m); }")
    _, lm = trans_of(m, "P")
    assert ir.CheckKind.SLEEP_IN_ATOMIC in [c.kind for c in lm.checks]


def test_rwlock_has_one_reader_bit_per_instance() -> None:
    m = lower1(
        "lock z: rwlock; process P[i: 0..1] { read_lock(z); read_unlock(z); write_lock(z); write_unlock(z); }"
    )
    readers = [v.name for v in m.variables if v.kind is ir.VarKind.LOCK_READER]
    assert readers == ["z.reader[P[0]]", "z.reader[P[1]]"]
    rl, _, wl, _ = trans_of(m, "P[0]")
    assert writes(m, rl) == {"z.reader[P[0]]": "true"}
    assert "!z.reader[P[1]]" in show(m, wl.guard)


def test_refcount_operations_and_checks() -> None:
    m = lower1(
        "refcount r: 0..2 = 1;"
        "process P { get(r); put(r); if freeze(r, 1) { unfreeze(r, 1); } if get_unless_zero(r) { skip; } }"
    )
    ts = trans_of(m, "P")
    get, put = ts[0], ts[1]
    assert [c.kind for c in get.checks] == [ir.CheckKind.REF_GET_FROZEN, ir.CheckKind.RANGE]
    assert [c.kind for c in put.checks] == [ir.CheckKind.REF_UNDERFLOW]
    frz = next(t for t in ts if t.text == "if freeze(r, 1)")
    assert writes(m, frz) == {"r": "0", "frozen(r)": "true"}
    unf = next(t for t in ts if t.text == "unfreeze(r, 1)")
    assert [c.kind for c in unf.checks] == [ir.CheckKind.REF_UNFREEZE]
    kinds = {m.variables[var(m, "r")].kind, m.variables[var(m, "frozen(r)")].kind}
    assert kinds == {ir.VarKind.REFCOUNT, ir.VarKind.FROZEN}


def test_lock_op_on_a_non_lock_is_an_error() -> None:
    assert any("needs a lock" in s for s in errors("var x: 0..1; process P { lock(x); }"))


# ---------------------------------------------------------------- arrays and replication


def test_arrays_are_flattened_with_names_and_index_types() -> None:
    m = lower1("type T = 0..1; enum E { A, B } var g: [T][E] bool; process P { skip; }")
    names = [v.name for v in m.variables if v.base == "g"]
    assert names == ["g[0][A]", "g[0][B]", "g[1][A]", "g[1][B]"]
    v = m.variables[var(m, "g[1][B]")]
    assert v.indices == (1, 1) and v.index_types == ("T", "E")


def test_dynamic_index_is_a_select_with_an_index_check() -> None:
    m = lower1("var a: [0..2] 0..3; var i: 0..3; process P { a[i] = 1; i = a[i]; }")
    w, r = trans_of(m, "P")
    assert isinstance(w.writes[0], ir.AssignElem)
    assert [c.kind for c in w.checks] == [ir.CheckKind.INDEX]
    assert any(isinstance(s, ir.Select) for s in ir.subexprs(r.writes[0].value))  # type: ignore[union-attr]


def test_replicated_process_instances_locals_and_self() -> None:
    m = lower1("var a: [0..1] bool; process W[w: 0..1] { var n: 0..2; a[self] = true; n = w; }")
    assert [p.name for p in m.processes] == ["W[0]", "W[1]"]
    assert [p.self_value for p in m.processes] == [0, 1]
    assert "W[1].n" in [v.name for v in m.variables]
    assert "pc(W[1])" in [v.name for v in m.variables]
    t = trans_of(m, "W[1]")[0]
    assert writes(m, t) == {"a[1]": "true"}


def test_symmetric_types_are_recorded() -> None:
    m = lower1("symmetric type Pid = 0..2; var owner: [Pid] bool; process P[i: Pid] { owner[i] = true; }")
    (s,) = m.symmetric_types
    assert (s.name, s.lo, s.hi, s.families) == ("Pid", 0, 2, ("P",))


# ---------------------------------------------------------------- state machines


def test_state_machine_transitions_are_single_steps() -> None:
    m = lower1(
        "var pos: [0..1] 0..3; process P { var j: 0..3; state NCS, wait, CS; init NCS;"
        "trans NCS -> wait { j = 1; } trans wait -> CS when j == 1 { pos[0] = j; j = 0; } }"
    )
    p = m.processes[0]
    assert [loc.label for loc in p.locations] == ["NCS", "wait", "CS"]
    t1, t2 = trans_of(m, "P")
    assert (t1.pc_from, t1.pc_to, t2.pc_from, t2.pc_to) == (0, 1, 1, 2)
    assert writes(m, t2) == {"pos[0]": "P.j", "P.j": "0"}
    # the DVE state vector: globals, then per process its pc and locals
    assert [v.name for v in m.variables] == ["pos[0]", "pos[1]", "pc(P)", "P.j"]


def test_mixing_state_machine_and_code_is_an_error() -> None:
    assert any("mixes" in s for s in errors("process P { state a; init a; skip; }"))


# ---------------------------------------------------------------- properties and configurations


def test_properties_and_their_presence() -> None:
    m = lower1(
        "param on: bool; var x: 0..3; process P { x = 1; assert good: x > 0; }"
        "invariant small: x < 3 when on; reachable one: x == 1;"
        "liveness ev: eventually x == 1; liveness ae: always eventually x == 1;"
        "liveness lt: x == 0 leads_to x == 1; expect good violated;",
        on="false",
    )
    kinds = [(p.name, p.kind) for p in m.properties]
    assert kinds == [
        ("one", ir.PropKind.REACHABLE),
        ("ev", ir.PropKind.EVENTUALLY),
        ("ae", ir.PropKind.ALWAYS_EVENTUALLY),
        ("lt", ir.PropKind.LEADS_TO),
        ("good", ir.PropKind.ASSERTION),
        ("deadlock", ir.PropKind.DEADLOCK),
    ]
    assert next(p for p in m.properties if p.name == "good").expect_violation


def test_deadlock_off_and_runtime_group() -> None:
    m = lower1("lock l: mutex; process P { lock(l); } deadlock off;")
    assert [p.name for p in m.properties] == ["runtime"]


def test_configurations_are_the_product_of_params_first_slowest() -> None:
    spec = load_spec_text("enum M { A, B } param m: M; param b: bool; process P { skip; }", "t.mig")
    labels = [m.config_label() for m in configurations(spec)]
    assert labels == ["m=A, b=false", "m=A, b=true", "m=B, b=false", "m=B, b=true"]
    spec2 = load_spec_text(
        "enum M { A, B } param m: M; param b: bool; process P { skip; }", "t.mig", {"m": "B"}
    )
    assert [m.config_label() for m in configurations(spec2)] == ["m=B, b=false", "m=B, b=true"]


def test_define_overrides_a_const() -> None:
    m = lower1("const N = 2; var a: [0..N-1] bool; process P { skip; }", N="4")
    assert len([v for v in m.variables if v.base == "a"]) == 4


def test_quantifiers_and_at_in_properties() -> None:
    m = lower1(
        "type T = 0..1; var a: [T] bool; process P[i: T] { l: a[i] = true; }"
        "invariant inv: forall t in T: a[t] -> exists u in T: at(P[u], l);"
    )
    inv = m.properties[0].expr
    assert inv is not None
    assert "pc(P[0]) == l" in show(m, inv) and "a[1]" in show(m, inv)


def test_at_in_process_code_sees_the_other_process_locations() -> None:
    m = lower1("process A { x: skip; y: skip; } process B { await at(A, y); }")
    (t,) = trans_of(m, "B")
    assert show(m, t.guard) == "pc(A) == y"


# ---------------------------------------------------------------- hygiene


def test_python_keywords_and_builtins_are_ordinary_names() -> None:
    m = lower1(
        "var class: 0..3; var __import__: bool; const eval = 2;"
        "process exec { class = eval; __import__ = true; }"
    )
    assert [v.name for v in m.variables][:2] == ["class", "__import__"]
    assert writes(m, trans_of(m, "exec")[0]) == {"class": "2"}


def test_lowering_is_deterministic() -> None:
    text = "type T = 0..1; lock l: [T] mutex; var x: 0..3; process P[i: T] { lock(l[i]); x = any; unlock(l[i]); }"
    a, b = lower1(text), lower1(text)
    assert a == b
    assert format_model(a) == format_model(b)


def test_properties_read_process_locals() -> None:
    m = lower1(
        "type T = 0..1; process P[i: T] { var j: 0..3; j = 1; } process Q { var k: bool; k = true; }"
        "invariant a: P[0].j <= 1 && Q.k; invariant b: forall t in T: P[t].j < 3;"
    )
    a, b = (p.expr for p in m.properties[:2])
    assert a is not None and show(m, a) == "P[0].j <= 1 && Q.k"
    assert b is not None and show(m, b) == "P[0].j < 3 && P[1].j < 3"
    assert any(
        "only in a property" in s for s in errors("process P { var j: 0..1; } process Q { await P.j == 1; }")
    )


def _eval(e: ir.Expr, s: list[int]) -> int:
    """A tiny reference evaluator (short-circuit, as engines must)."""
    match e:
        case ir.Const(value=v):
            return v
        case ir.VarRef(var=v):
            return s[v]
        case ir.Select(vars=vs, index=i):
            return s[vs[_eval(i, s)]]
        case ir.Unary(op=op, arg=a):
            return int(not _eval(a, s)) if op is ir.UnOp.NOT else -_eval(a, s)
        case ir.Binary(op=ir.BinOp.AND, lhs=a, rhs=b):
            return int(bool(_eval(a, s)) and bool(_eval(b, s)))
        case ir.Binary(op=ir.BinOp.OR, lhs=a, rhs=b):
            return int(bool(_eval(a, s)) or bool(_eval(b, s)))
        case ir.Binary(op=op, lhs=a, rhs=b):
            x, y = _eval(a, s), _eval(b, s)
            ops = {
                ir.BinOp.ADD: x + y, ir.BinOp.SUB: x - y, ir.BinOp.MUL: x * y,
                ir.BinOp.EQ: int(x == y), ir.BinOp.NE: int(x != y), ir.BinOp.LT: int(x < y),
                ir.BinOp.LE: int(x <= y), ir.BinOp.GT: int(x > y), ir.BinOp.GE: int(x >= y),
            }  # fmt: skip
            if op in (ir.BinOp.DIV, ir.BinOp.MOD):
                q = abs(x) // abs(y) * (1 if (x >= 0) == (y >= 0) else -1)
                return q if op is ir.BinOp.DIV else x - y * q
            return ops[op]
        case ir.Ite(cond=c, then=t, else_=f):
            return _eval(t, s) if _eval(c, s) else _eval(f, s)
        case _:
            raise AssertionError(e)


def _step(m: ir.Model, t: ir.Transition, s: list[int]) -> str:
    """'disabled', the name of the failed check's kind, or 'ok'."""
    if s[m.processes[t.process].pc_var] != t.pc_from or not _eval(t.guard, s):
        return "disabled"
    for c in t.checks:
        if not _eval(c.cond, s):
            return c.kind.name
    return "ok"


def test_a_read_guarded_by_the_step_guard_is_not_a_false_index_error() -> None:
    # BEEM bakery: `j < N && a[j] > m { m = a[j]; }` must not fail at j == N.
    m = lower1(
        "var a: [0..1] 0..3; process P { var j: 0..2; var mx: 0..3; state s; init s;"
        "trans s -> s when j < 2 && a[j] > mx { mx = a[j]; } }"
    )
    (t,) = trans_of(m, "P")
    jv, mv = var(m, "P.j"), var(m, "P.mx")
    s = [v[0] for v in m.initial]
    for j in range(3):
        s[jv] = j
        assert _step(m, t, s) in ("disabled", "ok")
    s[jv], s[var(m, "a[1]")], s[mv] = 1, 2, 0
    assert _step(m, t, s) == "ok"


def test_an_unguarded_bad_index_or_division_is_reported_not_blocked() -> None:
    m = lower1(
        "var a: [0..1] bool; var i: 0..2; var y: 0..1; process P { await a[i]; } process Q { await 4 / y > 1; }"
    )
    (tp,) = trans_of(m, "P")
    (tq,) = trans_of(m, "Q")
    s = [v[0] for v in m.initial]
    s[var(m, "i")] = 2
    assert _step(m, tp, s) == "INDEX"
    assert _step(m, tq, s) == "DIV_ZERO"


# ---------------------------------------------------------------- constant conditions (NOTE(fold))


def test_constant_if_costs_no_step_and_enters_the_chosen_branch() -> None:
    text = (
        "const N = 2; param p: bool; var x: 0..3;"
        "process P { if p { x = 1; } else if N == 2 { x = 2; } else { x = 3; } x = 0; }"
    )
    for p, first in (("true", "x = 1"), ("false", "x = 2")):
        ts = trans_of(lower1(text, p=p), "P")
        assert [t.text for t in ts] == [first, "x = 0"]
        assert [(t.pc_from, t.pc_to) for t in ts] == [(0, 1), (1, 2)]


def test_constant_if_with_no_branch_taken_falls_through_for_free() -> None:
    ts = trans_of(lower1("param p: bool; var x: 0..3; process P { if p { x = 1; } x = 2; }", p="false"), "P")
    assert [t.text for t in ts] == ["x = 2"] and ts[0].pc_from == 0


def test_constant_if_folds_only_up_to_the_first_true_condition() -> None:
    # a constant-false first condition followed by a state-dependent one: one step, as before
    ts = trans_of(lower1("var x: 0..3; process P { if false { x = 1; } else if x == 0 { x = 2; } }"), "P")
    assert len([t for t in ts if t.pc_from == 0]) == 2
    # a state-dependent condition after the true constant one is never evaluated: no step
    ts = trans_of(lower1("var x: 0..3; process P { if true { x = 1; } else if x == 0 { x = 2; } }"), "P")
    assert [t.text for t in ts] == ["x = 1"]


def test_constant_switch_costs_no_step() -> None:
    text = (
        "enum M { A, B, C } param m: M; var x: 0..3;"
        "process P { switch m { case A, B: { x = 1; } case C: { } } x = 2; }"
    )
    ts = trans_of(lower1(text, m="B"), "P")
    assert [t.text for t in ts] == ["x = 1", "x = 2"]
    ts = trans_of(lower1(text, m="C"), "P")  # an empty chosen case falls through
    assert [t.text for t in ts] == ["x = 2"] and ts[0].pc_from == 0


def test_self_and_for_variables_are_constant_but_state_and_procedure_parameters_are_not() -> None:
    m = lower1("var a: [0..1] 0..3; process P[i: 0..1] { for k in 0..1 { if k == self { a[k] = 1; } } }")
    for inst in ("P[0]", "P[1]"):
        assert len(trans_of(m, inst)) == 1
    m = lower1("var x: 0..3; proc f(b: bool) { if b { x = 1; } } process P { f(true); }")
    assert trans_of(m, "P")[0].text == "if b [b=true]"  # the constant argument, shown (test_trace_text.py)


def test_while_with_a_constant_condition_still_costs_a_step() -> None:
    m = lower1("param p: bool; var x: 0..3; process P { while p { x = 1; } }", p="true")
    ts = trans_of(m, "P")
    assert [t.text for t in ts] == ["while p", "x = 1"]


def test_label_before_a_constant_if_names_the_first_step_after_it() -> None:
    m = lower1(
        "param p: bool; var x: 0..3;process P { x = 1; top: if p { } else { x = 2; } x = 3; goto top; }",
        p="true",
    )
    ts = trans_of(m, "P")
    p = m.processes[0]
    x3 = next(t for t in ts if t.text == "x = 3")
    assert p.locations[x3.pc_from].label == "top"
    assert x3.pc_to == x3.pc_from  # the loop back through the folded if costs only x = 3


def test_goto_into_a_branch_not_taken_still_runs_it() -> None:
    m = lower1("var x: 0..3; process Q { goto inside; if false { inside: x = 2; } x = 3; }")
    assert [t.text for t in trans_of(m, "Q")] == ["x = 2", "x = 3"]


def test_a_process_that_folds_to_nothing_terminates_at_once() -> None:
    m = lower1("param p: bool; var x: 0..3; process P { if p { x = 1; } }", p="false")
    p = m.processes[0]
    assert trans_of(m, "P") == [] and p.initial_pc in p.end_locations


def test_constant_condition_that_would_fail_a_check_is_not_folded() -> None:
    m = lower1("const Z = 0; var x: 0..3; process P { if 1 / Z == 0 { x = 1; } }")
    assert any(t.text.startswith("if ") for t in trans_of(m, "P"))


# ---------------------------------------------------------------- initial values over params


def test_initial_values_may_use_params() -> None:
    text = (
        "const N = 2; param k: 0..2; var x: 0..3 = k + 1; var y: [0..1] 0..4 = [k, N];"
        "refcount r: 0..3 = k; process P { var z: 0..3 = 3 - k; x = z; }"
    )
    m = lower1(text, k="1")
    init = {v.name: m.initial[v.index] for v in m.variables}
    assert init["x"] == (2,) and init["y[0]"] == (1,) and init["y[1]"] == (2,)
    assert init["r"] == (1,) and init["P.z"] == (2,)


def test_initial_value_out_of_range_in_some_configuration_is_an_error() -> None:
    msgs = errors("param k: 0..3; var x: 0..2 = k; process P { x = 0; }")
    assert msgs == ["value out of range: 3 is not in 0..2, the type of 'x' (when k=3)"]
    # fixing the param to a good value makes the spec valid
    assert lower1("param k: 0..3; var x: 0..2 = k; process P { x = 0; }", k="2").initial[0] == (2,)


def test_initial_value_still_cannot_read_state() -> None:
    msgs = errors("var a: 0..2; var x: 0..2 = a; process P { x = 0; }")
    assert len(msgs) == 1 and "not a constant" in msgs[0]


def test_initial_value_over_too_many_configurations_is_refused_not_enumerated() -> None:
    text = "param a: 0..4095; param b: 0..4095; var x: 0..3 = a + b; process P { x = 0; }"
    msgs = errors(text)
    assert len(msgs) == 1 and "configurations" in msgs[0]
