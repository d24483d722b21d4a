"""Diagnostics: the front end's errors as plain data, and their one text format.

Stage: every front-end stage (read, parse, resolve/typecheck, lower) reports
problems as `Diagnostic` values; `SpecError` carries all of them out of the
public API (`model/frontend.py`).  Nothing here prints: `render` returns the
text that the CLI writes to stderr (exit code 2).

Format (one regex parses it; golden tests pin it):

    path:line:col: error: message
        12 |   x = foo + 1;
           |       ^~~
    path:line:col: note: related place

A diagnostic with no position (a missing file, a bad `-D`) is `path: error: message`.
"""

from __future__ import annotations

import difflib
import enum
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from model.source import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Diagnostic:
    message: str
    span: Span
    notes: tuple[tuple[str, Span], ...] = ()
    severity: Severity = Severity.ERROR


class SpecError(Exception):
    """A bad spec or bad arguments: one or more diagnostics.  Plain data."""

    def __init__(self, diagnostics: Iterable[Diagnostic], sources: Mapping[str, str] | None = None) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self.sources: Mapping[str, str] = dict(sources or {})  # texts for excerpts, when known
        first = self.diagnostics[0].message if self.diagnostics else "bad spec"
        super().__init__(first)


@dataclass(slots=True)
class DiagnosticSink:
    """Collects diagnostics in the order found (a value, never a global)."""

    items: list[Diagnostic] = field(default_factory=list)

    def error(self, message: str, span: Span, notes: tuple[tuple[str, Span], ...] = ()) -> None:
        self.items.append(Diagnostic(message, span, notes))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise SpecError(sorted_diagnostics(self.items))


def sorted_diagnostics(ds: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Source order (stable for equal positions); duplicates dropped."""
    seen: set[tuple[str, str, int, int]] = set()
    out: list[Diagnostic] = []
    for d in ds:
        key = (d.message, d.span.path, d.span.line, d.span.col)
        if key in seen:
            continue
        seen.add(key)
        out.append(d)
    return tuple(sorted(out, key=lambda d: (d.span.path, d.span.line, d.span.col)))


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest candidate, or ''."""
    close = difflib.get_close_matches(name, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")  # as checker/report/grid.py's NOTE(untrusted-text)


def _escape(m: re.Match[str]) -> str:
    return f"\\x{ord(m.group()):02x}"


def _shown_col(text: str, col: int) -> int:
    """Where 1-based column `col` of `text` is once its control characters are escaped."""
    before = text[: col - 1]
    return col + 3 * len(_CONTROL.findall(before))


EXCERPT_WIDTH = 120  # longer source lines are shown as a window of this many columns around the caret


def _line_of(source: str | None, line: int) -> str | None:
    if source is None or line <= 0:
        return None
    lines = source.split("\n")
    if line > len(lines):
        return None
    return lines[line - 1].rstrip("\r")


def _excerpt(span: Span, sources: Mapping[str, str]) -> list[str]:
    text = _line_of(sources.get(span.path), span.line)
    if text is None:
        return []
    text = text.expandtabs(1)  # one column per tab: carets stay aligned with lark's columns
    gutter = f"{span.line:>5} | "
    col = max(span.col, 1)
    end = span.end_col if span.end_line == span.line and span.end_col > col else len(text) + 1
    # Control characters are shown escaped (never sent to a terminal); the caret moves with them.
    col, end = _shown_col(text, col), _shown_col(text, end)
    text = _CONTROL.sub(_escape, text)
    width = max(end - col, 1)
    if len(text) > EXCERPT_WIDTH:  # a generated one-line spec: show a window around the caret
        start = max(0, min(col - 1 - EXCERPT_WIDTH // 3, len(text) - EXCERPT_WIDTH))
        head = "..." if start > 0 else ""
        tail = "..." if start + EXCERPT_WIDTH < len(text) else ""
        text = head + text[start : start + EXCERPT_WIDTH] + tail
        col = col - start + len(head)
        width = min(width, len(text) - len(tail) - col + 1)
    width = max(1, min(width, max(len(text) - col + 1, 1)))
    caret = " " * (col - 1) + "^" + "~" * (width - 1)
    return [gutter + text, " " * 5 + " | " + caret]


def _head(span: Span, kind: str, message: str) -> str:
    if span.line <= 0:
        return f"{span.path}: {kind}: {message}"
    return f"{span.path}:{span.line}:{span.col}: {kind}: {message}"


def render(diagnostics: Iterable[Diagnostic], sources: Mapping[str, str]) -> str:
    """The text of `diagnostics`, ending with a newline (empty for none)."""
    out: list[str] = []
    for d in diagnostics:
        out.append(_head(d.span, d.severity.value, d.message))
        out.extend(_excerpt(d.span, sources))
        for msg, span in d.notes:
            out.append(_head(span, "note", msg))
            out.extend(_excerpt(span, sources))
    return "".join(line + "\n" for line in out)
