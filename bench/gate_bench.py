"""Wall time of the CI gate, `modelcheck --no-timing specs/no_copy.mig`, and its explicit share.

Stage: benchmark (prints figures; asserts nothing).  Each run is a fresh
child process.  Two figures, medians of `--runs N` runs:
  gate      the whole command, as CI and reviewers run it (exit status 0
            expected: every result meets its expectation);
  explicit  `checker.explicit.check` over every configuration of the spec,
            summed (parsing and lowering excluded), with the per-configuration
            figures of the slowest few.
`--separate` asks `check` for the two-exploration path (safety BFS, then the
liveness graph; the private `_shared=False` switch) for the explicit figure,
to compare with the one-exploration path in the same run.  The load average
is printed before and after: the machine has two cores that others share.

Usage: python bench/gate_bench.py [--runs 3] [--separate] [--no-gate] [SPEC]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SPEC = "specs/no_copy.mig"


def child(spec: str, shared: bool) -> None:
    sys.path.insert(0, str(ROOT))
    from checker.explicit import ExplicitOptions, check
    from model.frontend import configurations, load_spec

    models = configurations(load_spec(spec, {}))
    per: list[tuple[float, str]] = []
    total = 0.0
    for k, model in enumerate(models):
        t0 = time.perf_counter()
        check(model, ExplicitOptions(), _shared=shared)
        took = time.perf_counter() - t0
        total += took
        per.append((took, str(k)))
    per.sort(reverse=True)
    print(json.dumps({"total": total, "configs": len(models), "slowest": per[:3]}))


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("spec", nargs="?", default=DEFAULT_SPEC)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--separate", action="store_true", help="also time the two-exploration path")
    ap.add_argument("--no-gate", action="store_true", help="skip the whole-command runs")
    ap.add_argument("--child", choices=("shared", "separate"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        child(args.spec, args.child == "shared")
        return
    print(f"load average before: {_load()}")
    if not args.no_gate:
        walls: list[float] = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            proc = subprocess.run(
                ["modelcheck", "--no-timing", args.spec], cwd=ROOT, capture_output=True, text=True
            )
            walls.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                print(f"  gate exit status {proc.returncode}")
        runs = [round(w, 2) for w in walls]
        print(f"gate: modelcheck --no-timing {args.spec}: median {statistics.median(walls):.2f} s of {runs}")
    modes = ["shared", "separate"] if args.separate else ["shared"]
    for mode in modes:
        totals: list[float] = []
        last: dict[str, Any] = {}
        for _ in range(args.runs):
            out = subprocess.run(
                [sys.executable, __file__, "--child", mode, args.spec],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=True,
            )
            last = json.loads(out.stdout)
            total = last["total"]
            assert isinstance(total, float)
            totals.append(total)
        print(
            f"explicit check ({mode}), {last['configs']} configurations: "
            f"median {statistics.median(totals):.2f} s of {[round(t, 2) for t in totals]}; "
            f"slowest (s, configuration) {[(round(t, 2), k) for t, k in last['slowest']]}"
        )
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
