"""The kernel bug gallery (specs/bugs/, KERNEL.md §5): every verdict, state count and trace length.

Stage: tests of the shipped specs.  Each spec has `param fixed: bool`: the
buggy variant must be refuted with a short trace, the fixed one must hold, and
every result must meet the expectation the spec declares.  The pins below are
the explicit engine's output (`python -m tests.specs.pinning specs/bugs/X.mig`),
each checked by hand against the commit's story (docs/specs.md).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.specs.pinning import ROOT, ConfigPin, PropPin, models, summarise

GALLERY: dict[str, dict[str, tuple[int, dict[str, PropPin]]]] = {
    "specs/bugs/aio_kioctx_uaf.mig": {
        "fixed=false": (
            29,
            {
                "migrated": ("REACHED", True, 3),
                "refused": ("REACHED", True, 3),
                "migrate_finishes": ("HOLDS", True, None),
                "teardown_finishes": ("HOLDS", True, None),
                "no_uaf": ("VIOLATED", True, 5),
                "runtime": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
        "fixed=true": (
            37,
            {
                "migrated": ("REACHED", True, 4),
                "refused": ("REACHED", True, 7),
                "migrate_finishes": ("HOLDS", True, None),
                "teardown_finishes": ("HOLDS", True, None),
                "no_uaf": ("HOLDS", True, None),
                "runtime": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
    },
    "specs/bugs/device_private_fault.mig": {
        "fixed=false": (
            56,
            {
                "fault_called": ("REACHED", True, 3),
                "migrated": ("REACHED", True, 4),
                "fault_finishes": ("HOLDS", True, None),
                "migrator_finishes": ("HOLDS", True, None),
                "no_uaf": ("VIOLATED", True, 7),
                "runtime": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
        "fixed=true": (
            68,
            {
                "fault_called": ("REACHED", True, 3),
                "migrated": ("REACHED", True, 4),
                "fault_finishes": ("HOLDS", True, None),
                "migrator_finishes": ("HOLDS", True, None),
                "no_uaf": ("HOLDS", True, None),
                "runtime": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
    },
    "specs/bugs/migrate_vma_tlb_flush.mig": {
        "fixed=false": (
            108,
            {
                "access": ("REACHED", True, 1),
                "zap_done": ("REACHED", True, 5),
                "flushed_under_ptl": ("VIOLATED", True, 3),
                "no_stale_access": ("VIOLATED", True, 8),
                "runtime": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
        "fixed=true": (
            93,
            {
                "access": ("REACHED", True, 1),
                "zap_done": ("REACHED", True, 5),
                "flushed_under_ptl": ("HOLDS", True, None),
                "no_stale_access": ("HOLDS", True, None),
                "runtime": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
    },
    "specs/bugs/zs_destroy_free_work.mig": {
        "fixed=false": (
            40,
            {
                "work_ran": ("REACHED", True, 4),
                "destroyed": ("REACHED", True, 2),
                "destroy_completes": ("HOLDS", True, None),
                "no_uaf": ("VIOLATED", True, 6),
                "deadlock": ("HOLDS", True, None),
            },
        ),
        "fixed=true": (
            76,
            {
                "work_ran": ("REACHED", True, 4),
                "destroyed": ("REACHED", True, 9),
                "destroy_completes": ("HOLDS", True, None),
                "no_uaf": ("HOLDS", True, None),
                "deadlock": ("HOLDS", True, None),
            },
        ),
    },
    "specs/bugs/zs_lost_wakeup.mig": {
        "fixed=false": (
            84,
            {
                "drains": ("VIOLATED", True, 8),
                "slept_and_woken": ("REACHED", True, 6),
                "no_sleep": ("REACHED", True, 7),
                "deadlock": ("VIOLATED", True, 8),
            },
        ),
        "fixed=true": (
            66,
            {
                "drains": ("HOLDS", True, None),
                "slept_and_woken": ("REACHED", True, 5),
                "no_sleep": ("REACHED", True, 6),
                "deadlock": ("HOLDS", True, None),
            },
        ),
    },
}

CASES = [(spec, label) for spec, configs in GALLERY.items() for label in configs]


@pytest.mark.parametrize(("spec", "label"), CASES)
def test_gallery_pins(spec: str, label: str) -> None:
    (model,) = [m for m in models(spec) if m.config_label() == label]
    got = summarise(model)
    states, props = GALLERY[spec][label]
    assert got == ConfigPin(label, states, props)


@pytest.mark.parametrize("spec", sorted(GALLERY))
def test_every_configuration_is_pinned(spec: str) -> None:
    assert sorted(m.config_label() for m in models(spec)) == sorted(GALLERY[spec])


@pytest.mark.parametrize("spec", sorted(GALLERY))
def test_buggy_refuted_fixed_holds(spec: str) -> None:
    """The gallery's contract, stated apart from the pins: the buggy variant has a definite
    violation with a trace of at most 12 steps, the fixed one has none."""
    pins = GALLERY[spec]
    buggy = [v for v in pins["fixed=false"][1].values() if v[0] == "VIOLATED"]
    assert buggy and all(length is not None and length <= 12 for _, _, length in buggy)
    assert not [v for v in pins["fixed=true"][1].values() if v[0] in ("VIOLATED", "NOT REACHED")]


@pytest.mark.parametrize("spec", sorted(GALLERY))
def test_cli_exits_zero(spec: str) -> None:
    """`modelcheck specs/bugs/X.mig` is a CI gate: every result as the spec declares it."""
    proc = subprocess.run(
        [sys.executable, "-m", "checker.cli", spec, "--engine", "explicit", "--no-timing"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
