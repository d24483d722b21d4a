"""The IR of specs/all_constructs.mig (every construct of the language) is pinned.

Set MODELCHECK_UPDATE_GOLDEN=1 to rewrite `all_constructs.ir`, then review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

from model.frontend import configurations, load_spec
from model.ir_text import format_model

ROOT = Path(__file__).resolve().parent.parent.parent
SPEC = "specs/all_constructs.mig"
PINNED = Path(__file__).with_name("all_constructs.ir")


def test_all_constructs_ir_is_pinned(monkeypatch: object) -> None:
    os.chdir(ROOT)
    spec = load_spec(SPEC, {"patched": "true", "mode": "SYNC_NO_COPY"})
    (model,) = configurations(spec)
    text = format_model(model)
    if os.environ.get("MODELCHECK_UPDATE_GOLDEN") == "1":
        PINNED.write_text(text, encoding="utf-8")
    assert text == PINNED.read_text(encoding="utf-8")


def test_all_constructs_every_configuration_lowers() -> None:
    spec = load_spec(str(ROOT / SPEC))
    models = configurations(spec)
    assert [m.config_label() for m in models] == [
        f"patched={p}, mode={m}" for p in ("false", "true") for m in ("ASYNC", "SYNC", "SYNC_NO_COPY")
    ]
    # `expect runtime violated when !patched` and `copy_bound ... when patched`
    for m in models:
        props = {p.name: p for p in m.properties}
        patched = m.config[0][1] == 1
        assert props["runtime"].expect_violation is (not patched)
        assert ("copy_bound" in props) is patched
        assert props["copied_once"].expect_violation is (m.config[1][2] == "ASYNC")
