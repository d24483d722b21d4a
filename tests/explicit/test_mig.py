"""The explicit engine on `.mig` text through the front end (hand-checked figures)."""

from __future__ import annotations

from pathlib import Path

import pytest

from checker.explicit import ExplicitOptions, check, replay
from checker.result import PropertyResult, Verdict
from model.diagnostics import SpecError
from model.frontend import configurations, load_spec, load_spec_text
from model.ir import Model

ROOT = Path(__file__).resolve().parents[2]

LOCKERS = """
const N = 3;
symmetric type Pid = 0..N-1;
lock m: mutex;
var count: [Pid] 0..2;

weak fair process P[i: Pid] {
  end idle;
  idle: while true {
    lock(m);
    cs: count[i] = (count[i] + 1) % 3;
    unlock(m);
  }
}

invariant excl: forall a in Pid: forall b in Pid: a != b -> !(at(P[a], cs) && at(P[b], cs));
reachable twice: exists u in Pid: count[u] == 2;
liveness progress: always eventually exists u in Pid: at(P[u], cs);
"""

DOUBLE_UNLOCK = """
lock m: mutex;
var x: 0..3;
process A {
  lock(m);
  x = 1;
  unlock(m);
  unlock(m);
}
"""

# Q's `for` unrolls into two steps in index order (nf[0], then nf[1]): the
# model is not symmetric, and with the reduction the search kept the state
# with nf[1] cleared first (the smaller packing), never reached both cleared,
# and said HOLDS (7 states) for an invariant violated in 6 steps.
FOR_OVER_SYMMETRIC = """
symmetric type Pid = 0..1;
var done: [Pid] bool;
var nf: [Pid] bool = true;
process Q {
  for k in Pid {
    nf[k] = false;
  }
}
process P[i: Pid] {
  await !nf[self];
  done[self] = true;
}
invariant never_both: !(forall i in Pid: done[i]);
deadlock off;
"""

# f's local q starts at the lowest value and is reset to it at every call
# (`P[i].f.q := 0` in the IR): a constant of the symmetric type in the
# transitions.  With the reduction `alone` was NOT REACHED (21 states, more
# than the 16 unreduced ones); it is reached in 3 steps.
PROC_LOCAL_SYMMETRIC = """
symmetric type Pid = 0..1;
var flag: [Pid] bool;
var nt: [Pid] bool = true;
proc f() {
  var q: Pid;
  flag[q] = true;
}
process P[i: Pid] {
  nt[self] = false;
  f();
}
reachable alone: exists k in Pid: !nt[k] && flag[k] && (forall j in Pid: j != k -> nt[j]);
deadlock off;
"""


def one(text: str) -> Model:
    (model,) = configurations(load_spec_text(text, "<test>.mig", {}))
    return model


def results(model: Model, options: ExplicitOptions | None = None) -> dict[str, PropertyResult]:
    out = {}
    for r in check(model, options):
        if r.trace is not None:
            assert replay(model, r.trace) is None
        out[r.property] = r
    return out


def test_peterson1_port_matches_beem() -> None:
    path = ROOT / "specs" / "classic" / "peterson.1.mig"
    if not path.exists():
        pytest.skip("the BEEM port is not there yet")
    (model,) = configurations(load_spec(str(path), {}))
    r = results(model)
    for res in r.values():
        assert (res.stats.states, res.stats.transitions, res.stats.depth) == (12498, 33369, 54)
    assert r["collision"].verdict is Verdict.NOT_REACHED
    assert r["p2_wait_leads_to_cs"].verdict is Verdict.VIOLATED
    assert r["p3_cs_infinitely_often"].verdict is Verdict.VIOLATED
    assert r["p4_someone_in_cs"].verdict is Verdict.HOLDS


def test_symmetry_on_mig() -> None:
    model = one(LOCKERS)
    full = results(model, ExplicitOptions(symmetry=False))
    red = results(model)
    # 27 count vectors x 32 pc configurations (at most one process past lock(m))
    assert full["excl"].stats.states == 864
    # Burnside over S3: (864 + 3 * 72 + 2 * 6) / 6
    assert red["excl"].stats.states == 182
    assert red["excl"].stats.depth == full["excl"].stats.depth
    for name, r in full.items():
        assert red[name].verdict is r.verdict, name
    assert full["twice"].trace is not None and red["twice"].trace is not None
    assert full["twice"].trace.length == red["twice"].trace.length
    # liveness is decided without the reduction, so its figures are the full ones
    assert red["progress"].verdict is Verdict.HOLDS
    assert red["progress"].stats.states == 864


def test_runtime_check_on_mig() -> None:
    model = one(DOUBLE_UNLOCK)
    r = results(model)
    rt = r["runtime"]
    assert rt.verdict is Verdict.VIOLATED
    assert rt.trace is not None and rt.trace.failed_check is not None
    # lock, x = 1, unlock, then the second unlock fails
    assert rt.trace.length == 4
    last = model.transitions[rt.trace.transitions[-1]]
    assert "unlock" in last.text


RUNTIME_CASES = {
    # kind: (spec, property, length of the trace, the failing step last)
    "LOCK_REACQUIRE": ("lock m: mutex;\nprocess A { lock(m); lock(m); }", "runtime", 2),
    "LOCK_NOT_HELD": ("lock m: mutex;\nprocess A { unlock(m); }", "runtime", 1),
    "SLEEP_IN_ATOMIC": (
        "lock s: spinlock;\nlock m: mutex;\nprocess A { lock(s); lock(m); unlock(m); unlock(s); }",
        "runtime",
        2,
    ),
    "REF_UNDERFLOW": ("refcount r: 0..3 = 0;\nprocess A { put(r); }", "runtime", 1),
    "REF_GET_FROZEN": (
        "refcount r: 0..3 = 1;\nprocess A { if freeze(r, 1) { get(r); } }",
        "runtime",
        2,
    ),
    "REF_UNFREEZE": ("refcount r: 0..3 = 1;\nprocess A { unfreeze(r, 1); }", "runtime", 1),
    "INDEX": ("var a: [0..1] 0..3;\nvar i: 0..3 = 2;\nprocess A { a[i] = 1; }", "runtime", 1),
    "RANGE": ("var x: 0..2 = 2;\nprocess A { x = x + 1; }", "runtime", 1),
    "DIV_ZERO": ("var x: 0..2;\nvar y: 0..2;\nprocess A { x = 2 / y; }", "runtime", 1),
    "ASSERT": ('var x: 0..2;\nprocess A { x = 1; assert x == 2, "x is not 2"; }', "assert", 2),
}


@pytest.mark.parametrize("kind", sorted(RUNTIME_CASES))
def test_every_runtime_check(kind: str) -> None:
    from model.ir import CheckKind

    text, prop, length = RUNTIME_CASES[kind]
    model = one(text)
    r = results(model)[prop]
    assert r.verdict is Verdict.VIOLATED
    t = r.trace
    assert t is not None and t.failed_check is not None and t.length == length
    failed = model.transitions[t.transitions[-1]].checks[t.failed_check]
    assert failed.kind is CheckKind[kind]
    assert failed.kind.value in r.detail


def test_a_for_over_a_symmetric_type_is_rejected() -> None:
    """Its copies run in a fixed order, so the reduction would be unsound (FOR_OVER_SYMMETRIC)."""
    with pytest.raises(SpecError) as err:
        one(FOR_OVER_SYMMETRIC)
    assert "symmetric type misuse" in str(err.value) and "'for'" in str(err.value)
    plain = one(FOR_OVER_SYMMETRIC.replace("symmetric type", "type"))
    r = results(plain)["never_both"]
    assert r.verdict is Verdict.VIOLATED and r.trace is not None and r.trace.length == 6


def test_a_symmetric_variable_without_initial_value_is_rejected() -> None:
    """It starts at the lowest value, a fixed value of the type (PROC_LOCAL_SYMMETRIC)."""
    with pytest.raises(SpecError) as err:
        one(PROC_LOCAL_SYMMETRIC)
    assert "symmetric type misuse: 'q'" in str(err.value)
    fixed = one(PROC_LOCAL_SYMMETRIC.replace("var q: Pid;", "var q: Pid = any;"))
    full = results(fixed, ExplicitOptions(symmetry=False))["alone"]
    red = results(fixed)["alone"]
    assert full.verdict is red.verdict is Verdict.REACHED
    assert full.trace is not None and red.trace is not None and full.trace.length == red.trace.length
    plain = one(PROC_LOCAL_SYMMETRIC.replace("symmetric type", "type"))
    r = results(plain)["alone"]
    assert r.verdict is Verdict.REACHED and r.trace is not None and r.trace.length == 3
