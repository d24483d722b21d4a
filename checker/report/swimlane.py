"""Traces as a reviewer reads them: swimlanes, or a step list.

Stage: report.  Input: a `TraceView` (checker/report/steps.py); output:
lines of text.  A swimlane has one column per process that takes a step,
one row per step: the step number, the statement in the column of the
process that took it, the variables it changed (`name: old -> new`, values
by `Model.show_value`) and where it comes from (`file:line`, and the kernel
line it models when the spec gives one).  The initial state comes first;
a lasso's cycle start and a failing check are marked by spanning rows.  A
swimlane wider than `width` falls back to the step list.
"""

from __future__ import annotations

import enum

from checker.report import grid
from checker.report.steps import Step, TraceView, failure_text, show_assignment, show_change, source_of, where


class TraceStyle(enum.Enum):
    SWIMLANE = "swimlane"
    LIST = "list"


DEFAULT_WIDTH = 100
PROCESS_MIN = 16  # see NOTE(swimlane-fit)
CHANGES_MIN = 20


def _initial_text(v: TraceView) -> str:
    shown = ", ".join(show_assignment(v.model, var, value) for var, value in v.initial)
    return f"initial state: {shown or '(nothing to show)'}"


def _loop_text(v: TraceView) -> str:
    assert v.loop_after is not None
    if v.stutter:
        return "cycle: no step is enabled here; the run stays in this state forever"
    first, last = v.loop_after + 1, len(v.steps)
    if first == last:
        return f"cycle starts here: step {first} repeats forever"
    return f"cycle starts here: steps {first}..{last} repeat forever"


def _closing_texts(v: TraceView, marker: str) -> list[str]:
    out: list[str] = []
    failed = v.steps[-1].failed if v.steps else None
    if failed is not None:
        out.append(f"{marker} step {len(v.steps)} fails: {failure_text(failed)}")
    if v.steps and v.steps[-1].closes_loop:
        assert v.loop_after is not None
        target = "the initial state" if v.loop_after == 0 else f"the state after step {v.loop_after}"
        out.append(f"back to {target}: the cycle repeats forever")
    return out


def _source_cell(step: Step, sep: str) -> str:
    parts = [source_of(step.transition)]
    if step.transition.kernel_ref:
        parts.append(step.transition.kernel_ref)
    return sep.join(p for p in parts if p)


def swimlane(v: TraceView, *, ascii_only: bool = False, width: int = DEFAULT_WIDTH) -> list[str] | None:
    """The trace as a swimlane, or None when it cannot fit in `width` columns.

    The spec line and the kernel reference share a line when every column then keeps its
    natural width, and are stacked otherwise.
    """
    headers, rows = _grid_rows(v, ascii_only, ", ")
    natural = grid.natural_widths(headers, rows)
    if sum(natural) + 3 * len(natural) + 1 > width:
        headers, rows = _grid_rows(v, ascii_only, "\n")
        natural = grid.natural_widths(headers, rows)
    # NOTE(swimlane-fit): step numbers and sources (`file:line`, kernel refs) never wrap; a
    # process column keeps at least PROCESS_MIN columns and `changes` CHANGES_MIN.  When that does
    # not fit in `width` there are too many processes for a readable swimlane: the caller prints
    # the step list instead (a wider --width gives the swimlane back).
    n_actors = len(headers) - 3
    shrinkable = [False] + [True] * n_actors + [True, False]
    floor = [
        natural[0],
        *(min(w, PROCESS_MIN) for w in natural[1:-2]),
        min(natural[-2], CHANGES_MIN),
        natural[-1],
    ]
    widths = grid.fit(natural, width, shrinkable, floor)
    if widths is None:
        return None
    # Let the spanning rows use the room the columns left, up to `width`: widen `changes`.
    longest = max((len(r.text) for r in rows if isinstance(r, grid.Banner)), default=0)
    inner = sum(widths) + 3 * (len(widths) - 1)
    widths[-2] += max(0, min(longest - inner, width - (inner + 4)))
    align = [grid.Align.RIGHT] + [grid.Align.LEFT] * (len(headers) - 1)
    return grid.render(headers, _ruled(rows, widths), grid.box(ascii_only), widths=widths, align=align)


def _grid_rows(v: TraceView, ascii_only: bool, source_sep: str) -> tuple[list[str], list[grid.Row]]:
    model = v.model
    actors = sorted({s.transition.process for s in v.steps})
    headers = ["#", *(model.processes[p].name for p in actors), "changes", "source"]
    rows: list[grid.Row] = [grid.Banner(_initial_text(v))]
    marker = "X" if ascii_only else "✗"
    for step in v.steps:
        if v.loop_after is not None and step.number == v.loop_after + 1:
            rows.append(grid.Banner(_loop_text(v)))
        cells = [str(step.number)]
        cells += [step.transition.text if p == step.transition.process else "" for p in actors]
        cells += ["\n".join(show_change(model, c) for c in step.changes), _source_cell(step, source_sep)]
        rows.append(grid.Line(tuple(cells)))
    if v.loop_after is not None and v.loop_after == len(v.steps):
        rows.append(grid.Banner(_loop_text(v)))
    rows += [grid.Banner(t) for t in _closing_texts(v, marker)]
    return headers, rows


def _ruled(rows: list[grid.Row], widths: list[int]) -> list[grid.Row]:
    """Rules between steps only where a step takes several lines: single-line steps stay compact."""

    def height(row: grid.Row) -> int:
        if isinstance(row, grid.Banner):
            return 1
        return max(len(grid.wrap(cell, w)) for cell, w in zip(row.cells, widths, strict=True))

    out: list[grid.Row] = []
    previous: grid.Row | None = None
    for row in rows:
        if isinstance(row, grid.Line) and isinstance(previous, grid.Line):
            row = grid.Line(row.cells, rule=height(row) > 1 or height(previous) > 1)
        out.append(row)
        previous = row
    return out


def step_list(v: TraceView, *, ascii_only: bool = False, width: int | None = None) -> list[str]:
    """The trace as a numbered list of steps (any number of processes).

    With `width`, the initial state (one long line of assignments) wraps to it; a step stays one
    line, its source at the end.
    """
    model = v.model
    out = grid.wrap(_initial_text(v), width) if width is not None else [_initial_text(v)]
    name_width = max((len(model.processes[s.transition.process].name) for s in v.steps), default=0)
    marker = "X" if ascii_only else "✗"
    for step in v.steps:
        if v.loop_after is not None and step.number == v.loop_after + 1:
            out.append(f"--- {_loop_text(v)} ---")
        proc = model.processes[step.transition.process].name
        origin = where(step.transition)
        line = f"{step.number:>4}  {proc:<{name_width}}  {step.transition.text}"
        out.append(f"{line}   [{origin}]" if origin else line)
        pad = " " * (6 + name_width + 2)
        out.extend(pad + show_change(model, c) for c in step.changes)
    if v.loop_after is not None and v.loop_after == len(v.steps):
        out.append(f"--- {_loop_text(v)} ---")
    out.extend(_closing_texts(v, marker))
    return out


def render_trace(
    v: TraceView, style: TraceStyle, *, ascii_only: bool = False, width: int = DEFAULT_WIDTH
) -> list[str]:
    match style:
        case TraceStyle.SWIMLANE:
            lanes = swimlane(v, ascii_only=ascii_only, width=width)
            return lanes if lanes is not None else step_list(v, ascii_only=ascii_only, width=width)
        case TraceStyle.LIST:
            return step_list(v, ascii_only=ascii_only, width=width)
