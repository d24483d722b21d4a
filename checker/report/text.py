"""The terminal report: verdict table, traces, notes, summary and exit reason.

Stage: report.  Input: a `RunResult` (checker/run.py); output: the text a
kernel reviewer reads and pastes into a review.  With `timing=False` the
output is a pure function of the spec and the options (golden tests, CI
diffs).  Marks in the table: `(expected)` for a declared expected violation
that happened, `!` for a result that differs from its expectation, `!!`
for an engine disagreement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.report import grid
from checker.report.steps import blocked, failure_text, view
from checker.report.swimlane import DEFAULT_WIDTH, TraceStyle, render_trace
from checker.result import PropertyResult, StopReason, Verdict
from checker.run import Command, EngineChoice, Outcome, RunResult, Status
from model.ir import Model, PropKind


@dataclass(frozen=True, slots=True)
class TextOptions:
    ascii_only: bool = False
    timing: bool = True
    trace_style: TraceStyle = TraceStyle.SWIMLANE
    witnesses: bool = False  # print the witness of every REACHED target
    show_invariant: bool = False
    quiet: bool = False  # traces only for results that are not as expected
    width: int = DEFAULT_WIDTH


_TIME_ALONE = re.compile(r"\s*\(\d+(?:\.\d+)?s\)")
_TIME_LISTED = re.compile(r",\s*\d+(?:\.\d+)?s\b")
_TIME_IN = re.compile(r"\s+in \d+(?:\.\d+)?s\b")  # blocking's "learned ... in 0.1s"


def untimed(detail: str) -> str:
    """`detail` without the durations engines put in it (`(0.02s)`, `, 1.5s`, ` in 0.1s`), for --no-timing."""
    return _TIME_IN.sub("", _TIME_LISTED.sub("", _TIME_ALONE.sub("", detail)))


def verdict_cell(o: Outcome) -> str:
    label = o.verdict_label
    match o.status:
        case Status.INTERNAL:
            return f"!! {label}"
        case Status.UNEXPECTED:
            return f"! {label} (expected {o.expectation})"
        case Status.INCOMPLETE:
            reason = o.primary.reason
            return f"{label} ({reason.value})" if reason is not None else label
        case Status.AS_EXPECTED:
            return f"{label} (expected)" if o.prop.expect_violation else label


def _stats_source(o: Outcome) -> PropertyResult:
    return next((a for a in o.answers if a.engine == "explicit"), o.primary)


def _count(n: int, exact: bool) -> str:
    return f"{n:,}" if exact else "-"


def _config_cell(model: Model, row: int, rows: int) -> str:
    """Row `row` of a configuration's cell: one param a row, down the configuration's rows."""
    lines = [f"{name}={shown}" for name, _, shown in model.config] or [model.config_label()]
    if row >= len(lines):
        return ""
    return lines[row] if row < rows - 1 else "\n".join(lines[row:])


def verdict_table(result: RunResult, opts: TextOptions) -> list[str]:
    headers = ["configuration", "property", "verdict", "states", "transitions", "depth"]
    if opts.timing:
        headers.append("time")
    rows: list[grid.Row] = []
    for c in result.configs:
        for k, o in enumerate(c.outcomes):
            src = _stats_source(o)
            counted = src.engine == "explicit"
            cells = [
                _config_cell(c.model, k, len(c.outcomes)),
                o.prop.name,
                verdict_cell(o),
                _count(src.stats.states, counted),
                _count(src.stats.transitions, counted),
                str(src.stats.depth),
            ]
            if opts.timing:
                cells.append(f"{c.seconds:.2f}s" if k == 0 else "")
            rows.append(grid.Line(tuple(cells), rule=k == 0))
    right = {"states", "transitions", "depth", "time"}
    align = [grid.Align.RIGHT if h in right else grid.Align.LEFT for h in headers]
    natural = grid.natural_widths(headers, rows)
    # Too wide: wrap the configuration and verdict columns first, keeping headers and a
    # configuration's `param=value` lines whole where possible; then anything but the numbers.
    keep = [min(n, max(len(h), 18)) for n, h in zip(natural, headers, strict=True)]
    widths = (
        grid.fit(natural, opts.width, [h in ("configuration", "verdict") for h in headers], keep)
        or grid.fit(natural, opts.width, [h not in right for h in headers])
        or natural
    )
    return grid.render(headers, rows, grid.box(opts.ascii_only), widths=widths, align=align)


def _trace_title(model: Model, o: Outcome, a: PropertyResult) -> str:
    assert a.trace is not None
    kind = "witness" if a.verdict is Verdict.REACHED else "counterexample"
    if a.trace.loop_start is not None:
        kind = "lasso counterexample"
    steps = "step" if a.trace.length == 1 else "steps"
    status = {
        Status.AS_EXPECTED: "as expected",
        Status.UNEXPECTED: f"UNEXPECTED, expected {o.expectation}",
        Status.INCOMPLETE: "incomplete",
        Status.INTERNAL: "ENGINES DISAGREE",
    }[o.status]
    return (
        f"{o.prop.name} [{model.config_label()}]: {a.verdict.value} ({status}), "
        f"{kind} of {a.trace.length} {steps} ({a.engine} engine)"
    )


def _wants_trace(o: Outcome, opts: TextOptions) -> bool:
    if o.status is Status.INTERNAL:
        return True
    if opts.quiet and o.status is Status.AS_EXPECTED:
        return False
    if o.primary.verdict is Verdict.REACHED:
        return opts.witnesses or o.status is not Status.AS_EXPECTED
    return o.primary.trace is not None


def traces(result: RunResult, opts: TextOptions) -> list[str]:
    out: list[str] = []
    for c in result.configs:
        for o in c.outcomes:
            if not _wants_trace(o, opts):
                continue
            for a in o.evidence():
                assert a.trace is not None
                out += ["", *grid.wrap(_trace_title(c.model, o, a), opts.width)]
                failed = a.trace.failed_check
                said = (
                    failure_text(c.model.transitions[a.trace.transitions[-1]].checks[failed])
                    if failed is not None
                    else ""
                )
                if a.detail and a.detail != said:  # the failing step's banner already says it
                    out += grid.wrap(f"  {a.detail if opts.timing else untimed(a.detail)}", opts.width)
                tv = view(c.model, a.trace)
                out += render_trace(tv, opts.trace_style, ascii_only=opts.ascii_only, width=opts.width)
                if o.prop.kind is PropKind.DEADLOCK and a.verdict is Verdict.VIOLATED:
                    out += [f"  blocked: {line}" for line in blocked(tv)]
    return out


def notes(result: RunResult, opts: TextOptions) -> list[str]:
    """Disagreements, reasons for incomplete results, and proofs' invariants."""
    out: list[str] = []

    def detail(a: PropertyResult) -> str:
        return a.detail if opts.timing else untimed(a.detail)

    for c in result.configs:
        label = c.model.config_label()
        for o in c.outcomes:
            if o.status is Status.INTERNAL:
                out += grid.wrap(f"{o.prop.name} [{label}]: {o.problem}", opts.width)
                out += [f"  {a.engine}: {a.verdict.value} {detail(a)}".rstrip() for a in o.answers]
            for a in o.answers:
                if a.reason is StopReason.NOT_SUPPORTED and o.primary.verdict.is_definite:
                    continue  # the other engine answered; no need to say this one does not
                if not a.verdict.is_definite:
                    why = a.reason.description if a.reason is not None else a.verdict.description
                    extra = f" ({detail(a)})" if a.detail and a.detail != why else ""
                    out += grid.wrap(
                        f"{o.prop.name} [{label}]: {a.engine}: {a.verdict.value}: {why}{extra}", opts.width
                    )
                elif opts.show_invariant and a.invariant:
                    method = f" ({detail(a)})" if a.detail else ""
                    out += grid.wrap(f"{o.prop.name} [{label}]: inductive invariant{method}:", opts.width)
                    out += [f"    {conjunct}" for conjunct in a.invariant]
    return ["", *out] if out else []


def _count_phrase(status: Status, n: int) -> str:
    match status:
        case Status.AS_EXPECTED:
            return f"{n} as expected"
        case Status.UNEXPECTED:
            return f"{n} {'differs' if n == 1 else 'differ'} from expectation"
        case Status.INCOMPLETE:
            return f"{n} incomplete"
        case Status.INTERNAL:
            return f"{n} engine {'disagreement' if n == 1 else 'disagreements'}"


def summary(result: RunResult, opts: TextOptions) -> list[str]:
    everything = [o for c in result.configs for o in c.outcomes]
    counts = {s: sum(1 for o in everything if o.status is s) for s in Status}
    n_configs = len(result.configs)
    parts = [_count_phrase(s, counts[s]) for s in Status if counts[s] or s is Status.AS_EXPECTED]
    results = "result" if len(everything) == 1 else "results"
    configs = "configuration" if n_configs == 1 else "configurations"
    line = f"{len(everything)} {results} in {n_configs} {configs}: {', '.join(parts)}"
    if result.skipped:
        line += (
            f"; {result.skipped} not attempted (reachability targets and liveness declared violated:"
            " use `modelcheck check`)"
        )
    if opts.timing:
        line += f" ({result.seconds:.2f}s)"
    return [
        "",
        *grid.wrap(line, opts.width),
        *grid.wrap(f"exit {int(result.exit_code)}: {result.reason}", opts.width),
    ]


def _engines_label(result: RunResult) -> str:
    if result.options.command is Command.PROVE:
        return "z3 proofs (safety, and liveness expected to hold)"
    match result.options.engine:
        case EngineChoice.EXPLICIT:
            return "explicit engine"
        case EngineChoice.SYMBOLIC:
            return "symbolic engine (z3)"
        case EngineChoice.BOTH:
            return "explicit and symbolic engines"


def render(result: RunResult, opts: TextOptions) -> str:
    engines = _engines_label(result)
    head = [f"{result.spec}: {engines}"]
    body = verdict_table(result, opts) + traces(result, opts) + notes(result, opts) + summary(result, opts)
    return grid.visible("\n".join(head + body) + "\n")  # NOTE(untrusted-text)
