"""`--format sarif`: SARIF 2.1.0 for code-scanning views.

Stage: report.  One run, one rule per property name, one result per
configuration x property, located at the property's span in the `.mig`.
A trace becomes a codeFlow with one threadFlow per process; each step is a
threadFlowLocation at the statement's span, in global `executionOrder`,
with the variables it changed as `state`.

Kinds and levels (SARIF §3.27.9-10): a result that differs from its
expectation or an engine disagreement is `fail`/`error`; a declared
expected violation that happened is `fail`/`note` (it still carries its
trace); a pass is `pass`; incomplete is `open`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from checker.report.steps import TraceView, failure_text, show_change, view
from checker.result import Verdict
from checker.run import Outcome, RunResult, Status
from model.ir import Model
from model.source import Span

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TOOL_VERSION = "0.1.0"

JsonObject = dict[str, Any]


def _location(span: Span, message: str | None = None) -> JsonObject:
    physical: JsonObject = {"artifactLocation": {"uri": quote(span.path)}}
    if span.line >= 1:
        region: JsonObject = {"startLine": span.line, "startColumn": max(span.col, 1)}
        if span.end_line >= span.line:
            region["endLine"] = span.end_line
            if span.end_col >= 1 and (span.end_line > span.line or span.end_col > region["startColumn"]):
                region["endColumn"] = span.end_col
        physical["region"] = region
    out: JsonObject = {"physicalLocation": physical}
    if message is not None:
        out["message"] = {"text": message}
    return out


def _code_flow(v: TraceView, title: str) -> JsonObject:
    model = v.model
    flows: dict[int, list[JsonObject]] = {}
    for step in v.steps:
        t = step.transition
        text = f"{step.number}. {t.text}"
        if t.kernel_ref:
            text += f"  [{t.kernel_ref}]"
        if step.failed is not None:
            text += f"  -- fails: {failure_text(step.failed)}"
        if v.loop_after is not None and step.number == v.loop_after + 1:
            text += "  (the cycle starts here)"
        loc: JsonObject = {"location": _location(t.span, text), "executionOrder": step.number}
        if step.changes:
            loc["state"] = {
                model.variables[c.var].name: {"text": show_change(model, c)} for c in step.changes
            }
        flows.setdefault(t.process, []).append(loc)
    return {
        "message": {"text": title},
        "threadFlows": [
            {"id": model.processes[p].name, "locations": locs} for p, locs in sorted(flows.items())
        ],
    }


def _kind_level(o: Outcome) -> tuple[str, str]:
    match o.status:
        case Status.UNEXPECTED | Status.INTERNAL:
            return "fail", "error"
        case Status.INCOMPLETE:
            return "open", "none"
        case Status.AS_EXPECTED:
            if o.primary.verdict in (Verdict.VIOLATED, Verdict.NOT_REACHED):
                return "fail", "note"
            return "pass", "none"


def _result(model: Model, o: Outcome, rule_index: int) -> JsonObject:
    kind, level = _kind_level(o)
    label = model.config_label()
    text = f"{o.prop.kind.value} {o.prop.name} [{label}]: {o.verdict_label} ({o.status.value}"
    text += f", expected {o.expectation})" if o.status is Status.UNEXPECTED else ")"
    if o.problem:
        text += f": {o.problem}"
    elif o.primary.detail:
        text += f": {o.primary.detail}"
    out: JsonObject = {
        "ruleId": o.prop.name,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": level,
        "message": {"text": text},
        "locations": [_location(o.prop.span)],
        "properties": {"configuration": label, "verdict": o.verdict_label, "status": o.status.name.lower()},
    }
    flows = [
        _code_flow(view(model, a.trace), f"{a.engine} engine: {a.verdict.value}")
        for a in o.evidence()
        if a.trace is not None
    ]
    if flows:
        out["codeFlows"] = flows
    return out


def render(result: RunResult) -> str:
    rules: dict[str, JsonObject] = {}
    for c in result.configs:
        for o in c.outcomes:
            rules.setdefault(
                o.prop.name,
                {
                    "id": o.prop.name,
                    "shortDescription": {"text": f"{o.prop.kind.value} {o.prop.name}"},
                },
            )
    index = {name: i for i, name in enumerate(rules)}
    results = [_result(c.model, o, index[o.prop.name]) for c in result.configs for o in c.outcomes]
    doc: JsonObject = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {"name": "modelcheck", "version": TOOL_VERSION, "rules": list(rules.values())}
                },
                "artifacts": [{"location": {"uri": quote(result.spec)}}],
                "invocations": [
                    {
                        "executionSuccessful": int(result.exit_code) in (0, 1, 3),
                        "exitCode": int(result.exit_code),
                        "exitCodeDescription": result.reason,
                    }
                ],
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
