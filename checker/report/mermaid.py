"""`--format mermaid`: Mermaid sequence diagrams of traces, in Markdown.

Stage: report.  Each trace is a `sequenceDiagram` with one participant per
process that acts and one for the shared state: a step is a message from
its process to the state (the statement), with the changed variables as a
note; a lasso's cycle is a `loop` block; a failing check is a note.  The
output is Markdown (a heading and a fenced block per trace), so it pastes
into an issue or pull request as is and renders there.
"""

from __future__ import annotations

from checker.report.grid import visible
from checker.report.steps import TraceView, failure_text, show_assignment, show_change, view, where
from checker.result import Verdict
from checker.run import RunResult


def _text(s: str) -> str:
    # `;` ends a statement and `#` starts an entity in Mermaid: use entity codes.
    return s.replace("#", "#35;").replace(";", "#59;").replace("\n", "<br/>")


def sequence(v: TraceView, title: str) -> list[str]:
    model = v.model
    actors = sorted({s.transition.process for s in v.steps})
    out = ["sequenceDiagram", f"    title {_text(title)}"]
    out += [f"    participant p{p} as {_text(model.processes[p].name)}" for p in actors]
    out.append("    participant state as shared state")
    initial = ", ".join(show_assignment(model, var, value) for var, value in v.initial)
    out.append(f"    Note over state: initial: {_text(initial or '-')}")
    indent = "    "
    for step in v.steps:
        if v.loop_after is not None and step.number == v.loop_after + 1:
            out.append(f"{indent}loop cycle: repeats forever")
            indent = "        "
        t = step.transition
        origin = where(t)
        label = f"{step.number}. {t.text}" + (f" [{origin}]" if origin else "")
        out.append(f"{indent}p{t.process}->>state: {_text(label)}")
        if step.changes:
            changes = "<br/>".join(_text(show_change(model, c)) for c in step.changes)
            out.append(f"{indent}Note right of state: {changes}")
        if step.failed is not None:
            out.append(f"{indent}Note over p{t.process}: fails: {_text(failure_text(step.failed))}")
    if v.loop_after is not None:
        if v.stutter and v.loop_after == len(v.steps):
            out.append(f"{indent}Note over state: no step is enabled: the run stays here forever")
        else:
            out.append("    end")
    return out


def render(result: RunResult, *, witnesses: bool = True) -> str:
    out: list[str] = []
    for c in result.configs:
        for o in c.outcomes:
            for a in o.evidence():
                assert a.trace is not None
                if not witnesses and a.verdict is Verdict.REACHED:
                    continue
                title = f"{o.prop.name} [{c.model.config_label()}]: {a.verdict.value} ({o.status.value})"
                out += [f"### {title}", "", "```mermaid", *sequence(view(c.model, a.trace), title), "```", ""]
    if not out:
        out = ["No result of this run has a trace.", ""]
    return visible("\n".join(out))  # NOTE(untrusted-text)
