"""The example specs a kernel reviewer wrote first (specs/examples/): every verdict as declared.

Stage: tests of the shipped specs.  Each spec under specs/examples/ is checked
with the explicit engine and must exit 0 (every verdict is what its `expect`
declarations say).  Each must also be a real test of its protocol: some
property of the spec is violated in a buggy configuration (declared expected)
and the same property holds in another configuration, so neither the bug nor
the fix can pass vacuously; every cover target (`reachable`) is REACHED where
it exists.  Each spec is kept small (a second or so).
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from checker.cli import execute

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLES = sorted((ROOT / "specs" / "examples").glob("*.mig"))


def test_examples_exist_and_are_described() -> None:
    assert len(EXAMPLES) >= 2, EXAMPLES
    readme = (ROOT / "specs" / "examples" / "README.md").read_text(encoding="utf-8")
    for spec in EXAMPLES:
        assert spec.name in readme, f"{spec.name} is not described in specs/examples/README.md"


def _run(spec: Path) -> tuple[int, dict[str, Any]]:
    out, err = io.StringIO(), io.StringIO()
    code = execute(
        ["check", str(spec), "--engine", "explicit", "--format", "json", "--no-timing", "--quiet"], out, err
    )
    assert err.getvalue() == "", err.getvalue()
    report: dict[str, Any] = json.loads(out.getvalue())
    return code, report


@pytest.mark.parametrize("spec", EXAMPLES, ids=[s.stem for s in EXAMPLES])
def test_example_gives_its_declared_verdicts(spec: Path) -> None:
    code, report = _run(spec)
    results = report["results"]
    unexpected = [
        (r["property"], r["config_label"], r["verdict"]) for r in results if r["status"] != "as_expected"
    ]
    assert unexpected == [], unexpected
    assert code == 0, report["exit_reason"]
    # a bug that is caught and a fix that holds, for the same property
    verdicts: dict[str, set[str]] = {}
    for r in results:
        verdicts.setdefault(r["property"], set()).add(r["verdict"])
    caught = [p for p, vs in verdicts.items() if {"VIOLATED", "HOLDS"} <= vs]
    assert caught, f"no property is violated in one configuration and holds in another: {verdicts}"
    assert any(r["expected"] == "violated" and r["verdict"] == "VIOLATED" for r in results)
    # every cover target runs where it is declared: a property cannot hold because its path never runs
    not_reached = [(r["property"], r["config_label"]) for r in results if r["verdict"] == "NOT REACHED"]
    assert not_reached == [], not_reached
