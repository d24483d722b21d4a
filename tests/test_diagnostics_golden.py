"""Golden tests of the diagnostics a person reads for a broken spec.

Each `tests/golden/errors/NAME.mig` starts with `// args: ...`: the extra
command-line arguments (`-D NAME=VALUE`), and optionally `FILE=path` to run
on another path (a directory, a missing file).  The test runs
`modelcheck ir FILE ARGS` in-process from the repository root and compares
stderr with `NAME.err` byte for byte; the exit code must be 2.  Set
`MODELCHECK_UPDATE_GOLDEN=1` to rewrite the `.err` files (then review them).
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest

from checker.cli import execute

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "errors"
CASES = sorted(GOLDEN.glob("*.mig"))


def test_golden_files_exist() -> None:
    assert len(CASES) >= 30, f"expected at least 30 golden error cases in {GOLDEN}, found {len(CASES)}"


def _command(case: Path) -> list[str]:
    first = case.read_bytes().split(b"\n", 1)[0].decode("utf-8", errors="replace")
    target = str(case.relative_to(ROOT))
    args: list[str] = []
    if first.startswith("// args:"):
        for word in shlex.split(first[len("// args:") :]):
            if word.startswith("FILE="):
                target = word[len("FILE=") :]
            else:
                args.append(word)
    return ["ir", target, *args]


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_diagnostics_golden(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    out, err = io.StringIO(), io.StringIO()
    code = execute(_command(case), out, err)
    expected_file = case.with_suffix(".err")
    if os.environ.get("MODELCHECK_UPDATE_GOLDEN") == "1":
        expected_file.write_text(err.getvalue(), encoding="utf-8")
    assert expected_file.exists(), f"missing {expected_file.name}"
    assert err.getvalue() == expected_file.read_text(encoding="utf-8")
    assert code == 2, f"exit code {code}, stdout:\n{out.getvalue()}"
    assert "Traceback" not in err.getvalue()


_HEAD = re.compile(
    # the column is optional only for the CLI's own "not UTF-8" message
    r"^(?P<path>[^\s:][^:]*?)(:(?P<line>\d+)(:(?P<col>\d+))?)?: (?P<kind>error|note): (?P<msg>.+)$"
)
_EXCERPT = re.compile(r"^ *\d* \| .*$")


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_every_line_parses_with_one_regex(case: Path) -> None:
    err = case.with_suffix(".err").read_text(encoding="utf-8")
    lines = err.splitlines()
    assert lines and _HEAD.match(lines[0]) and _HEAD.match(lines[0])["kind"] == "error"
    for line in lines:
        assert _HEAD.match(line) or _EXCERPT.match(line), line
