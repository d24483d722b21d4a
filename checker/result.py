"""Results and traces: what every engine returns, and what reports print.

Stage: the shared output type of `checker/explicit` and `checker/symbolic`.
Both engines return `PropertyResult`s whose traces are sequences of IR
states joined by IR transitions, so a trace from one engine can be replayed
by the other (`checker/explicit/replay.py`) and rendered by every report
format the same way.
"""

from __future__ import annotations

import builtins
import enum
from dataclasses import dataclass, field

from model.ir import Model, PropKind


class Verdict(enum.Enum):
    """The answer for one property in one configuration."""

    HOLDS = "HOLDS"
    PROVED = "PROVED"
    VIOLATED = "VIOLATED"
    REACHED = "REACHED"
    NOT_REACHED = "NOT REACHED"
    INCOMPLETE = "INCOMPLETE"
    UNKNOWN = "UNKNOWN"

    @property
    def description(self) -> str:
        return _VERDICT_TEXT[self]

    @property
    def is_failure(self) -> bool:
        """A definite negative answer (violated, or a target not reached)."""
        return self in (Verdict.VIOLATED, Verdict.NOT_REACHED)

    @property
    def is_definite(self) -> bool:
        return self not in (Verdict.INCOMPLETE, Verdict.UNKNOWN)


_VERDICT_TEXT = {
    Verdict.HOLDS: "holds: every reachable state of this configuration was explored",
    Verdict.PROVED: "proved for every depth by a re-checked inductive invariant",
    Verdict.VIOLATED: "violated: a counterexample trace is attached",
    Verdict.REACHED: "reached: a witness trace is attached",
    Verdict.NOT_REACHED: "not reached: no reachable state satisfies the target",
    Verdict.INCOMPLETE: "incomplete: a limit stopped the search before it was exhaustive",
    Verdict.UNKNOWN: "unknown: the solver gave no answer within its limits",
}


class StopReason(enum.Enum):
    """Why a search ended before it was exhaustive (for INCOMPLETE/UNKNOWN)."""

    MAX_STATES = "max-states"
    MAX_DEPTH = "max-depth"
    TIMEOUT = "timeout"
    MEMORY = "memory"
    INTERRUPTED = "interrupted"
    SOLVER_UNKNOWN = "solver-unknown"
    NOT_SUPPORTED = "not-supported"

    @property
    def description(self) -> str:
        return _STOP_TEXT[self]


_STOP_TEXT = {
    StopReason.MAX_STATES: "the --max-states limit was reached",
    StopReason.MAX_DEPTH: "the --max-depth limit was reached",
    StopReason.TIMEOUT: "the --timeout limit was reached",
    StopReason.MEMORY: "the memory guard stopped the search",
    StopReason.INTERRUPTED: "the run was interrupted (Ctrl-C)",
    StopReason.SOLVER_UNKNOWN: "z3 answered unknown",
    StopReason.NOT_SUPPORTED: "this engine does not decide this kind of property",
}


@dataclass(frozen=True, slots=True)
class Trace:
    """A path through the state graph of one configuration.

    `states[0]` is an initial state; `transitions[i]` (an IR transition
    index) leads from `states[i]` to `states[i + 1]`.  For a step that fails
    a runtime check, `failed_check` is set and the last transition is that
    step (its post-state is not part of the trace: `len(states) ==
    len(transitions)`).  For a lasso (liveness counterexample),
    `loop_start` is the index in `states` where the cycle begins; the last
    state steps back to it (by `transitions[-1]` when the cycle is not a
    stutter on a state with no successor, see docs/LANGUAGE.md).
    """

    states: tuple[tuple[int, ...], ...]
    transitions: tuple[int, ...]
    loop_start: int | None = None
    failed_check: int | None = None  # index into the last transition's checks

    @property
    def length(self) -> int:
        """The number of steps."""
        return len(self.transitions)


@dataclass(frozen=True, slots=True)
class Stats:
    states: int = 0
    transitions: int = 0
    depth: int = 0
    seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class PropertyResult:
    """The verdict for one property of one configuration, with its evidence."""

    property: str
    kind: PropKind
    verdict: Verdict
    engine: str
    stats: Stats
    expect_violation: bool = False
    trace: Trace | None = None
    reason: StopReason | None = None
    detail: str = ""  # plain words: the failed check, the proof method, ...
    invariant: tuple[str, ...] = ()  # conjuncts of a proof, in the spec's syntax

    # `builtins.property`: the field `property` above shadows the builtin inside this class body.
    @builtins.property
    def as_expected(self) -> bool:
        """Met its expectation: a definite verdict that matches it."""
        if not self.verdict.is_definite:
            return False
        return self.verdict.is_failure == self.expect_violation


@dataclass(frozen=True, slots=True)
class ConfigResult:
    """All results of one configuration."""

    model: Model
    results: tuple[PropertyResult, ...] = field(default=())
