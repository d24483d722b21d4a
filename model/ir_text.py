"""A readable text form of the IR (`modelcheck ir FILE`).

Stage: output of the language half, for people and golden tests.
`format_model(model)` is deterministic: the same model always prints the
same text.  Expressions print with the spec's names (`pos[2]`, `pc(Mig[1])`)
and values (`true`, enum names, process instances, location labels).
docs/IR.md explains how to read it.
"""

from __future__ import annotations

from typing import assert_never

from model import ir

_PREC = {
    ir.BinOp.IMPLIES: 1,
    ir.BinOp.OR: 2,
    ir.BinOp.AND: 3,
    ir.BinOp.EQ: 4,
    ir.BinOp.NE: 4,
    ir.BinOp.LT: 5,
    ir.BinOp.LE: 5,
    ir.BinOp.GT: 5,
    ir.BinOp.GE: 5,
    ir.BinOp.ADD: 6,
    ir.BinOp.SUB: 6,
    ir.BinOp.MUL: 7,
    ir.BinOp.DIV: 7,
    ir.BinOp.MOD: 7,
}


def _var_domain_hint(model: ir.Model, e: ir.Expr) -> int | None:
    """The variable whose domain shows a constant compared with `e`."""
    match e:
        case ir.VarRef(var=v):
            return v
        case ir.Select(vars=vs):
            return vs[0]
        case _:
            return None


def format_expr(model: ir.Model, e: ir.Expr, prec: int = 0) -> str:
    match e:
        case ir.Const(value=v, is_bool=b):
            if b:
                return "true" if v else "false"
            return str(v)
        case ir.VarRef(var=v):
            return model.variables[v].name
        case ir.Select(vars=vs, index=i):
            first = model.variables[vs[0]]
            return (
                f"{first.base}{{{', '.join(model.variables[x].name for x in vs)}}}[{format_expr(model, i)}]"
            )
        case ir.Unary(op=op, arg=a):
            inner = format_expr(model, a, 8)
            return f"{op.value}{inner}"
        case ir.Binary(op=op, lhs=a, rhs=b):
            p = _PREC[op]
            lhs = format_expr(model, a, p)
            if op in (ir.BinOp.EQ, ir.BinOp.NE) and isinstance(b, ir.Const) and not b.is_bool:
                hint = _var_domain_hint(model, a)
                rhs = model.show_value(hint, b.value) if hint is not None else str(b.value)
            else:
                rhs = format_expr(model, b, p + 1)
            s = f"{lhs} {op.value} {rhs}"
            return f"({s})" if p < prec else s
        case ir.Ite(cond=c, then=t, else_=f):
            s = f"if {format_expr(model, c)} then {format_expr(model, t)} else {format_expr(model, f)}"
            return f"({s})"
        case _:
            assert_never(e)


def _value(model: ir.Model, var: int, e: ir.Expr) -> str:
    if isinstance(e, ir.Const) and not e.is_bool:
        return model.show_value(var, e.value)
    return format_expr(model, e)


def format_write(model: ir.Model, w: ir.Write) -> str:
    match w:
        case ir.Assign(var=v, value=e):
            return f"{model.variables[v].name} := {_value(model, v, e)}"
        case ir.AssignElem(vars=vs, index=i, value=e):
            base = model.variables[vs[0]].base
            return f"{base}{{{', '.join(model.variables[x].name for x in vs)}}}[{format_expr(model, i)}] := {_value(model, vs[0], e)}"
        case _:
            assert_never(w)


def _domain(model: ir.Model, v: ir.Variable) -> str:
    d = v.domain
    match d.kind:
        case ir.DomainKind.BOOL:
            return "bool"
        case ir.DomainKind.INT:
            return f"{d.lo}..{d.hi}"
        case ir.DomainKind.ENUM:
            return "{" + ", ".join(d.labels or ()) + "}"
        case ir.DomainKind.PC:
            return f"pc 0..{d.hi}"
        case ir.DomainKind.PROC:
            return "owner {-, " + ", ".join(p.name for p in model.processes) + "}"
        case _:
            assert_never(d.kind)


def _loc(p: ir.Process, k: int) -> str:
    """`@k`, or `@k:label` for a labelled location (traces show `@k` / the label)."""
    if 0 <= k < len(p.locations) and p.locations[k].label is not None:
        return f"@{k}:{p.locations[k].label}"
    return f"@{k}"


def format_model(model: ir.Model) -> str:
    """The whole model as text (see docs/IR.md)."""
    out: list[str] = []
    out.append(f"model {model.path}  config: {model.config_label()}")
    out.append("")
    out.append(f"variables ({len(model.variables)}):")
    for v, init in zip(model.variables, model.initial, strict=True):
        flags = [v.kind.value]
        if v.ghost:
            flags.append("ghost")
        if v.lock_kind is not None:
            flags.append(v.lock_kind.value)
        if v.owner is not None and v.kind is not ir.VarKind.PC:
            flags.append(f"of {model.processes[v.owner].name}")
        if v.value_type is not None:
            flags.append(f"values {v.value_type}")
        if v.index_types:
            flags.append(f"indexed {']['.join(v.index_types).join('[]')}")
        inits = ", ".join(model.show_value(v.index, x) for x in init)
        out.append(f"  {v.index:>3} {v.name}: {_domain(model, v)} = {{{inits}}}  ({', '.join(flags)})")
    if model.symmetric_types:
        out.append("")
        out.append("symmetric types:")
        for s in model.symmetric_types:
            out.append(f"  {s.name} = {s.lo}..{s.hi}  permutes {', '.join(s.families) or '-'}")
    out.append("")
    out.append(f"processes ({len(model.processes)}):")
    for p in model.processes:
        ends = ", ".join(_loc(p, k) for k in sorted(p.end_locations)) or "-"
        out.append(
            f"  {p.index} {p.name}  pc={model.variables[p.pc_var].name}  init={_loc(p, p.initial_pc)}"
            f"  end={{{ends}}}  fairness={p.fairness.value}"
        )
        out.append("      locations: " + ", ".join(_loc(p, k) for k in range(len(p.locations))))
    out.append("")
    out.append(f"transitions ({len(model.transitions)}):")
    for t in model.transitions:
        p = model.processes[t.process]
        ref = f"  @{t.kernel_ref}" if t.kernel_ref else ""
        line = f"{t.span.line}" if t.span.line > 0 else "-"
        out.append(
            f'  t{t.index} {p.name}: {_loc(p, t.pc_from)} -> {_loc(p, t.pc_to)}  "{t.text}"  (line {line}){ref}'
        )
        if not (isinstance(t.guard, ir.Const) and t.guard.value):
            out.append(f"      guard {format_expr(model, t.guard)}")
        for c in t.checks:
            out.append(f"      check[{c.prop}] {format_expr(model, c.cond)}  -- {c.kind.value}: {c.message}")
        for w in t.writes:
            out.append(f"      {format_write(model, w)}")
    out.append("")
    out.append(f"properties ({len(model.properties)}):")
    for pr in model.properties:
        exp = "  (expected violated)" if pr.expect_violation else ""
        body = ""
        if pr.expr is not None:
            body = ": " + format_expr(model, pr.expr)
            if pr.expr2 is not None:
                body += " leads_to " + format_expr(model, pr.expr2)
        out.append(f"  {pr.kind.value} {pr.name}{body}{exp}")
    return "\n".join(out) + "\n"
