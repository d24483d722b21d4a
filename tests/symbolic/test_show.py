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


LEGEND_SPEC = """type Pid = 0..1;
var x: [Pid] 0..3;
var y: [Pid] 0..3;
process P[i: Pid] {
  y[i] = 1;
  x[i] = y[i] + 1;
  done: skip;
}
invariant two: forall i in Pid: at(P[i], done) -> x[i] == 2;
"""


def test_a_proof_naming_an_unlabeled_location_ends_with_its_statement() -> None:
    """NOTE(legend): each `@N` an invariant names gets a comment line with its source line."""
    import re

    from checker.symbolic import SymbolicOptions, prove

    model = configurations(load_spec_text(LEGEND_SPEC, "legend.mig"))[0]
    r = prove(model, model.properties[0], SymbolicOptions(methods=("houdini",)))
    assert r.verdict.value == "PROVED"
    named = {
        m.group(1) for line in r.invariant if not line.startswith("//") for m in re.finditer(r"@(\d+)", line)
    }
    assert named, r.invariant  # the proof does need a location without a label
    legends = [line for line in r.invariant if line.startswith("// @")]
    assert {re.match(r"// @(\d+) ", line).group(1) for line in legends} == named  # type: ignore[union-attr]
    assert r.invariant[-len(legends) :] == tuple(legends)
    statements = {"0": "before legend.mig:5  y[i] = 1", "1": "before legend.mig:6  x[i] = y[i] + 1"}
    for line in legends:
        n = line.split()[1][1:]
        assert line.endswith(statements[n]), line


def test_the_legend_groups_instances_skips_labels_and_is_not_repeated() -> None:
    from checker.symbolic.show import with_legend

    model = configurations(load_spec_text(LEGEND_SPEC, "legend.mig"))[0]
    done = next(loc.index for loc in model.processes[0].locations if loc.label == "done")
    end = len(model.processes[0].locations) - 1
    lines = (
        f"at(P[1], @0) || at(P[0], @0) || at(P[0], done) || at(Q, @0) || at(P[0], @{end})",
        "// at(P[0], @1) in a comment is not a conjunct",
    )
    once = with_legend(model, lines)
    assert once[: len(lines)] == lines
    legend = once[len(lines) :]
    assert legend[0] == "// @0 of P[1], P[0]: before legend.mig:5  y[i] = 1"
    assert all(f"@{done} " not in line for line in legend)  # labeled: its name says it
    assert all("@1 " not in line for line in legend)  # only mentioned in a comment
    assert len(legend) == (2 if end != done else 1)
    assert with_legend(model, once) == once  # a nested proof's legend is replaced, not repeated


# P[1] skips the `if`: the instances of one family number their locations differently
PRUNED_SPEC = """var x: 0..3;
var y: 0..3;
process P[i: 0..1] {
  end done;
  if (i == 0) {
    x = 1;
    x = 2;
  }
  y = y + 1;
  done: skip;
}
deadlock off;
"""


def test_the_legend_names_each_instance_s_own_statement_when_instances_differ() -> None:
    """NOTE(legend): `@2` of P[0] is before `y = y + 1`, `@2` of P[1] is after its last `skip`."""
    from checker.symbolic.show import with_legend

    model = configurations(load_spec_text(PRUNED_SPEC, "pruned.mig"))[0]
    p0, p1 = model.processes
    assert p0.family == p1.family and len(p0.locations) != len(p1.locations)
    legend = with_legend(model, ("at(P[0], @2) || at(P[1], @2)",))[1:]
    assert sorted(legend) == [
        "// @2 of P[0]: before pruned.mig:9  y = y + 1",
        "// @2 of P[1]: after pruned.mig:10  skip",
    ], legend
