"""A first-time user's walk through the documentation, kept true.

The README's commands parse and name files that exist; its first spec gives the verdicts it
describes; the outputs shown in docs/OUTPUT.md and docs/IR.md are what the tool prints, and
LANGUAGE.md's snippets load; ARCHITECTURE.md's file map names every module and nothing else;
--no-timing leaves no duration; common mistakes (a misspelled keyword or command, a kernel or C
spelling, a wrong --config value, a declaration that failed) get a located, plain message and
exit 2.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest

from checker import cli
from checker.report import text as text_report

ROOT = Path(__file__).resolve().parent.parent.parent


def call(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.execute(argv, out, err)
    return code, out.getvalue(), err.getvalue()


def doc(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)


# ---------------------------------------------------------------- README


def readme_commands() -> list[list[str]]:
    out = []
    for block in code_blocks(doc("README.md")):
        for line in block.splitlines():
            if line.startswith("modelcheck "):
                out.append(shlex.split(line.split("#")[0])[1:])
    return out


def test_the_readme_shows_commands() -> None:
    assert len(readme_commands()) >= 6


@pytest.mark.parametrize("argv", readme_commands(), ids=" ".join)
def test_a_readme_command_parses_and_its_spec_exists(argv: list[str]) -> None:
    args = cli.build_parser().parse_args(cli.normalize_argv(argv))  # SystemExit on a stale flag
    assert (ROOT / args.file).is_file(), args.file


def first_spec() -> str:
    text = doc("README.md")
    section = text[text.index("## A first spec") :]
    return code_blocks(section)[0]


def test_the_first_spec_holds_and_its_broken_variant_is_violated(tmp_path: Path) -> None:
    good = tmp_path / "first.mig"
    good.write_text(first_spec(), encoding="utf-8")
    code, out, _ = call(["--no-timing", "--quiet", "--ascii", str(good)])
    assert code == 0
    assert re.search(r"no_lost_update +\| HOLDS ", out) and re.search(r"both_done +\| REACHED ", out)
    bad = tmp_path / "first_bad.mig"
    bad.write_text(
        "".join(ln for ln in first_spec().splitlines(True) if "lock(l)" not in ln), encoding="utf-8"
    )
    code, out, _ = call(["--no-timing", "--ascii", str(bad)])
    assert code == 1
    assert "! VIOLATED (expected" in out and "counterexample of 4 steps" in out
    bad.write_text(bad.read_text(encoding="utf-8") + "expect no_lost_update violated;\n", encoding="utf-8")
    assert call(["--no-timing", "--quiet", str(bad)])[0] == 0


# ---------------------------------------------------------------- shown outputs


def test_the_text_example_of_output_md_is_what_is_printed() -> None:
    text = doc("docs/OUTPUT.md")
    section = text[text.index("## Text") :]
    command = re.search(r"`(modelcheck [^`]*)` prints:", section, flags=re.S)
    assert command is not None
    shown = code_blocks(section)[0]
    argv = shlex.split(command.group(1).replace("\n", " "))[1:]
    code, out, _ = call(argv)
    assert code == 0
    assert out == shown


def test_the_ir_example_of_ir_md_is_what_is_printed(tmp_path: Path) -> None:
    spec, shown = code_blocks(doc("docs/IR.md"))[:2]
    path = tmp_path / "t.mig"
    path.write_text(spec, encoding="utf-8")
    code, out, _ = call(["ir", str(path)])
    assert code == 0
    printed = out.replace(str(path), "t.mig").splitlines()
    at = 0
    for line in shown.splitlines():  # the shown lines, in order; "..." skips some
        if line.strip() == "...":
            continue
        assert line in printed[at:], line
        at = printed.index(line, at) + 1


# ---------------------------------------------------------------- ARCHITECTURE.md


def test_the_file_map_names_every_module_and_no_missing_one() -> None:
    text = doc("ARCHITECTURE.md")
    named = set(re.findall(r"`((?:model|checker|tools|bench)/[\w/]+\.(?:py|lark))`", text))
    present = {
        str(p.relative_to(ROOT))
        for top in ("model", "checker", "tools", "bench")
        for p in (ROOT / top).rglob("*")
        if p.suffix in (".py", ".lark") and "__pycache__" not in p.parts
    }
    assert named - present == set(), "named in ARCHITECTURE.md but missing"
    assert present - named == set(), "present but not in ARCHITECTURE.md's file map"


# ---------------------------------------------------------------- common mistakes


@pytest.mark.parametrize(
    ("source", "line", "col", "message"),
    [
        (
            "var x: 0..3;\nproces P {\n  x = 1;\n}\n",
            2,
            1,
            "unknown keyword 'proces'; did you mean 'process'?",
        ),
        ("varr x: 0..3;\n", 1, 1, "unknown keyword 'varr'; did you mean 'var'?"),
        (
            "var x: 0..3;\nprocess P {\n  awiat x == 1;\n}\n",
            3,
            3,
            "unknown keyword 'awiat'; did you mean 'await'?",
        ),
        (
            "var x: 0..3;\nprocess P {\n  retrun;\n}\n",
            3,
            3,
            "unknown keyword 'retrun'; did you mean 'return'?",
        ),
        ("var x: 0..3;\nprocess P { x = 1; }\ninvarant ok: x < 3;\n", 3, 1, "did you mean 'invariant'?"),
        # a keyword glued to a name was read as two words (NOTE(whole-words)): processP { ... } ran
        ("var x: 0..3;\nprocessP { x = 1; }\n", 2, 1, "unknown keyword 'processP'; did you mean 'process'?"),
        ("type Page = 0..1;\nvar x: bool;\nprocess P { for i inPage { x = true; } }\n", 3, 19, "'in Page'?"),
    ],
)
def test_a_misspelled_keyword_is_named_where_it_is(
    tmp_path: Path, source: str, line: int, col: int, message: str
) -> None:
    path = tmp_path / "typo.mig"
    path.write_text(source, encoding="utf-8")
    code, out, err = call([str(path)])
    assert code == 2 and out == ""
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{col}: error: unknown keyword ")
    assert first.endswith(message)
    word = first.split("'")[1]
    assert err.splitlines()[1].endswith(source.splitlines()[line - 1])  # the source line
    assert err.splitlines()[2].endswith(" " * (col - 1) + "^" + "~" * (len(word) - 1))  # the caret


def test_a_name_that_merely_starts_with_a_keyword_is_still_a_name(tmp_path: Path) -> None:
    path = tmp_path / "names.mig"
    path.write_text("var processed: bool;\nprocess P { processed = true; }\n", encoding="utf-8")
    assert call(["--quiet", str(path)])[0] == 0


def test_a_misspelled_option_is_named() -> None:
    """argparse said only "unrecognized arguments: --formt json"."""
    spec = str(ROOT / "specs" / "classic" / "peterson.1.mig")
    code, out, err = call([spec, "--formt", "json"])
    assert code == 2 and out == ""
    assert "unknown option '--formt'; did you mean '--format'?" in err
    code, _, err = call(["prove", spec, "--show-invariants"])
    assert code == 2 and "did you mean '--show-invariant'?" in err
    code, _, err = call([spec, "--max-sates=5"])
    assert code == 2 and "did you mean '--max-states'?" in err
    # an abbreviation argparse resolves is not a typo; an option nothing resembles keeps argparse's message
    assert call(["--quiet", spec, "--form", "json"])[0] == 0
    code, _, err = call([spec, "--zzzz"])  # argparse prints its own message, to sys.stderr
    assert code == 2 and "unknown option" not in err


def test_a_misspelled_command_is_named(tmp_path: Path) -> None:
    spec = ROOT / "specs" / "classic" / "peterson.1.mig"
    code, out, err = call(["chek", str(spec)])
    assert code == 2 and out == ""
    assert "unknown command 'chek'; did you mean 'check'?" in err
    code, _, err = call(["prov", str(spec)])
    assert code == 2 and "did you mean 'prove'?" in err
    code, _, err = call(["verify", str(spec)])
    assert code == 2 and "unknown command 'verify': the commands are check, prove, ir" in err
    code, _, err = call([str(ROOT / "nofile.mig")])
    assert code == 2 and "no such file" in err and "command" not in err


def test_a_file_named_like_a_command_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("chek").write_text("var x: bool;\nprocess P { x = true; }\n", encoding="utf-8")
    assert call(["--quiet", "chek"])[0] == 0


# ---------------------------------------------------------------- --no-timing


def test_no_timing_scrubs_the_blocking_method_s_learning_time() -> None:
    detail = (
        "blocking (8 of 9 conjuncts (9 lemmas learned from counterexamples to induction in 0.1s, "
        "37 reachable states, 36 queries), 0.08s); invariant of 9 conjuncts re-checked (0.04s)"
    )
    assert text_report.untimed(detail) == (
        "blocking (8 of 9 conjuncts (9 lemmas learned from counterexamples to induction, "
        "37 reachable states, 36 queries)); invariant of 9 conjuncts re-checked"
    )


def test_a_proof_printed_with_no_timing_has_no_durations() -> None:
    """OUTPUT.md: --no-timing gives no times anywhere, engine details included."""
    spec = ROOT / "specs" / "bugs" / "aio_kioctx_uaf.mig"
    argv = ["prove", str(spec), "-D", "fixed=true", "--property", "no_uaf", "--show-invariant", "--no-timing"]
    code, out, _ = call(argv)
    assert code == 0 and "PROVED" in out
    assert re.search(r"\d(?:\.\d+)?s\b", out) is None, out


def test_a_config_filter_with_a_wrong_value_names_the_param_s_values(tmp_path: Path) -> None:
    """It listed every configuration on one line (72 for no_copy.mig); the param's values say more."""
    path = tmp_path / "cb.mig"
    path.write_text(
        "enum Cb { MIGRATE_PAGE, AIO, ZSMALLOC }\nparam cb: Cb;\nparam patched: bool;\n"
        "var x: bool;\nprocess P { x = true; }\n",
        encoding="utf-8",
    )
    code, out, err = call([str(path), "--config", "cb=aio"])
    assert code == 2 and out == ""
    assert err == (
        "modelcheck: error: no configuration matches --config cb=aio: 'aio' is not a value of cb"
        " (did you mean 'AIO'?) (values: MIGRATE_PAGE, AIO, ZSMALLOC)\n"
    )
    code, _, err = call([str(path), "--config", "patched=maybe"])
    assert code == 2 and "'maybe' is not a value of patched (values: false, true)" in err
    assert call([str(path), "--config", "cb=AIO", "--quiet"])[0] == 0


@pytest.mark.parametrize(
    ("body", "col", "message"),
    [
        ("int y;", 7, "a declaration starts with 'var': write 'var y: LO..HI;'"),
        (
            "spin_lock(l);",
            3,
            "unknown procedure 'spin_lock'; the kernel's spin_lock() is written 'lock(...)' here",
        ),
        ("mutex_unlock(l);", 3, "the kernel's mutex_unlock() is written 'unlock(...)' here"),
        ("lokc(l);", 3, "unknown procedure 'lokc'; did you mean 'lock'?"),
        (
            "if mutex_trylock(l) { unlock(l); }",
            6,
            "the kernel's mutex_trylock() is written 'trylock(...)' here",
        ),
    ],
)
def test_a_kernel_or_c_habit_gets_the_spec_s_spelling(
    tmp_path: Path, body: str, col: int, message: str
) -> None:
    """difflib alone said 'did you mean unlock' for spin_lock, and 'int y;' was 'expected (, :, = or ['."""
    path = tmp_path / "habit.mig"
    path.write_text(f"var x: 0..3;\nlock l: mutex;\nprocess P {{\n  {body}\n}}\n", encoding="utf-8")
    code, _, err = call([str(path)])
    assert code == 2
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:4:{col}: error: ") and first.endswith(message)


def test_int_at_the_top_level_suggests_a_range_not_int(tmp_path: Path) -> None:
    path = tmp_path / "int.mig"
    path.write_text("int y;\nprocess P { skip; }\n", encoding="utf-8")
    code, _, err = call([str(path)])
    assert code == 2 and "write 'var NAME: LO..HI;'" in err  # 'var NAME: int;' was an unknown type next


# ---------------------------------------------------------------- LANGUAGE.md's reference snippets


def language_block(section: str) -> str:
    text = doc("docs/LANGUAGE.md")
    start = text.index(section)
    return code_blocks(text[start : text.index("\n## ", start + 1)])[0]


def test_the_declarations_snippet_loads(tmp_path: Path) -> None:
    path = tmp_path / "decl.mig"
    path.write_text(language_block("## Declarations") + "process P { x = 1; }\n", encoding="utf-8")
    code, _, err = call(["--quiet", str(path)])
    assert code == 0, err


PROPERTY_SCAFFOLD = """\
symmetric type Pid = 0..1;
enum Mode { ASYNC, SYNC_NO_COPY }
param mode: Mode;
param patched: bool;
lock completion_lock: spinlock;
process P[i: Pid] { NCS: skip; cs: skip; goto NCS; }
process Mig[k: 0..0] { locked: skip; unlocked: skip; }
process P_0 { CS: skip; }
process Dma { done: skip; }
process Q {
"""


def test_the_properties_snippet_loads(tmp_path: Path) -> None:
    """Each line of the snippet, in a scaffold that declares what it names (the assert goes in Q)."""
    lines = language_block("## Properties").splitlines()
    asserts = [ln for ln in lines if ln.startswith("assert ")]
    others = [ln for ln in lines if not ln.startswith("assert ")]
    assert asserts and len(others) >= 6
    path = tmp_path / "props.mig"
    path.write_text(
        PROPERTY_SCAFFOLD + "\n".join(asserts) + "\n}\n" + "\n".join(others) + "\n", encoding="utf-8"
    )
    code, out, err = call(["--quiet", "--no-timing", "--ascii", str(path)])
    assert code in (0, 1), err  # loads and runs; the verdicts are not the snippet's point
    assert all(f" {name} " in out for name in ("mutex", "unlock", "progress", "terminates", "copy_locked"))


def test_the_procedure_snippet_loads(tmp_path: Path) -> None:
    path = tmp_path / "proc.mig"
    text = "type Page = 0..1;\nvar r: bool;\n" + language_block("## Procedures")
    path.write_text(text + "process P { r = copy_page(0, true); }\n", encoding="utf-8")
    code, _, err = call(["--quiet", str(path)])
    assert code == 0, err


def test_a_dash_for_standard_input_points_to_dev_stdin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = call(["-"])
    assert code == 2 and "/dev/stdin" in err  # was "-: error: no such file"


def test_a_declaration_that_failed_is_reported_once(tmp_path: Path) -> None:
    """-D PAGES=0 on no_copy.mig gave 65 errors, 50 of them "'lock' needs a lock, but its argument is not a lock"."""
    path = tmp_path / "empty.mig"
    path.write_text(
        "const N = 2;\ntype T = 0..N-1;\nlock l: [T] mutex;\nrefcount r: [T] 0..2 = 1;\n"
        "process P { lock(l[0]); get(r[0]); unlock(l[0]); }\ninvariant free: !held(l[0]) || !frozen(r[0]);\n",
        encoding="utf-8",
    )
    assert call(["--quiet", str(path)])[0] == 0
    code, _, err = call([str(path), "-D", "N=0"])
    assert code == 2
    assert [ln for ln in err.splitlines() if ": error: " in ln] == [
        f"{path}:2:10: error: empty range 0..-1: the lower bound is above the upper bound"
    ]
