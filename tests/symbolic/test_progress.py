"""The z3 status line: what it shows, when, and that it changes no verdict."""

from __future__ import annotations

import io
import os

import pytest

from checker.symbolic import SymbolicOptions, check
from checker.symbolic import progress as progress_mod
from checker.symbolic.progress import StatusLine, bmc_status
from model.frontend import configurations, load_spec_text

SPEC = """
type Pid = 0..1;
var count: 0..3 = 0;
process P[i: Pid] {
  var tmp: 0..3;
  state a, b, c;
  init a;
  trans a -> b { tmp = count; }
  trans b -> c { count = tmp + 1; }
}
invariant no_lost_update: at(P[0], c) && at(P[1], c) -> count == 2 expect violated;
invariant small: count <= 2;
deadlock off;
"""


def test_nothing_before_the_delay_then_the_time_the_step_and_the_configuration() -> None:
    out = io.StringIO()
    line = StatusLine(True, "mode=SYNC, cb=AIO", out)
    line.show("BMC depth 3 (p)", now=line.start + 0.5)
    assert out.getvalue() == ""
    line.show("BMC depth 4 (p)", now=line.start + 2.2)
    assert out.getvalue() == "\rz3 2s: BMC depth 4 (p) [mode=SYNC, cb=AIO]"
    line.show("p: blocking", now=line.start + 3.0)  # shorter than the last: padded over it
    first, second = "z3 2s: BMC depth 4 (p) [mode=SYNC, cb=AIO]", "z3 3s: p: blocking [mode=SYNC, cb=AIO]"
    assert out.getvalue() == f"\r{first}\r{second}{' ' * (len(first) - len(second))}"
    line.done()
    width = len("z3 3s: p: blocking [mode=SYNC, cb=AIO]")
    assert out.getvalue().endswith("\r" + " " * width + "\r")


def test_disabled_writes_nothing_and_done_after_nothing_writes_nothing() -> None:
    out = io.StringIO()
    line = StatusLine(False, "x=1", out)
    line.show("BMC depth 9", now=line.start + 10)
    line.done()
    assert out.getvalue() == ""
    quiet_so_far = StatusLine(True, "x=1", out)
    quiet_so_far.done()
    assert out.getvalue() == ""


def test_the_line_fits_the_terminal_and_drops_unprintable_characters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress_mod.shutil, "get_terminal_size", lambda fallback: os.terminal_size((43, 24)))
    out = io.StringIO()
    line = StatusLine(True, "mode=\x1b[2Jevil\x07, cb=" + "A" * 60, out)
    line.show("BMC depth 12 (no_lost_write)", now=line.start + 5)
    shown = out.getvalue()
    assert shown.startswith("\rz3 5s: BMC depth 12 (no_lost_write) [mode")
    assert len(shown) == 1 + 42 and "\x1b" not in shown and "\x07" not in shown


def test_bmc_status_names_the_property_asked_and_counts_the_others() -> None:
    assert bmc_status(7, []) == "BMC depth 7"
    assert bmc_status(7, ["p"]) == "BMC depth 7 (p)"
    assert bmc_status(7, ["p", "q", "r"]) == "BMC depth 7 (p and 2 more)"


def test_a_run_with_the_status_line_shows_bmc_and_proofs_and_gives_the_same_verdicts(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = configurations(load_spec_text(SPEC))[0]
    plain = check(model, SymbolicOptions(timeout=20))
    assert capsys.readouterr().err == ""  # off unless asked
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    shown = check(model, SymbolicOptions(timeout=20, progress=True))
    err = capsys.readouterr().err
    assert [(r.property, r.verdict, r.stats.depth) for r in shown] == [
        (r.property, r.verdict, r.stats.depth) for r in plain
    ]
    verdicts = {r.property: r.verdict.name for r in shown}
    assert verdicts["no_lost_update"] == "VIOLATED" and verdicts["small"] == "PROVED"
    assert "\rz3 0s: BMC depth 4 (no_lost_update)\r" in err  # no parameters: no configuration shown
    assert "small: kinduction" in err
    assert err.endswith("\r")  # wiped before the report
    last = err.rsplit("\r", 2)[-2]
    assert last.strip() == ""


LIVE = """
var x: 0..2 = 0;
weak fair process P {
  state a, b;
  init a;
  trans a -> b { x = 1; }
  trans b -> b;
}
deadlock off;
liveness reach_one: eventually x == 1;
liveness reach_two: eventually x == 2 expect violated;
"""


def test_liveness_shows_the_k_liveness_stage_and_the_lasso_depth(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    model = configurations(load_spec_text(LIVE))[0]
    monkeypatch.setattr(progress_mod, "DELAY", 0.0)
    got = {r.property: r.verdict.name for r in check(model, SymbolicOptions(timeout=20, progress=True))}
    err = capsys.readouterr().err
    assert got == {"reach_one": "PROVED", "reach_two": "VIOLATED"}
    assert "reach_one: k-liveness, " in err and "reach_one: k-liveness, proving live.rounds <= " in err
    assert "reach_two: fair lasso search, depth 1" in err
    assert err.endswith("\r")
