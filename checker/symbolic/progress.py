"""A one-line status on stderr while z3 works: the BMC depth, the proof method running.

Stage: symbolic engine, display only (nothing here bears on a verdict).
The explicit engine counts states (search.py's `Progress`); z3's work has
no such counter, so this line says what is being asked and how long the
configuration's z3 work has taken so far:

    z3 12s: BMC depth 17 (no_lost_write and 1 more) [mode=SYNC_NO_COPY, cb=F2FS]

It is shown only when asked (a terminal, no `--quiet`: checker/cli.py) and
only once the configuration's z3 work has lasted `DELAY` seconds (short
runs print nothing); it is cut to the terminal's width (the configuration
goes last, so it is what is cut) and wiped by `done()` before the report is
printed.  Every update is written, not throttled: an update dropped for
coming too soon would leave the previous one on the screen for the whole
of the next query, which is when a reader looks.  The configuration's
label comes from the spec, so characters that are not printable are
dropped (NOTE(untrusted-text) in checker/report/grid.py).
"""

from __future__ import annotations

import shutil
import sys
import time
from typing import TextIO

DELAY = 1.0  # seconds before the first line


def _printable(text: str) -> str:
    return "".join(ch for ch in text if ch.isprintable())


class StatusLine:
    """The status of one configuration's z3 work (a no-op unless `enabled`)."""

    def __init__(self, enabled: bool, label: str, stream: TextIO | None = None) -> None:
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stderr
        self.suffix = f" [{_printable(label)}]" if label else ""
        self.start = time.monotonic()
        self.width = 0  # characters of the line on the terminal now

    def show(self, what: str, *, now: float | None = None) -> None:
        """Say that z3 is now doing `what` (shown once the run has lasted `DELAY` seconds)."""
        if not self.enabled:
            return
        t = time.monotonic() if now is None else now
        if t - self.start < DELAY:
            return
        columns = max(20, shutil.get_terminal_size((80, 24)).columns - 1)
        line = f"z3 {t - self.start:.0f}s: {_printable(what)}{self.suffix}"[:columns]
        pad = " " * max(0, self.width - len(line))
        self.stream.write(f"\r{line}{pad}")
        self.stream.flush()
        self.width = len(line)

    def done(self) -> None:
        """Wipe the line (if one was shown)."""
        if self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0


def bmc_status(depth: int, open_props: list[str]) -> str:
    """`BMC depth 17 (no_lost_write and 1 more)`."""
    if not open_props:
        return f"BMC depth {depth}"
    more = f" and {len(open_props) - 1} more" if len(open_props) > 1 else ""
    return f"BMC depth {depth} ({open_props[0]}{more})"
