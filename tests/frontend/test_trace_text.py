"""The statement text a trace shows has no comments (model/lower.py `text_of`, `_without_comments`).

A reviewer comments inside `atomic` blocks; the trace line of the step showed
`atomic { // iov_iter_copy_from_user_atomic() stale_write ...`, the comment taking
the room of the statements.  Strings (assert messages) keep their `//`.
"""

from __future__ import annotations

from model.frontend import configurations, load_spec_text
from model.lower import _without_comments

SPEC = """var x: 0..3;
var y: 0..3;
process P {
  atomic {            // a comment after the brace
    x = 1;            /* a block
                         comment */
    y = 2;
  }
  atomic { assert named: x == 1, "a // in a string"; x = 2; } // after the statement
}
"""


def test_trace_text_has_no_comments() -> None:
    (model,) = configurations(load_spec_text(SPEC, "t.mig"))
    texts = [t.text for t in model.transitions]
    assert texts[0] == "atomic { x = 1; y = 2; }"
    assert texts[1] == 'atomic { assert named: x == 1, "a // in a string"; x = 2; }'


def test_without_comments_keeps_strings_and_escapes() -> None:
    assert _without_comments("a; // c\nb;") == "a; \nb;"
    assert _without_comments('s = "x\\" // y"; // z') == 's = "x\\" // y"; '
    assert _without_comments("a /* b */ c /* unclosed") == "a   c  "


def test_constants_a_statement_stands_for_are_shown() -> None:
    # `put(ref[p])` inside a procedure called with a constant, or in an unrolled `for`, named no page
    spec = """enum Mode { A, B }
refcount ref: [0..1] 0..3 = 2;
var seen: [0..1] bool;
proc drop(p: 0..1, m: Mode) { put(ref[p]); seen[p] = m == B; }
process P[i: 0..1] {
  drop(1, B);
  for k in 0..1 { get(ref[k]); }
  seen[i] = true;
}
"""
    (model,) = configurations(load_spec_text(spec, "t.mig"))
    texts = [t.text for t in model.transitions if model.processes[t.process].name == "P[0]"]
    assert texts == [
        "put(ref[p]) [p=1]",
        "seen[p] = m == B [p=1, m=B]",
        "get(ref[k]) [k=0]",
        "get(ref[k]) [k=1]",
        "seen[i] = true",  # the process's own index: its column already says P[0]
    ]


def test_a_symmetric_value_is_not_shown() -> None:
    spec = """symmetric type Pid = 0..1;
var a: [Pid] bool;
proc mark(p: Pid) { a[p] = true; }
process P[i: Pid] { mark(self); }
"""
    (model,) = configurations(load_spec_text(spec, "t.mig"))
    assert {t.text for t in model.transitions} == {"a[p] = true"}
