"""Source positions shared by every stage of the language half.

A `Span` names a region of a `.mig` file.  AST nodes, IR transitions and
properties all carry one, so that diagnostics, traces and SARIF output can
point back at the text a reviewer wrote.  Spans never take part in equality
of the nodes that carry them (see `model/syntax.py`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a source file: 1-based lines and columns, end exclusive."""

    path: str
    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}"

    def file_line(self, *, basename: bool = True) -> str:
        """`file:line` (the file's base name by default), as traces and invariants cite a statement;
        "" for a span with no line (a built-in)."""
        if self.line <= 0:
            return ""
        path = self.path.rsplit("/", 1)[-1] if basename else self.path
        return f"{path}:{self.line}"


NO_SPAN = Span("<builtin>", 0, 0, 0, 0)
