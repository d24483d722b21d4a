"""Symmetry of a model: the permutations of its symmetric index types.

Stage: computed once per run from `Model.symmetric_types`; used by the code
generator to emit the canonicalisation function and the orbit versions of
state properties, and by trace reconstruction to map a path onto another
member of an orbit.

Contract: a `Perm` maps variable `v` to variable `target[v]` and its value
`x` to `value_map[v][x - lo]` (or leaves it when `value_map[v]` is None).
The permutation of a state `s` is `s'` with `s'[target[v]] = map(v, s[v])`.
What is permuted (see NOTE(symmetry-scope)): array elements indexed by a
symmetric type, values of that type, the process instances of families
replicated over it with their locals and pcs, and `PROC` values (lock
owners) naming those instances.  The front end guarantees that the model
is invariant under these permutations (no constant of a symmetric type in
process code: no `for` over one, NOTE(symmetric-for), and no variable of
one without an initial value, NOTE(symmetric-default), in model/resolve.py);
the engine trusts that, as it trusts all of the IR.  Only the transitions
must commute with the permutations: an initial state set that is not closed
under them (a procedure parameter starts at its type's lowest value) is
harmless, since the orbits of the states reachable from an initial state s
and from its image are the same.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from dataclasses import dataclass

from model.ir import DomainKind, Model, SymmetricType

# NOTE(perm-cost): the reduction trades time for memory: it stores up to
# |perms| times fewer states, but canonicalises each successor.  Trying every
# permutation on each was measured on a lockers spec (2026-11-27, helper
# review): N = 5 (120 permutations) 1.8 s against 0.8 s without, N = 6 (720)
# 13.8 s against 2.3 s, N = 7 (5040) 202 s for 3,564 states against 13.5 s
# for 2.2 million.  With one symmetric type the canonical form now sorts by
# signatures first (NOTE(signature-canon)); on N workers taking one mutex
# and counting modulo 3 (CPU seconds, compiling included): N = 6 0.37 s
# against 3.9 s trying all 720 (1,218 states; 0.5 s for 186,624 unreduced),
# N = 7 2.9 s (2,178 states; 3.9 s for 1.26 million unreduced), most of it
# generating the 5040 permutations' code.  Above this many permutations that
# code is out of proportion, and the model is checked unreduced (the
# result's detail says so).
MAX_PERMS = 5040

# NOTE(signature-canon): with one symmetric type T, each value v of T has a
# signature: the values of the variables that belong to v alone (elements of
# arrays whose every T index is v, the locals and pc of the instance v of a
# family replicated over T), listed by role, leaving out variables whose
# values are themselves permuted (T values, lock owners).  A permutation
# carries v's signature to its image unchanged, so "the permutations that
# put the signatures in ascending order" is a set that moves along the orbit:
# for s and pi(s) the images it yields are the same set.  The least of those
# images is therefore an exact canonical form, like the least over all
# permutations, and when the signatures differ it tries one permutation, not
# all of them.  Used from this many permutations up (below it, trying all is
# as cheap as sorting); tests lower it to test both forms.
SIGNATURE_MIN_PERMS = 24


@dataclass(frozen=True, slots=True)
class Perm:
    target: tuple[int, ...]
    value_map: tuple[tuple[int, ...] | None, ...]
    is_identity: bool
    # per symmetric type, in `Model.symmetric_types` order: the image of each
    # of its values, as offsets from the type's lowest value
    images: tuple[tuple[int, ...], ...] = ()

    def apply(self, state: tuple[int, ...], los: tuple[int, ...]) -> tuple[int, ...]:
        out = list(state)
        for v, x in enumerate(state):
            vm = self.value_map[v]
            out[self.target[v]] = x if vm is None else vm[x - los[v]]
        return tuple(out)


class SymmetryError(Exception):
    """The declared symmetry cannot be applied to this model's variables."""


def _type_perms(st: SymmetricType) -> list[dict[int, int]]:
    values = list(range(st.lo, st.hi + 1))
    return [dict(zip(values, p, strict=True)) for p in itertools.permutations(values)]


@functools.lru_cache(maxsize=8)  # asked by check() and again by each build of the same model
def permutations(model: Model) -> tuple[Perm, ...]:
    """Every permutation of the model (the identity first); () if no symmetry."""
    types = model.symmetric_types
    if not types:
        return ()
    total = 1
    for st in types:
        for k in range(2, st.hi - st.lo + 2):
            total *= k
    if total > MAX_PERMS:
        raise SymmetryError(f"{total} permutations exceed the limit of {MAX_PERMS}")
    by_name = {st.name: st for st in types}
    key_to_var: dict[tuple[str, tuple[int, ...], int | None], int] = {}
    for var in model.variables:
        key_to_var[(var.base, var.indices, var.owner)] = var.index
    out: list[Perm] = []
    for combo in itertools.product(*(_type_perms(st) for st in types)):
        maps = dict(zip((st.name for st in types), combo, strict=True))
        perm = _one_perm(model, maps, by_name, key_to_var)
        images = tuple(tuple(maps[st.name][x] - st.lo for x in range(st.lo, st.hi + 1)) for st in types)
        out.append(dataclasses.replace(perm, images=images))
    out.sort(key=lambda p: not p.is_identity)
    return tuple(out)


def _one_perm(
    model: Model,
    maps: dict[str, dict[int, int]],
    by_name: dict[str, SymmetricType],
    key_to_var: dict[tuple[str, tuple[int, ...], int | None], int],
) -> Perm:
    # NOTE(symmetry-scope): instances move with their self value.
    proc_map: list[int] = []
    fam_index = {(p.family, p.self_value): p.index for p in model.processes}
    for p in model.processes:
        new = p.index
        if p.self_type is not None and p.self_type in maps and p.self_value is not None:
            st = by_name[p.self_type]
            if p.family in st.families:
                new = fam_index[(p.family, maps[p.self_type][p.self_value])]
        proc_map.append(new)
    target: list[int] = []
    value_map: list[tuple[int, ...] | None] = []
    identity = True
    for var in model.variables:
        owner = var.owner
        new_owner = proc_map[owner] if owner is not None else None
        indices = (
            tuple(maps[t][i] if t in maps else i for t, i in zip(var.index_types, var.indices, strict=False))
            + var.indices[len(var.index_types) :]
        )
        key = (var.base, indices, new_owner)
        if key not in key_to_var:
            raise SymmetryError(f"no image of variable {var.name} under the symmetry")
        tgt = key_to_var[key]
        vm: tuple[int, ...] | None = None
        dom = var.domain
        if var.value_type is not None and var.value_type in maps:
            m = maps[var.value_type]
            vm = tuple(m.get(x, x) for x in range(dom.lo, dom.hi + 1))
        elif dom.kind is DomainKind.PROC:
            vm = tuple(0 if x == 0 else proc_map[x - 1] + 1 for x in range(dom.lo, dom.hi + 1))
        if vm is not None and all(vm[k] == dom.lo + k for k in range(len(vm))):
            vm = None
        if tgt != var.index or vm is not None:
            identity = False
        target.append(tgt)
        value_map.append(vm)
    return Perm(tuple(target), tuple(value_map), identity)


def signatures(model: Model) -> tuple[tuple[int, ...], ...] | None:
    """Per value of the model's one symmetric type, its signature's variables (NOTE(signature-canon)).

    None when the model has no symmetric type or more than one, or when the
    values do not all have variables of the same roles.
    """
    if len(model.symmetric_types) != 1:
        return None
    st = model.symmetric_types[0]
    n = st.hi - st.lo + 1
    roles: list[dict[str, int]] = [{} for _ in range(n)]
    for var in model.variables:
        if var.value_type == st.name or var.domain.kind is DomainKind.PROC:
            continue
        owned: set[int] = set()
        shape: list[int | None] = []
        for k, i in enumerate(var.indices):
            if k < len(var.index_types) and var.index_types[k] == st.name:
                owned.add(i)
                shape.append(None)
            else:
                shape.append(i)
        owner: str | int | None = var.owner
        if var.owner is not None:
            p = model.processes[var.owner]
            if p.self_type == st.name and p.family in st.families and p.self_value is not None:
                owned.add(p.self_value)
                owner = p.family
        if len(owned) == 1:
            (v,) = owned
            roles[v - st.lo][repr((var.base, tuple(shape), owner))] = var.index
    keys = sorted(roles[0])
    if not keys or any(sorted(r) != keys for r in roles):
        return None
    return tuple(tuple(r[k] for k in keys) for r in roles)
