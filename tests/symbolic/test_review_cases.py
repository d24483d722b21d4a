"""Corner cases found in review: both engines must agree, and with the documented semantics.

`at(P[e], L)` with a dynamic index: in code an out-of-range index is a runtime INDEX failure, in
a property it reads the first instance (docs/LANGUAGE.md); before NOTE(at-index) in lower.py the
engines read different elements and z3 certified a wrong NOT REACHED / PROVED.
"""

from __future__ import annotations

from checker.explicit import ExplicitOptions
from checker.explicit import check as explicit_check
from checker.result import Verdict
from checker.symbolic import SymbolicOptions
from checker.symbolic import check as symbolic_check
from model.frontend import configurations, load_spec_text


def _spec(who: int, q_body: str, tail: str) -> str:
    """Two instances of P (P[who] leaves l0), a process Q, and the tail (properties)."""
    return f"""
var x: 0..3;
process P[i: 0..1] {{
  end l0, l1;
  l0: await i == {who};
  l1: skip;
}}
process Q {{
  end q;
  {q_body}
  q: skip;
}}
{tail}
deadlock off;
"""


TARGET = "reachable r: at(P[x], l0) && x == 3;"
AT_IN_PROPERTY = _spec(1, "await at(P[1], l1); x = 2; x = 3;", TARGET)
AT_FIRST_INSTANCE = _spec(0, "await at(P[0], l1); x = 3;", TARGET)
AT_IN_CODE = _spec(1, 'await at(P[1], l1); x = 3; await at(P[x], l0); assert never: false, "reached";', "")


def _both(text: str) -> dict[str, tuple[Verdict, Verdict, int | None, int | None]]:
    model = configurations(load_spec_text(text))[0]
    ex = {r.property: r for r in explicit_check(model, ExplicitOptions())}
    sy = symbolic_check(model, SymbolicOptions(max_bmc_depth=20, timeout=30.0))
    out = {}
    for r in sy:
        e = ex[r.property]
        out[r.property] = (
            e.verdict,
            r.verdict,
            e.trace.length if e.trace else None,
            r.trace.length if r.trace else None,
        )
    return out


def test_out_of_range_at_in_a_property_reads_the_first_instance_in_both_engines() -> None:
    got = _both(AT_IN_PROPERTY)
    assert got["r"][:2] == (Verdict.REACHED, Verdict.REACHED)
    assert got["r"][2] == got["r"][3]
    got = _both(AT_FIRST_INSTANCE)  # P[0] has left l0, so P[x] for x == 3 reads "not at l0"
    assert got["r"][:2] == (Verdict.NOT_REACHED, Verdict.NOT_REACHED)


def test_out_of_range_at_in_code_is_an_index_failure_in_both_engines() -> None:
    got = _both(AT_IN_CODE)
    assert got["runtime"][:2] == (Verdict.VIOLATED, Verdict.VIOLATED)
    assert got["runtime"][2] == got["runtime"][3] == 4
    # the failing step has no successor, so the assert after it is never reached
    assert got["never"][:2] == (Verdict.HOLDS, Verdict.PROVED)
