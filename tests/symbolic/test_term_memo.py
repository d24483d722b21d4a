"""NOTE(term-memo) in checker/symbolic/encode.py: memoised terms are the terms of their own state.

The memo is keyed by the state's identity; these tests drop states between
queries (so that CPython hands their memory, and their ids, to the next
ones) and shrink the table's limit so that it is dropped in the middle of
building one term.  Every term must equal the one a memo-less encoder
builds for the same expression and state.
"""

from __future__ import annotations

import pytest
import z3

from checker.symbolic import encode
from checker.symbolic.encode import Arith, Encoder, State
from model.ir import Binary, BinOp, Const, DomainKind, Expr, Ite, Model, Select, Unary, UnOp, VarRef
from tests.symbolic.irbuild import Builder


def _model() -> Model:
    b = Builder()
    b.var("x", 0, 3)
    b.var("y", -2, 2)
    b.var("a[0]", 0, 3)
    b.var("a[1]", 0, 3)
    b.var("f", 0, 1, dkind=DomainKind.BOOL)
    b.proc("P", ["l"], end=("l",))
    return b.build()


def _shared() -> Expr:
    """A DAG: every level uses the one below twice, as klive's monitor shares conditions."""
    e: Expr = Binary(BinOp.ADD, VarRef(0), Select((2, 3), Binary(BinOp.MOD, VarRef(1), Const(2))))
    for k in range(4):
        c = Binary(BinOp.LT, e, Const(k))
        e = Ite(Binary(BinOp.OR, c, VarRef(4)), Binary(BinOp.SUB, e, Const(1)), Unary(UnOp.NEG, e))
    return e


def _fresh(model: Model, e: Expr, tag: str, as_cond: bool) -> z3.ExprRef:
    """The term built by an encoder whose memo is empty."""
    enc = Encoder(model, Arith.BV)
    s = enc.new_state(tag)
    return enc.cond(e, s) if as_cond else enc.term(e, s)


def test_a_state_dropped_and_its_id_reused_never_gets_another_states_term() -> None:
    model = _model()
    e = Binary(BinOp.ADD, VarRef(0), VarRef(1))
    n = 50
    want = [(_fresh(model, e, f"s{k}", False), _fresh(model, e, f"s{k}", True)) for k in range(n)]
    enc = Encoder(model, Arith.BV)
    constants = [list(enc.new_state(f"s{k}")) for k in range(n)]
    got: list[tuple[z3.ExprRef, z3.ExprRef]] = []
    ids: set[int] = set()
    for k in range(n):
        # a tuple of the same size as the one just freed: CPython reuses its memory at once
        s: State = tuple(constants[k])
        ids.add(id(s))
        got.append((enc.term(e, s), enc.cond(e, s)))
        del s
    for k, ((term, cond), (want_term, want_cond)) in enumerate(zip(got, want, strict=True)):
        assert term.eq(want_term), (k, term)
        assert cond.eq(want_cond), (k, cond)
    # the memo holds its states, so no id came back
    assert len(ids) == n


@pytest.mark.parametrize("limit", [1, 2, 5, 17])
def test_dropping_the_table_while_a_term_is_built_gives_the_same_term(
    monkeypatch: pytest.MonkeyPatch, limit: int
) -> None:
    model = _model()
    e = _shared()
    want_term = _fresh(model, e, "m", False)
    want_cond = _fresh(model, e, "m", True)
    monkeypatch.setattr(encode, "_MEMO_LIMIT", limit)
    enc = Encoder(model, Arith.BV)
    for tag in ("m", "other", "m"):
        s = enc.new_state(tag)
        if tag == "m":
            assert enc.term(e, s).eq(want_term)
            assert enc.cond(e, s).eq(want_cond)
        else:
            enc.term(e, s)
        assert len(enc._memo) <= limit
