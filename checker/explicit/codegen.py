"""IR -> Python source for the explicit engine's hot loop.

Stage: run once per exploration.  Input: a `Model`, its `Layout` and its
symmetry `Perm`s; output: a `Compiled` bundle of functions made by
`compile`/`exec` of source text that this module generates.

NOTE(codegen-safety): the generated text is built from the IR only.  Every
identifier in it is chosen here (`s`, `t`, `_tab3`, ...); spec names,
messages and labels never enter it; integers enter as decimal literals;
tables go through the namespace dict under generated names.  A `.mig` file
is untrusted input and can never run code of its own.

NOTE(codegen-shape): each transition is specialised: its guard, checks and
writes become shifts and masks on the packed state (see `layout.py`);
the per-process pc is read once (with the process's locals, as one small
word: NOTE(local-word)) and dispatched with an if/elif chain, so
successors come out in the deterministic order "processes in order,
transitions in IR order".  Writes avoid reads and big-int operations
where tables or XOR constants can stand for them (NOTE(delta-writes),
NOTE(value-tables), NOTE(select-table)): in CPython every operation on a
packed state allocates a new int, so the count of such operations is the
cost.  The same per-transition text is used for the BFS chunk loop
(`expand`) and the general successor function (`succ`).  A native backend
could take the same IR and layout without change.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import CodeType
from typing import Any, assert_never

from checker.explicit.layout import Layout, Overflow
from checker.explicit.symmetry import SIGNATURE_MIN_PERMS, Perm, signatures
from model.ir import (
    BOOL_RESULT_OPS,
    Assign,
    AssignElem,
    Binary,
    BinOp,
    Const,
    Expr,
    Ite,
    Model,
    Select,
    Transition,
    Unary,
    UnOp,
    VarRef,
    apply_binop,
    c_div,
    c_mod,
    expr_is_bool,
    subexprs,
    vars_read,
)

_BIN_PY = {
    BinOp.ADD: "+",
    BinOp.SUB: "-",
    BinOp.MUL: "*",
    BinOp.EQ: "==",
    BinOp.NE: "!=",
    BinOp.LT: "<",
    BinOp.LE: "<=",
    BinOp.GT: ">",
    BinOp.GE: ">=",
}

# A reader gives the code of variable v's value in the state named `sv`.
Reader = Callable[[int, str], str]

SuccFn = Callable[[int], tuple[list[tuple[int, int]], list[tuple[int, int]], int]]
ExpandFn = Callable[..., int]
StateFn = Callable[[int], Any]


@dataclass(frozen=True, slots=True)
class Slots:
    """Where each safety property's first hit is reported (see `search.py`)."""

    invariants: tuple[tuple[int, Expr], ...]  # (slot, expr that must hold)
    reachables: tuple[tuple[int, Expr], ...]  # (slot, target)
    checks: dict[str, int]  # assertion property name -> slot
    deadlock: int | None


@dataclass(frozen=True, slots=True)
class Compiled:
    expand: ExpandFn
    succ: SuccFn
    canon: StateFn
    state_hits: Callable[[int], list[int]]  # slots hit by a state (orbit-aware)
    pred: Callable[[Expr], StateFn]  # a plain predicate on unreduced states
    source: str


# NOTE(code-cache): the configurations of one spec often generate the same
# text (a `param` that only some processes read, or the safety and liveness
# builds of a model without narrowing or symmetry); measured on
# specs/no_copy.mig, 180 of 216 module texts and nearly all of 17,538 table
# functions were repeats, and compiling them was about a tenth of the run.
# Code objects are immutable and depend on nothing but the text, so equal
# texts share one; the namespace each is executed in stays the build's own.
# The module texts run to hundreds of kilobytes, so few of them are kept.
def compiled(text: str, filename: str) -> CodeType:
    """The code object of generated `text` (cached by text: NOTE(code-cache))."""
    return _compiled_small(text, filename) if len(text) < 4096 else _compiled_large(text, filename)


@functools.lru_cache(maxsize=4096)
def _compiled_small(text: str, filename: str) -> CodeType:
    return compile(text, filename, "exec")


@functools.lru_cache(maxsize=16)
def _compiled_large(text: str, filename: str) -> CodeType:
    return compile(text, filename, "exec")


def _signature_canon(
    perms: Sequence[StateFn], images: Sequence[tuple[int, ...]]
) -> Callable[[int, tuple[tuple[int, ...], ...]], int]:
    """The canonical form by signatures (NOTE(signature-canon) in symmetry.py).

    `perms[k]` applies permutation k to a packed state; `images[k][v]` is
    where it sends value v of the symmetric type.  The returned function
    takes a state and its values' signatures and returns the least image of
    the state under the permutations that sort the signatures.
    """
    by_pattern: dict[tuple[int, ...], tuple[StateFn, ...]] = {}
    by_images = dict(zip(images, perms, strict=True))

    def candidates(pattern: tuple[int, ...]) -> tuple[StateFn, ...]:
        # the values of rank r go, in every order, to the positions after those of smaller rank
        groups: list[list[int]] = [[] for _ in range(max(pattern) + 1)]
        for v, r in enumerate(pattern):
            groups[r].append(v)
        spans: list[range] = []
        for g in groups:
            start = spans[-1].stop if spans else 0
            spans.append(range(start, start + len(g)))
        out: list[StateFn] = []
        for placed in itertools.product(*(itertools.permutations(span) for span in spans)):
            img = [0] * len(pattern)
            for g, ps in zip(groups, placed, strict=True):
                for v, q in zip(g, ps, strict=True):
                    img[v] = q
            out.append(by_images[tuple(img)])
        return tuple(out)

    def canon(s: int, sigs: tuple[tuple[int, ...], ...]) -> int:
        rank = {x: r for r, x in enumerate(sorted(set(sigs)))}
        pattern = tuple(rank[x] for x in sigs)
        fs = by_pattern.get(pattern)
        if fs is None:
            fs = by_pattern[pattern] = candidates(pattern)
        least: int = min(f(s) for f in fs)
        return least

    return canon


def _built_without_expand(*args: object) -> int:
    raise AssertionError("internal error: this engine was built without _expand (expand=False)")


class CodeGen:
    def __init__(self, model: Model, layout: Layout, perms: Sequence[Perm]) -> None:
        self.model = model
        self.layout = layout
        self.perms = [p for p in perms if not p.is_identity]
        self.all_perms = list(perms)
        sig = signatures(model) if len(perms) >= SIGNATURE_MIN_PERMS else None
        self.signature = sig if sig is not None and all(p.images for p in perms) else None
        self.ns: dict[str, Any] = {
            "_div": c_div,
            "_mod": c_mod,
            "_Overflow": Overflow,
            "range": range,
            "len": len,
            "__builtins__": {},
        }
        self._consts: dict[tuple[int, ...], str] = {}
        self._sets: dict[frozenset[int], str] = {}
        self._tmp = 0
        # NOTE(codegen-cse): pre-state reads shared within one pc branch
        self._cache: dict[int, str] = {}
        # NOTE(local-word): fields of the dispatched process read from `w`
        self._window: dict[int, int] = {}
        self._window_bits = 0
        # NOTE(codegen-cse): dynamic element reads shared within one pc branch
        self._sel_cache: dict[Select, str] = {}
        self._simp_memo: dict[Expr, Expr] = {}
        self._single_memo: dict[Expr, tuple[int, list[Expr]] | None] = {}

    # -- names -------------------------------------------------------------
    def _tuple(self, values: tuple[int, ...]) -> str:
        name = self._consts.get(values)
        if name is None:
            name = f"_tab{len(self._consts)}"
            self._consts[values] = name
            self.ns[name] = values
        return name

    def _set(self, values: frozenset[int]) -> str:
        name = self._sets.get(values)
        if name is None:
            name = f"_set{len(self._sets)}"
            self._sets[values] = name
            self.ns[name] = values
        return name

    def _fresh(self) -> str:
        self._tmp += 1
        return f"_x{self._tmp}"

    # -- reading -------------------------------------------------------------
    def raw(self, v: int, sv: str) -> str:
        f = self.layout.fields[v]
        if f.width == 0:
            return "0"
        if sv == "s" and v in self._window:
            return self._window_read(v, 0)
        if f.offset == 0:
            return f"({sv} & {f.mask})"
        return f"(({sv} >> {f.offset}) & {f.mask})"

    def _window_read(self, v: int, lo: int) -> str:
        """Field v (plus `lo`) from the local word `w` (NOTE(local-word))."""
        f = self.layout.fields[v]
        d = self._window[v]
        if self._window_bits <= _WORD_TABLE_BITS:
            return f"{self._tuple(tuple(((x >> d) & f.mask) + lo for x in range(1 << self._window_bits)))}[w]"
        got = f"((w >> {d}) & {f.mask})" if d else f"(w & {f.mask})"
        return f"({got} + {_lit(lo)})" if lo else got

    def read(self, v: int, sv: str) -> str:
        if sv == "s" and v in self._cache:
            return self._cache[v]
        f = self.layout.fields[v]
        if f.width == 0:
            return _lit(f.lo)
        if sv == "s" and v in self._window:
            return self._window_read(v, f.lo)
        r = self.raw(v, sv)
        return r if f.lo == 0 else f"({r} + {_lit(f.lo)})"

    def perm_reader(self, perm: Perm) -> Reader:
        inverse = [0] * len(perm.target)
        for u, v in enumerate(perm.target):
            inverse[v] = u

        def reader(v: int, sv: str) -> str:
            u = inverse[v]
            vm = perm.value_map[u]
            if vm is None:
                return self.read(u, sv)
            f = self.layout.fields[u]
            if f.width == 0:
                return _lit(vm[0])
            return f"{self._tuple(vm)}[{self.raw(u, sv)}]"

        return reader

    # -- expressions -----------------------------------------------------------
    def expr(self, e: Expr, sv: str = "s", reader: Reader | None = None, sort: bool = False) -> str:
        rd = reader if reader is not None else self.read
        if reader is None and not isinstance(e, (Const, VarRef)):
            e = self._simplified(e)
            tab = self._tabulated(e, sv)
            if tab is not None:
                return tab
        match e:
            case Const(value=c):
                return _lit(c)
            case VarRef(var=v):
                return rd(v, sv)
            case Select(vars=vs, index=ix):
                if isinstance(ix, Const):
                    if 0 <= ix.value < len(vs):
                        return rd(vs[ix.value], sv)
                    return "0"  # unreachable: a Check guards the index
                if reader is None and sv == "s" and e in self._sel_cache:
                    return self._sel_cache[e]
                if reader is None:
                    shifted = self._select_table(vs, ix, sv)
                    if shifted is not None:
                        return shifted
                icode = self.expr(ix, sv, reader, sort)
                x = self._fresh()
                run = self.layout.uniform_run(vs) if reader is None else None
                if run is not None:
                    base, stride = run
                    f = self.layout.fields[vs[0]]
                    shift = f"({base} + {x} * {stride})" if base else f"{x} * {stride}"
                    got = f"(({sv} >> {shift}) & {f.mask})"
                    if f.lo:
                        got = f"({got} + {_lit(f.lo)})"
                    if f.width == 0:
                        got = _lit(f.lo)
                else:
                    got = "(" + ", ".join(rd(v, sv) for v in vs) + f",)[{x}]"
                return f"({got} if 0 <= ({x} := {icode}) < {len(vs)} else 0)"
            case Unary(op=op, arg=a):
                ac = self.expr(a, sv, reader, sort)
                match op:
                    case UnOp.NOT:
                        return f"(not {ac})"
                    case UnOp.NEG:
                        return f"(-{ac})"
                    case _:
                        assert_never(op)
            case Binary(op=op, lhs=a, rhs=b):
                if op in (BinOp.AND, BinOp.OR):
                    parts = [self.expr(x, sv, reader, sort) for x in _flatten(op, e)]
                    if sort:
                        parts = sorted(set(parts))
                    word = " and " if op is BinOp.AND else " or "
                    return "(" + word.join(parts) + ")"
                ac = self.expr(a, sv, reader, sort)
                bc = self.expr(b, sv, reader, sort)
                match op:
                    case BinOp.IMPLIES:
                        return f"((not {ac}) or {bc})"
                    case BinOp.DIV:
                        return f"_div({ac}, {bc})"
                    case BinOp.MOD:
                        return f"_mod({ac}, {bc})"
                    case _:
                        return f"({ac} {_BIN_PY[op]} {bc})"
            case Ite(cond=c, then=th, else_=el):
                cc = self.expr(c, sv, reader, sort)
                tc = self.expr(th, sv, reader, sort)
                ec = self.expr(el, sv, reader, sort)
                return f"({tc} if {cc} else {ec})"
            case _:
                assert_never(e)

    def _select_table(self, vs: tuple[int, ...], ix: Expr, sv: str) -> str | None:
        """`vs[ix]` by a table of shifts over the one variable `ix` reads.

        NOTE(select-table): when the index is a function of one variable of
        a small domain and the elements are a uniform run of fields, the
        shift of the element is tabulated over that variable's raw value;
        an index out of range gets the shift `layout.bits`, above every
        field, which reads 0 as the IR requires (the state is below
        2**bits).
        """
        run = self.layout.uniform_run(vs)
        single = self._single(ix)
        if run is None or single is None:
            return None
        v, values = single
        f = self.layout.fields[vs[0]]
        fv = self.layout.fields[v]
        if f.width == 0 or fv.width == 0 or not all(isinstance(x, Const) for x in values):
            return None
        base, stride = run
        shifts: list[int] = []
        for x in values:
            assert isinstance(x, Const)
            inside = 0 <= x.value < len(vs)
            if not inside and f.lo:
                return None  # would read lo, not 0
            shifts.append(base + x.value * stride if inside else self.layout.bits)
        # _single evaluates over _held(v), which starts at the domain's lo = field lo
        shifts += [self.layout.bits] * (fv.mask + 1 - len(shifts))
        raw = self.raw(v, sv) if sv != "s" or v not in self._cache else self._raw_read(v)
        got = f"(({sv} >> {self._tuple(tuple(shifts))}[{raw}]) & {f.mask})"
        return f"({got} + {_lit(f.lo)})" if f.lo else got

    def orbit(self, e: Expr, sv: str, any_: bool) -> str:
        """`e` on every member of the orbit of `sv`: all (or, with any_, some)."""
        if not self.perms:
            return self.expr(e, sv)
        codes = {self.expr(e, sv, sort=True)}
        for p in self.perms:
            codes.add(self.expr(e, sv, self.perm_reader(p), sort=True))
        word = " or " if any_ else " and "
        return "(" + word.join(sorted(codes)) + ")"

    # NOTE(single-var): a sub-expression that reads one variable of a small
    # domain is evaluated at generation time for every value of that domain
    # (states only ever hold values of their domains).  If it is constant it
    # becomes that constant, else a set-membership test or a table lookup on
    # the variable.  This is what turns the front end's range and index
    # checks into one operation each.

    def _single(self, e: Expr) -> tuple[int, list[Expr]] | None:
        if e in self._single_memo:
            return self._single_memo[e]
        self._single_memo[e] = None
        reads = vars_read(e)
        if len(reads) != 1:
            return None
        (v,) = reads
        dom = self.model.variables[v].domain
        if dom.size > _TAB_LIMIT:
            return None
        # evaluate e for every value of v: generated code with v as the argument
        code = self.expr(e, "s", lambda _v, _sv: "x")
        ns = dict(self.ns)
        exec(compiled(f"def _f(x):\n    return {code}\n", "<modelcheck-tab>"), ns)
        fn = ns["_f"]
        is_bool = expr_is_bool(e, self.model.variables)
        values: list[Expr] = [Const(int(fn(x)), is_bool) for x in self._held(v)]
        self._single_memo[e] = (v, values)
        return v, values

    def _held(self, v: int) -> range:
        """The values variable v can hold in a state: its domain, cut to its field.

        A narrowed field holds fewer values than the domain, and no other
        value ever gets in (NOTE(narrow-layout)).
        """
        dom = self.model.variables[v].domain
        f = self.layout.fields[v]
        return range(dom.lo, min(dom.hi, f.lo + f.mask) + 1)

    def _fits(self, value: Expr, v: int) -> bool:
        """Whether `value` always fits variable v's field (no overflow test needed)."""
        f = self.layout.fields[v]
        if isinstance(value, Const):
            return 0 <= value.value - f.lo <= f.mask
        bounds = self._bounds(value)
        if bounds is not None and f.lo <= bounds[0] and bounds[1] <= f.lo + f.mask:
            return True
        single = self._single(value)
        if single is None:
            return False
        return all(isinstance(x, Const) and 0 <= x.value - f.lo <= f.mask for x in single[1])

    def _bounds(self, e: Expr) -> tuple[int, int] | None:
        """An interval holding every value of `e` in any state, if simple to see."""
        match e:
            case Const(value=c):
                return c, c
            case VarRef(var=v):
                held = self._held(v)
                return held.start, held.stop - 1
            case Select(vars=vs):
                parts = [self._bounds(VarRef(v)) for v in vs] + [(0, 0)]  # 0: out of range
                return min(p[0] for p in parts if p), max(p[1] for p in parts if p)
            case Binary(op=BinOp.ADD | BinOp.SUB | BinOp.MUL as op, lhs=a, rhs=b):
                ba, bb = self._bounds(a), self._bounds(b)
                if ba is None or bb is None:
                    return None
                if op is BinOp.ADD:
                    return ba[0] + bb[0], ba[1] + bb[1]
                if op is BinOp.SUB:
                    return ba[0] - bb[1], ba[1] - bb[0]
                corners = [x * y for x in ba for y in bb]
                return min(corners), max(corners)
            case Ite(then=th, else_=el):
                bt, be = self._bounds(th), self._bounds(el)
                if bt is None or be is None:
                    return None
                return min(bt[0], be[0]), max(bt[1], be[1])
            case _:
                return None

    def _simplified(self, e: Expr) -> Expr:
        got = self._simp_memo.get(e)
        if got is not None:
            return got
        out = _fold(e, {})
        single = self._single(out)
        if single is not None and all(isinstance(x, Const) for x in single[1]):
            vals = {x.value for x in single[1] if isinstance(x, Const)}
            if len(vals) == 1:
                out = Const(vals.pop(), expr_is_bool(out, self.model.variables))
        elif not isinstance(out, (Const, VarRef, Select)):
            out = self._rebuild(out)
        self._simp_memo[e] = out
        return out

    def _rebuild(self, e: Expr) -> Expr:
        """`e` with simplified children, folded again."""
        match e:
            case Unary(op=op, arg=a):
                sa = self._simplified(a)
                return e if sa is a else _fold(Unary(op, sa), {})
            case Binary(op=op, lhs=a, rhs=b):
                sa, sb = self._simplified(a), self._simplified(b)
                return e if sa is a and sb is b else _fold(Binary(op, sa, sb), {})
            case Ite(cond=c, then=th, else_=el):
                parts = (self._simplified(c), self._simplified(th), self._simplified(el))
                if parts[0] is c and parts[1] is th and parts[2] is el:
                    return e
                return _fold(Ite(*parts), {})
            case _:
                return e

    def _tabulated(self, e: Expr, sv: str) -> str | None:
        if isinstance(e, (Const, VarRef, Select)):
            return None
        if isinstance(e, Binary) and isinstance(e.lhs, VarRef) and isinstance(e.rhs, Const):
            return None  # a plain comparison is already one operation
        single = self._single(e)
        if single is None or not all(isinstance(x, Const) for x in single[1]):
            return None
        v, values = single
        dom = self.model.variables[v].domain
        consts = [x.value for x in values if isinstance(x, Const)]
        read = self.read(v, sv)
        if expr_is_bool(e, self.model.variables):
            true = frozenset(dom.lo + k for k, x in enumerate(consts) if x)
            if len(true) * 2 > len(consts):
                false = frozenset(self._held(v)) - true
                return f"({read} not in {self._set(false)})"
            return f"({read} in {self._set(true)})"
        f = self.layout.fields[v]
        if f.width == 0:
            return _lit(consts[0])
        return f"{self._tuple(tuple(consts))}[{self.raw(v, sv)}]"

    # -- transitions -------------------------------------------------------------
    def next_state(self, tr: Transition) -> list[str]:
        """Lines that set `t` to the successor of `s` by `tr`.

        Writes are evaluated in the pre-state and applied in order, a later
        write to the same location winning (IR contract); the pc is last.

        NOTE(delta-writes): the pc's old value is known in its branch
        (`pc_from`), so the pc alone changes by XOR with a constant; a field
        whose new value is its old one plus a constant (`k = k + 1`) changes
        by XOR with an entry of a table over its old raw value (every new
        value is in its field: the IR's RANGE checks, or the overflow test
        of a narrowed field, come first).  XOR, not `+`: CPython's add
        allocates one digit more than its operands, and the stored state
        would keep that larger block.  The other fields are cleared with
        one mask and OR-ed in.  A single element write through a dynamic
        index takes its clear mask (merged with the static one) and, for a
        constant value, its bits from tables over the index (in range: the
        IR's INDEX check comes first).
        """
        lay = self.layout
        pc = self.model.processes[tr.process].pc_var
        statics = [w for w in tr.writes if isinstance(w, Assign)]
        elems = [w for w in tr.writes if isinstance(w, AssignElem)]
        elem_vars = {v for w in elems for v in w.vars}
        if elems and (elem_vars & {w.var for w in statics} or pc in elem_vars):
            return self._sequential(tr)
        last: dict[int, Expr] = {}
        for w in statics:
            last.pop(w.var, None)
            last[w.var] = w.value
        pcf = lay.fields[pc]
        pc_set = tr.pc_to != tr.pc_from or pc in last
        last.pop(pc, None)
        full = (1 << lay.bits) - 1
        bounds = self._step_bounds(tr)
        clear = 0
        lits = 0
        flip = 0  # constant XOR
        flips: list[tuple[tuple[int, ...], int]] = []  # XOR tables over a variable's raw value
        ors: dict[int, list[int]] = {}  # NOTE(value-tables): OR tables over a variable's raw value
        terms: list[str] = []
        pre: list[str] = []  # NOTE(narrow-layout): overflow tests of narrowed fields
        for v, val in last.items():
            f = lay.fields[v]
            if f.width == 0:
                continue
            narrowed = lay.narrowed(v, self.model)
            step = _increment(v, val)
            if step is not None and f.width <= _FLIP_BITS:  # NOTE(delta-writes)
                if narrowed and step > 0 and bounds.get(v, f.mask) + step > f.mask:
                    pre.append(f"if {self.read(v, 's')} > {f.lo + f.mask - step}:")
                    pre.append(f"    raise _Overflow({v})")
                entries = tuple(
                    (r ^ (r + step)) << f.offset if 0 <= r + step <= f.mask else 0 for r in range(f.mask + 1)
                )
                flips.append((entries, v))
                continue
            clear |= f.mask << f.offset
            value = self._simplified(val)
            if isinstance(value, Const):
                if narrowed and not 0 <= value.value - f.lo <= f.mask:
                    pre.append(f"raise _Overflow({v})")  # NOTE(narrow-layout)
                    continue
                lits |= (value.value - f.lo) << f.offset
                continue
            tab = self._value_table(value, v, bounds)
            if tab is not None:
                src, entries_ = tab
                row = ors.setdefault(src, [0] * (lay.fields[src].mask + 1))
                for r, x in enumerate(entries_):
                    row[r] |= x << f.offset
                continue
            code = self.expr(val)
            if narrowed and not self._fits(val, v):
                name = self._fresh()
                pre.append(f"{name} = {code}")
                pre.append(f"if {name} > {f.lo + f.mask}:")
                pre.append(f"    raise _Overflow({v})")
                code = name
            if f.lo:
                code = f"({code} - {_lit(f.lo)})"
            terms.append(f"({code} << {f.offset})" if f.offset else code)
        lines: list[str] = pre
        table = len(elems) == 1 and lay.uniform_run(elems[0].vars) is not None
        if pc_set and pcf.width:
            if clear or table:
                clear |= pcf.mask << pcf.offset
                lits |= (tr.pc_to - pcf.lo) << pcf.offset
            else:
                flip ^= ((tr.pc_to - pcf.lo) ^ (tr.pc_from - pcf.lo)) << pcf.offset
        # dynamic element writes: their index and value read the pre-state
        pending: list[tuple[str, str, AssignElem]] = []
        keep = f"(s & {full & ~clear})" if clear else "s"
        for ew in elems:
            if table:
                keep = self._elem_table(ew, full & ~clear, lines, terms, ors)
            else:
                idx = self._fresh()
                lines.append(f"{idx} = {self.expr(ew.index)}")
                vcode = self._fresh()
                lines.append(f"{vcode} = {self.expr(ew.value)}")
                pending.append((idx, vcode, ew))
        for n, (src, row) in enumerate(ors.items()):
            entries = tuple(x | lits for x in row) if n == 0 else tuple(row)
            terms.append(f"{self._tuple(entries)}[{self._raw_read(src)}]")
        if lits and not ors:
            terms.append(str(lits))
        code = " | ".join([keep, *terms]) if keep != "s" or terms else "s"
        xors = [
            f"{self._tuple(tuple(x ^ flip for x in tab) if k == 0 else tab)}[{self._raw_read(src)}]"
            for k, (tab, src) in enumerate(flips)
        ]
        if flip and not flips:
            xors.append(str(flip))
        if xors:
            code = " ^ ".join([f"({code})" if terms else code, *xors])
        lines.append(f"t = {code}")
        for idx, vcode, ew in pending:
            lines.extend(self._store_elem(ew, idx, vcode))
        return lines

    def _step_bounds(self, tr: Transition) -> dict[int, int]:
        """Largest raw value of each variable, where the step's guard and checks say so.

        Every conjunct of the guard and every check holds when the writes
        happen; one that reads a single small variable bounds its value.
        """
        checks = [c.cond for c in tr.checks]
        # a guard `!check || g` (the front end's form): g holds once the checks pass
        alive = [
            d
            for d in _flatten(BinOp.OR, tr.guard)
            if not (isinstance(d, Unary) and d.op is UnOp.NOT and d.arg in checks)
        ]
        guard = alive[0] if len(alive) == 1 else tr.guard
        bounds: dict[int, int] = {}
        for cond in _parts(BinOp.AND, guard) + checks:
            single = self._single(cond)
            if single is None:
                continue
            v, values = single
            allowed = [r for r, x in enumerate(values) if isinstance(x, Const) and x.value]
            if allowed:
                bounds[v] = min(bounds.get(v, allowed[-1]), allowed[-1])
        return bounds

    def _value_table(self, value: Expr, v: int, bounds: dict[int, int]) -> tuple[int, list[int]] | None:
        """The raw values written to v, over the raw value of the one variable `value` reads.

        NOTE(value-tables): a value that is a function of one small
        variable is tabulated (its bits OR-ed in by one lookup).  Entries
        outside v's field are never used (the IR's RANGE checks), but a
        narrowed field needs its runtime overflow test, so it is not
        tabulated then, unless `bounds` (`_step_bounds`) rule those
        entries out.
        """
        single = self._single(value)
        if single is None or not all(isinstance(x, Const) for x in single[1]):
            return None
        src, values = single
        f = self.layout.fields[v]
        narrowed = self.layout.narrowed(v, self.model)
        raws: list[int] = []
        for k, x in enumerate(values):
            assert isinstance(x, Const)
            r = x.value - f.lo
            if not 0 <= r <= f.mask:
                if narrowed and k <= bounds.get(src, k):
                    return None
                r = 0
            raws.append(r)
        return src, raws

    def _raw_read(self, v: int) -> str:
        """The raw field value (value - lo) of variable v in `s`."""
        f = self.layout.fields[v]
        if v in self._cache:
            return f"({self._cache[v]} - {_lit(f.lo)})" if f.lo else self._cache[v]
        return self.raw(v, "s")

    def _elem_table(
        self, w: AssignElem, keep: int, lines: list[str], terms: list[str], ors: dict[int, list[int]]
    ) -> str:
        """One element write through a dynamic index (NOTE(delta-writes)).

        Returns the code of `s` masked: the static clear mask `keep` merged
        with the element's, from a table over the index, or over the one
        variable the index reads.  The new bits go to `terms` or, for a
        constant value and such an index, to that variable's OR table in
        `ors`; value computation and overflow test go to `lines`.
        """
        lay = self.layout
        run = lay.uniform_run(w.vars)
        assert run is not None
        base, stride = run
        f = lay.fields[w.vars[0]]
        if f.width == 0:
            return f"(s & {keep})"
        value = self._simplified(w.value)
        narrowed = lay.narrowed(w.vars[0], self.model)
        const_raw: int | None = None
        if isinstance(value, Const):
            const_raw = value.value - f.lo
            if narrowed and not 0 <= const_raw <= f.mask:
                lines.append(f"raise _Overflow({w.vars[0]})")  # NOTE(narrow-layout)
                return f"(s & {keep})"
        single = self._single(w.index)
        if single is not None and all(isinstance(x, Const) for x in single[1]):
            src, values = single
            size = lay.fields[src].mask + 1
            shifts = [lay.bits] * size  # out of range: never used (INDEX check)
            for r, x in enumerate(values):
                if isinstance(x, Const) and 0 <= x.value < len(w.vars):
                    shifts[r] = base + x.value * stride
            index = self._raw_read(src)
        else:
            src = -1
            shifts = [base + k * stride for k in range(len(w.vars))]
            index = self._fresh()
            lines.append(f"{index} = {self.expr(w.index)}")
        masks = tuple(keep & ~(f.mask << sh) if sh < lay.bits else keep for sh in shifts)
        masked = f"(s & {self._tuple(masks)}[{index}])"
        if const_raw is not None:
            if const_raw == 0:
                return masked
            bits = [const_raw << sh if sh < lay.bits else 0 for sh in shifts]
            if src >= 0:
                row = ors.setdefault(src, [0] * len(bits))
                for r, b in enumerate(bits):
                    row[r] |= b
            else:
                terms.append(f"{self._tuple(tuple(bits))}[{index}]")
            return masked
        vcode = self._fresh()
        lines.append(f"{vcode} = {self.expr(w.value)}")
        if narrowed and not self._fits(w.value, w.vars[0]):
            lines.append(f"if {vcode} > {f.lo + f.mask}:")
            lines.append(f"    raise _Overflow({w.vars[0]})")
        rawc = f"({vcode} - {_lit(f.lo)})" if f.lo else vcode
        terms.append(f"({rawc} << {self._tuple(tuple(shifts))}[{index}])")
        return masked

    def _store_elem(self, w: AssignElem, idx: str, val: str) -> list[str]:
        lay = self.layout
        run = lay.uniform_run(w.vars)
        f = lay.fields[w.vars[0]]
        if run is None:
            lines: list[str] = []
            for k, v in enumerate(w.vars):
                kw = "if" if k == 0 else "elif"
                lines.append(f"{kw} {idx} == {k}:")
                lines.extend("    " + ln for ln in self._store(v, val))
            return lines
        if f.width == 0:
            return []
        over: list[str] = []
        if lay.narrowed(w.vars[0], self.model) and not self._fits(w.value, w.vars[0]):
            over = [f"if {val} > {f.lo + f.mask}:", f"    raise _Overflow({w.vars[0]})"]
        base, stride = run
        sh = self._fresh()
        raw = f"({val} - {_lit(f.lo)})" if f.lo else val
        return [
            *over,
            f"{sh} = {base} + {idx} * {stride}" if base else f"{sh} = {idx} * {stride}",
            f"t = (t & ~({f.mask} << {sh})) | ({raw} << {sh})",
        ]

    def _sequential(self, tr: Transition) -> list[str]:
        """Writes that overlap: evaluate all in the pre-state, apply in order."""
        lay = self.layout
        pcf = lay.fields[self.model.processes[tr.process].pc_var]
        lines: list[str] = []
        values: list[tuple[str, str | None]] = []
        for w in tr.writes:
            vname = self._fresh()
            lines.append(f"{vname} = {self.expr(w.value)}")
            idx: str | None = None
            if isinstance(w, AssignElem):
                idx = self._fresh()
                lines.append(f"{idx} = {self.expr(w.index)}")
            values.append((vname, idx))
        lines.append("t = s")
        for w, (vname, idx) in zip(tr.writes, values, strict=True):
            match w:
                case Assign(var=v, value=value):
                    lines.extend(self._store(v, vname, value))
                case AssignElem():
                    assert idx is not None
                    lines.extend(self._store_elem(w, idx, vname))
                case _:
                    assert_never(w)
        if pcf.width:
            keep = ((1 << lay.bits) - 1) & ~(pcf.mask << pcf.offset)
            lines.append(f"t = (t & {keep}) | {(tr.pc_to - pcf.lo) << pcf.offset}")
        return lines

    def _store(self, v: int, val: str, value: Expr | None = None) -> list[str]:
        f = self.layout.fields[v]
        if f.width == 0:
            return []
        if self.layout.narrowed(v, self.model) and not (value is not None and self._fits(value, v)):
            keep = ((1 << self.layout.bits) - 1) & ~(f.mask << f.offset)
            return [
                f"if {val} > {f.lo + f.mask}:",
                f"    raise _Overflow({v})",
                f"t = (t & {keep}) | (({val} - {_lit(f.lo)}) << {f.offset})",
            ]
        keep = ((1 << self.layout.bits) - 1) & ~(f.mask << f.offset)
        return [f"t = (t & {keep}) | (({val} - {_lit(f.lo)}) << {f.offset})"]

    def transition_lines(
        self,
        tr: Transition,
        on_enabled: list[str],
        on_fail: Callable[[int], list[str]],
        on_succ: list[str],
    ) -> list[str]:
        body: list[str] = list(on_enabled)
        succ = self.next_state(tr) + on_succ
        branches: list[tuple[str, list[str]]] = []
        for k, chk in enumerate(tr.checks):
            cond = self._simplified(chk.cond)
            if isinstance(cond, Const) and cond.value:
                continue  # holds in every state (NOTE(single-var))
            if isinstance(cond, Const):
                branches.append(("True", on_fail(k) or ["pass"]))
                break
            branches.append((f"not {self.expr(cond)}", on_fail(k) or ["pass"]))
        if branches and branches[-1][0] == "True":
            # this check always fails: the step never has a successor
            if len(branches) == 1:
                body.extend(branches[0][1])
            else:
                for n, (test, lines) in enumerate(branches[:-1]):
                    body.append(f"{'if' if n == 0 else 'elif'} {test}:")
                    body.extend(_indent(lines))
                body.append("else:")
                body.extend(_indent(branches[-1][1]))
        elif branches:
            for n, (test, lines) in enumerate(branches):
                body.append(f"{'if' if n == 0 else 'elif'} {test}:")
                body.extend(_indent(lines))
            body.append("else:")
            body.extend(_indent(succ))
        else:
            body.extend(succ)
        guard = self._simplified(tr.guard)
        if isinstance(guard, Const):
            return body if guard.value else []
        return [f"if {self.expr(guard)}:", *_indent(body)]

    def dispatch(self, per_transition: Callable[[Transition], list[str]]) -> list[str]:
        """The per-process pc dispatch over every transition, in order."""
        lines: list[str] = []
        by_proc: dict[int, dict[int, list[Transition]]] = {}
        for tr in self.model.transitions:
            by_proc.setdefault(tr.process, {}).setdefault(tr.pc_from, []).append(tr)
        for proc in sorted(by_proc):
            groups = by_proc[proc]
            pcv = self.model.processes[proc].pc_var
            word = self._local_word(pcv)
            if word is not None:
                lines.append(f"w = {word}")
            lines.append(f"p = {self.read(pcv, 's')}")
            blocks: dict[int, list[str]] = {}
            for pcval, trs in sorted(groups.items()):
                block: list[str] = []
                self._cache = {pcv: "p"}
                for v in _shared_reads(trs):
                    if v != pcv and self.layout.fields[v].width:
                        name = f"_c{v}"
                        block.append(f"{name} = {self.read(v, 's')}")
                        self._cache[v] = name
                for sel in _shared_selects(trs):
                    code = self._select_table(sel.vars, sel.index, "s")
                    if code is not None:
                        name = self._fresh()
                        block.append(f"{name} = {code}")
                        self._sel_cache[sel] = name
                for tr in trs:
                    block.extend(per_transition(tr))
                self._cache = {}
                self._sel_cache = {}
                blocks[pcval] = block or ["pass"]
            dom = self.model.variables[pcv].domain
            lines.extend(_pc_tree(blocks, dom.lo, dom.hi))
            self._window = {}
        return lines

    def _local_word(self, pcv: int) -> str | None:
        """Code of the word holding `pcv` and its process's locals, if worth it.

        NOTE(local-word): a process's pc and locals are neighbouring fields
        (layout.py).  Extracted from `s` once as a small int `w` (under
        2**30: one CPython digit), they are then read from `w` with no new
        big int per read, by a table lookup when `w` has at most
        `_WORD_TABLE_BITS` bits (a subscript costs less than a shift and a
        mask).  Sets `self._window` for the process's branches.
        """
        lay = self.layout
        owner = self.model.variables[pcv].owner
        base = lay.fields[pcv].offset
        window: dict[int, int] = {}
        end = base
        for var in self.model.variables:
            f = lay.fields[var.index]
            if var.owner == owner and f.width and base <= f.offset and f.offset + f.width - base <= 30:
                window[var.index] = f.offset - base
                end = max(end, f.offset + f.width)
        if len(window) < 2:
            return None
        self._window = window
        self._window_bits = end - base
        mask = (1 << (end - base)) - 1
        return f"((s >> {base}) & {mask})" if base else f"(s & {mask})"

    def at_end(self, sv: str) -> str:
        parts: list[str] = []
        for p in self.model.processes:
            parts.append(f"{self.read(p.pc_var, sv)} in {self._set(frozenset(p.end_locations))}")
        return "(" + " and ".join(parts) + ")" if parts else "True"

    # -- whole functions -----------------------------------------------------
    def build(self, slots: Slots, expand: bool = True) -> Compiled:
        """The engine's functions; `expand=False` leaves out the BFS chunk (NOTE(shared-exploration))."""
        src = [*(self._expand_source(slots) if expand else ()), *self._rest_source(slots)]
        text = "\n".join(src) + "\n"
        exec(compiled(text, "<modelcheck-explicit>"), self.ns)  # NOTE(codegen-safety)
        if not expand:  # the shared exploration steps with `_succ` alone: half the code to generate
            self.ns["_expand"] = _built_without_expand
        if self.signature is not None:
            self.ns["_sigcanon"] = _signature_canon(
                self.ns["_PERMS"], tuple(p.images[0] for p in self.all_perms)
            )

        def pred(e: Expr) -> StateFn:
            ptext = f"def _p(s):\n    return {self.expr(e)}\n"
            local: dict[str, Any] = {}
            exec(compiled(ptext, "<modelcheck-pred>"), self.ns, local)
            fn: StateFn = local["_p"]
            return fn

        return Compiled(
            expand=self.ns["_expand"],
            succ=self.ns["_succ"],
            canon=self.ns["_canon"],
            state_hits=self.ns["_state_hits"],
            pred=pred,
            source=text,
        )

    def _expand_source(self, slots: Slots) -> list[str]:
        """`_expand`: one BFS chunk, with the property tests of NOTE(incremental-props)."""
        src = ["def _expand(order, seen, parent, lo, hi, op, ev):"]
        body = [
            "oadd = order.append",
            "padd = parent.append",
            "sadd = seen.add",
            *(["canon = _canon"] if self.perms else []),
            "nd = 0",
            "n0 = len(order)",
            "for i in range(lo, hi):",
        ]
        # NOTE(count-transitions): a successor is either new (stored: the
        # growth of `order` counts it) or a duplicate (counted in `nd`), so
        # the chunk's transitions are their sum.  Deadlock: `en` is set by
        # every enabled step, a successor's or a failing check's.
        loop = ["s = order[i]"]
        dl = slots.deadlock is not None
        if dl:
            loop += ["en = 0"]
        # NOTE(incremental-props): a step that writes none of the variables a
        # state property reads (on any orbit member) leaves its value as in
        # the pre-state, which was tested when it was stored; so only steps
        # that may change it test it again.  First hits stay shortest.
        state_props: list[tuple[frozenset[int], list[str]]] = []
        for k, ex in slots.invariants:
            code = f"if op[{k}] and not {self.orbit(ex, 't', False)}:"
            state_props.append((self._orbit_reads(ex), [code, f"    ev(({k}, len(order) - 1, -1, -1))"]))
        for k, ex in slots.reachables:
            code = f"if op[{k}] and {self.orbit(ex, 't', True)}:"
            state_props.append((self._orbit_reads(ex), [code, f"    ev(({k}, len(order) - 1, -1, -1))"]))

        def add_lines(tr: Transition) -> list[str]:
            written = _written(self.model, tr)
            add = ["en = 1"] if dl else []
            if self.perms:
                add.append("t = canon(t)")
            add += ["if t in seen:", "    nd += 1", "else:", "    sadd(t)", "    oadd(t)", "    padd(i)"]
            if self.perms:
                for reads, lines in state_props:
                    if reads & written:
                        add += ["    " + h for h in lines]
                return add
            known = _known_after(self.model, tr)
            for k, ex in slots.invariants:
                add += ["    " + h for h in self._incremental(k, ex, BinOp.AND, written, known)]
            for k, ex in slots.reachables:
                add += ["    " + h for h in self._incremental(k, ex, BinOp.OR, written, known)]
            return add

        def fail_expand(tr: Transition) -> Callable[[int], list[str]]:
            def f(k: int) -> list[str]:
                # NOTE(deadlock-enabled): a step failing a check is enabled
                mark = ["en = 1"] if dl else []
                slot = slots.checks.get(tr.checks[k].prop)
                if slot is None:
                    return mark
                return [*mark, f"if op[{slot}]:", f"    ev(({slot}, i, {tr.index}, {k}))"]

            return f

        loop += self.dispatch(lambda tr: self.transition_lines(tr, [], fail_expand(tr), add_lines(tr)))
        if dl:
            dead = f"not en and op[{slots.deadlock}]"
            loop.append(f"if {dead} and not {self.at_end('s')}:")
            loop.append(f"    ev(({slots.deadlock}, i, -1, -1))")
        body += _indent(loop)
        body.append("return nd + len(order) - n0")
        src += _indent(body)
        return src

    def _rest_source(self, slots: Slots) -> list[str]:
        """`_succ`, `_canon` and `_state_hits`."""
        src: list[str] = []
        # succ: every successor of one (unreduced) state
        src.append("def _succ(s):")
        sb = ["out = []", "fails = []", "en = 0"]
        sb += self.dispatch(
            lambda tr: self.transition_lines(
                tr,
                [f"en |= {1 << tr.process}"],
                lambda k, tr=tr: [f"fails.append(({tr.index}, {k}))"],  # type: ignore[misc]
                [f"out.append(({tr.index}, t))"],
            )
        )
        sb.append("return out, fails, en")
        src += _indent(sb)
        # canon: the least member of the orbit (or of a set of members that
        # moves along the orbit: NOTE(signature-canon) in symmetry.py)
        src.append("def _canon(s):")
        if self.signature is not None:
            sigs = ", ".join(
                "(" + "".join(f"{self.read(v, 's')}, " for v in vs) + ")" for vs in self.signature
            )
            src += _indent([f"return _sigcanon(s, ({sigs},))"])
            names = []
            for k, p in enumerate(self.all_perms):
                names.append(f"_perm{k}")
                src.append(f"def _perm{k}(s):")
                src += _indent([f"return {'s' if p.is_identity else self._perm_code(p)}"])
            src.append(f"_PERMS = ({', '.join(names)},)")
        else:
            cb = ["m = s"]
            for p in self.perms:
                cb.append(f"c = {self._perm_code(p)}")
                cb.append("if c < m:")
                cb.append("    m = c")
            cb.append("return m")
            src += _indent(cb)
        # state_hits: slots hit by one (canonical) state
        src.append("def _state_hits(t):")
        hb = ["out = []"]
        for k, ex in slots.invariants:
            hb += [f"if not {self.orbit(ex, 't', False)}:", f"    out.append({k})"]
        for k, ex in slots.reachables:
            hb += [f"if {self.orbit(ex, 't', True)}:", f"    out.append({k})"]
        hb.append("return out")
        src += _indent(hb)
        return src

    def _incremental(
        self, slot: int, e: Expr, op: BinOp, written: frozenset[int], known: dict[int, int]
    ) -> list[str]:
        """Test of a state property on `t` after one step (NOTE(incremental-props)).

        An invariant is a conjunction (`op` AND; it must hold), a target a
        disjunction (`op` OR; a hit when it holds).  Parts that read nothing
        the step writes keep their pre-state value, which did not hit, so
        they are dropped; the values the step writes as constants are
        substituted and folded.
        """
        parts: list[Expr] = []
        for part in _parts(op, e):
            if not vars_read(part) & written:
                continue
            folded = _fold(part, known)
            if isinstance(folded, Const):
                hit = bool(folded.value) if op is BinOp.OR else not folded.value
                if hit:
                    return [f"if op[{slot}]:", f"    ev(({slot}, len(order) - 1, -1, -1))"]
                continue
            parts.append(folded)
        if not parts:
            return []
        codes = sorted({self.expr(x, "t") for x in parts})
        test = " or ".join(codes) if op is BinOp.OR else "not (" + " and ".join(codes) + ")"
        return [f"if op[{slot}] and ({test}):", f"    ev(({slot}, len(order) - 1, -1, -1))"]

    def _orbit_reads(self, e: Expr) -> frozenset[int]:
        reads = set(vars_read(e))
        for p in self.perms:
            inverse = {v: u for u, v in enumerate(p.target)}
            reads |= {inverse[v] for v in vars_read(e)}
        return frozenset(reads)

    def _perm_code(self, perm: Perm) -> str:
        terms: list[str] = []
        for u, v in enumerate(perm.target):
            fu = self.layout.fields[u]
            if fu.width == 0:
                continue
            fv = self.layout.fields[v]
            vm = perm.value_map[u]
            if vm is None:
                a, b = fu.offset, fv.offset
                m = fu.mask << a
                if b >= a:
                    terms.append(f"((s & {m}) << {b - a})" if b > a else f"(s & {m})")
                else:
                    terms.append(f"((s & {m}) >> {a - b})")
            else:
                raw_map = tuple(x - fv.lo for x in vm)
                terms.append(f"({self._tuple(raw_map)}[{self.raw(u, 's')}] << {fv.offset})")
        return " | ".join(terms) if terms else "0"


_TAB_LIMIT = 4096
_FLIP_BITS = 8  # NOTE(delta-writes): XOR tables for fields up to this width
_WORD_TABLE_BITS = 12  # NOTE(local-word): tables over local words up to this width


def _known_after(model: Model, tr: Transition) -> dict[int, int]:
    """Variables whose value after `tr` is a constant: its pc, constant writes."""
    elem_vars = {v for w in tr.writes if isinstance(w, AssignElem) for v in w.vars}
    known: dict[int, int] = {}
    for w in tr.writes:
        if isinstance(w, Assign):
            if isinstance(w.value, Const) and w.var not in elem_vars:
                known[w.var] = w.value.value
            else:
                known.pop(w.var, None)
    known[model.processes[tr.process].pc_var] = tr.pc_to
    return known


def _fold(e: Expr, known: dict[int, int]) -> Expr:
    """`e` with the known variables substituted, constants folded.

    A node whose children fold to themselves is returned as it is, so that
    memo tables keyed by expressions meet the same object (equality then
    stops at identity instead of walking two equal trees).
    """
    match e:
        case Const():
            return e
        case VarRef(var=v):
            return Const(known[v]) if v in known else e
        case Select(vars=vs, index=ix):
            fi = _fold(ix, known)
            if isinstance(fi, Const) and 0 <= fi.value < len(vs):
                return _fold(VarRef(vs[fi.value]), known)
            return e if fi is ix else Select(vs, fi)
        case Unary(op=op, arg=a):
            fa = _fold(a, known)
            if isinstance(fa, Const):
                match op:
                    case UnOp.NOT:
                        return Const(int(not fa.value), True)
                    case UnOp.NEG:
                        return Const(-fa.value)
                    case _:
                        assert_never(op)
            return e if fa is a else Unary(op, fa)
        case Binary(op=op, lhs=a, rhs=b):
            fa, fb = _fold(a, known), _fold(b, known)
            if op in (BinOp.AND, BinOp.OR, BinOp.IMPLIES) and isinstance(fa, Const):
                if op is BinOp.AND:
                    return fb if fa.value else Const(0, True)
                if op is BinOp.OR:
                    return Const(1, True) if fa.value else fb
                return fb if fa.value else Const(1, True)
            if op in (BinOp.AND, BinOp.OR) and isinstance(fb, Const):
                if op is BinOp.AND:
                    return fa if fb.value else Const(0, True)
                return Const(1, True) if fb.value else fa
            if isinstance(fa, Const) and isinstance(fb, Const):
                value = _eval_binary(op, fa.value, fb.value)
                if value is not None:
                    return Const(value, op in BOOL_RESULT_OPS)
            return e if fa is a and fb is b else Binary(op, fa, fb)
        case Ite(cond=c, then=th, else_=el):
            fc = _fold(c, known)
            if isinstance(fc, Const):
                return _fold(th if fc.value else el, known)
            ft, fe = _fold(th, known), _fold(el, known)
            return e if fc is c and ft is th and fe is el else Ite(fc, ft, fe)
        case _:
            assert_never(e)


def _eval_binary(op: BinOp, a: int, b: int) -> int | None:
    """Fold `a op b`, except a division by zero: that is left to its Check."""
    if op in (BinOp.DIV, BinOp.MOD) and b == 0:
        return None
    return apply_binop(op, a, b)


def _increment(v: int, value: Expr) -> int | None:
    """c when `value` is `v + c` or `v - c` for a constant c (NOTE(delta-writes))."""
    e = _fold(value, {})
    match e:
        case Binary(op=BinOp.ADD, lhs=VarRef(var=a), rhs=Const(value=c)) if a == v:
            return c
        case Binary(op=BinOp.ADD, lhs=Const(value=c), rhs=VarRef(var=a)) if a == v:
            return c
        case Binary(op=BinOp.SUB, lhs=VarRef(var=a), rhs=Const(value=c)) if a == v:
            return -c
        case _:
            return None


def _written(model: Model, tr: Transition) -> frozenset[int]:
    out: set[int] = set()
    for w in tr.writes:
        match w:
            case Assign(var=v):
                out.add(v)
            case AssignElem(vars=vs):
                out.update(vs)
            case _:
                assert_never(w)
    if tr.pc_to != tr.pc_from:
        out.add(model.processes[tr.process].pc_var)
    return frozenset(out)


def _pc_tree(blocks: dict[int, list[str]], lo: int, hi: int) -> list[str]:
    """Dispatch on `p` (a pc in lo..hi) to the block of its value, if any.

    NOTE(pc-tree): a binary search over the values with transitions, not an
    if/elif chain: about log2(n) comparisons for any pc instead of up to n
    (peterson's busiest location was last of five).  A range holding one
    value only needs no test at all.  The blocks are disjoint (one pc
    value each), so the order of successors is unchanged.
    """
    keys = sorted(k for k in blocks if lo <= k <= hi)
    if not keys:
        return []
    if len(keys) == 1:
        (k,) = keys
        if lo == hi:
            return blocks[k]
        return [f"if p == {k}:", *_indent(blocks[k])]
    mid = keys[len(keys) // 2]
    left = _pc_tree(blocks, lo, mid - 1)
    right = _pc_tree(blocks, mid, hi)
    return [f"if p < {mid}:", *_indent(left), "else:", *_indent(right)]


def _shared_reads(trs: Sequence[Transition]) -> list[int]:
    """Variables read at least twice (statically) by these transitions."""
    exprs: list[Expr] = []
    for tr in trs:
        exprs.append(tr.guard)
        exprs.extend(c.cond for c in tr.checks)
        for w in tr.writes:
            exprs.append(w.value)
            if isinstance(w, AssignElem):
                exprs.append(w.index)
    count: dict[int, int] = {}
    for e in exprs:
        for sub in subexprs(e):
            v: int | None = None
            if isinstance(sub, VarRef):
                v = sub.var
            elif (
                isinstance(sub, Select)
                and isinstance(sub.index, Const)
                and 0 <= sub.index.value < len(sub.vars)
            ):
                v = sub.vars[sub.index.value]
            if v is not None:
                count[v] = count.get(v, 0) + 1
    return sorted(v for v, n in count.items() if n >= 2)


def _shared_selects(trs: Sequence[Transition]) -> list[Select]:
    """Element reads with a dynamic index, (statically) at least twice in these transitions.

    Keys are folded as `CodeGen._simplified` folds a Select, so that the
    generator meets the same node.  Hoisting one is safe where its index
    cannot fail (`CodeGen._select_table`: a table lookup, never an error).
    """
    count: dict[Select, int] = {}
    for tr in trs:
        exprs = [tr.guard, *(c.cond for c in tr.checks)]
        for w in tr.writes:
            exprs.append(w.value)
            if isinstance(w, AssignElem):
                exprs.append(w.index)
        for e in exprs:
            for sub in subexprs(e):
                if isinstance(sub, Select) and not isinstance(sub.index, Const):
                    key = _fold(sub, {})
                    if isinstance(key, Select) and not isinstance(key.index, Const):
                        count[key] = count.get(key, 0) + 1
    return [sel for sel, n in count.items() if n >= 2]


def _parts(op: BinOp, e: Expr) -> list[Expr]:
    """`e` as a conjunction (op AND) or disjunction (op OR), negations pushed in."""
    dual = BinOp.OR if op is BinOp.AND else BinOp.AND
    out: list[Expr] = []
    for part in _flatten(op, e):
        if isinstance(part, Unary) and part.op is UnOp.NOT:
            inner = part.arg
            if isinstance(inner, Binary) and inner.op is dual:
                for x in (inner.lhs, inner.rhs):
                    out.extend(_parts(op, Unary(UnOp.NOT, x)))
                continue
            if isinstance(inner, Unary) and inner.op is UnOp.NOT:
                out.extend(_parts(op, inner.arg))
                continue
        out.append(part)
    return out


def _flatten(op: BinOp, e: Expr) -> list[Expr]:
    if isinstance(e, Binary) and e.op is op:
        return _flatten(op, e.lhs) + _flatten(op, e.rhs)
    return [e]


def _lit(n: int) -> str:
    return str(int(n)) if n >= 0 else f"({int(n)})"


def _indent(lines: list[str]) -> list[str]:
    return ["    " + ln for ln in lines]
