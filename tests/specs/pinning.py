"""Shared helpers of the spec tests: run a spec's configurations and summarise them.

Stage: tests (specs/).  `summarise` turns one configuration's explicit-engine
results into the data the tests pin: the number of reachable states, and per
property its verdict, whether it met the spec's expectation, and the length of
its trace (None when there is no trace).  `python -m tests.specs.pinning SPEC
[-D NAME=VALUE ...]` prints the summaries of a spec, in the form the tests
keep them, so a pin is always the tool's own output, reviewed by a person.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from checker.explicit import ExplicitOptions, check
from model.frontend import configurations, load_spec
from model.ir import Model

ROOT = Path(__file__).resolve().parents[2]

# property name -> (verdict, as expected, trace length)
PropPin = tuple[str, bool, int | None]


@dataclass(frozen=True, slots=True)
class ConfigPin:
    label: str
    states: int
    props: Mapping[str, PropPin]


def models(spec: str, defines: Mapping[str, str] | None = None) -> tuple[Model, ...]:
    return configurations(load_spec(str(ROOT / spec), dict(defines or {})))


def summarise(model: Model) -> ConfigPin:
    results = check(model, ExplicitOptions())
    props: dict[str, PropPin] = {}
    for r in results:
        props[r.property] = (r.verdict.value, r.as_expected, r.trace.length if r.trace is not None else None)
    states = max(r.stats.states for r in results)
    return ConfigPin(model.config_label(), states, props)


def main(argv: list[str]) -> None:
    spec = argv[0]
    defines: dict[str, str] = {}
    rest = argv[1:]
    while rest:
        if rest[0] == "-D" and len(rest) > 1:
            name, _, value = rest[1].partition("=")
            defines[name] = value
            rest = rest[2:]
        else:
            raise SystemExit(
                f"usage: python -m tests.specs.pinning SPEC [-D NAME=VALUE ...]; got {rest[0]!r}"
            )
    for m in models(spec, defines):
        pin = summarise(m)
        print(f"    {pin.label!r}: ({pin.states}, {dict(pin.props)!r}),", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
