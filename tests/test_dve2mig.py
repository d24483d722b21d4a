"""tools/dve2mig.py: literal DVE -> .mig translations reach BEEM's figures too.

Stage: tests of a tool beside the pipeline.  The hand-written ports in
specs/classic/ are checked by tests/test_beem.py; here the mechanical
translation of the same .dve files must give the same state spaces, which
cross-checks the ports' reading of DVE (they share no code).  The tests that
read BEEM's .dve files skip when ../shared/beem is not next to the repository.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest
from beem_data import INSTANCES

from checker.explicit.search import Limits, compile_model, explore
from checker.run import load_models

REPO = Path(__file__).resolve().parent.parent
BEEM = REPO.parent / "shared" / "beem"
SMALL = ["adding.1", "anderson.2", "bakery.1", "bakery.2", "phils.1", "phils.2", "phils.3"]
LARGER = ["anderson.4", "bakery.3", "lamport.1", "lamport.2", "peterson.1", "peterson.2"]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("dve2mig", REPO / "tools" / "dve2mig.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    sys.modules["dve2mig"] = mod
    spec.loader.exec_module(mod)
    return mod


dve2mig = _tool()


def _explore(text: str, tmp_path: Path) -> tuple[int, int, int]:
    spec = tmp_path / "m.mig"
    spec.write_text(text)
    (model,) = load_models(str(spec), {})
    out = explore(compile_model(model, False), Limits())
    assert out.stop is None
    return len(out.order), out.transitions, out.levels


def test_translation_of_a_small_model(tmp_path: Path) -> None:
    dve = """
    int c = 1;
    byte a[2] = {1, 0, 7};   // one value too many: DiVinE ignores it
    process p {
      byte j;
      state s, t;
      init s;
      trans s -> t { guard j < 2 and a[j] == 1; effect j = j + 1, c = c + j; },
            t -> s { guard not (c > 2) or j == 9; effect j = 0; };
    }
    system async;
    """
    src = tmp_path / "m.dve"
    src.write_text(dve)
    mig = dve2mig.convert(src)
    assert "var a: [0..1] byte = [1, 0];" in mig
    assert "var c: -32768..32767 = 1;" in mig
    assert "trans s -> t when j < 2 && a[j] == 1 { j = j + 1; c = c + j; }" in mig
    assert "trans t -> s when !(c > 2) || j == 9 { j = 0; }" in mig
    # (s, j=0, c=1) -> (t, 1, 2) -> (s, 0, 2) -> (t, 1, 3), where t -> s is disabled (c > 2):
    # effects in order (c = c + j sees j + 1), and a[1] is never read
    states, transitions, _ = _explore(mig, tmp_path)
    assert (states, transitions) == (4, 3)


def test_bitwise_operators_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "m.dve"
    src.write_text(
        "byte x;\nprocess p { state s; init s; trans s -> s { effect x = x | 1; }; }\nsystem async;\n"
    )
    with pytest.raises(dve2mig.DveError, match="bitwise"):
        dve2mig.convert(src)


def _check_instance(name: str, tmp_path: Path) -> None:
    if not (BEEM / f"{name}.dve").exists():
        pytest.skip(f"{BEEM} is not available")
    inst = INSTANCES[name]
    assert _explore(dve2mig.convert(BEEM / f"{name}.dve"), tmp_path) == (
        inst.states,
        inst.transitions,
        inst.levels,
    )


@pytest.mark.parametrize("name", SMALL)
def test_translated_instance_matches_beem(name: str, tmp_path: Path) -> None:
    _check_instance(name, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("name", LARGER)
def test_translated_larger_instance_matches_beem(name: str, tmp_path: Path) -> None:
    _check_instance(name, tmp_path)
