"""Benchmark of the symbolic engine, next to the explicit engine in the same run.

Per spec and configuration it prints, for every safety property: the
explicit engine's verdict and time (one BFS for all safety properties),
BMC's verdict, depth and time to the shortest counterexample, and for a
property BMC does not refute, each proof method on its own (verdict, time,
size of the invariant).  `--encodings` also times BMC under each encoding
variant (bit-vectors vs integers; assumption literals, push/pop, or a fresh
solver per depth; moves or numbered transitions as steps) for the properties
that are violated.  `--violations` times only BMC on the properties declared
violated, against the explicit engine's time for the configuration.
`--liveness` times z3 on the liveness properties (k-liveness proofs, lassos).

Usage (from the repository root):
    python bench/symbolic_bench.py specs/classic/peterson.2.mig specs/classic/adding.1.mig
    python bench/symbolic_bench.py --encodings --timeout 60 specs/classic/peterson.2.mig
    python bench/symbolic_bench.py --whole specs/no_copy.mig     # every configuration, z3 proofs, totals
    python bench/symbolic_bench.py --violations specs/no_copy.mig -D mode=SYNC_NO_COPY   # BMC vs explicit
    python bench/symbolic_bench.py --liveness specs/no_copy.mig -D patched=true   # z3 on liveness
"""

from __future__ import annotations

import argparse
import dataclasses
import resource
import time
from pathlib import Path

from checker.explicit import ExplicitOptions
from checker.explicit import check as explicit_check
from checker.result import PropertyResult
from checker.symbolic import METHODS, SymbolicOptions, prove
from checker.symbolic import check as symbolic_check
from checker.symbolic.bmc import BmcMode, Steps, run_bmc
from checker.symbolic.encode import Arith, Encoder, is_safety
from model.frontend import configurations, load_spec
from model.ir import Model, PropKind


def is_safety_kind(kind: PropKind) -> bool:
    return kind not in (PropKind.EVENTUALLY, PropKind.ALWAYS_EVENTUALLY, PropKind.LEADS_TO)


def _fmt(r: PropertyResult, seconds: float) -> str:
    extra = ""
    if r.trace is not None:
        extra = f" d={r.trace.length}"
    elif r.invariant:
        extra = f" {len(r.invariant)} conj"
    return f"{r.verdict.value}{extra} {seconds:.2f}s"


def bench_model(
    model: Model, timeout: float, depth: int, encodings: bool, methods: tuple[str, ...] = METHODS
) -> None:
    safety = [p for p in model.properties if is_safety(p)]
    if not safety:
        return
    m = dataclasses.replace(model, properties=tuple(safety))
    t = time.monotonic()
    ex = explicit_check(m, ExplicitOptions(timeout=timeout))
    t_ex = time.monotonic() - t
    print(f"\n## {model.path} [{model.config_label()}]  explicit: {ex[0].stats.states} states, {t_ex:.2f}s")
    print("| " + " | ".join(("property", "explicit", "BMC", *methods)) + " |")
    print("|---|---|---|" + "---|" * len(methods))
    for p, e in zip(safety, ex, strict=True):
        t = time.monotonic()
        b = prove(m, p, SymbolicOptions(max_bmc_depth=depth, timeout=timeout, methods=()))
        t_b = time.monotonic() - t
        cells = [f"{e.verdict.value}" + (f" d={e.trace.length}" if e.trace else ""), _fmt(b, t_b)]
        for method in methods:
            if b.trace is not None:
                cells.append("-")
                continue
            t = time.monotonic()
            r = prove(m, p, SymbolicOptions(max_bmc_depth=depth, timeout=timeout, methods=(method,)))
            cells.append(_fmt(r, time.monotonic() - t))
        print(f"| {p.name} | " + " | ".join(cells) + " |", flush=True)
        if encodings and b.trace is not None:
            for arith, mode, steps in (
                (Arith.BV, BmcMode.ASSUME, Steps.MOVES),
                (Arith.BV, BmcMode.ASSUME, Steps.CHOICES),
                (Arith.BV, BmcMode.PUSHPOP, Steps.MOVES),
                (Arith.BV, BmcMode.FRESH, Steps.MOVES),
                (Arith.INT, BmcMode.ASSUME, Steps.MOVES),
            ):
                t = time.monotonic()
                out = run_bmc(Encoder(m, arith), [p], depth, t + timeout, mode, steps)[p.name]
                found = f"d={out.trace.length}" if out.trace else f"none ({out.stop})"
                took = time.monotonic() - t
                what = f"{arith.value}/{mode.value}/{steps.value}"
                print(f"|   BMC {what} | | {found} {took:.2f}s | | | |", flush=True)


def bench_whole(model: Model, timeout: float, depth: int) -> tuple[float, float, int, int]:
    """One configuration as `modelcheck check --engine both` runs it: explicit, then z3.

    Prints one row per safety property (explicit verdict and depth, z3
    verdict, depth or invariant size, seconds, and for a violation BMC's
    time over the explicit engine's); returns (explicit s, z3 s, proved,
    properties expected to hold that were not proved).
    """
    from checker.explicit import reachable_states

    t = time.monotonic()
    ex = {r.property: r for r in explicit_check(model, ExplicitOptions(timeout=timeout))}
    t_ex = time.monotonic() - t
    t = time.monotonic()
    reach = reachable_states(model, 50_000)
    sym = symbolic_check(model, SymbolicOptions(max_bmc_depth=depth, timeout=timeout, reachable_states=reach))
    t_sym = time.monotonic() - t
    proved = missed = 0
    label = model.config_label()
    for r in sym:
        if not is_safety_kind(r.kind):
            continue
        e = ex[r.property]
        e_cell = e.verdict.value + (f" d={e.trace.length}" if e.trace else "")
        ratio = ""
        if r.trace is not None:
            s_cell = f"{r.verdict.value} d={r.trace.length}"
            ratio = f"{r.stats.seconds / max(t_ex, 1e-3):.1f}x"
        else:
            s_cell = r.verdict.value + (f" {len(r.invariant)} conj" if r.invariant else "")
        if r.verdict.value in ("PROVED", "NOT REACHED"):
            proved += 1
        elif e.verdict.value in ("HOLDS", "NOT REACHED"):
            missed += 1
        print(
            f"| {label} | {r.property} | {e_cell} | {s_cell} | {r.stats.seconds:.1f} | {ratio} |", flush=True
        )
    print(
        f"| {label} | (configuration) | {e.stats.states} states, {t_ex:.2f}s | | {t_sym:.1f} | |", flush=True
    )
    return t_ex, t_sym, proved, missed


def bench_violations(model: Model, timeout: float, depth: int) -> list[tuple[str, int, float, float]]:
    """BMC alone on the properties the spec declares violated, as `check` runs them first.

    NOTE(violations-first) in checker/symbolic/__init__.py: those properties
    get a BMC run of their own before anything else, on the whole model's
    encoding; this times that run (to each trace, replayed by the explicit
    engine) against the explicit engine's time for the whole configuration,
    without the proofs of the other properties.  Returns (property, depth,
    BMC s, explicit s) per violation.
    """
    from checker.explicit import replay

    t = time.monotonic()
    ex = {r.property: r for r in explicit_check(model, ExplicitOptions(timeout=timeout))}
    t_ex = time.monotonic() - t
    props = [p for p in model.properties if is_safety(p) and p.expect_violation]
    if not props:
        return []
    outs = run_bmc(Encoder(model, Arith.BV), props, depth, time.monotonic() + timeout)
    rows: list[tuple[str, int, float, float]] = []
    label = model.config_label()
    for p in props:
        out, e = outs[p.name], ex[p.name]
        e_cell = e.verdict.value + (f" d={e.trace.length}" if e.trace else "")
        if out.trace is None:
            print(f"| {label} | {p.name} | {e_cell} | none ({out.stop}) | {out.seconds:.2f} | |", flush=True)
            continue
        problem = replay(model, out.trace)
        assert problem is None, f"{p.name}: BMC trace does not replay: {problem}"
        ratio = out.seconds / max(t_ex, 1e-3)
        print(
            f"| {label} | {p.name} | {e_cell} | d={out.trace.length} | {out.seconds:.2f} | {t_ex:.2f} | {ratio:.1f}x |",
            flush=True,
        )
        rows.append((p.name, out.trace.length, out.seconds, t_ex))
    return rows


def _cpu() -> float:
    """CPU seconds of this process and of its children that have ended (klive's NOTE(two-halves))."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def bench_liveness(model: Model, timeout: float) -> list[tuple[str, str, float]]:
    """Every liveness property: the explicit verdict and z3's (k-liveness or a lasso), with z3's time."""
    explicit = {r.property: r for r in explicit_check(model, ExplicitOptions())}
    rows: list[tuple[str, str, float]] = []
    for prop in model.properties:
        if not prop.kind.is_liveness:
            continue
        t0 = time.monotonic()
        c0 = _cpu()
        r = prove(model, prop, SymbolicOptions(timeout=timeout))
        seconds = time.monotonic() - t0
        cpu = _cpu() - c0
        how = r.detail.split(":")[0] if r.verdict.is_definite else (r.reason.value if r.reason else "")
        print(
            f"| {Path(model.path).name} {model.config_label()} | {prop.name} | {explicit[prop.name].verdict.value} | "
            f"{r.verdict.value} | {seconds:.1f} | {cpu:.1f} | {how} |",
            flush=True,
        )
        rows.append((prop.name, r.verdict.value, seconds))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--timeout", type=float, default=60.0, help="per property and method (s)")
    ap.add_argument("--depth", type=int, default=60, help="BMC depth bound")
    ap.add_argument("--encodings", action="store_true", help="time BMC under each encoding variant")
    ap.add_argument("-D", dest="defines", action="append", default=[], help="NAME=VALUE")
    ap.add_argument(
        "--whole",
        action="store_true",
        help="each configuration as `check --engine both` runs it (all methods, shared lemmas), with totals",
    )
    ap.add_argument("--methods", default=",".join(METHODS), help="proof methods to time, comma-separated")
    ap.add_argument(
        "--violations",
        action="store_true",
        help="only BMC on the properties declared violated (the first z3 work of `check`), "
        "per violation: BMC s, the configuration's explicit s, and their ratio",
    )
    ap.add_argument(
        "--liveness",
        action="store_true",
        help="only the liveness properties: z3's k-liveness proof or lasso (10x --timeout), next to the "
        "explicit verdict",
    )
    args = ap.parse_args()
    methods = tuple(m for m in args.methods.split(",") if m)
    defines = dict(d.split("=", 1) for d in args.defines)
    if args.liveness:
        print("| configuration | property | explicit | z3 | z3 s | z3 CPU s | how |")
        print("|---|---|---|---|---|---|---|")
        done: list[tuple[str, str, float]] = []
        for path in args.specs:
            for model in configurations(load_spec(path, defines)):
                done.extend(bench_liveness(model, args.timeout))
        proved = sum(1 for _, v, _ in done if v in ("PROVED", "VIOLATED"))
        print(
            f"\n{len(done)} liveness results, {proved} decided by z3, {sum(t for _, _, t in done):.0f}s of z3"
        )
        return
    if args.violations:
        rows: list[tuple[str, int, float, float]] = []
        print("| configuration | property | explicit | BMC | BMC s | explicit s | BMC / explicit |")
        print("|---|---|---|---|---|---|---|")
        for path in args.specs:
            for model in configurations(load_spec(path, defines)):
                rows.extend(bench_violations(model, args.timeout, args.depth))
        if rows:
            worst = max(rows, key=lambda r: r[2] / max(r[3], 1e-3))
            print(
                f"\n{len(rows)} violations; worst ratio {worst[2] / max(worst[3], 1e-3):.1f}x "
                f"({worst[0]}, {worst[1]} steps, {worst[2]:.2f}s vs {worst[3]:.2f}s)"
            )
        return
    if args.whole:
        totals = [0.0, 0.0, 0, 0]
        print("| configuration | property | explicit | z3 | z3 s | BMC / explicit |")
        print("|---|---|---|---|---|---|")
        for path in args.specs:
            for model in configurations(load_spec(path, defines)):
                for i, x in enumerate(bench_whole(model, args.timeout, args.depth)):
                    totals[i] += x
        print(
            f"\ntotal: explicit {totals[0]:.1f}s, z3 {totals[1]:.1f}s; {totals[2]} proved, "
            f"{totals[3]} holding properties not proved"
        )
        return
    for path in args.specs:
        for model in configurations(load_spec(path, defines)):
            bench_model(model, args.timeout, args.depth, args.encodings, methods)


if __name__ == "__main__":
    main()
