"""`--format dot` (and svg): Graphviz drawings of traces and of small state graphs.

Stage: report.  A trace is a chain of state nodes (each labelled with the
variables its step changed; the first with the initial state) joined by
edges labelled with the step, the process and the statement; a failing
check ends in a red node; a lasso's last edge goes back to the cycle's
first state.  All traces of a run go in one digraph, a cluster each, so
the output is a single graph `dot -Tsvg` renders.  `state_graph_dot`
draws a networkx state graph from the explicit engine.
"""

from __future__ import annotations

import shutil
import subprocess
from typing import Any

from checker.report.grid import visible
from checker.report.steps import TraceView, failure_text, show_assignment, show_change, view, where
from checker.result import Verdict
from checker.run import RunResult
from model.ir import Model


def quote(text: str, *, left: bool = True) -> str:
    """A DOT string literal; lines are left-justified (`\\l`) unless `left` is False."""
    escaped = visible(text).replace("\\", "\\\\").replace('"', '\\"')  # NOTE(untrusted-text)
    if not left:
        return '"' + "\\n".join(escaped.split("\n")) + '"'
    return '"' + "\\l".join(escaped.split("\n")) + '\\l"'


def _trace_cluster(v: TraceView, cluster: int, title: str) -> list[str]:
    model = v.model
    n = f"t{cluster}_"
    out = [f"  subgraph cluster_{cluster} {{", f"    label={quote(title, left=False)};"]
    initial = "\n".join(show_assignment(model, var, value) for var, value in v.initial)
    out.append(f"    {n}0 [label={quote('initial state' + (chr(10) + initial if initial else ''))}];")
    for step in v.steps:
        t = step.transition
        edge = f"{step.number}. {model.processes[t.process].name}: {t.text}"
        origin = where(t)
        if origin:
            edge += f"\n{origin}"
        if step.failed is not None:
            out.append(
                f"    {n}{step.number} [label={quote('X ' + failure_text(step.failed))}, color=red, fontcolor=red];"
            )
            out.append(f"    {n}{step.number - 1} -> {n}{step.number} [label={quote(edge)}, color=red];")
        elif step.closes_loop:
            assert v.loop_after is not None
            out.append(
                f"    {n}{step.number - 1} -> {n}{v.loop_after} [label={quote(edge)}, style=bold, constraint=false];"
            )
        else:
            changes = "\n".join(show_change(model, c) for c in step.changes) or "(no visible change)"
            out.append(f"    {n}{step.number} [label={quote(changes)}];")
            out.append(f"    {n}{step.number - 1} -> {n}{step.number} [label={quote(edge)}];")
    if v.stutter:
        last = len(v.steps)
        out.append(f"    {n}{last} -> {n}{last} [label={quote('stays here forever')}, style=dashed];")
    if v.loop_after is not None:
        out.append(f"    {n}{v.loop_after} [peripheries=2];")
    out.append("  }")
    return out


def traces_dot(result: RunResult, *, witnesses: bool = True) -> str:
    """One digraph holding every trace of the run (an empty graph says so in a comment)."""
    out = [
        "digraph modelcheck {",
        "  rankdir=TB;",
        '  node [shape=box, fontname="monospace", fontsize=10];',
        '  edge [fontname="monospace", fontsize=9];',
    ]
    k = 0
    for c in result.configs:
        for o in c.outcomes:
            for a in o.evidence():
                assert a.trace is not None
                if not witnesses and a.verdict is Verdict.REACHED:
                    continue
                title = f"{o.prop.name} [{c.model.config_label()}]: {a.verdict.value} ({o.status.value}, {a.engine})"
                out += _trace_cluster(view(c.model, a.trace), k, title)
                k += 1
    if k == 0:
        out.append("  // no result of this run has a trace")
    out.append("}")
    return "\n".join(out) + "\n"


def state_graph_dot(model: Model, graph: Any, title: str) -> str:
    """The explicit engine's state graph (`checker.explicit.state_graph`) as DOT.

    Nodes carry `state` (the value tuple) and `initial`; an edge carries
    `transitions` (IR transition indices).  A node shows the variables that
    differ from the first initial state (all of them for that state).
    """
    nodes = list(graph.nodes)
    states = {n: tuple(graph.nodes[n].get("state", ())) for n in nodes}
    base = next((states[n] for n in nodes if graph.nodes[n].get("initial")), None)
    if not graph.graph.get("complete", True):
        title += " (incomplete: a limit cut the graph)"
    out = [
        "digraph states {",
        f"  label={quote(title, left=False)};",
        '  node [shape=box, fontname="monospace", fontsize=9];',
    ]
    for k, node in enumerate(nodes):
        state = states[node]
        shown = [i for i in range(len(state)) if base is None or state is base or state[i] != base[i]]
        label = "\n".join(show_assignment(model, i, state[i]) for i in shown) or "(as the initial state)"
        extra = ", peripheries=2" if graph.nodes[node].get("initial") else ""
        out.append(f"  s{k} [label={quote(label)}{extra}];")
    index = {node: k for k, node in enumerate(nodes)}
    for src, dst, attrs in graph.edges(data=True):
        labels = []
        for t in attrs.get("transitions", ()):
            tr = model.transitions[t]
            labels.append(f"{model.processes[tr.process].name}: {tr.text}")
        out.append(f"  s{index[src]} -> s{index[dst]} [label={quote(chr(10).join(labels))}];")
    out.append("}")
    return "\n".join(out) + "\n"


def have_graphviz() -> bool:
    return shutil.which("dot") is not None


def to_svg(dot_text: str, timeout: float = 60.0) -> str:
    """Render DOT with graphviz `dot -Tsvg` (raises RuntimeError when it fails)."""
    exe = shutil.which("dot")
    if exe is None:
        raise RuntimeError("graphviz `dot` is not installed: use --format dot")
    done = subprocess.run(
        [exe, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=timeout, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"dot -Tsvg failed: {done.stderr.strip()}")
    return done.stdout
