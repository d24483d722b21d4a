"""The public API of the language half: text -> resolved `Spec` -> IR models.

Stage: the front end's entry point (read, parse, resolve; then lower per
configuration).  Contract:

* `load_spec(path, defines)` / `load_spec_text(text, path, defines)` return a
  `Spec` or raise `SpecError` carrying every front-end error found (file,
  syntax, names, types, `-D` values); they never raise anything else on bad
  input.
* `configurations(spec)` lowers every configuration (the cartesian product
  of the params' values, first param slowest; a `-D`-fixed param has one
  value) to a `model.ir.Model`, in order.
* `spec.sources` maps each path to its text, for `diagnostics.render`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import lark

from model import ir
from model.diagnostics import Diagnostic, SpecError, sorted_diagnostics
from model.lower import lower
from model.resolve import Env, resolve
from model.source import Span
from model.syntax import SpecAst, TooComplex, parse_text, syntax_errors

__all__ = [
    "Param",
    "Spec",
    "SpecError",
    "configurations",
    "load_spec",
    "load_spec_text",
]


@dataclass(frozen=True, slots=True)
class Param:
    """A configuration axis: its values (as in the IR) and how to show them."""

    name: str
    values: tuple[int, ...]
    shown: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Spec:
    """A resolved spec, before configurations are chosen."""

    path: str
    params: tuple[Param, ...]
    source: str = field(repr=False)
    ast: SpecAst = field(repr=False, compare=False)
    env: Env = field(repr=False, compare=False)

    @property
    def sources(self) -> Mapping[str, str]:
        return {self.path: self.source}


def _file_error(path: str, message: str) -> SpecError:
    return SpecError([Diagnostic(message, Span(path, 0, 0, 0, 0))])


MAX_SOURCE_BYTES = 1024 * 1024  # 28 times the largest real spec (docs/LANGUAGE.md)
BOM = "\ufeff"


def read_source(path: str) -> str:
    """The text of `path`, read once; or SpecError (missing, a directory, unreadable, too large, not UTF-8).

    Reading once matters for a FIFO or `/dev/stdin` (`modelcheck <(gen)`),
    which cannot be read twice.  A leading UTF-8 byte order mark is dropped.
    """
    if os.path.isdir(path):
        raise _file_error(path, "is a directory, not a .mig spec")
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_SOURCE_BYTES + 1)
    except FileNotFoundError:
        raise _file_error(path, "no such file") from None
    except OSError as e:
        raise _file_error(path, f"cannot read: {e.strerror or e}") from None
    if len(data) > MAX_SOURCE_BYTES:
        raise _file_error(path, f"larger than {MAX_SOURCE_BYTES // (1024 * 1024)} MiB: not a .mig spec")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = data[: e.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", errors="replace")) + 1
        raise SpecError(
            [
                Diagnostic(
                    f"not UTF-8 text (byte 0x{data[e.start]:02x} at offset {e.start})",
                    Span(path, line, col, line, col + 1),
                )
            ],
            {path: data.decode("utf-8", errors="replace")},
        ) from None
    return text.removeprefix(BOM)


def load_spec(path: str, defines: Mapping[str, str] = {}) -> Spec:
    """Read, parse and resolve the spec at `path` (see the module docstring).

    A `SpecError` raised here carries the text read in `sources`, so the
    caller renders excerpts without reading the file again.
    """
    text = read_source(path)
    try:
        return load_spec_text(text, path, defines)
    except SpecError as e:
        e.sources = {path: text}
        raise


def _is_blank(text: str) -> bool:
    return not text.strip()


def load_spec_text(text: str, path: str = "<string>", defines: Mapping[str, str] = {}) -> Spec:
    """Parse and resolve `text` as the spec at `path`; raises SpecError."""
    if _is_blank(text):
        raise SpecError(
            [Diagnostic("the file is empty: a spec needs at least one process", Span(path, 0, 0, 0, 0))]
        )
    try:
        ast = parse_text(text, path)
    except (lark.exceptions.UnexpectedInput, lark.exceptions.UnexpectedEOF) as exc:
        raise SpecError([Diagnostic(m, s) for m, s in syntax_errors(exc, text, path)]) from None
    except TooComplex as exc:
        raise SpecError([Diagnostic(exc.message, exc.span)]) from None
    except RecursionError:  # a safety net behind NOTE(nesting)
        raise SpecError([Diagnostic("the spec is nested too deeply", Span(path, 0, 0, 0, 0))]) from None
    except lark.exceptions.VisitError as exc:  # the Transformer wraps what it raises
        if isinstance(exc.orig_exc, RecursionError):
            raise SpecError([Diagnostic("the spec is nested too deeply", Span(path, 0, 0, 0, 0))]) from None
        raise
    try:
        env, diags = resolve(ast, defines)
    except RecursionError:
        raise SpecError([Diagnostic("the spec is nested too deeply", Span(path, 0, 0, 0, 0))]) from None
    if diags:
        raise SpecError(sorted_diagnostics(diags))
    params = tuple(
        Param(
            p.name,
            tuple(p.vtype.values()) if p.fixed is None else (p.fixed,),
            tuple(p.vtype.show_value(v) for v in (p.vtype.values() if p.fixed is None else (p.fixed,))),
        )
        for p in env.params
    )
    return Spec(path, params, text, ast, env)


MAX_CONFIGURATIONS = 4096


def configurations(spec: Spec) -> tuple[ir.Model, ...]:
    """One lowered IR model per configuration, in order; raises SpecError."""
    count = 1
    for p in spec.params:
        count *= len(p.values)
    if count > MAX_CONFIGURATIONS:
        raise SpecError(
            [
                Diagnostic(
                    f"{count} configurations (the product of the params' values); at most {MAX_CONFIGURATIONS}: "
                    "fix some params with -D",
                    Span(spec.path, 0, 0, 0, 0),
                )
            ]
        )
    out: list[ir.Model] = []
    for combo in itertools.product(*[p.values for p in spec.params]):
        config = {p.name: v for p, v in zip(spec.params, combo, strict=True)}
        try:
            out.append(lower(spec.env, spec.source, config))
        except SpecError as e:
            e.sources = spec.sources  # as load_spec: the caller renders excerpts without reading again
            raise
        except RecursionError:
            raise SpecError(
                [Diagnostic("the spec is nested too deeply to lower", Span(spec.path, 0, 0, 0, 0))]
            ) from None
    return tuple(out)
