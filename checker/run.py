"""Orchestration: spec -> configurations -> engines -> merged outcomes -> exit code.

Stage: run, between `checker/cli.py` (which parses arguments and prints) and
`checker/report/` (which formats).  Contract:

* `load_models` asks the front end for every configuration of a spec; a
  `model.diagnostics.SpecError` propagates to the caller (exit 2).
* `select` applies `--config` and `--property` filters (`UserError` when a
  filter names nothing).
* `run` checks every selected configuration with the chosen engines and
  returns a `RunResult`: per configuration and property, every engine's
  answer, the answer that is reported, a `Status`, and the exit code of
  DESIGN.md §5.  It never prints.  Ctrl-C during a run leaves INCOMPLETE
  (interrupted) results for whatever was not finished.

NOTE(merge): with `--engine both` each property gets the explicit answer and
the symbolic one.  A definite "a trace exists" (VIOLATED, REACHED) against a
definite "no trace exists" (HOLDS, PROVED, NOT REACHED) is a disagreement:
status INTERNAL, exit 70, both answers printed.  Otherwise the reported
(primary) answer is the first definite one in engine order (explicit first:
its traces are shortest by construction and it carries state counts), else
the first answer.  Every trace that z3 produced is replayed by the explicit
engine first; a trace that does not replay is a disagreement too.

NOTE(expectation): whether a result is as expected is decided from the IR
property's `expect_violation` (the spec), not from the copy an engine puts
in its result, so an engine cannot change the exit code by forgetting it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import enum
import functools
import importlib
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from checker.result import PropertyResult, Stats, StopReason, Trace, Verdict
from model.ir import Model, Property, PropKind

if TYPE_CHECKING:  # the engines are imported on first use: `modelcheck ir` never loads z3
    import networkx as nx

    from checker.explicit import ExplicitOptions
    from checker.symbolic import SymbolicOptions


class ExitCode(enum.IntEnum):
    """The process exit status (DESIGN.md §5)."""

    OK = 0
    UNEXPECTED = 1
    USAGE = 2
    INCOMPLETE = 3
    INTERNAL = 70

    @property
    def description(self) -> str:
        return _EXIT_TEXT[self]


_EXIT_TEXT = {
    ExitCode.OK: "every result is as expected and nothing is incomplete",
    ExitCode.UNEXPECTED: "a result differs from its expectation",
    ExitCode.USAGE: "bad spec or usage",
    ExitCode.INCOMPLETE: "some result is incomplete or unknown, nothing else is wrong",
    ExitCode.INTERNAL: "internal error or engine disagreement",
}


class EngineChoice(enum.Enum):
    EXPLICIT = "explicit"
    SYMBOLIC = "symbolic"
    BOTH = "both"


class Command(enum.Enum):
    CHECK = "check"  # every property, by the chosen engines
    PROVE = "prove"  # z3 proofs of every safety property and every liveness property expected to hold


SAFETY_KINDS = frozenset({PropKind.INVARIANT, PropKind.ASSERTION, PropKind.DEADLOCK})


def proved_by_prove(p: Property) -> bool:
    """What `prove` attempts: safety, and liveness expected to hold (z3 finds no lassos)."""
    return p.kind in SAFETY_KINDS or (p.kind.is_liveness and not p.expect_violation)


class UserError(Exception):
    """A mistake in the command line (exit 2); the message says what and how to fix it."""


class InternalError(Exception):
    """A bug in modelcheck found at run time (exit 70), e.g. an engine breaking its contract."""


@dataclass(frozen=True, slots=True)
class RunOptions:
    """What to run and within which limits (None: the engine's default / unlimited)."""

    command: Command = Command.CHECK
    engine: EngineChoice = EngineChoice.EXPLICIT
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    memory_mb: int | None = None
    bmc_depth: int | None = None
    symmetry: bool = True
    progress: bool = False
    properties: tuple[str, ...] = ()
    configs: tuple[tuple[str, str], ...] = ()  # (param, value) filters


class Status(enum.Enum):
    """How one outcome bears on the exit code."""

    AS_EXPECTED = "as expected"
    UNEXPECTED = "differs from expectation"
    INCOMPLETE = "incomplete"
    INTERNAL = "engine disagreement"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One property of one configuration: every engine's answer and the reported one."""

    prop: Property
    answers: tuple[PropertyResult, ...]
    primary: PropertyResult
    status: Status
    problem: str = ""  # for INTERNAL: the disagreement in words

    @property
    def verdict_label(self) -> str:
        """`HOLDS`, or with two engines both answers: `HOLDS + PROVED`."""
        return " + ".join(a.verdict.value for a in self.answers)

    def evidence(self) -> tuple[PropertyResult, ...]:
        """The answers whose traces a report shows: every engine's on a disagreement, else the reported one."""
        shown = self.answers if self.status is Status.INTERNAL else (self.primary,)
        return tuple(a for a in shown if a.trace is not None)

    @property
    def expectation(self) -> str:
        """The declared expectation in words."""
        if self.prop.kind is PropKind.REACHABLE:
            return "not reached" if self.prop.expect_violation else "reached"
        return "violated" if self.prop.expect_violation else "holds"


@dataclass(frozen=True, slots=True)
class ConfigOutcome:
    model: Model
    outcomes: tuple[Outcome, ...]
    seconds: float
    interrupted: bool = False


@dataclass(frozen=True, slots=True)
class RunResult:
    spec: str
    options: RunOptions
    configs: tuple[ConfigOutcome, ...]
    exit_code: ExitCode
    reason: str  # the exit reason in words
    seconds: float
    skipped: int = 0  # properties `prove` does not attempt (see `proved_by_prove`)

    def outcomes(self) -> list[tuple[Model, Outcome]]:
        return [(c.model, o) for c in self.configs for o in c.outcomes]


# --------------------------------------------------------------------------
# Engines, injectable for tests


ExplicitCheck = Callable[[Model, RunOptions], Sequence[PropertyResult]]
SymbolicCheck = Callable[[Model, RunOptions], Sequence[PropertyResult]]
Prove = Callable[[Model, Property, RunOptions], PropertyResult]
Replay = Callable[[Model, Trace], "str | None"]


@dataclass(frozen=True, slots=True)
class Engines:
    """The engine entry points `run` calls (tests substitute fakes)."""

    explicit: ExplicitCheck
    symbolic: SymbolicCheck
    prove: Prove
    replay: Replay


def _explicit_options(options: RunOptions) -> ExplicitOptions:
    from checker.explicit import ExplicitOptions

    return ExplicitOptions(
        max_states=options.max_states,
        max_depth=options.max_depth,
        timeout=options.timeout,
        memory_mb=options.memory_mb,
        symmetry=options.symmetry,
        progress=options.progress,
    )


# Houdini draws candidate invariants from reachable states when there are at most this many.
HOUDINI_SAMPLE_LIMIT = 20_000


@functools.lru_cache(maxsize=4)  # `prove` asks once per property: sample the states once per configuration
def _symbolic_options(model: Model, options: RunOptions) -> SymbolicOptions:
    from checker.explicit import reachable_states
    from checker.symbolic import SymbolicOptions

    sample = reachable_states(model, HOUDINI_SAMPLE_LIMIT, options.timeout)  # None: the proofs go without
    fields: dict[str, Any] = {"reachable_states": sample, "progress": options.progress}
    if options.bmc_depth is not None:
        fields["max_bmc_depth"] = options.bmc_depth
    if options.timeout is not None:
        fields["timeout"] = options.timeout
    return SymbolicOptions(**fields)


class TraceReplayError(Exception):
    """A z3 trace the explicit engine does not replay (the symbolic engine checks first)."""

    def __init__(self, prop: str, problem: str, trace: Trace) -> None:
        super().__init__(f"the symbolic trace for {prop} does not replay: {problem}")
        self.prop = prop
        self.problem = problem
        self.trace = trace


@contextlib.contextmanager
def _symbolic_replay_errors() -> Iterator[None]:
    from checker.symbolic import SymbolicTraceError

    try:
        yield
    except SymbolicTraceError as e:
        raise TraceReplayError(e.prop, e.problem, e.trace) from e


def _explicit_check(model: Model, options: RunOptions) -> Sequence[PropertyResult]:
    from checker.explicit import check

    return check(model, _explicit_options(options))


def _symbolic_check(model: Model, options: RunOptions) -> Sequence[PropertyResult]:
    from checker.symbolic import check

    with _symbolic_replay_errors():
        return check(model, _symbolic_options(model, options))


def _prove(model: Model, prop: Property, options: RunOptions) -> PropertyResult:
    from checker.symbolic import prove

    with _symbolic_replay_errors():
        return prove(model, prop, _symbolic_options(model, options))


def _replay(model: Model, trace: Trace) -> str | None:
    from checker.explicit import replay

    return replay(model, trace)


def state_graph(model: Model, options: RunOptions) -> nx.DiGraph:
    """The explicit engine's networkx state graph of one configuration (for `--state-graph`)."""
    from checker.explicit import state_graph as explicit_state_graph

    return explicit_state_graph(model, _explicit_options(options))


DEFAULT_ENGINES = Engines(_explicit_check, _symbolic_check, _prove, _replay)


# --------------------------------------------------------------------------
# Loading and selecting configurations


def load_models(path: str, defines: Mapping[str, str]) -> tuple[Model, ...]:
    """Every configuration of the spec at `path` (raises `model.diagnostics.SpecError`)."""
    frontend: Any = importlib.import_module("model.frontend")
    spec = frontend.load_spec(path, defines)
    models: tuple[Model, ...] = tuple(frontend.configurations(spec))
    return models


def _did_you_mean(name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def select(models: Sequence[Model], options: RunOptions) -> tuple[Model, ...]:
    """Apply the `--config` and `--property` filters; raise `UserError` when one names nothing."""
    chosen = list(models)
    if options.configs:
        params = {name for m in models for name, _, _ in m.config}
        wanted: dict[str, set[str]] = {}
        for name, value in options.configs:
            if name not in params:
                known = sorted(params)
                hint = _did_you_mean(name, known) or (
                    f" (params: {', '.join(known)})" if known else " (the spec declares no param)"
                )
                raise UserError(f"--config {name}={value}: no param named '{name}'{hint}")
            shown_values = list(dict.fromkeys(shown for m in models for n, _, shown in m.config if n == name))
            raw_values = {str(v) for m in models for n, v, _ in m.config if n == name}
            if value not in shown_values and value not in raw_values:
                same_letters = [v for v in shown_values if v.lower() == value.lower()]
                hint = (
                    f" (did you mean '{same_letters[0]}'?)"
                    if same_letters
                    else _did_you_mean(value, shown_values)
                )
                raise UserError(
                    f"no configuration matches --config {name}={value}: '{value}' is not a value of"
                    f" {name}{hint} (values: {', '.join(shown_values)})"
                )
            wanted.setdefault(name, set()).add(value)
        chosen = [
            m
            for m in chosen
            if all(str(v) in wanted[n] or shown in wanted[n] for n, v, shown in m.config if n in wanted)
        ]
        if not chosen:
            labels = "; ".join(m.config_label() for m in models)
            raise UserError(f"no configuration matches the --config filters (configurations: {labels})")
    if options.properties:
        known = sorted({p.name for m in chosen for p in m.properties})
        for name in options.properties:
            if name not in known:
                raise UserError(
                    f"--property {name}: no property of that name{_did_you_mean(name, known)}"
                    f" (properties: {', '.join(known)})"
                )
        keep = set(options.properties)
        chosen = [
            dataclasses.replace(m, properties=tuple(p for p in m.properties if p.name in keep))
            for m in chosen
        ]
        chosen = [m for m in chosen if m.properties]
    if not any(m.properties for m in chosen):
        raise UserError("the spec has no property to check")
    return tuple(chosen)


# --------------------------------------------------------------------------
# Running


def _not_run(prop: Property, engine: str, reason: StopReason, detail: str) -> PropertyResult:
    return PropertyResult(
        property=prop.name,
        kind=prop.kind,
        verdict=Verdict.INCOMPLETE,
        engine=engine,
        stats=Stats(),
        expect_violation=prop.expect_violation,
        reason=reason,
        detail=detail,
    )


def _unreplayable(prop: Property, engine: str, e: TraceReplayError) -> PropertyResult:
    """What is left of an engine's answers after it produced a trace that does not replay."""
    if prop.name != e.prop:
        return dataclasses.replace(
            _not_run(prop, engine, StopReason.INTERRUPTED, f"not run: {e}"), verdict=Verdict.UNKNOWN
        )
    verdict = Verdict.REACHED if prop.kind is PropKind.REACHABLE else Verdict.VIOLATED
    return PropertyResult(
        prop.name,
        prop.kind,
        verdict,
        engine,
        Stats(depth=e.trace.length),
        prop.expect_violation,
        e.trace,
        detail=f"trace does not replay: {e.problem}",
    )


def _validated(
    model: Model, props: Sequence[Property], results: Sequence[PropertyResult], engine: str
) -> list[PropertyResult]:
    """Check an engine kept its contract (one result per property, in order; evidence attached)."""
    got = [r.property for r in results]
    want = [p.name for p in props]
    if got != want:
        raise InternalError(
            f"the {engine} engine answered for {got} in {model.config_label()}, expected {want}"
        )
    out: list[PropertyResult] = []
    for prop, r in zip(props, results, strict=True):
        if r.verdict in (Verdict.VIOLATED, Verdict.REACHED) and r.trace is None:
            raise InternalError(f"the {engine} engine reported {prop.name} {r.verdict.value} with no trace")
        if r.verdict in (Verdict.HOLDS, Verdict.PROVED, Verdict.NOT_REACHED) and r.reason is not None:
            raise InternalError(
                f"the {engine} engine reported {prop.name} {r.verdict.value} although it stopped early"
                f" ({r.reason.value})"
            )
        out.append(dataclasses.replace(r, expect_violation=prop.expect_violation))
    return out


_TRACE_EXISTS = frozenset({Verdict.VIOLATED, Verdict.REACHED})
_NO_TRACE_EXISTS = frozenset({Verdict.HOLDS, Verdict.PROVED, Verdict.NOT_REACHED})


def merge(prop: Property, answers: Sequence[PropertyResult], replay_problems: Sequence[str] = ()) -> Outcome:
    """One outcome from every engine's answer (see NOTE(merge), NOTE(expectation))."""
    assert answers, prop.name
    definite = [a for a in answers if a.verdict.is_definite]
    primary = definite[0] if definite else answers[0]
    problems = list(replay_problems)
    yes = [a for a in answers if a.verdict in _TRACE_EXISTS]
    no = [a for a in answers if a.verdict in _NO_TRACE_EXISTS]
    if yes and no:
        problems.append(
            "engines disagree: "
            + ", ".join(f"{a.engine} says {a.verdict.value}" for a in answers if a.verdict.is_definite)
        )
    if problems:
        status = Status.INTERNAL
    elif not primary.verdict.is_definite:
        status = Status.INCOMPLETE
    elif primary.verdict.is_failure == prop.expect_violation:
        status = Status.AS_EXPECTED
    else:
        status = Status.UNEXPECTED
    return Outcome(prop, tuple(answers), primary, status, "; ".join(problems))


def _engine_names(options: RunOptions) -> tuple[str, ...]:
    if options.command is Command.PROVE:
        return ("symbolic",)
    match options.engine:
        case EngineChoice.EXPLICIT:
            return ("explicit",)
        case EngineChoice.SYMBOLIC:
            return ("symbolic",)
        case EngineChoice.BOTH:
            return ("explicit", "symbolic")


def _props_for(model: Model, options: RunOptions) -> tuple[Property, ...]:
    if options.command is Command.PROVE:
        return tuple(p for p in model.properties if proved_by_prove(p))
    return model.properties


def _run_engine(
    name: str, model: Model, props: tuple[Property, ...], options: RunOptions, engines: Engines
) -> Sequence[PropertyResult]:
    if options.command is Command.PROVE:
        return [engines.prove(model, p, options) for p in props]
    if name == "explicit":
        return engines.explicit(model, options)
    return engines.symbolic(model, options)


def check_config(model: Model, options: RunOptions, engines: Engines, *, skip: bool = False) -> ConfigOutcome:
    """Run every engine on one configuration; `skip` marks it not run (after Ctrl-C)."""
    start = time.perf_counter()
    props = _props_for(model, options)
    names = _engine_names(options)
    answers: dict[str, list[PropertyResult]] = {}
    replay_failures: dict[str, str] = {}
    interrupted = skip
    for name in names:
        if interrupted:
            answers[name] = [
                _not_run(p, name, StopReason.INTERRUPTED, "interrupted before this engine ran") for p in props
            ]
            continue
        try:
            answers[name] = _validated(model, props, _run_engine(name, model, props, options, engines), name)
            # An engine that caught Ctrl-C itself answers INCOMPLETE (interrupted): stop here too.
            interrupted = any(a.reason is StopReason.INTERRUPTED for a in answers[name])
        except TraceReplayError as e:
            answers[name] = [_unreplayable(p, name, e) for p in props]
            replay_failures[e.prop] = f"the {name} trace does not replay in the explicit engine: {e.problem}"
        except KeyboardInterrupt:
            interrupted = True
            answers[name] = [_not_run(p, name, StopReason.INTERRUPTED, "interrupted (Ctrl-C)") for p in props]
    outcomes: list[Outcome] = []
    for i, prop in enumerate(props):
        mine = [answers[name][i] for name in names]
        problems: list[str] = [replay_failures[prop.name]] if prop.name in replay_failures else []
        for a in mine:
            if a.engine != "explicit" and a.trace is not None and prop.name not in replay_failures:
                failure = engines.replay(model, a.trace)
                if failure is not None:
                    problems.append(f"the {a.engine} trace does not replay in the explicit engine: {failure}")
        outcomes.append(merge(prop, mine, problems))
    return ConfigOutcome(model, tuple(outcomes), time.perf_counter() - start, interrupted)


def exit_of(configs: Sequence[ConfigOutcome]) -> tuple[ExitCode, str]:
    """The exit code and its reason in words (DESIGN.md §5)."""
    by_status: dict[Status, list[str]] = {s: [] for s in Status}
    for c in configs:
        for o in c.outcomes:
            by_status[o.status].append(f"{o.prop.name} [{c.model.config_label()}]")

    def listing(items: list[str]) -> str:
        shown = ", ".join(items[:5])
        return shown + (f" and {len(items) - 5} more" if len(items) > 5 else "")

    if by_status[Status.INTERNAL]:
        items = by_status[Status.INTERNAL]
        return ExitCode.INTERNAL, f"the engines disagree on {listing(items)}"
    if by_status[Status.UNEXPECTED]:
        items = by_status[Status.UNEXPECTED]
        noun = "result differs" if len(items) == 1 else "results differ"
        return ExitCode.UNEXPECTED, f"{len(items)} {noun} from expectation: {listing(items)}"
    if by_status[Status.INCOMPLETE]:
        items = by_status[Status.INCOMPLETE]
        noun = "result is" if len(items) == 1 else "results are"
        return ExitCode.INCOMPLETE, f"{len(items)} {noun} incomplete or unknown: {listing(items)}"
    return ExitCode.OK, ExitCode.OK.description


def run(
    spec: str, models: Sequence[Model], options: RunOptions, engines: Engines = DEFAULT_ENGINES
) -> RunResult:
    """Check every configuration in `models` (already selected); never prints."""
    start = time.perf_counter()
    done: list[ConfigOutcome] = []
    interrupted = False
    for model in models:
        outcome = check_config(model, options, engines, skip=interrupted)
        interrupted = interrupted or outcome.interrupted
        done.append(outcome)
    code, reason = exit_of(done)
    if interrupted and code is ExitCode.INCOMPLETE:
        reason = "interrupted (Ctrl-C): " + reason
    skipped = 0
    if options.command is Command.PROVE:
        skipped = sum(1 for m in models for p in m.properties if not proved_by_prove(p))
    return RunResult(spec, options, tuple(done), code, reason, time.perf_counter() - start, skipped)
