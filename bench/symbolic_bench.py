"""Benchmark of the symbolic engine, next to the explicit engine in the same run.

Per spec and configuration it prints, for every safety property: the
explicit engine's verdict and time (one BFS for all safety properties),
BMC's verdict, depth and time to the shortest counterexample, and for a
property BMC does not refute, each proof method on its own (verdict, time,
size of the invariant).  `--encodings` also times BMC under each encoding
variant (bit-vectors vs integers; assumption literals, push/pop, or a fresh
solver per depth) for the properties that are violated.

Usage (from the repository root):
    python bench/symbolic_bench.py specs/classic/peterson.2.mig specs/classic/adding.1.mig
    python bench/symbolic_bench.py --encodings --timeout 60 specs/classic/peterson.2.mig
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from checker.explicit import ExplicitOptions
from checker.explicit import check as explicit_check
from checker.result import PropertyResult
from checker.symbolic import METHODS, SymbolicOptions, prove
from checker.symbolic.bmc import BmcMode, run_bmc
from checker.symbolic.encode import Arith, Encoder, is_safety
from model.frontend import configurations, load_spec
from model.ir import Model


def _fmt(r: PropertyResult, seconds: float) -> str:
    extra = ""
    if r.trace is not None:
        extra = f" d={r.trace.length}"
    elif r.invariant:
        extra = f" {len(r.invariant)} conj"
    return f"{r.verdict.value}{extra} {seconds:.2f}s"


def bench_model(model: Model, timeout: float, depth: int, encodings: bool) -> None:
    safety = [p for p in model.properties if is_safety(p)]
    if not safety:
        return
    m = dataclasses.replace(model, properties=tuple(safety))
    t = time.monotonic()
    ex = explicit_check(m, ExplicitOptions(timeout=timeout))
    t_ex = time.monotonic() - t
    print(f"\n## {model.path} [{model.config_label()}]  explicit: {ex[0].stats.states} states, {t_ex:.2f}s")
    print("| property | explicit | BMC | " + " | ".join(METHODS) + " |")
    print("|---|---|---|" + "---|" * len(METHODS))
    for p, e in zip(safety, ex, strict=True):
        t = time.monotonic()
        b = prove(m, p, SymbolicOptions(max_bmc_depth=depth, timeout=timeout, methods=()))
        t_b = time.monotonic() - t
        cells = [f"{e.verdict.value}" + (f" d={e.trace.length}" if e.trace else ""), _fmt(b, t_b)]
        for method in METHODS:
            if b.trace is not None:
                cells.append("-")
                continue
            t = time.monotonic()
            r = prove(m, p, SymbolicOptions(max_bmc_depth=depth, timeout=timeout, methods=(method,)))
            cells.append(_fmt(r, time.monotonic() - t))
        print(f"| {p.name} | " + " | ".join(cells) + " |", flush=True)
        if encodings and b.trace is not None:
            for arith, mode in (
                (Arith.BV, BmcMode.ASSUME),
                (Arith.BV, BmcMode.PUSHPOP),
                (Arith.BV, BmcMode.FRESH),
                (Arith.INT, BmcMode.ASSUME),
            ):
                t = time.monotonic()
                out = run_bmc(Encoder(m, arith), [p], depth, t + timeout, mode)[p.name]
                found = f"d={out.trace.length}" if out.trace else f"none ({out.stop})"
                took = time.monotonic() - t
                print(f"|   BMC {arith.value}/{mode.value} | | {found} {took:.2f}s | | | |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("specs", nargs="+")
    ap.add_argument("--timeout", type=float, default=60.0, help="per property and method (s)")
    ap.add_argument("--depth", type=int, default=60, help="BMC depth bound")
    ap.add_argument("--encodings", action="store_true", help="time BMC under each encoding variant")
    ap.add_argument("-D", dest="defines", action="append", default=[], help="NAME=VALUE")
    args = ap.parse_args()
    defines = dict(d.split("=", 1) for d in args.defines)
    for path in args.specs:
        for model in configurations(load_spec(path, defines)):
            bench_model(model, args.timeout, args.depth, args.encodings)


if __name__ == "__main__":
    main()
