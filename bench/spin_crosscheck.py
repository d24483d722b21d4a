"""SPIN cross-check of the BEEM ports: state counts and property-1 verdicts side by side.

Stage: benchmark (prints figures, asserts nothing).  For each BEEM instance it
runs SPIN on BEEM's own Promela translation (`../shared/beem/NAME.pm`, next to
the repository) and the explicit engine on our port (`specs/classic/NAME.mig`),
and prints one row per instance:

- SPIN's state count: `spin -a`, `cc -O2 -DSAFETY -DNOREDUCE`, `./pan -E`
  (the BEEM instances have no end-state property: a state with no successor is
  an ordinary state, as in DiVinE, so every end state is valid here);
- property 1's verdict in SPIN: BEEM's .pm files carry no assertion and no
  never claim, so this script appends one that ends (a violation) when the
  goal holds, `never { do :: !(goal) :: (goal) -> break od }`, with the goal
  written with remote references (`P_0@CS`), and runs a separate
  breadth-first search (`-DBFS`) so that its witness is a shortest one; the
  table gives the length of its trail as `spin -t` replays it (in SPIN steps:
  these include the steps of `init`, where the .pm has one);
- our figures: distinct states and property 1's verdict and witness length
  from `checker.explicit` (safety properties only: liveness is not needed for
  this table).

SPIN counts fewer states than DiVinE on these translations, sometimes far
fewer (lamport.2: 21,268 against 110,920): its dead-variable elimination
(on by default) resets a local such as a loop index once it is dead, merging
states that DiVinE keeps apart.  The column "SPIN -o1" repeats the count with
that optimisation off (`spin -o1 -a`); it then equals BEEM's count, plus the
states of the `init` process that starts the others where the .pm has one.
Compare the verdicts; read the count columns as a difference explained, not an
error.

Usage (from the repository root):
    python bench/spin_crosscheck.py                 # every instance
    python bench/spin_crosscheck.py peterson.1 adding.1
    python bench/spin_crosscheck.py --no-ours --markdown
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO))

from beem_data import INSTANCES, Instance  # noqa: E402

DEFAULT_BEEM = REPO.parent / "shared" / "beem"
SPECS = REPO / "specs" / "classic"
CC_FLAGS = ("-O2", "-DSAFETY", "-DNOREDUCE", "-DMEMLIM=16000")
# Hash table of 2^24 slots, DFS stack of 2 million steps (doubled if too small).
PAN_FLAGS = ("-E", "-w24")
DEPTH = 2_000_000


@dataclass(frozen=True, slots=True)
class SpinRun:
    states: int | None
    transitions: int | None
    errors: int | None
    depth: int | None  # the depth of the first error, if any
    trail: int | None  # the steps of its trail (`spin -t`), if any
    complete: bool
    seconds: float
    note: str = ""


@dataclass(frozen=True, slots=True)
class OurRun:
    states: int
    transitions: int
    verdict: str
    witness: int | None  # steps
    seconds: float


@dataclass(frozen=True, slots=True)
class Row:
    inst: Instance
    spin_count: SpinRun | None
    spin_plain: SpinRun | None  # with -o1: SPIN's dead-variable elimination off
    spin_p1: SpinRun | None
    ours: OurRun | None


# --------------------------------------------------------------------------
# SPIN


def _goal(inst: Instance, pm_text: str) -> str | None:
    """Property 1 as a Promela expression over BEEM's .pm names, or None (phils: LTL)."""
    if inst.reach is None:
        return None
    if inst.name.startswith("adding"):
        val = re.search(r"VAL=(\d+)", inst.params)
        assert val is not None
        return f"(c == {val.group(1)})"
    procs = sorted(set(re.findall(r"proctype\s+(P_\d+)\s*\(", pm_text)), key=lambda p: int(p[2:]))
    pairs = [
        f"({a}@CS && {b}@CS)" for k, a in enumerate(procs) for b in procs[k + 1 :]
    ]  # more than one process in CS
    return "(" + " || ".join(pairs) + ")"


def _parse_pan(out: str, seconds: float) -> SpinRun:
    def num(pattern: str) -> int | None:
        m = re.search(pattern, out)
        return int(m.group(1)) if m else None

    too_shallow = "max search depth too small" in out
    errors = num(r"errors: (\d+)")
    complete = errors == 0 and not too_shallow and "Search not completed" not in out
    return SpinRun(
        states=num(r"(\d+) states, stored"),
        transitions=num(r"(\d+) transitions \(= stored\+matched\)"),
        errors=errors,
        depth=num(r"reached \(at depth (\d+)\)") or num(r"violated.*\(at depth (\d+)\)"),
        trail=None,
        complete=complete,
        seconds=seconds,
        note="depth limit hit" if too_shallow else "",
    )


def run_spin(pm: Path, claim: str | None, bfs: bool, spin_flags: Sequence[str] = ()) -> SpinRun:
    """Generate, compile and run one verifier in a scratch directory."""
    with tempfile.TemporaryDirectory(prefix="spin-") as tmp:
        work = Path(tmp)
        text = pm.read_text()
        if claim is not None:
            text += f"\n#define goal {claim}\nnever {{ do :: !(goal) :: (goal) -> break od }}\n"
        (work / "model.pm").write_text(text)
        subprocess.run(["spin", *spin_flags, "-a", "model.pm"], cwd=work, check=True, capture_output=True)
        flags = [*CC_FLAGS, *(["-DBFS"] if bfs else [])]
        subprocess.run(["cc", *flags, "-o", "pan", "pan.c"], cwd=work, check=True, capture_output=True)
        depth = DEPTH
        while True:
            start = time.monotonic()
            proc = subprocess.run(
                ["./pan", *PAN_FLAGS, f"-m{depth}"], cwd=work, capture_output=True, text=True
            )
            res = _parse_pan(proc.stdout + proc.stderr, time.monotonic() - start)
            if res.errors and (work / "model.pm.trail").exists():
                replay = subprocess.run(["spin", "-t", "model.pm"], cwd=work, capture_output=True, text=True)
                steps = re.search(r"trail ends after (\d+) steps", replay.stdout)
                res = dataclasses.replace(res, trail=int(steps.group(1)) if steps else None)
            if res.note != "depth limit hit" or bfs or depth >= 64 * DEPTH:
                return res
            depth *= 4


# NOTE(wait0): the location standing for BEEM's wait0 in p2, as in the ports.
WAIT0 = {"anderson": "p2", "lamport": "q1"}


def ltl_formulas(inst: Instance, pm_text: str) -> dict[str, str]:
    """BEEM's LTL properties of `inst` as Promela `ltl` formulas over the .pm's names."""
    if inst.name.startswith("phils"):
        phils = sorted(set(re.findall(r"proctype\s+(phil_\d+)\s*\(", pm_text)), key=lambda p: int(p[5:]))
        someone = " || ".join(f"{p}@eat" for p in phils)
        return {
            "p1": "[] <> phil_0@eat",
            "p2": "[] (phil_0@one -> <> phil_0@eat)",
            "p3": f"[] <> ({someone})",
        }
    if not inst.ltl:
        return {}
    procs = sorted(set(re.findall(r"proctype\s+(P_\d+)\s*\(", pm_text)), key=lambda p: int(p[2:]))
    wait0 = WAIT0.get(inst.name.split(".")[0], "wait")
    exactly_one = " + ".join(f"{p}@CS" for p in procs)
    return {
        "p2": f"[] (P_0@{wait0} -> <> P_0@CS)",
        "p3": "[] (!P_0@CS -> <> P_0@CS)",
        "p4": f"[] <> (({exactly_one}) == 1)",
    }


def run_spin_ltl(pm: Path, formulas: dict[str, str]) -> dict[str, SpinRun]:
    """One acceptance-cycle search (`pan -a`, no fairness) per formula; a violation is an error."""
    out: dict[str, SpinRun] = {}
    if not formulas:
        return out
    with tempfile.TemporaryDirectory(prefix="spin-ltl-") as tmp:
        work = Path(tmp)
        blocks = "".join(f"\nltl {name} {{ {f} }}\n" for name, f in formulas.items())
        (work / "model.pm").write_text(pm.read_text() + blocks)
        subprocess.run(["spin", "-a", "model.pm"], cwd=work, check=True, capture_output=True)
        flags = [f for f in CC_FLAGS if f != "-DSAFETY"]
        subprocess.run(["cc", *flags, "-o", "pan", "pan.c"], cwd=work, check=True, capture_output=True)
        for name in formulas:
            start = time.monotonic()
            proc = subprocess.run(
                ["./pan", "-a", *PAN_FLAGS, f"-m{DEPTH}", "-N", name],
                cwd=work,
                capture_output=True,
                text=True,
            )
            out[name] = _parse_pan(proc.stdout + proc.stderr, time.monotonic() - start)
    return out


# --------------------------------------------------------------------------
# Ours


def run_ours(inst: Instance) -> OurRun:
    """Property 1 (or, for phils, every safety property) of our port, explicit engine."""
    from checker.explicit import ExplicitOptions, check
    from checker.run import load_models

    (model,) = load_models(str(SPECS / f"{inst.name}.mig"), {})
    keep = tuple(p for p in model.properties if not p.kind.is_liveness)
    model = dataclasses.replace(model, properties=keep)
    start = time.monotonic()
    results = check(model, ExplicitOptions(symmetry=False))
    seconds = time.monotonic() - start
    main = results[0]
    if inst.reach is not None:
        main = next(r for r in results if r.property == inst.reach.prop)
    witness = main.trace.length if main.trace is not None else None
    return OurRun(main.stats.states, main.stats.transitions, main.verdict.value, witness, seconds)


# --------------------------------------------------------------------------
# Table


def _fmt(n: int | None) -> str:
    return "-" if n is None else f"{n:,}"


def _spin_verdict(r: SpinRun | None) -> str:
    if r is None:
        return "-"
    if r.errors is not None and r.errors > 0:
        return f"REACHED ({r.trail})" if r.trail is not None else "REACHED"
    if r.complete:
        return "NOT REACHED"
    return "INCOMPLETE"


def _beem_verdict(inst: Instance) -> str:
    if inst.reach is None:
        return "(LTL)"
    if inst.reach.holds:
        return f"REACHED ({inst.reach.length})"
    return "NOT REACHED"


def _ours_verdict(o: OurRun | None, inst: Instance) -> str:
    if o is None:
        return "-"
    if inst.reach is None:
        return "(LTL)"
    return f"{o.verdict} ({o.witness})" if o.witness is not None else o.verdict


def _agree(row: Row) -> str:
    if row.inst.reach is None:
        return "n/a"
    want = "REACHED" if row.inst.reach.holds else "NOT REACHED"
    verdicts = [_spin_verdict(row.spin_p1).split(" (")[0]]
    if row.ours is not None:
        verdicts.append(row.ours.verdict)
    return "yes" if all(v == want for v in verdicts) else "NO"


HEADER = (
    "instance",
    "BEEM states",
    "ours",
    "SPIN states",
    "SPIN - BEEM",
    "SPIN -o1",
    "p1 BEEM (length)",
    "p1 ours (steps)",
    "p1 SPIN (trail steps)",
    "agree",
)


def _cells(row: Row) -> tuple[str, ...]:
    spin_states = row.spin_count.states if row.spin_count is not None else None
    diff = None if spin_states is None else spin_states - row.inst.states
    diff_s = "-" if diff is None else f"{diff:+,}"
    if row.spin_count is not None and not row.spin_count.complete:
        diff_s += " (incomplete)"
    plain = row.spin_plain.states if row.spin_plain is not None else None
    plain_s = "-" if plain is None else f"{plain:,} ({plain - row.inst.states:+,})"
    return (
        row.inst.name,
        _fmt(row.inst.states),
        _fmt(row.ours.states) if row.ours is not None else "-",
        _fmt(spin_states),
        diff_s,
        plain_s,
        _beem_verdict(row.inst),
        _ours_verdict(row.ours, row.inst),
        _spin_verdict(row.spin_p1) if row.inst.reach is not None else "(LTL)",
        _agree(row),
    )


def print_table(rows: Sequence[Row], markdown: bool) -> None:
    table = [HEADER, *(_cells(r) for r in rows)]
    if markdown:
        print("| " + " | ".join(HEADER) + " |")
        print("|" + "---|" * len(HEADER))
        for cells in table[1:]:
            print("| " + " | ".join(cells) + " |")
        return
    widths = [max(len(t[k]) for t in table) for k in range(len(HEADER))]
    for cells in table:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def _ltl_verdict(r: SpinRun | None) -> str:
    if r is None:
        return "-"
    if r.errors:
        return "violated"
    return "holds" if r.complete else "INCOMPLETE"


def print_ltl_table(ltl: dict[str, dict[str, SpinRun]], markdown: bool) -> None:
    header = ("instance", "property", "formula (SPIN)", "BEEM", "SPIN", "agree")
    table: list[tuple[str, ...]] = [header]
    for name, runs in ltl.items():
        inst = INSTANCES[name]
        pm_text = (DEFAULT_BEEM / f"{name}.pm").read_text() if (DEFAULT_BEEM / f"{name}.pm").exists() else ""
        formulas = ltl_formulas(inst, pm_text)
        for a in inst.ltl:
            beem = "holds" if a.holds else "violated"
            spin = _ltl_verdict(runs.get(a.beem))
            f = formulas.get(a.beem, "-").replace("|", "\\|") if markdown else formulas.get(a.beem, "-")
            table.append(
                (name, a.beem, f"`{f}`" if markdown else f, beem, spin, "yes" if beem == spin else "NO")
            )
    if markdown:
        print("| " + " | ".join(header) + " |")
        print("|" + "---|" * len(header))
        for cells in table[1:]:
            print("| " + " | ".join(cells) + " |")
        return
    widths = [max(len(t[k]) for t in table) for k in range(len(header))]
    for cells in table:
        print("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("instances", nargs="*", help="BEEM instance names (default: all 17)")
    ap.add_argument("--beem-dir", type=Path, default=DEFAULT_BEEM, help="where NAME.pm live")
    ap.add_argument("--no-ours", action="store_true", help="SPIN only: skip the explicit engine")
    ap.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    ap.add_argument(
        "--ltl",
        action="store_true",
        help="also check BEEM's LTL properties with SPIN (`pan -a`, no fairness)",
    )
    args = ap.parse_args(argv)
    if shutil.which("spin") is None or shutil.which("cc") is None:
        print("spin_crosscheck: needs `spin` and `cc` on PATH", file=sys.stderr)
        return 2
    names = args.instances or list(INSTANCES)
    unknown = [n for n in names if n not in INSTANCES]
    if unknown:
        print(f"spin_crosscheck: unknown instance(s): {', '.join(unknown)}", file=sys.stderr)
        return 2
    rows: list[Row] = []
    ltl: dict[str, dict[str, SpinRun]] = {}
    for name in names:
        inst = INSTANCES[name]
        pm = args.beem_dir / f"{name}.pm"
        count = run_spin(pm, None, bfs=False)
        plain = run_spin(pm, None, bfs=False, spin_flags=("-o1",))
        goal = _goal(inst, pm.read_text())
        p1 = run_spin(pm, goal, bfs=True) if goal is not None else None
        ours = None if args.no_ours else run_ours(inst)
        row = Row(inst, count, plain, p1, ours)
        rows.append(row)
        times = f"spin {count.seconds:.1f}s" + (f", ours {ours.seconds:.1f}s" if ours else "")
        if args.ltl:
            ltl[name] = run_spin_ltl(pm, ltl_formulas(inst, pm.read_text()))
            times += ", spin LTL " + ", ".join(f"{k} {r.seconds:.1f}s" for k, r in ltl[name].items())
        print(f"# {name}: {times}", file=sys.stderr)
    print_table(rows, args.markdown)
    if args.ltl:
        print()
        print_ltl_table(ltl, args.markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
