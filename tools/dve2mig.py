"""dve2mig: a literal translation of a BEEM DiVinE (.dve) model into the .mig state-machine form.

Stage: a tool beside the pipeline (it writes .mig text; it never builds IR).  It
covers the DVE subset the BEEM instances in ../shared/beem use: `byte`/`int`
globals and locals (scalars and one-dimensional arrays, with initialisers),
processes with `state`, `init` and `trans A -> B { guard g; effect x = e, ...; }`,
and `system async`.  Every DVE process becomes one .mig process of the same
name, every DVE transition one `trans`, in order, so the output has DVE's state
vector and DVE's step semantics; it is the mechanical counterpart of the
hand-written ports in specs/classic/ (which replicate identical processes and
carry BEEM's properties: this tool writes none, only `deadlock off;`).

DVE operators without a .mig equivalent (bitwise `|`, `&`, `^`, `~`, shifts) are
refused with the line they occur on: fischer's Timer uses `|`, and its port
rewrites the tick by hand.

Usage: python tools/dve2mig.py MODEL.dve [-o OUT.mig]
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

INT_RANGE = "-32768..32767"  # DVE's int
TOKEN = re.compile(
    r"\s*(?:(?P<num>\d+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>->|<=|>=|==|!=|&&|\|\||<<|>>|[-+*/%<>!(),;=\[\]{}|&^~.]))"
)
WORD_OPS = {"and": "&&", "or": "||", "not": "!", "imply": "->", "true": "true", "false": "false"}
BITWISE = {"|", "&", "^", "~", "<<", ">>"}


class DveError(Exception):
    """A construct outside the supported subset, with the source line."""


@dataclass(frozen=True, slots=True)
class Decl:
    name: str
    type_: str  # "byte" or "int"
    size: int | None  # None: a scalar
    init: tuple[str, ...]  # initial values, as .mig expressions (empty: DVE's default 0)


@dataclass(frozen=True, slots=True)
class Trans:
    src: str
    dst: str
    guard: str | None
    effects: tuple[tuple[str, str], ...]  # (lvalue, value), in order


@dataclass(frozen=True, slots=True)
class Proc:
    name: str
    locals_: tuple[Decl, ...]
    states: tuple[str, ...]
    init: str
    trans: tuple[Trans, ...]


def _strip_comments(text: str) -> str:
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def expr(src: str, where: str) -> str:
    """One DVE expression as a .mig expression (word operators become symbols)."""
    out: list[str] = []
    pos = 0
    src = src.strip()
    while pos < len(src):
        m = TOKEN.match(src, pos)
        if m is None or m.end() == pos:
            raise DveError(f"{where}: cannot read {src[pos:]!r}")
        pos = m.end()
        tok = m.group("num") or m.group("name") or m.group("op")
        assert tok is not None
        if tok in BITWISE:
            raise DveError(f"{where}: the bitwise operator {tok!r} has no .mig equivalent")
        out.append(WORD_OPS.get(tok, tok))
    text = " ".join(out)
    for a, b in (("( ", "("), (" )", ")"), (" [ ", "["), (" ]", "]"), ("! ", "!"), (" ,", ",")):
        text = text.replace(a, b)
    return text


def _split_top(s: str, sep: str = ",") -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in s:
        depth += ch in "([{"
        depth -= ch in ")]}"
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def _decls(text: str, where: str) -> Iterator[Decl]:
    for m in re.finditer(r"\b(byte|int)\s+([^;]*);", text):
        for d in _split_top(m.group(2)):
            dm = re.fullmatch(r"(\w+)\s*(?:\[\s*(\d+)\s*\])?\s*(?:=\s*(.*))?", d, re.S)
            if dm is None:
                raise DveError(f"{where}: cannot read the declaration {d!r}")
            name, size, init = dm.group(1), dm.group(2), dm.group(3)
            if size is None:
                yield Decl(name, m.group(1), None, (expr(init, where),) if init else ())
                continue
            n = int(size)
            vals: tuple[str, ...] = ()
            if init:
                items = _split_top(init.strip().removeprefix("{").removesuffix("}"))
                # NOTE(extra-init): DiVinE ignores values beyond the array's size
                # (anderson's `byte Slot[3] = {1, 0, 0, 0}`).
                vals = tuple(expr(v, where) for v in items[:n])
                vals += ("0",) * (n - len(vals))
            yield Decl(name, m.group(1), n, vals)


def parse(text: str) -> tuple[tuple[Decl, ...], tuple[Proc, ...]]:
    text = _strip_comments(text)
    if not re.search(r"\bsystem\s+async\s*;", text):
        raise DveError("only `system async;` models are supported")
    first = re.search(r"\bprocess\b", text)
    if first is None:
        raise DveError("no process")
    globals_ = tuple(_decls(text[: first.start()], "globals"))
    procs: list[Proc] = []
    for m in re.finditer(r"\bprocess\s+(\w+)\s*\{(.*?)\}\s*(?=\bprocess\b|\bsystem\b)", text, re.S):
        name, body = m.group(1), m.group(2)
        where = f"process {name} (line {_line_of(text, m.start())})"
        st = re.search(r"\bstate\s+([^;]*);", body)
        ini = re.search(r"\binit\s+(\w+)\s*;", body)
        tr = re.search(r"\btrans\b(.*)$", body, re.S)
        if st is None or ini is None or tr is None:
            raise DveError(f"{where}: expected `state`, `init` and `trans`")
        states = tuple(s.strip() for s in st.group(1).split(","))
        trans: list[Trans] = []
        for tm in re.finditer(r"(\w+)\s*->\s*(\w+)\s*\{(.*?)\}\s*[,;]", tr.group(1), re.S):
            src, dst, inner = tm.groups()
            g = re.search(r"\bguard\s+(.*?);", inner, re.S)
            e = re.search(r"\beffect\s+(.*?);", inner, re.S)
            effects: list[tuple[str, str]] = []
            for asg in _split_top(e.group(1)) if e else []:
                lhs, _, rhs = asg.partition("=")
                effects.append((expr(lhs, where), expr(rhs, where)))
            trans.append(Trans(src, dst, expr(g.group(1), where) if g else None, tuple(effects)))
        local_text = body[: st.start()]
        procs.append(Proc(name, tuple(_decls(local_text, where)), states, ini.group(1), tuple(trans)))
    if not procs:
        raise DveError("no process could be read")
    return globals_, tuple(procs)


def _var(d: Decl, indent: str) -> str:
    ty = "byte" if d.type_ == "byte" else INT_RANGE
    dims = f"[0..{d.size - 1}] " if d.size is not None else ""
    if d.size is not None:
        init = f" = [{', '.join(d.init)}]" if d.init else ("" if d.type_ == "byte" else " = 0")
    else:
        init = f" = {d.init[0]}" if d.init else ("" if d.type_ == "byte" else " = 0")
    return f"{indent}var {d.name}: {dims}{ty}{init};"


def emit(globals_: Sequence[Decl], procs: Sequence[Proc], source: str) -> str:
    lines = [f"// Translated literally from {source} by tools/dve2mig.py.", ""]
    lines += [_var(d, "") for d in globals_]
    for p in procs:
        lines += ["", f"process {p.name} {{"]
        lines += [_var(d, "  ") for d in p.locals_]
        lines += [f"  state {', '.join(p.states)};", f"  init {p.init};"]
        for t in p.trans:
            when = f" when {t.guard}" if t.guard else ""
            body = " ".join(f"{lhs} = {rhs};" for lhs, rhs in t.effects)
            lines.append(f"  trans {t.src} -> {t.dst}{when}" + (f" {{ {body} }}" if body else ";"))
        lines.append("}")
    lines += [
        "",
        "// DVE has no deadlock property: a state with no successor is an ordinary state.",
        "deadlock off;",
        "",
    ]
    return "\n".join(lines)


def convert(path: Path) -> str:
    globals_, procs = parse(path.read_text())
    return emit(globals_, procs, path.name)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dve", type=Path)
    ap.add_argument("-o", "--output", type=Path, help="write here instead of stdout")
    args = ap.parse_args(argv)
    try:
        text = convert(args.dve)
    except (DveError, OSError) as e:
        print(f"{args.dve}: error: {e}", file=sys.stderr)
        return 2
    if args.output is not None:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
