"""The command line end to end: argument handling, errors, exit codes, --output (front end faked)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest
from cli_fakes import engines, make_model, result, violation_trace

from checker import cli
from checker.result import Verdict
from model.ir import Model


@pytest.fixture
def spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A spec file on disk; the front end is replaced by the hand-built model (two configurations)."""
    path = tmp_path / "fake.mig"
    path.write_text("// stands for the hand-built model\n", encoding="utf-8")
    seen: list[Mapping[str, str]] = []

    def load(p: str, defines: Mapping[str, str]) -> tuple[Model, ...]:
        seen.append(dict(defines))
        return (make_model((("patched", 0, "false"),)), make_model((("patched", 1, "true"),)))

    monkeypatch.setattr(cli, "load_models", load)
    monkeypatch.setattr(cli, "_last_defines", seen, raising=False)
    return path


def call(argv: list[str], eng: cli.Engines | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.execute(argv, out, err, eng or engines())
    return code, out.getvalue(), err.getvalue()


def test_plain_file_means_check(spec: Path) -> None:
    assert cli.normalize_argv([str(spec)]) == ["check", str(spec)]
    assert cli.normalize_argv(["--ascii", str(spec)]) == ["check", "--ascii", str(spec)]
    assert cli.normalize_argv(["prove", str(spec)]) == ["prove", str(spec)]
    a = call([str(spec), "--no-timing"])
    b = call(["check", str(spec), "--no-timing"])
    assert a == b and a[0] == 0 and "10 results in 2 configurations: 10 as expected" in a[1]


def test_defines_reach_the_front_end(spec: Path) -> None:
    code, _, _ = call([str(spec), "-D", "PAGES=3", "-D", "patched=true", "--no-timing"])
    assert code == 0
    assert cli._last_defines[-1] == {"PAGES": "3", "patched": "true"}  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-D", "PAGES"], "expected NAME=VALUE"),
        (["-D", "3x=1"], "expected NAME=VALUE"),
        (["-D", "A=1", "-D", "A=2"], "given twice"),
        (["--max-states", "0"], "must be at least 1"),
        (["--max-depth", "-1"], "must not be negative"),
        (["--timeout", "soon"], "not a number of seconds"),
        (["--format", "yaml"], "invalid choice"),
        (["--width", "20"], "too narrow"),
        (["--config", "pached=true"], "did you mean 'patched'"),
        (["--property", "nope"], "no property of that name"),
        (["--state-graph"], "needs --format dot"),
        (["--engine", "explicit", "--prove-typo"], "unknown option '--prove-typo'"),
        (["--engine", "explicit", "--zzzz"], "unrecognized arguments"),
        (["other.mig"], "one spec FILE per run, got 2"),
    ],
)
def test_usage_errors_are_exit_2(
    spec: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = call([str(spec), *argv])
    assert code == 2
    assert message in err + capsys.readouterr().err
    assert out == "" and "Traceback" not in err


def test_a_mig_file_as_an_option_value_is_not_a_second_spec(spec: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.mig"
    code, _, err = call([str(spec), "--output", str(out), "--no-timing"])
    assert code == 0 and "one spec" not in err and out.exists()


def test_unreadable_inputs_are_exit_2(tmp_path: Path) -> None:
    code, _, err = call([str(tmp_path / "missing.mig")])
    assert (code, err.strip()) == (2, f"{tmp_path / 'missing.mig'}: error: no such file")
    code, _, err = call([str(tmp_path)])
    assert code == 2 and "is a directory" in err
    bad = tmp_path / "latin1.mig"
    bad.write_bytes(b"// caf\xe9\n")
    code, _, err = call([str(bad)])
    assert code == 2 and "not UTF-8" in err and ":1:" in err
    if os.geteuid() != 0:
        locked = tmp_path / "locked.mig"
        locked.write_text("x")
        locked.chmod(0)
        code, _, err = call([str(locked)])
        assert code == 2 and "cannot read" in err


def test_no_arguments_is_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = call([])
    assert code == 2 and "FILE is required" in err


def test_help_is_exit_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert call(["--help"])[0] == 0
    assert "exit codes" in capsys.readouterr().out
    assert call(["check", "--help"])[0] == 0
    assert "--max-states" in capsys.readouterr().out


def test_unexpected_violation_is_exit_1_with_trace(spec: Path) -> None:
    m = make_model()
    e = engines(explicit={"safe": result(m.properties[0], Verdict.VIOLATED, trace=violation_trace())})
    code, out, _ = call([str(spec), "--no-timing", "--ascii"], e)
    assert code == 1
    assert "X step 3 fails: assertion failed: x stays below 2" in out
    assert out.isascii()


def test_internal_error_is_exit_70_without_traceback(spec: Path) -> None:
    def boom(model: Model, options: object) -> list[object]:
        raise ValueError("the engine fell over")

    import dataclasses

    e = dataclasses.replace(engines(), explicit=boom)
    code, out, err = call([str(spec)], e)  # type: ignore[arg-type]
    assert code == 70 and out == ""
    assert "internal error (ValueError): the engine fell over" in err and "Traceback" not in err
    code, _, err = call([str(spec), "--debug"], e)  # type: ignore[arg-type]
    assert code == 70 and "Traceback" in err


def test_spec_error_is_rendered_exit_2(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from model.diagnostics import Diagnostic, SpecError
    from model.source import Span

    def load(p: str, defines: Mapping[str, str]) -> tuple[Model, ...]:
        raise SpecError([Diagnostic("unknown name 'stands'", Span(p, 1, 4, 1, 10))])

    monkeypatch.setattr(cli, "load_models", load)
    code, out, err = call([str(spec)])
    assert code == 2 and out == ""
    assert f"{spec}:1:4: error: unknown name 'stands'" in err
    assert "Traceback" not in err


def test_output_file_written_atomically(spec: Path, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("old")
    code, out, err = call([str(spec), "--format", "json", "--output", str(target), "--no-timing"])
    assert code == 0 and out == "" and "wrote" in err
    assert json.loads(target.read_text())["exit_code"] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake.mig", "report.json"]  # no temp file left


def test_output_never_overwrites_the_spec(spec: Path) -> None:
    before = spec.read_text()
    code, _, err = call([str(spec), "--output", str(spec)])
    assert code == 2 and "refusing to overwrite the input spec" in err
    link = spec.parent / "alias.mig"
    link.symlink_to(spec)
    code, _, err = call([str(spec), "--output", str(link)])
    assert code == 2
    assert spec.read_text() == before


def test_every_format_runs(spec: Path) -> None:
    for fmt in ("text", "json", "junit", "sarif", "dot", "mermaid"):
        code, out, _ = call([str(spec), "--format", fmt, "--no-timing"])
        assert code == 0 and out, fmt


def test_svg_format(spec: Path) -> None:
    from checker.report import dot

    if not dot.have_graphviz():
        pytest.skip("graphviz not installed")
    code, out, _ = call([str(spec), "--format", "svg"])
    assert code == 0 and "<svg" in out


def test_state_graph_through_the_real_explicit_engine(spec: Path) -> None:
    code, out, _ = call([str(spec), "--format", "dot", "--state-graph", "--config", "patched=true"])
    assert code == 0 and out.startswith("digraph states {") and "patched=true" in out


def test_prove_rejects_another_engine(spec: Path) -> None:
    code, _, err = call(["prove", str(spec), "--engine", "explicit"])
    assert code == 2 and "prove always uses z3" in err


def test_prove_show_invariant(spec: Path) -> None:
    code, out, _ = call(["prove", str(spec), "--show-invariant", "--no-timing"])
    assert code == 0 and "\n    x <= 3\n    !busy\n" in out


def test_keyboard_interrupt_is_exit_3(spec: Path) -> None:
    import dataclasses

    def interrupt(model: Model, options: object) -> list[object]:
        raise KeyboardInterrupt

    e = dataclasses.replace(engines(), explicit=interrupt)
    code, out, _ = call([str(spec), "--no-timing"], e)  # type: ignore[arg-type]
    assert code == 3
    assert "INCOMPLETE (interrupted)" in out and "exit 3: interrupted (Ctrl-C)" in out


def test_console_script_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "checker.cli", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0 and "modelcheck" in done.stdout


def test_console_entry_point_exit_code() -> None:
    repo = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "checker.cli",
            "tests/golden/output/lost_update.mig",
            "--no-timing",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=repo,
    )
    assert done.returncode == 1, done.stderr
    assert "exit 1: 1 result differs from expectation: no_lost_update [default]" in done.stdout


def test_failure_while_reporting_a_spec_error_is_exit_70(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from model.diagnostics import SpecError

    def load(p: str, defines: Mapping[str, str]) -> tuple[Model, ...]:
        raise SpecError([])

    def broken_render(error: BaseException) -> str:
        raise RuntimeError("renderer broke")

    monkeypatch.setattr(cli, "load_models", load)
    monkeypatch.setattr(cli, "_render_spec_error", broken_render)
    code, _, err = call([str(spec)])
    assert code == 70 and "internal error (RuntimeError): renderer broke" in err
