"""NOTE(expr-hash) in model/ir.py: composite expressions keep their hash; pickling rebuilds it."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
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


_PICKLE_IN_ANOTHER_PROCESS = """
import pickle, sys
from model.ir import Binary, BinOp, Const, Ite, Select, Unary, UnOp, VarRef
e = Ite(Binary(BinOp.EQ, VarRef(0), Const(1)), Unary(UnOp.NEG, Select((1, 2), VarRef(3))), Const(0, True))
sys.stdout.buffer.write(pickle.dumps(e))
"""


def test_an_expression_pickled_by_another_process_hashes_as_built_here() -> None:
    """The kept hash is process-local (string hashes are seeded): unpickling must hash afresh."""
    here = Ite(
        Binary(BinOp.EQ, VarRef(0), Const(1)),
        Unary(UnOp.NEG, Select((1, 2), VarRef(3))),
        Const(0, True),
    )
    seed = "1" if os.environ.get("PYTHONHASHSEED") != "1" else "2"
    out = subprocess.run(
        [sys.executable, "-c", _PICKLE_IN_ANOTHER_PROCESS],
        env={**os.environ, "PYTHONHASHSEED": seed},
        capture_output=True,
        check=True,
        timeout=60,
    )
    there = pickle.loads(out.stdout)
    assert there == here
    assert hash(there) == hash(here)
    assert there in {here} and {here: 1}[there] == 1
    assert isinstance(there, Ite) and isinstance(there.cond, Binary)
    assert hash(there.cond) == hash(here.cond) and hash(there.then) == hash(here.then)
