"""Invariants print in the spec's own syntax: multi-dimensional array reads keep their shape."""

from __future__ import annotations

from checker.symbolic.show import show_expr
from model.frontend import configurations, load_spec_text

SPEC = """
type Row = 1..2;
type Col = 0..2;
var grid: [Row][Col] 0..3;
var x: Col;
var r: Row = 2;
process P {
  state a;
  init a;
  trans a -> a { x = (x + 1) % 3; r = 1; }
}
invariant fixed_row: grid[1][x] <= 3;
invariant both: grid[r][x] <= 3;
invariant flat: grid[r][1] <= 3;
"""


def test_select_of_a_two_dimensional_array_prints_both_indices() -> None:
    model = configurations(load_spec_text(SPEC))[0]
    shown = {p.name: show_expr(model, p.expr) for p in model.properties if p.expr is not None}
    assert shown["fixed_row"] == "grid[1][x] <= 3"
    assert shown["both"] == "grid[r][x] <= 3"
    assert shown["flat"] == "grid[r][1] <= 3"


def test_chains_print_flat_and_a_conjunction_inside_a_disjunction_keeps_parentheses() -> None:
    from model.ir import Binary, BinOp, Const, VarRef

    model = configurations(load_spec_text(SPEC))[0]
    x = next(v.index for v in model.variables if v.name == "x")
    r = next(v.index for v in model.variables if v.name == "r")

    def eq(v: int, c: int) -> Binary:
        return Binary(BinOp.EQ, VarRef(v), Const(c))

    ands = Binary(BinOp.AND, Binary(BinOp.AND, eq(x, 0), eq(x, 1)), eq(x, 2))
    assert show_expr(model, ands) == "x == 0 && x == 1 && x == 2"
    ors = Binary(BinOp.OR, Binary(BinOp.OR, eq(x, 0), ands), eq(r, 1))
    assert show_expr(model, ors) == "x == 0 || (x == 0 && x == 1 && x == 2) || r == 1"
    assert show_expr(model, Binary(BinOp.AND, ors, eq(r, 2))) == (
        "(x == 0 || (x == 0 && x == 1 && x == 2) || r == 1) && r == 2"
    )


def test_reader_writer_lock_fields_print_as_writer_and_reader() -> None:
    """NOTE(rw-atoms): held/held_by count readers, so the writer field has its own notation."""
    from checker.symbolic.show import atom
    from model.ir import Binary, BinOp, Const, VarKind, VarRef

    model = configurations(
        load_spec_text(
            "lock rw: rwlock;\n"
            "process W { w: write_lock(rw); write_unlock(rw); }\n"
            "process R { r: read_lock(rw); read_unlock(rw); }\n"
        )
    )[0]
    writer = next(v.index for v in model.variables if v.kind is VarKind.LOCK)
    reader = next(v.index for v in model.variables if v.kind is VarKind.LOCK_READER and v.owner == 1)
    assert atom(model, writer, 0, True) == "writer(rw) == -"
    assert atom(model, writer, 1, True) == "writer(rw) == W"
    assert show_expr(model, VarRef(reader)) == "reader(rw, R)"
    assert show_expr(model, Binary(BinOp.EQ, VarRef(reader), Const(0))) == "!reader(rw, R)"
