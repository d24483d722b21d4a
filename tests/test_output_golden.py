"""Golden tests of everything `modelcheck` prints (docs/OUTPUT.md, "Golden tests").

Each `tests/golden/output/NAME.mig` starts with `// args: ...`, the command line without the file;
`NAME.out` holds `exit: N`, `--- stdout` and the expected stdout, then `--- stderr` and the expected
stderr when there is any.  The spec is run from the repository root as
`tests/golden/output/NAME.mig`, so paths in the output are stable.  `UPDATE_GOLDEN=1` rewrites the
`.out` files instead of comparing.  Finding no golden file is a failure, not a pass.
"""

from __future__ import annotations

import io
import os
import shlex
from pathlib import Path

import pytest

from checker import cli

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden" / "output"
CASES = sorted(GOLDEN.glob("*.mig"))
# UPDATE_GOLDEN=1 (or the diagnostics runner's MODELCHECK_UPDATE_GOLDEN=1) rewrites instead of comparing.
UPDATE = "1" in (os.environ.get("UPDATE_GOLDEN"), os.environ.get("MODELCHECK_UPDATE_GOLDEN"))


def test_golden_files_exist() -> None:
    assert CASES, f"no golden files in {GOLDEN}"


def args_of(spec: Path) -> list[str]:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    prefix = "// args:"
    assert first.startswith(prefix), f"{spec.name}: the first line must be `{prefix} ...`"
    return shlex.split(first[len(prefix) :])


def transcript(code: int, stdout: str, stderr: str) -> str:
    out = f"exit: {code}\n--- stdout\n{stdout}"
    if stderr:
        out += ("" if out.endswith("\n") else "\n") + f"--- stderr\n{stderr}"
    return out


@pytest.mark.parametrize("spec", CASES, ids=[c.stem for c in CASES])
def test_golden_output(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    relative = spec.relative_to(REPO).as_posix()
    stdout, stderr = io.StringIO(), io.StringIO()
    code = cli.execute([*args_of(spec), relative], stdout, stderr)
    got = transcript(code, stdout.getvalue(), stderr.getvalue())
    expected_file = spec.with_suffix(".out")
    if UPDATE:
        expected_file.write_text(got, encoding="utf-8")
        return
    assert expected_file.exists(), f"{expected_file.name} missing: run with UPDATE_GOLDEN=1 and review it"
    assert got == expected_file.read_text(encoding="utf-8")


def _stdout_of(spec: Path) -> str:
    text = spec.with_suffix(".out").read_text(encoding="utf-8")
    body = text.split("--- stdout\n", 1)[1]
    return body.split("--- stderr\n", 1)[0]


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_golden_machine_output_matches_its_schema(fmt: str) -> None:
    import json

    import jsonschema

    schema_file = (
        REPO / "docs" / "output.schema.json"
        if fmt == "json"
        else REPO.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"
    )
    if not schema_file.exists():
        pytest.skip(f"{schema_file} not found")
    schema = json.loads(schema_file.read_text(encoding="utf-8"))
    specs = [s for s in CASES if f"--format {fmt}" in s.read_text(encoding="utf-8").splitlines()[0]]
    assert specs, f"no golden file uses --format {fmt}"
    for spec in specs:
        jsonschema.validate(json.loads(_stdout_of(spec)), schema)
