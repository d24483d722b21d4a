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
