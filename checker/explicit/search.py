"""Breadth-first exploration and the safety verdicts of the explicit engine.

Stage: `explore` runs one BFS over a compiled model (see `codegen.py`) and
returns an `Outcome`: the BFS order of (canonical) packed states, a parent
index per state, level boundaries, the first hit of every safety property,
and why the search stopped early, if it did.  `safety_results` turns an
Outcome into `PropertyResult`s with shortest traces.

NOTE(bfs-shortest): states are expanded level by level, in order, and each
property keeps only its first hit, so every hit lies at the least depth at
which that property fails: an invariant or reachable target is tested when
a state is first stored, a runtime check when its step is taken, deadlock
when a state is expanded.  `parent[i]` is the index of the state whose
expansion first produced state `i` (-1 for an initial state).

NOTE(limits): every limit is tested between chunks of at most `CHUNK`
expanded states.  The chunk starts at one state and doubles while a chunk
takes less than `CHUNK_SECONDS / 2`, and halves when one takes more than
`CHUNK_SECONDS`: a model whose states are slow to expand (a thousand
processes: 0.1 s a state) is still stopped within about `CHUNK_SECONDS` of
its `timeout`, where 2048 states at once overran a 2 s limit by minutes.
The chunk size changes only when the search stops, never what it finds.  A run that stops early answers INCOMPLETE (with the
reason) for every property it has not decided; a hit found before the stop
is still definite.  `max_states` makes a run incomplete exactly when the
model has more reachable states than the limit; `max_depth` is the number
of steps: states at that depth are stored but not expanded.
"""

from __future__ import annotations

import dataclasses
import functools
import gc
import itertools
import os
import sys
import time
from array import array
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from checker.explicit.codegen import CodeGen, Compiled, Slots
from checker.explicit.layout import Layout, Overflow, make_layout, narrowable
from checker.explicit.symmetry import Perm, permutations
from checker.result import PropertyResult, Stats, StopReason, Trace, Verdict
from model.ir import Expr, Model, PropKind

_P = ParamSpec("_P")
_R = TypeVar("_R")

CHUNK = 2048
CHUNK_SECONDS = 0.25  # NOTE(limits): the longest a chunk should take between two tests of the limits
ENGINE = "explicit"


@dataclass(frozen=True, slots=True)
class Limits:
    max_states: int | None = None
    max_depth: int | None = None
    timeout: float | None = None
    memory_mb: int | None = None
    progress: bool = False


@dataclass(frozen=True, slots=True)
class Hit:
    index: int  # state index in the BFS order
    transition: int = -1  # for a failed check: the step
    check: int = -1  # and the index of the failed check


@dataclass(slots=True)
class Outcome:
    order: list[int]
    parent: array[int]
    levels: int
    transitions: int
    seconds: float
    hits: dict[int, Hit] = field(default_factory=dict)
    stop: StopReason | None = None


@dataclass(frozen=True, slots=True)
class Engine:
    """A model compiled for one run: layout, symmetry and generated code."""

    model: Model
    layout: Layout
    perms: tuple[Perm, ...]
    code: Compiled
    slots: Slots


def compile_model(
    model: Model, symmetry: bool, narrow: frozenset[str] = frozenset(), *, expand: bool = True
) -> Engine:
    """Compile `model`; the variables named in `narrow` get narrowed fields.

    `expand=False` builds no BFS chunk function (`explore` cannot run on
    the engine; liveness.py's `explore_graph` steps with `succ` alone).
    """
    layout = make_layout(model, narrow)
    perms = permutations(model) if symmetry else ()
    inv: list[tuple[int, Expr]] = []
    reach: list[tuple[int, Expr]] = []
    checks: dict[str, int] = {}
    deadlock: int | None = None
    for k, prop in enumerate(model.properties):
        match prop.kind:
            case PropKind.INVARIANT:
                assert prop.expr is not None
                inv.append((k, prop.expr))
            case PropKind.REACHABLE:
                assert prop.expr is not None
                reach.append((k, prop.expr))
            case PropKind.ASSERTION:
                checks.setdefault(prop.name, k)
            case PropKind.DEADLOCK:
                deadlock = k if deadlock is None else deadlock
            case _:
                pass
    slots = Slots(tuple(inv), tuple(reach), checks, deadlock)
    code = CodeGen(model, layout, perms).build(slots, expand)
    return Engine(model, layout, perms, code, slots)


def explore_adaptive(model: Model, symmetry: bool, limits: Limits) -> tuple[Engine, Outcome]:
    """Compile and explore with narrowed fields, widening on overflow.

    See NOTE(narrow-layout) in layout.py.  Each restart widens one variable
    (with its array), so there are at most as many restarts as variables.
    """
    narrow = narrowable(model)
    start = time.monotonic()
    while True:
        eng = compile_model(model, symmetry, narrow)
        remaining = limits.timeout
        if remaining is not None:
            remaining = max(0.0, remaining - (time.monotonic() - start))
        try:
            out = explore(eng, dataclasses.replace(limits, timeout=remaining))
        except Overflow as over:
            base = model.variables[over.var].base
            assert base in narrow, "internal error: overflow of a full-width field"
            narrow = narrow - {base}
            continue
        out.seconds = time.monotonic() - start
        return eng, out


def without_gc(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run `fn` with the cyclic garbage collector paused (NOTE(gc-pause)).

    NOTE(gc-pause): building the state graph allocates millions of small
    tuples and lists, and every few thousand allocations CPython's cyclic
    collector runs; its full collections walk every tracked object alive,
    the IR of every configuration loaded included (the CLI lowers all of a
    spec's configurations first).  The graph search and the SCC analysis
    free their objects by reference counting (measured: a few cyclic
    objects per configuration, a lasso's closures, left for the next
    collection), so pausing the collector changes no result and no memory
    figure; it saved about a quarter of `explore_graph`'s time on
    no_copy.mig.  The collector is resumed on the way out (exceptions and
    Ctrl-C included), only if it was running.
    """

    @functools.wraps(fn)
    def paused(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()

    return paused


def _rss_mb() -> float:
    try:
        with open("/proc/self/statm") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return 0.0


def default_memory_mb() -> int:
    """60% of physical memory (about 14 GB on a 24 GB machine)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (OSError, ValueError):
        return 8192
    return int(total * 0.6 / 2**20)


class Progress:
    """A one-line progress display on stderr for runs longer than a second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = self.start
        self.shown = False

    def update(self, states: int, depth: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.start < 1.0 or now - self.last < 0.5:
            return
        self.last = now
        rate = states / (now - self.start)
        sys.stderr.write(f"\r  {states:,} states, depth {depth}, {rate:,.0f} states/s ")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r" + " " * 70 + "\r")
            sys.stderr.flush()


class Chunks:
    """NOTE(limits): the size of the next chunk of states to expand, and the limits tested after each.

    A chunk starts at one state and doubles while chunks take less than half
    of `CHUNK_SECONDS` (up to `CHUNK`), halving when one takes longer; after
    each chunk `after` tests the state count, the clock and (every 16th
    chunk) the memory, and says which limit stopped the search, if any.
    Shared by `explore` and liveness.py's `explore_graph`, so both stop after
    the same state.
    """

    def __init__(self, limits: Limits, start: float) -> None:
        self.limits = limits
        self.deadline = start + limits.timeout if limits.timeout is not None else None
        self.mem_limit = limits.memory_mb if limits.memory_mb is not None else default_memory_mb()
        self.size = 1
        self.count = 0

    def after(self, began: float, took: float, states: int) -> StopReason | None:
        """Adapt the size to the chunk that began at `began` and took `took` s; the limit hit, if any."""
        if took < CHUNK_SECONDS / 2:
            self.size = min(2 * self.size, CHUNK)
        elif took > CHUNK_SECONDS:
            self.size = max(1, self.size // 2)
        self.count += 1
        if self.limits.max_states is not None and states > self.limits.max_states:
            return StopReason.MAX_STATES
        if self.deadline is not None and began + took > self.deadline:
            return StopReason.TIMEOUT
        if self.count % 16 == 0 and _rss_mb() > self.mem_limit:
            return StopReason.MEMORY
        return None


def run_levels(
    out: Outcome,
    states: list[int],
    limits: Limits,
    start: float,
    progress: Progress,
    expand: Callable[[int, int], int],
) -> None:
    """The breadth-first loop: level by level, each level in chunks, the limits tested between them.

    `states` holds the initial states when called and grows as
    `expand(i, j)` expands states i..j-1 (returning the number of steps
    taken); `out.levels`, `out.transitions` and `out.stop` are updated;
    the time limit counts from `start`.
    Shared by `explore` and liveness.py's `explore_graph`, so both stop
    after the same state (NOTE(limits), NOTE(shared-exploration)).
    """
    chunks = Chunks(limits, start)
    level_start = 0
    while level_start < len(states) and out.stop is None:
        level_end = len(states)
        out.levels += 1
        if limits.max_depth is not None and out.levels > limits.max_depth:
            out.stop = StopReason.MAX_DEPTH
            break
        i = level_start
        while i < level_end:
            j = min(i + chunks.size, level_end)
            began = time.monotonic()
            out.transitions += expand(i, j)
            out.stop = chunks.after(began, time.monotonic() - began, len(states))
            if out.stop is not None:
                break
            i = j
            progress.update(len(states), out.levels)
        level_start = level_end


def explore(eng: Engine, limits: Limits) -> Outcome:
    """Breadth-first search over every interleaving (see NOTE(bfs-shortest))."""
    model, code = eng.model, eng.code
    start = time.monotonic()
    order: list[int] = []
    seen: set[int] = set()
    parent: array[int] = array("i")  # 4 bytes per state: < 2**31 states
    op = [False] * len(model.properties)
    for k, _ in eng.slots.invariants + eng.slots.reachables:
        op[k] = True
    for k in eng.slots.checks.values():
        op[k] = True
    if eng.slots.deadlock is not None:
        op[eng.slots.deadlock] = True
    out = Outcome(order, parent, 0, 0, 0.0)
    events: list[tuple[int, int, int, int]] = []

    def take_events() -> None:
        for slot, idx, tr, chk in events:
            if op[slot] and idx < len(parent):
                op[slot] = False
                out.hits[slot] = Hit(idx, tr, chk)
        events.clear()

    progress = Progress(limits.progress)
    try:
        for values in model.initial_states():
            s = code.canon(eng.layout.pack(values))
            if s in seen:
                continue
            seen.add(s)
            order.append(s)
            parent.append(-1)
            for slot in code.state_hits(s):
                events.append((slot, len(order) - 1, -1, -1))
        take_events()

        def expand(i: int, j: int) -> int:
            n = code.expand(order, seen, parent, i, j, op, events.append)
            take_events()
            return n

        run_levels(out, order, limits, start, progress, expand)
    except KeyboardInterrupt:
        out.stop = StopReason.INTERRUPTED
        del order[len(parent) :]
        take_events()
    finally:
        progress.done()
    if out.stop is None and limits.max_depth is not None and out.levels > limits.max_depth:
        out.stop = StopReason.MAX_DEPTH
    out.seconds = time.monotonic() - start
    return out


# --------------------------------------------------------------------------
# Traces


def index_path(out: Outcome, idx: int) -> list[int]:
    path = [idx]
    while out.parent[path[-1]] >= 0:
        path.append(out.parent[path[-1]])
    path.reverse()
    return path


def steps_between(eng: Engine, states: list[int]) -> list[int]:
    """The first transition (in successor order) joining each pair of states."""
    trs: list[int] = []
    for a, b in itertools.pairwise(states):
        succ, _, _ = eng.code.succ(a)
        tr = next((t for t, x in succ if x == b), None)
        assert tr is not None, "internal error: a trace step has no transition"
        trs.append(tr)
    return trs


def _permute(eng: Engine, perm: Perm, s: int) -> int:
    los = tuple(f.lo for f in eng.layout.fields)
    return eng.layout.pack(perm.apply(eng.layout.unpack(s), los))


def real_path(eng: Engine, out: Outcome, idx: int) -> list[int]:
    """A real (unreduced) path ending in the orbit of stored state `idx`."""
    canon_path = [out.order[k] for k in index_path(out, idx)]
    if not eng.perms:
        return canon_path
    canon = eng.code.canon
    first = canon_path[0]
    inits = (eng.layout.pack(v) for v in eng.model.initial_states())
    r = first if _is_initial(eng, first) else next(x for x in inits if canon(x) == first)
    path = [r]
    for c in canon_path[1:]:
        succ, _, _ = eng.code.succ(path[-1])
        nxt = next((x for _, x in succ if canon(x) == c), None)
        assert nxt is not None, "internal error: the model is not symmetric as declared"
        path.append(nxt)
    return path


def _is_initial(eng: Engine, s: int) -> bool:
    vals = eng.layout.unpack(s)
    return all(x in allowed for x, allowed in zip(vals, eng.model.initial, strict=True))


def _map_to_member(eng: Engine, path: list[int], good: Callable[[int], bool]) -> list[int]:
    """Map `path` by the permutation that makes its last state `good`."""
    if good(path[-1]) or not eng.perms:
        return path
    for perm in eng.perms:
        if good(_permute(eng, perm, path[-1])):
            return [_permute(eng, perm, s) for s in path]
    raise AssertionError("internal error: no member of the orbit has the property")


def _trace(eng: Engine, path: list[int], failed: tuple[int, int] | None = None) -> Trace:
    trs = steps_between(eng, path)
    states = tuple(eng.layout.unpack(s) for s in path)
    if failed is None:
        return Trace(states, tuple(trs))
    return Trace(states, (*trs, failed[0]), failed_check=failed[1])


def safety_results(eng: Engine, out: Outcome) -> dict[int, PropertyResult]:
    """Results for the invariant, reachable, assertion and deadlock properties."""
    model = eng.model
    stats = Stats(len(out.order), out.transitions, out.levels, out.seconds)
    results: dict[int, PropertyResult] = {}
    for k, prop in enumerate(model.properties):
        if prop.kind.is_liveness:
            continue
        hit = out.hits.get(k)

        def result(verdict: Verdict, trace: Trace | None = None, detail: str = "") -> None:
            results[k] = PropertyResult(  # noqa: B023
                prop.name,  # noqa: B023
                prop.kind,  # noqa: B023
                verdict,
                ENGINE,
                stats,
                prop.expect_violation,  # noqa: B023
                trace,
                out.stop if verdict is Verdict.INCOMPLETE else None,
                detail,
            )

        if hit is None:
            if out.stop is not None:
                result(Verdict.INCOMPLETE, detail=out.stop.description)
            elif prop.kind is PropKind.REACHABLE:
                result(Verdict.NOT_REACHED)
            else:
                result(Verdict.HOLDS)
            continue
        path = real_path(eng, out, hit.index)
        match prop.kind:
            case PropKind.INVARIANT | PropKind.REACHABLE:
                assert prop.expr is not None
                pred = eng.code.pred(prop.expr)
                want = prop.kind is PropKind.REACHABLE
                path = _map_to_member(eng, path, lambda s: bool(pred(s)) == want)  # noqa: B023
                verdict = Verdict.REACHED if want else Verdict.VIOLATED
                result(verdict, _trace(eng, path))
            case PropKind.ASSERTION:
                _, fails, _ = eng.code.succ(path[-1])
                failed = next((t, c) for t, c in fails if model.transitions[t].checks[c].prop == prop.name)
                chk = model.transitions[failed[0]].checks[failed[1]]
                result(Verdict.VIOLATED, _trace(eng, path, failed), f"{chk.kind.value}: {chk.message}")
            case PropKind.DEADLOCK:
                result(Verdict.VIOLATED, _trace(eng, path), "no step is enabled")
            case _:
                raise AssertionError(f"unexpected safety kind {prop.kind}")
    return results
