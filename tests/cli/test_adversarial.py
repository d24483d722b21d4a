"""Adversarial inputs to the `modelcheck` command line (task h11's audit).

Each test is a regression test of an input that once misbehaved (a
traceback, a hang, a lost file, a message without its position): it runs
the real command line in-process and asserts the plain diagnostic and the
exit code of docs/OUTPUT.md.
"""

from __future__ import annotations

import io
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from checker import cli
from checker.report import dot
from model import frontend

SPEC = """\
var x: 0..3 = 0;
process P { x = 1; }
invariant small: x < 3;
reachable one: x == 1;
"""


def call(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.execute(argv, out, err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "ok.mig"
    path.write_text(SPEC, encoding="utf-8")
    return path


# --------------------------------------------------------------------------
# Reading the spec


def test_fifo_spec_is_read_once(tmp_path: Path) -> None:
    """A FIFO (`modelcheck <(gen)`) was read twice: the second read hung (a subprocess, so a regression fails)."""
    fifo = tmp_path / "spec.mig"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "w", encoding="utf-8") as f:
            f.write(SPEC)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    done = subprocess.run(
        [sys.executable, "-m", "checker.cli", "--no-timing", str(fifo)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    writer.join(timeout=5)
    assert (done.returncode, done.stderr) == (0, "") and "HOLDS" in done.stdout


def test_oversized_input_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`modelcheck /dev/zero` read without end (MemoryError, exit 70)."""
    monkeypatch.setattr(frontend, "MAX_SOURCE_BYTES", 64)
    big = tmp_path / "big.mig"
    big.write_text(SPEC, encoding="utf-8")
    code, _, err = call([str(big)])
    assert code == 2 and err == f"{big}: error: larger than 0 MiB: not a .mig spec\n"


def test_not_utf8_has_line_col_and_caret(tmp_path: Path) -> None:
    """The CLI's own check said `file:3: error` with no column and no excerpt."""
    bad = tmp_path / "bad.mig"
    bad.write_bytes(SPEC.encode().replace(b"x < 3", b"x < 3 \xff"))
    code, _, err = call([str(bad)])
    lines = err.splitlines()
    assert code == 2
    assert lines[0] == f"{bad}:3:24: error: not UTF-8 text (byte 0xff at offset 61)"
    assert lines[2].index("^") - lines[2].index("|") == lines[1].index("\ufffd") - lines[1].index("|")


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    """A UTF-8 BOM (Windows editors) was `unexpected character '\\ufeff'`."""
    bom = tmp_path / "bom.mig"
    bom.write_bytes(b"\xef\xbb\xbf" + SPEC.replace("x = 1", "y = 1").encode())
    code, _, err = call([str(bom)])
    assert code == 2 and err.startswith(f"{bom}:2:13: error: undeclared name 'y'")
    bom.write_bytes(b"\xef\xbb\xbf" + SPEC.encode())
    assert call([str(bom)])[0] == 0


# --------------------------------------------------------------------------
# --output


def test_output_to_a_fifo_writes_into_it(spec: Path, tmp_path: Path) -> None:
    """An existing non-regular file (`/dev/null`, a FIFO) was replaced by a regular file."""
    fifo = tmp_path / "report"
    os.mkfifo(fifo)
    got: list[str] = []

    def drain() -> None:
        with open(fifo, encoding="utf-8") as f:
            got.append(f.read())

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    code, out, _ = call(["--no-timing", "--format", "json", "--output", str(fifo), str(spec)])
    reader.join(timeout=5)
    assert code == 0 and out == ""
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert got and '"exit_code": 0' in got[0]


def test_output_follows_a_symlink_and_keeps_the_mode(spec: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    link = tmp_path / "link.txt"
    link.symlink_to(target)
    code, _, _ = call(["--no-timing", "--output", str(link), str(spec)])
    assert code == 0 and link.is_symlink()
    assert "HOLDS" in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_output_symlink_to_the_spec_is_refused(spec: Path, tmp_path: Path) -> None:
    link = tmp_path / "link.mig"
    link.symlink_to(spec)
    code, _, err = call(["--output", str(link), str(spec)])
    assert code == 2 and "refusing to overwrite the input spec" in err
    assert spec.read_text(encoding="utf-8") == SPEC


def test_output_write_failure_is_exit_2(spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk (`--output /dev/full`) was an internal error (exit 70)."""

    def full(path: str, content: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(cli, "write_atomically", full)
    code, _, err = call(["--output", str(tmp_path / "r.txt"), str(spec)])
    assert (
        code == 2
        and err
        == f"modelcheck: error: --output {tmp_path / 'r.txt'}: cannot write: No space left on device\n"
    )


def test_output_unwritable_is_refused_before_the_run(
    spec: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    code, _, err = call(["--output", str(tmp_path / "r.txt"), str(spec)])
    assert code == 2 and err.endswith("r.txt: permission denied\n")


# --------------------------------------------------------------------------
# Option values


@pytest.mark.parametrize("value", ["1e308", "1000001"])
def test_timeout_beyond_z3s_range_is_usage_error(
    spec: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--timeout 1e308` passed the parser and overflowed in z3 (exit 70)."""
    code, _, err = call(["prove", "--timeout", value, str(spec)])
    err += capsys.readouterr().err  # argparse writes to sys.stderr
    assert code == 2 and "more than 1,000,000 seconds" in err and "Traceback" not in err


def test_ir_refuses_a_format_it_ignores(spec: Path) -> None:
    """`modelcheck ir --format json` printed text silently."""
    code, out, err = call(["ir", "--format", "json", str(spec)])
    assert (code, out) == (2, "") and "--format applies to check and prove" in err


def test_empty_file_argument(spec: Path) -> None:
    """`modelcheck ''` said `: error: no such file`."""
    code, _, err = call([""])
    assert code == 2 and err == "modelcheck: error: the spec FILE is an empty string\n"


def test_define_with_thousands_of_digits(spec: Path) -> None:
    """`-D N=<5000 digits>` said "'999...' is not" an int (Python's int() digit limit), echoing it all."""
    spec.write_text("const N = 2;\n" + SPEC, encoding="utf-8")
    code, _, err = call([str(spec), "-D", "N=" + "9" * 5000])
    first = err.splitlines()[0]
    assert code == 2
    assert (
        first
        == "<command line>: error: -D N=999999999999...: an integer of 5000 characters; at most 100 digits"
    )


LOOPS = """\
var x: 0..200 = 0;
var y: 0..200 = 0;
process P { while true { x = (x + 1) % 201; } }
process Q { while true { y = (y + 1) % 201; } }
invariant i: x < 300;
"""


def test_state_graph_cut_by_a_limit_is_exit_3(tmp_path: Path) -> None:
    """A state graph cut at --max-states (or the default 10,000) was exit 0."""
    path = tmp_path / "loops.mig"
    path.write_text(LOOPS, encoding="utf-8")
    code, out, err = call([str(path), "--format", "dot", "--state-graph", "--max-states", "50"])
    assert code == 3 and "incomplete" in out and "the state graph is incomplete" in err


def test_svg_layout_timeout_is_a_plain_error(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """graphviz on thousands of states ran past every limit, then was an internal error (exit 70)."""

    def slow(dot_text: str, timeout: float = 60.0) -> str:
        raise subprocess.TimeoutExpired(["dot"], timeout)

    monkeypatch.setattr(dot, "to_svg", slow)
    monkeypatch.setattr(dot, "have_graphviz", lambda: True)
    code, _, err = call([str(spec), "--format", "svg", "--state-graph", "--timeout", "5"])
    assert code == 2 and "graphviz did not lay the drawing out within 5 s" in err
