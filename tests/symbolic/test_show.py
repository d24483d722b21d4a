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
