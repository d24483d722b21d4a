"""`--format json`: the stable machine-readable report (docs/OUTPUT.md, docs/output.schema.json).

Stage: report.  Input: a `RunResult`; output: one JSON object.  The field
names are a public contract (CI scripts read them): add fields, never
rename or remove one without bumping `SCHEMA_VERSION`.  Each traced
result also carries its trace in Apalache's ITF format under `itf`.
"""

from __future__ import annotations

import json
from typing import Any

from checker.report.steps import JsonValue, TraceView, failure_text, json_value, view
from checker.report.text import untimed
from checker.result import PropertyResult, Trace
from checker.run import Outcome, RunResult, Status
from model.ir import Model

SCHEMA_VERSION = 1
ITF_DESCRIPTION = "https://apalache-mc.org/docs/adr/015adr-trace.html"

JsonObject = dict[str, Any]


def config_values(model: Model) -> dict[str, JsonValue]:
    """A configuration's param values by name: bool, int, or an enum label."""
    out: dict[str, JsonValue] = {}
    for name, value, shown in model.config:
        if shown in ("true", "false") and value in (0, 1):
            out[name] = value == 1
        elif shown == str(value):
            out[name] = value
        else:
            out[name] = shown
    return out


def _step(v: TraceView, k: int) -> JsonObject:
    step = v.steps[k]
    t = step.transition
    model = v.model
    out: JsonObject = {
        "step": step.number,
        "process": model.processes[t.process].name,
        "statement": t.text,
        "file": t.span.path,
        "line": t.span.line,
        "kernel_ref": t.kernel_ref,
        "changes": {model.variables[c.var].name: json_value(model, c.var, c.new) for c in step.changes},
    }
    if step.failed is not None:
        out["failed_check"] = {"kind": step.failed.kind.name.lower(), "message": failure_text(step.failed)}
    return out


def _itf_int(n: int) -> JsonObject:
    # ITF writes integers as {"#bigint": "..."}, which every ITF reader (Apalache, Quint, itf-rs) takes.
    return {"#bigint": str(n)}


def _itf_value(model: Model, state: tuple[int, ...], var: int) -> Any:
    value = json_value(model, var, state[var])
    return _itf_int(value) if isinstance(value, int) and not isinstance(value, bool) else value


def itf(model: Model, trace: Trace, spec: str) -> JsonObject:
    """The trace in ITF: scalars by name, arrays as `#map`s from index (a `#tup` for 2-D and up)."""
    groups: dict[str, list[int]] = {}
    for v in model.variables:
        groups.setdefault(v.base if v.indices else v.name, []).append(v.index)

    def value_of(state: tuple[int, ...], members: list[int]) -> Any:
        first = model.variables[members[0]]
        if not first.indices:
            return _itf_value(model, state, members[0])
        pairs = []
        for var in members:
            idx = model.variables[var].indices
            key: Any = _itf_int(idx[0]) if len(idx) == 1 else {"#tup": [_itf_int(i) for i in idx]}
            pairs.append([key, _itf_value(model, state, var)])
        return {"#map": pairs}

    out: JsonObject = {
        "#meta": {
            "format": "ITF",
            "format-description": ITF_DESCRIPTION,
            "source": spec,
            "description": f"modelcheck trace, configuration {model.config_label()}",
        },
        "vars": list(groups),
        "states": [
            {"#meta": {"index": i}, **{name: value_of(s, members) for name, members in groups.items()}}
            for i, s in enumerate(trace.states)
        ],
    }
    if trace.loop_start is not None:
        out["loop"] = trace.loop_start
    return out


def _answer(a: PropertyResult, timing: bool) -> JsonObject:
    out: JsonObject = {
        "engine": a.engine,
        "verdict": a.verdict.value,
        "reason": a.reason.value if a.reason is not None else None,
        "detail": a.detail if timing else untimed(a.detail),
        "states": a.stats.states,
        "transitions": a.stats.transitions,
        "depth": a.stats.depth,
    }
    if timing:
        out["seconds"] = round(a.stats.seconds, 3)
    return out


def result_object(model: Model, o: Outcome, spec: str, timing: bool) -> JsonObject:
    a = o.primary
    out: JsonObject = {
        "config": config_values(model),
        "config_label": model.config_label(),
        "property": o.prop.name,
        "kind": o.prop.kind.value,
        "verdict": a.verdict.value,
        "verdicts": o.verdict_label,
        "expected": "violated" if o.prop.expect_violation else None,
        "status": o.status.name.lower(),
        "engine": a.engine,
        "states": a.stats.states,
        "transitions": a.stats.transitions,
        "depth": a.stats.depth,
        "reason": a.reason.value if a.reason is not None else None,
        "detail": a.detail if timing else untimed(a.detail),
        "problem": o.problem or None,
        "invariant": list(a.invariant),
        "answers": [_answer(x, timing) for x in o.answers],
        "trace": None,
        "initial": None,
        "loop_start": None,
        "itf": None,
    }
    if a.trace is not None:
        v = view(model, a.trace)
        out["trace"] = [_step(v, k) for k in range(len(v.steps))]
        out["initial"] = {
            model.variables[var].name: json_value(model, var, a.trace.states[0][var])
            for var in range(len(model.variables))
        }
        out["loop_start"] = a.trace.loop_start
        out["itf"] = itf(model, a.trace, spec)
    return out


def report_object(result: RunResult, *, timing: bool) -> JsonObject:
    everything = [o for c in result.configs for o in c.outcomes]
    out: JsonObject = {
        "version": SCHEMA_VERSION,
        "spec": result.spec,
        "command": result.options.command.value,
        "engine": result.options.engine.value,
        "exit_code": int(result.exit_code),
        "exit_reason": result.reason,
        "summary": {s.name.lower(): sum(1 for o in everything if o.status is s) for s in Status},
        "results": [
            result_object(c.model, o, result.spec, timing) for c in result.configs for o in c.outcomes
        ],
    }
    if timing:
        out["seconds"] = round(result.seconds, 3)
    return out


def render(result: RunResult, *, timing: bool) -> str:
    return json.dumps(report_object(result, timing=timing), indent=2, ensure_ascii=False) + "\n"
