"""NOTE(expr-hash) in model/ir.py: composite expressions keep their hash; pickling rebuilds it."""

from __future__ import annotations

import pickle
from typing import assert_never

from hypothesis import given, settings
from hypothesis import strategies as st

from model.ir import Binary, BinOp, Const, Expr, Ite, Select, Unary, UnOp, VarRef, subexprs, vars_read

_LEAVES = st.one_of(st.builds(Const, st.integers(-3, 3)), st.builds(VarRef, st.integers(0, 4)))


def _extend(inner: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Unary, st.sampled_from(list(UnOp)), inner),
        st.builds(Binary, st.sampled_from(list(BinOp)), inner, inner),
        st.builds(Ite, inner, inner, inner),
        st.builds(Select, st.tuples(st.integers(0, 4), st.integers(0, 4)), inner),
    )


EXPRS = st.recursive(_LEAVES, _extend, max_leaves=12)


def _copy(e: Expr) -> Expr:
    """A structurally equal expression built from fresh nodes."""
    match e:
        case Const(value=v, is_bool=b):
            return Const(v, b)
        case VarRef(var=v):
            return VarRef(v)
        case Select(vars=vs, index=i):
            return Select(tuple(vs), _copy(i))
        case Unary(op=op, arg=a):
            return Unary(op, _copy(a))
        case Binary(op=op, lhs=a, rhs=b):
            return Binary(op, _copy(a), _copy(b))
        case Ite(cond=c, then=t, else_=f):
            return Ite(_copy(c), _copy(t), _copy(f))
        case _:
            assert_never(e)


@settings(max_examples=200, deadline=None)
@given(EXPRS)
def test_equal_expressions_hash_equal_and_survive_pickling(e: Expr) -> None:
    fresh = _copy(e)
    assert fresh is not e or isinstance(e, (Const, VarRef))
    assert fresh == e and hash(fresh) == hash(e)
    back = pickle.loads(pickle.dumps(e))
    assert back == e and hash(back) == hash(e)
    # the walk and the read set do not depend on sharing
    assert list(subexprs(back)) == list(subexprs(e))
    assert vars_read(back) == vars_read(e)


def test_different_expressions_differ() -> None:
    a = Binary(BinOp.SUB, VarRef(0), VarRef(1))
    b = Binary(BinOp.SUB, VarRef(1), VarRef(0))
    assert a != b
    assert {a, b, _copy(a)} == {a, b}
