"""Bordered text grids: the drawing shared by the verdict table and the swimlanes.

Stage: report (layout only; knows nothing of models or results).  Cells
wrap to their column's width; a `Banner` spans every column.  Unicode box
drawing by default, plain ASCII (`+ - |`) for mailing lists.
"""

from __future__ import annotations

import enum
import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Box:
    """The characters of one drawing style."""

    h: str
    v: str
    top: tuple[str, str, str]  # left, join, right
    mid: tuple[str, str, str]  # a rule between rows
    mid_close: tuple[str, str, str]  # a rule above a banner (columns end)
    mid_open: tuple[str, str, str]  # a rule below a banner (columns start)
    bottom: tuple[str, str, str]


UNICODE = Box("─", "│", ("┌", "┬", "┐"), ("├", "┼", "┤"), ("├", "┴", "┤"), ("├", "┬", "┤"), ("└", "┴", "┘"))
ASCII = Box("-", "|", ("+", "+", "+"), ("+", "+", "+"), ("+", "-", "+"), ("+", "+", "+"), ("+", "-", "+"))


def box(ascii_only: bool) -> Box:
    return ASCII if ascii_only else UNICODE


class Align(enum.Enum):
    LEFT = "left"
    RIGHT = "right"


@dataclass(frozen=True, slots=True)
class Line:
    """One row of cells (a cell may hold several lines); `rule` draws a rule above it."""

    cells: tuple[str, ...]
    rule: bool = False


@dataclass(frozen=True, slots=True)
class Banner:
    """A row spanning every column, ruled above and below."""

    text: str


Row = Line | Banner

# NOTE(untrusted-text): names, statements and messages come from the `.mig`, which is untrusted.
# Control characters (a terminal escape sequence, a NUL) are shown as `\xNN`, never sent raw to a
# terminal, a JUnit file or a diagram; a tab becomes a space so columns stay aligned.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(text: str) -> str:
    """`text` with control characters escaped (keeps newlines; see NOTE(untrusted-text))."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text.replace("\t", " "))


MIN_WIDTH = 8


class _Wrapper(textwrap.TextWrapper):
    """A word too long for its line breaks after a `=` or `_` when it has one (`recheck_mapping=` /
    `false`, `lookup_retried_` / `on_frozen`), and only otherwise anywhere (`recheck_mapping=f` /
    `alse` was hard to read)."""

    def _split(self, text: str) -> list[str]:
        room = self.width - len(self.subsequent_indent)
        out: list[str] = []
        for chunk in super()._split(text):
            if len(chunk) > room and not chunk.isspace():
                out.extend(piece for piece in _WORD_BREAK.split(chunk) if piece)
            else:
                out.append(chunk)
        return out


_WORD_BREAK = re.compile(r"(?<=[=_])(?=[^=_])")


def wrap(text: str, width: int) -> list[str]:
    """`text` wrapped to `width`, keeping its own line breaks; at least one line."""
    wrapper = _Wrapper(width, break_long_words=True, break_on_hyphens=False, subsequent_indent="  ")
    out: list[str] = []
    for para in visible(text).split("\n"):
        out.extend(wrapper.wrap(para) or [""])
    return out


def natural_widths(headers: Sequence[str], rows: Sequence[Row]) -> list[int]:
    widths = [len(h) for h in headers]
    for row in rows:
        if isinstance(row, Line):
            for i, cell in enumerate(row.cells):
                widths[i] = max(widths[i], *(len(x) for x in visible(cell).split("\n")))
    return widths


def fit(
    widths: Sequence[int], limit: int, shrinkable: Sequence[bool], minimum: Sequence[int] | None = None
) -> list[int] | None:
    """Narrow the widest shrinkable columns until the grid is at most `limit` wide; None if impossible.

    A column never gets narrower than its `minimum` (default `MIN_WIDTH`).
    """
    out = list(widths)
    floor = list(minimum) if minimum is not None else [MIN_WIDTH] * len(out)

    def total() -> int:
        return sum(out) + 3 * len(out) + 1

    while total() > limit:
        candidates = [i for i, w in enumerate(out) if shrinkable[i] and w > floor[i]]
        if not candidates:
            return None
        widest = max(candidates, key=lambda i: (out[i], -i))
        out[widest] -= 1
    return out


def render(
    headers: Sequence[str],
    rows: Sequence[Row],
    style: Box,
    *,
    widths: Sequence[int] | None = None,
    align: Sequence[Align] | None = None,
) -> list[str]:
    """The grid as lines of text (no trailing spaces beyond the right border)."""
    ws = list(widths) if widths is not None else natural_widths(headers, rows)
    aligns = list(align) if align is not None else [Align.LEFT] * len(ws)
    inner = sum(ws) + 3 * (len(ws) - 1)

    def rule(chars: tuple[str, str, str]) -> str:
        left, join, right = chars
        return left + join.join(style.h * (w + 2) for w in ws) + right

    def cells(values: Sequence[str]) -> list[str]:
        wrapped = [wrap(v, w) for v, w in zip(values, ws, strict=True)]
        height = max(len(c) for c in wrapped)
        lines = []
        for k in range(height):
            parts = []
            for col, w, a in zip(wrapped, ws, aligns, strict=True):
                text = col[k] if k < len(col) else ""
                parts.append(text.rjust(w) if a is Align.RIGHT else text.ljust(w))
            lines.append(style.v + " " + f" {style.v} ".join(parts) + " " + style.v)
        return lines

    out = [rule(style.top), *cells(headers)]
    previous_banner = False
    for i, row in enumerate(rows):
        match row:
            case Banner(text=text):
                out.append(rule(style.mid if previous_banner else style.mid_close))
                out.extend(style.v + " " + t.ljust(inner) + " " + style.v for t in wrap(text, inner))
                previous_banner = True
            case Line(cells=values, rule=ruled):
                if previous_banner:
                    out.append(rule(style.mid_open))
                elif ruled or i == 0:
                    out.append(rule(style.mid))
                out.extend(cells(values))
                previous_banner = False
    if previous_banner:
        out.append(style.bottom[0] + style.h * (inner + 2) + style.bottom[2])
    else:
        out.append(rule(style.bottom))
    return out
