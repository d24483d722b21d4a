"""State encoding of the explicit engine: one Python int per state.

Stage: built once per run from `model.ir.Model` by `make_layout`, used by
the code generator (`codegen.py`) and by everything that turns a packed
state back into the IR's value tuple (traces, replay, graphs).

Contract: variable `v` occupies `fields[v].width` bits at bit
`fields[v].offset` and stores `value - fields[v].lo`.  Fields are laid out
in `Variable.index` order, so a flattened array is a run of equal-width
fields (the generator relies on this for dynamic indexing).  A variable
with a one-value domain takes no bits.  The layout is plain integer data,
so a native backend could take the same encoding unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from model.ir import Model


@dataclass(frozen=True, slots=True)
class Field:
    offset: int
    width: int
    lo: int

    @property
    def mask(self) -> int:
        return (1 << self.width) - 1


@dataclass(frozen=True, slots=True)
class Layout:
    fields: tuple[Field, ...]
    bits: int

    def pack(self, values: Sequence[int]) -> int:
        s = 0
        for f, v in zip(self.fields, values, strict=True):
            raw = v - f.lo
            assert 0 <= raw <= f.mask, "value outside its variable's domain"
            s |= raw << f.offset
        return s

    def unpack(self, s: int) -> tuple[int, ...]:
        return tuple(((s >> f.offset) & f.mask) + f.lo for f in self.fields)

    def uniform_run(self, vars_: Sequence[int]) -> tuple[int, int] | None:
        """(base offset, stride) when `vars_` are equal fields at equal spacing."""
        fs = [self.fields[v] for v in vars_]
        if not fs or any(f.width != fs[0].width or f.lo != fs[0].lo for f in fs):
            return None
        stride = fs[1].offset - fs[0].offset if len(fs) > 1 else fs[0].width
        if any(f.offset != fs[0].offset + k * stride for k, f in enumerate(fs)):
            return None
        return fs[0].offset, stride


def make_layout(model: Model) -> Layout:
    fields: list[Field] = []
    offset = 0
    for var in model.variables:
        width = (var.domain.size - 1).bit_length()
        fields.append(Field(offset, width, var.domain.lo))
        offset += width
    return Layout(tuple(fields), offset)
