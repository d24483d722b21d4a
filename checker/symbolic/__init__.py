"""The symbolic engine: z3 refutes by BMC and proves with re-checked invariants.

Stage: engine (DESIGN.md §4); the only package of the project that imports
z3.  Called by checker/run.py with one configuration's IR model.

Public API:
* `check(model, options)`: one `PropertyResult` per `model.properties`, in
  order.  Safety properties (invariant, assertion group, deadlock,
  reachable) are first searched by incremental BMC (bmc.py) for a shortest
  counterexample / witness; the rest go to `prove`'s methods.
* `prove(model, prop, options)`: BMC, then the proof methods in order of
  cost, each within its share of `options.timeout`: k-induction
  (induction.py), blocking counterexamples to induction against the
  reachable states (blocking.py), Houdini (houdini.py), Spacer (spacer.py).  A candidate
  invariant becomes PROVED (NOT REACHED for a reachability target) only
  after certify.py re-checks it with a fresh solver; `invariant` then holds
  its conjuncts in the spec's syntax.
* Liveness properties (`eventually`, `always eventually`, `leads_to`, under
  weak fairness): k-liveness (klive.py) turns each into the invariant
  "an open obligation lasts at most k fairness rounds" of a monitored
  model, proved like any invariant: PROVED or UNKNOWN, never VIOLATED
  (the explicit engine finds the lassos).

Soundness rules: a timeout or a z3 `unknown` gives UNKNOWN with the reason,
never PROVED; BMC running out of depth without a proof gives UNKNOWN
(max-depth).  Every trace is replayed by the explicit engine before it is
returned; a trace that does not replay raises `SymbolicTraceError` (an
internal error, exit 70).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from checker.result import PropertyResult, Stats, StopReason, Trace, Verdict
from checker.symbolic.blocking import blocking, blocking_joint
from checker.symbolic.bmc import BmcOutcome, run_bmc
from checker.symbolic.certify import Certificate, Lemma, certify, property_lemma
from checker.symbolic.encode import Arith, Encoder, is_safety
from checker.symbolic.houdini import houdini
from checker.symbolic.induction import ProofAttempt, kinduction
from checker.symbolic.klive import prove_liveness, supported
from checker.symbolic.lasso import find_lasso
from checker.symbolic.progress import StatusLine
from checker.symbolic.show import show_expr, with_legend
from checker.symbolic.spacer import spacer
from model.ir import Model, Property, PropKind

__all__ = ["SymbolicOptions", "SymbolicTraceError", "check", "prove"]

METHODS = ("kinduction", "blocking", "houdini", "spacer")
# Share of a property's proof budget each method may use (the rest rolls over).
_SHARE = {"kinduction": 0.15, "blocking": 0.6, "houdini": 0.5, "spacer": 1.0}


@dataclass(frozen=True, slots=True)
class SymbolicOptions:
    """Limits of the symbolic engine; `timeout` is per property, in seconds."""

    max_bmc_depth: int = 60
    timeout: float = 60.0
    methods: tuple[str, ...] = METHODS
    # The explicit engine's reachable states, to filter Houdini's candidates.
    reachable_states: Sequence[tuple[int, ...]] | None = None
    max_k: int = 4  # deepest k tried by k-induction (deeper k rarely pays: NOTE(k-cost))
    progress: bool = False  # a status line on stderr while z3 works (progress.py)


class SymbolicTraceError(Exception):
    """A z3 trace that the explicit engine does not replay: a bug in modelcheck."""

    def __init__(self, prop: str, problem: str, trace: Trace) -> None:
        super().__init__(f"symbolic trace for {prop} does not replay: {problem}")
        self.prop = prop
        self.problem = problem
        self.trace = trace


def _replay(model: Model, trace: Trace) -> str | None:
    from checker.explicit import replay

    problem: str | None = replay(model, trace)
    return problem


def _property_text(model: Model, prop: Property) -> str:
    match prop.kind:
        case PropKind.INVARIANT:
            assert prop.expr is not None
            return show_expr(model, prop.expr)
        case PropKind.REACHABLE:
            assert prop.expr is not None
            return f"!({show_expr(model, prop.expr)})"
        case PropKind.DEADLOCK:
            return "// no deadlock: some step is enabled, or every process is at an end location"
        case PropKind.ASSERTION:
            return f"// no check of {prop.name} fails in any enabled step"
        case _:
            return f"// {prop.name}"


def symbolic_result(
    prop: Property,
    verdict: Verdict,
    seconds: float,
    depth: int,
    *,
    trace: Trace | None = None,
    reason: StopReason | None = None,
    detail: str = "",
    invariant: tuple[str, ...] = (),
) -> PropertyResult:
    return PropertyResult(
        property=prop.name,
        kind=prop.kind,
        verdict=verdict,
        engine="symbolic",
        stats=Stats(depth=max(depth, 0), seconds=seconds),
        expect_violation=prop.expect_violation,
        trace=trace,
        reason=reason,
        detail=detail,
        invariant=invariant,
    )


def _from_trace(model: Model, prop: Property, out: BmcOutcome, seconds: float) -> PropertyResult:
    trace = out.trace
    assert trace is not None
    problem = _replay(model, trace)
    if problem is not None:
        raise SymbolicTraceError(prop.name, problem, trace)
    verdict = Verdict.REACHED if prop.kind is PropKind.REACHABLE else Verdict.VIOLATED
    what = "witness" if verdict is Verdict.REACHED else "shortest counterexample"
    return symbolic_result(
        prop, verdict, seconds, trace.length, trace=trace, detail=f"BMC: {what} of {trace.length} steps"
    )


def _prove_unrefuted(
    enc: Encoder,
    prop: Property,
    options: SymbolicOptions,
    clean_depth: int,
    bmc_stop: StopReason | None,
    start: float,
    joint: ProofAttempt | None,
    status: StatusLine,
) -> PropertyResult:
    """The proof methods for a property BMC did not refute (`joint`: blocking's shared answer)."""
    model = enc.model
    deadline = time.monotonic() + options.timeout
    budget = options.timeout
    lemma = property_lemma(prop, _property_text(model, prop))
    notes: list[str] = [f"BMC: no counterexample within {clean_depth} steps"] if clean_depth >= 0 else []
    if prop.kind is PropKind.REACHABLE and clean_depth >= 0:
        notes[0] = f"BMC: no witness within {clean_depth} steps"
    stops: list[StopReason] = [bmc_stop] if bmc_stop is not None else []
    for method in options.methods:
        now = time.monotonic()
        if now >= deadline:
            stops.append(StopReason.TIMEOUT)
            notes.append(f"{method}: no time left")
            continue
        share = (
            1.0 if method == options.methods[-1] else _SHARE.get(method, 1.0)
        )  # the last takes what is left
        method_deadline = min(deadline, now + budget * share)
        status.show(f"{prop.name}: {method}")
        attempt: ProofAttempt
        if method == "kinduction":
            if clean_depth < 0:
                continue
            attempt = kinduction(enc, prop, lemma, clean_depth, options.max_k, method_deadline)
        elif method == "blocking":
            if joint is not None:
                attempt = joint
            else:
                attempt = blocking(enc, prop, lemma, options.reachable_states, method_deadline)
        elif method == "houdini":
            attempt = houdini(enc, prop, lemma, options.reachable_states, method_deadline)
        elif method == "spacer":
            attempt = spacer(model, prop, lemma, method_deadline)
        else:
            raise ValueError(f"unknown proof method {method!r}")
        if attempt.lemmas is None:
            notes.append(f"{attempt.method}: {attempt.detail} ({attempt.seconds:.2f}s)")
            if attempt.stop is not None:
                stops.append(attempt.stop)
            if attempt.refuted:
                break  # no invariant exists: the deeper BMC gives the answer
            continue
        # NOTE(recheck-time): the re-check gets at least a tenth of the budget,
        # even when the method used all of its share.
        recheck_deadline = max(method_deadline, time.monotonic() + 0.1 * budget)
        status.show(f"{prop.name}: re-checking {attempt.method}'s invariant")
        cert = certify(model, prop, attempt.lemmas, attempt.arith, recheck_deadline)
        if cert.certificate is Certificate.VALID:
            verdict = Verdict.NOT_REACHED if prop.kind is PropKind.REACHABLE else Verdict.PROVED
            detail = (
                f"{attempt.method} ({attempt.detail}, {attempt.seconds:.2f}s); "
                f"invariant of {len(attempt.lemmas)} conjuncts {cert.detail} ({cert.seconds:.2f}s)"
            )
            return symbolic_result(
                prop,
                verdict,
                time.monotonic() - start,
                clean_depth,
                detail=detail,
                invariant=tuple(lem.text for lem in attempt.lemmas),
            )
        notes.append(f"{attempt.method}: candidate invariant not certified: {cert.detail}")
        if cert.certificate is Certificate.INVALID:
            stops.append(StopReason.MAX_DEPTH)  # a wrong candidate: this method found no proof
        elif "timeout" in cert.detail or "canceled" in cert.detail:
            stops.append(StopReason.TIMEOUT)
        else:
            stops.append(StopReason.SOLVER_UNKNOWN)
    reason = _main_reason(stops)
    return symbolic_result(
        prop, Verdict.UNKNOWN, time.monotonic() - start, clean_depth, reason=reason, detail="; ".join(notes)
    )


def _main_reason(stops: list[StopReason]) -> StopReason:
    for r in (StopReason.TIMEOUT, StopReason.SOLVER_UNKNOWN, StopReason.MAX_DEPTH):
        if r in stops:
            return r
    return StopReason.MAX_DEPTH


def _lasso(model: Model, prop: Property, options: SymbolicOptions, status: StatusLine) -> PropertyResult:
    out = find_lasso(model, prop, options.max_bmc_depth, time.monotonic() + options.timeout, status.show)
    if out.trace is None:
        what = f"no fair lasso within {out.clean_depth} steps"
        reason = out.stop if out.stop is not None else StopReason.MAX_DEPTH
        return symbolic_result(
            prop, Verdict.UNKNOWN, out.seconds, out.clean_depth, reason=reason, detail=f"BMC: {what}"
        )
    from checker.explicit import replay_lasso

    problem = replay_lasso(model, prop, out.trace)
    if problem is not None:
        raise SymbolicTraceError(prop.name, problem, out.trace)
    cycle = out.trace.length - out.trace.loop_start if out.trace.loop_start is not None else 0
    shape = f"a cycle of {cycle} steps" if cycle else "stuttering in its last state"
    return symbolic_result(
        prop,
        Verdict.VIOLATED,
        out.seconds,
        out.trace.length,
        trace=out.trace,
        detail=f"BMC: shortest fair lasso, {out.trace.length} steps, ending in {shape}",
    )


def _liveness(model: Model, prop: Property, options: SymbolicOptions, status: StatusLine) -> PropertyResult:
    """k-liveness proof (klive.py) and lasso search (lasso.py), the expected answer's first.

    NOTE(order) again: a property declared violated searches for its lasso
    first; the others try the proof first and search only when it fails.
    """
    if supported(model, prop) is not None:
        return prove_liveness(model, prop, options.timeout, options.methods)  # UNKNOWN, with the reason
    first, second = (_lasso, _proof) if prop.expect_violation else (_proof, _lasso)
    a = first(model, prop, options, status)
    if a.verdict.is_definite:
        return a
    b = second(model, prop, options, status)
    if b.verdict.is_definite:
        return replace(b, stats=replace(b.stats, seconds=a.stats.seconds + b.stats.seconds))
    return replace(
        b, detail=f"{a.detail}; {b.detail}", stats=replace(b.stats, seconds=a.stats.seconds + b.stats.seconds)
    )


# NOTE(liveness-budget): a liveness proof gets this many times the per-property
# timeout.  Its invariant is a ranking argument that blocking learns lemma by
# lemma (no_copy SYNC/buffer: 672 lemmas in 146 s), where a safety proof of the
# same configuration needs a few dozen.
LIVENESS_FACTOR = 10
# Houdini's and Spacer's candidates do not speak of counters; blocking learns them.
LIVENESS_METHODS = ("kinduction", "blocking")


def _proof(model: Model, prop: Property, options: SymbolicOptions, status: StatusLine) -> PropertyResult:
    methods = tuple(m for m in options.methods if m in LIVENESS_METHODS) or options.methods
    return prove_liveness(model, prop, options.timeout * LIVENESS_FACTOR, methods, status=status.show)


def _bmc_first(prop: Property) -> bool:
    """NOTE(order): search deep first when a trace is the expected answer.

    A `reachable` target is expected to be reached, and a property declared
    violated is expected to be: for those, BMC runs to full depth before any
    proof.  Every other property is expected to hold: BMC runs only as deep
    as k-induction's base case needs, then the proofs, and the rest of the
    depth only when no proof succeeded.  The verdicts do not depend on the
    order, only the time to reach them.
    """
    return (prop.kind is PropKind.REACHABLE) != prop.expect_violation


def _decide(
    enc: Encoder, props: Sequence[Property], options: SymbolicOptions, status: StatusLine
) -> dict[str, PropertyResult]:
    model = enc.model
    show = status.show
    deep = [p for p in props if _bmc_first(p)]
    shallow = [p for p in props if not _bmc_first(p)]
    base = min(options.max_bmc_depth, options.max_k)
    outcomes: dict[str, BmcOutcome] = {}
    # NOTE(violations-first): the properties declared violated get a BMC run of their own,
    # so their traces do not wait for the reachability targets' queries at every depth.
    for group in ([p for p in deep if p.expect_violation], [p for p in deep if not p.expect_violation]):
        if group:
            outcomes.update(
                run_bmc(enc, group, options.max_bmc_depth, time.monotonic() + options.timeout, status=show)
            )
    if shallow:
        outcomes.update(run_bmc(enc, shallow, base, time.monotonic() + options.timeout, status=show))
    results: dict[str, PropertyResult] = {}
    pending: list[Property] = []
    unrefuted = [p for p in props if outcomes[p.name].trace is None]
    joint: dict[str, ProofAttempt] = {}
    joint_seconds = 0.0
    if "blocking" in options.methods and len(unrefuted) > 1:
        # NOTE(joint) in blocking.py: one run learns the lemmas of every property
        t0 = time.monotonic()
        goals = [(p, property_lemma(p, _property_text(model, p))) for p in unrefuted]
        status.show(f"blocking, {len(goals)} properties at once")
        budget = options.timeout * _SHARE["blocking"] * len(unrefuted)
        joint = blocking_joint(enc, goals, options.reachable_states, t0 + budget)
        joint_seconds = time.monotonic() - t0
    for p in props:
        out = outcomes[p.name]
        if out.trace is not None:
            results[p.name] = _from_trace(model, p, out, out.seconds)
            continue
        t0 = time.monotonic()
        r = _prove_unrefuted(
            enc,
            p,
            options,
            out.clean_depth,
            out.stop,
            t0 - out.seconds - joint_seconds,
            joint.get(p.name),
            status,
        )
        results[p.name] = r
        if not r.verdict.is_definite and p in shallow and options.max_bmc_depth > base:
            pending.append(p)
    if pending:
        t0 = time.monotonic()
        more = run_bmc(enc, pending, options.max_bmc_depth, t0 + options.timeout, status=show)
        for p in pending:
            out = more[p.name]
            r = results[p.name]
            if out.trace is not None:
                results[p.name] = _from_trace(model, p, out, r.stats.seconds + out.seconds)
                continue
            reason = out.stop if out.stop is StopReason.TIMEOUT else r.reason
            detail = f"BMC: no counterexample within {out.clean_depth} steps; {r.detail}"
            results[p.name] = symbolic_result(
                p,
                Verdict.UNKNOWN,
                r.stats.seconds + out.seconds,
                out.clean_depth,
                reason=reason,
                detail=detail,
            )
    return results


def _status_line(model: Model, options: SymbolicOptions) -> StatusLine:
    """progress.py's line for this configuration (a no-op unless `options.progress`)."""
    return StatusLine(options.progress, model.config_label() if model.config else "")


def check(model: Model, options: SymbolicOptions) -> tuple[PropertyResult, ...]:
    """One result per `model.properties`, in order (see the module docstring)."""
    status = _status_line(model, options)
    try:
        safety = [p for p in model.properties if is_safety(p)]
        decided = _decide(Encoder(model, Arith.BV), safety, options, status) if safety else {}
        return tuple(
            _with_legend(model, decided[p.name] if is_safety(p) else _liveness(model, p, options, status))
            for p in model.properties
        )
    finally:
        status.done()


def prove(model: Model, prop: Property, options: SymbolicOptions) -> PropertyResult:
    """BMC and the proof methods, for one property (see the module docstring)."""
    status = _status_line(model, options)
    try:
        if not is_safety(prop):
            return _with_legend(model, _liveness(model, prop, options, status))
        return _with_legend(model, _decide(Encoder(model, Arith.BV), [prop], options, status)[prop.name])
    finally:
        status.done()


def _with_legend(model: Model, r: PropertyResult) -> PropertyResult:
    """NOTE(legend) in show.py: the statements at the unlabeled locations the invariant names."""
    lines = with_legend(model, r.invariant)
    return replace(r, invariant=lines) if lines != r.invariant else r


def lemma_texts(lemmas: Sequence[Lemma]) -> tuple[str, ...]:
    return tuple(lem.text for lem in lemmas)
