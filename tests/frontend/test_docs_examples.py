"""Every complete example in docs/LANGUAGE.md (a ```mig block) loads and lowers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from model.frontend import configurations, load_spec_text

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "LANGUAGE.md"
BLOCKS = re.findall(r"```mig\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
COMPLETE = [b for b in BLOCKS if "process" in b]


def test_the_reference_has_complete_examples() -> None:
    assert len(COMPLETE) >= 3


@pytest.mark.parametrize("text", COMPLETE, ids=[f"example{i}" for i in range(len(COMPLETE))])
def test_example_lowers(text: str) -> None:
    models = configurations(load_spec_text(text, "LANGUAGE.md"))
    assert models and all(m.transitions for m in models)


def test_the_step_example_has_the_documented_shape() -> None:
    (text,) = [b for b in COMPLETE if "top:" in b]
    (m,) = configurations(load_spec_text(text, "LANGUAGE.md"))
    assert len(m.processes[0].locations) == 5
    assert len(m.transitions) == 6
    # one round: await, if, branch body, atomic
    assert [t.text for t in m.transitions if t.pc_from == 0] == ["await x < 3"]
