"""`--format junit`: JUnit XML for CI dashboards.

Stage: report.  One `<testsuite>` per configuration, one `<testcase>` per
property: `<failure>` when the result differs from its expectation (with
the trace as an ASCII step list), `<error>` for an engine disagreement,
`<skipped>` for INCOMPLETE/UNKNOWN (with the reason).  A result that meets
its expectation (including a declared expected violation) passes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from checker.report.grid import visible
from checker.report.steps import view
from checker.report.swimlane import step_list
from checker.run import Outcome, RunResult, Status
from model.ir import Model


def _trace_text(model: Model, o: Outcome) -> str:
    lines: list[str] = []
    for a in o.answers:
        if a.trace is not None:
            lines.append(f"{a.engine} engine: {a.verdict.value}")
            lines += step_list(view(model, a.trace), ascii_only=True)
    return "\n".join(lines)


def _message(o: Outcome) -> str:
    base = f"{o.verdict_label}, expected {o.expectation}"
    return f"{base}: {o.primary.detail}" if o.primary.detail else base


def render(result: RunResult, *, timing: bool) -> str:
    stem = result.spec.rsplit("/", 1)[-1]
    root = ET.Element("testsuites", name="modelcheck")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for c in result.configs:
        label = c.model.config_label()
        suite = ET.SubElement(root, "testsuite", name=f"{result.spec} [{label}]")
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for o in c.outcomes:
            case = ET.SubElement(suite, "testcase", classname=f"{stem}[{label}]", name=o.prop.name)
            if timing:
                case.set("time", f"{o.primary.stats.seconds:.3f}")
            counts["tests"] += 1
            match o.status:
                case Status.AS_EXPECTED:
                    pass
                case Status.UNEXPECTED:
                    counts["failures"] += 1
                    el = ET.SubElement(case, "failure", message=_message(o), type="unexpected")
                    el.text = _trace_text(c.model, o)
                case Status.INTERNAL:
                    counts["errors"] += 1
                    el = ET.SubElement(case, "error", message=o.problem, type="engine-disagreement")
                    el.text = _trace_text(c.model, o)
                case Status.INCOMPLETE:
                    counts["skipped"] += 1
                    why = o.primary.reason.description if o.primary.reason else o.primary.verdict.description
                    ET.SubElement(case, "skipped", message=f"{o.verdict_label}: {why}")
            out = ET.SubElement(case, "system-out")
            out.text = f"{o.prop.kind.value} {o.prop.name} [{label}]: {o.verdict_label} ({o.status.value})"
        for key, n in counts.items():
            suite.set(key, str(n))
            totals[key] += n
        if timing:
            suite.set("time", f"{c.seconds:.3f}")
    for key, n in totals.items():
        root.set(key, str(n))
    if timing:
        root.set("time", f"{result.seconds:.3f}")
    ET.indent(root)
    body = visible(ET.tostring(root, encoding="unicode"))  # XML 1.0 has no control characters
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
