"""Speed and memory of the explicit engine, next to SPIN on the same instance.

Stage: benchmark (prints figures; asserts nothing).  For each instance
(default: BEEM peterson.4 and bakery.5, ported in `specs/classic/`) it runs
the explicit engine in a fresh child process per run and prints states,
transitions, seconds, states/s and peak memory per stored state; with SPIN
installed it also runs SPIN on BEEM's own Promela translation
(`../shared/beem/NAME.pm`, `cc -O2 -DSAFETY -DNOREDUCE`, `./pan -m10000000
-c0`, plus `-E` when our spec has no deadlock property) and prints the rate
ratio.  `--runs N` prints medians of N runs.

What is measured: the safety exploration of `check` (every reachable state
and transition, the spec's invariants, reachable targets and runtime
checks).  The spec's liveness properties are left out: they need the whole
state graph in memory, which is what the small instances in the tests are
for.  Memory per state is (peak RSS - RSS after loading the spec) / states.

Usage: python bench/explicit_bench.py [--runs 5] [--no-spin] [NAME ...]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BEEM = ROOT.parent / "shared" / "beem"
DEFAULT = ("peterson.4", "bakery.5")


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def child(path: str) -> None:
    sys.path.insert(0, str(ROOT))
    from checker.explicit import ExplicitOptions, check
    from model.frontend import configurations, load_spec

    model = configurations(load_spec(path, {}))[0]
    model = dataclasses.replace(
        model, properties=tuple(p for p in model.properties if not p.kind.is_liveness)
    )
    base = _rss_bytes()
    t0, c0 = time.perf_counter(), time.process_time()
    results = check(model, ExplicitOptions())
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    st = results[0].stats if results else None
    states = st.states if st else 0
    print(
        json.dumps(
            {
                "states": states,
                "transitions": st.transitions if st else 0,
                "seconds": seconds,
                "rate": states / seconds if seconds else 0.0,
                "cpu_rate": states / cpu if cpu else 0.0,
                "bytes_per_state": (peak - base) / states if states else 0.0,
                "verdicts": {r.property: r.verdict.name for r in results},
                "deadlock": any(p.kind.value == "deadlock" for p in model.properties),
            }
        )
    )


def run_ours(path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def build_spin(pm: Path, work: Path) -> Path | None:
    if shutil.which("spin") is None or shutil.which("cc") is None:
        return None
    shutil.copy(pm, work / pm.name)
    subprocess.run(["spin", "-a", pm.name], cwd=work, check=True, capture_output=True)
    subprocess.run(
        ["cc", "-O2", "-DSAFETY", "-DNOREDUCE", "-o", "pan", "pan.c"],
        cwd=work,
        check=True,
        capture_output=True,
    )
    return work / "pan"


def run_spin(pan: Path, valid_end: bool) -> dict[str, float]:
    args = [str(pan), "-m10000000", "-c0"] + (["-E"] if valid_end else [])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    text = subprocess.run(args, cwd=pan.parent, check=True, capture_output=True, text=True).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)

    def grab(pattern: str) -> float:
        m = re.search(pattern, text)
        return float(m.group(1)) if m else float("nan")

    states = grab(r"([\d.e+]+) states, stored")
    secs = grab(r"elapsed time ([\d.e+]+) seconds")
    # SPIN's own memory for stored states (state vectors and their overhead,
    # after its compression), not its preallocated hash table and DFS stack
    mem = grab(r"([\d.]+)\s+actual memory usage for states")
    if mem != mem:  # older pans print only the uncompressed figure
        mem = grab(r"([\d.]+)\s+equivalent memory usage for states")
    rate = grab(r"pan: rate ([\d.e+]+) states/second")
    return {
        "states": states,
        "transitions": grab(r"([\d.e+]+) transitions \(= stored\+matched\)"),
        "seconds": secs,
        "rate": rate if rate == rate else states / secs,
        "cpu_rate": states / cpu if cpu else float("nan"),
        "bytes_per_state": mem * 2**20 / states if states else float("nan"),
    }


def median(rows: list[dict[str, Any]], key: str) -> float:
    return statistics.median(float(r[key]) for r in rows)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=list(DEFAULT))
    ap.add_argument("--runs", type=int, default=1)
    ap.add_argument("--no-spin", action="store_true")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child)
        return
    for name in args.names:
        spec = ROOT / "specs" / "classic" / f"{name}.mig"
        if not spec.exists():
            print(f"{name}: {spec} not found, skipped")
            continue
        print(f"{name}: load average before: {_load()}")
        ours = [run_ours(spec) for _ in range(args.runs)]
        o_rate, o_mem = median(ours, "rate"), median(ours, "bytes_per_state")
        o_cpu = median(ours, "cpu_rate")
        print(
            f"{name}: modelcheck explicit: {int(ours[0]['states']):,} states, "
            f"{int(ours[0]['transitions']):,} transitions, {median(ours, 'seconds'):.2f} s, "
            f"{o_rate:,.0f} states/s ({o_cpu:,.0f} per CPU second), {o_mem:.1f} bytes/state "
            f"(median of {args.runs}; verdicts {ours[0]['verdicts']})"
        )
        print(f"{name}: load average after our runs: {_load()}")
        pm = BEEM / f"{name}.pm"
        if args.no_spin or not pm.exists():
            continue
        with tempfile.TemporaryDirectory() as tmp:
            pan = build_spin(pm, Path(tmp))
            if pan is None:
                print(f"{name}: SPIN not installed, no comparison")
                continue
            spin = [run_spin(pan, not ours[0]["deadlock"]) for _ in range(args.runs)]
        s_rate = statistics.median(r["rate"] for r in spin)
        s_cpu = statistics.median(r["cpu_rate"] for r in spin)
        s_mem = statistics.median(r["bytes_per_state"] for r in spin)
        print(
            f"{name}: SPIN -DSAFETY -DNOREDUCE: {spin[0]['states']:,.0f} states, "
            f"{statistics.median(r['seconds'] for r in spin):.2f} s, {s_rate:,.0f} states/s "
            f"({s_cpu:,.0f} per CPU second), "
            f"{s_mem:.1f} bytes/state"
        )
        print(
            f"{name}: ratio modelcheck/SPIN: speed {o_rate / s_rate:.3f} "
            f"(per CPU second {o_cpu / s_cpu:.3f}), "
            f"memory per state {o_mem / s_mem:.2f}"
        )
        print(f"{name}: load average after SPIN's runs: {_load()}")


def _load() -> str:
    """The 1, 5 and 15 minute load averages: how busy the (shared) machine was."""
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
