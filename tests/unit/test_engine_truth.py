"""engines.masks.compile_truth: numpy (true, false) pairs, checked against hand-written Kleene tables.

Expected values are typed here from the textbook semantics (T met, F not met, U unknown; a comparison
with a missing value is U, never F), not taken from the code's output.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hccprotocol.engines.masks import compile_mask, compile_truth
from hccprotocol.model import All, Any_, Compare, In, Known, Not
from hccprotocol.model.conditions import Const
from hccprotocol.model.facts import Fact, FactCatalogue

T, F, U = True, False, None
CAT = FactCatalogue.of(
    "patient",
    [
        Fact(path="n", kind="integer", origin="test"),
        Fact(path="x", kind="number", origin="test"),
        Fact(path="b", kind="boolean", origin="test"),
        Fact(path="c", kind="enum", values=("A", "B", "C"), origin="test"),
        Fact(path="r", kind="count_range", origin="test"),
    ],
)


def _frame(**cols: object) -> pd.DataFrame:
    return pd.DataFrame(cols)


def _truths(cond: object, frame: pd.DataFrame) -> list[bool | None]:
    yes, no = compile_truth(cond, {}, CAT)(frame)  # type: ignore[arg-type]
    assert not (yes & no).any()
    return [True if y else False if n else None for y, n in zip(yes, no, strict=True)]


INTS = _frame(n=pd.array([1, 2, 3, None], dtype="Int64"))


def test_integer_comparisons_each_side_of_the_boundary_and_missing() -> None:
    expected = {  # n = 1, 2, 3, missing against 2
        "eq": [F, T, F, U],
        "ne": [T, F, T, U],
        "lt": [T, F, F, U],
        "lte": [T, T, F, U],
        "gt": [F, F, T, U],
        "gte": [F, T, T, U],
    }
    for op, want in expected.items():
        assert _truths(Compare(path="n", op=op, value=2), INTS) == want, op


def test_float_nan_is_a_value_and_na_is_missing() -> None:
    # A NaN stored as a value compares false (ne true) as in pandas' masked arrays; <NA> is unknown.
    data = pd.arrays.FloatingArray(np.array([1.0, np.nan, 0.0]), np.array([False, False, True]))
    frame = _frame(x=data)
    assert _truths(Compare(path="x", op="lt", value=1.5), frame) == [T, F, U]
    assert _truths(Compare(path="x", op="ne", value=1.0), frame) == [F, T, U]


def test_boolean_and_enum_and_in() -> None:
    frame = _frame(
        b=pd.array([True, False, None], dtype="boolean"),
        c=pd.array(["A", "C", None], dtype=pd.StringDtype("python", na_value=pd.NA)),
    )
    assert _truths(Compare(path="b", op="eq", value=True), frame) == [T, F, U]
    assert _truths(Compare(path="c", op="ne", value="A"), frame) == [F, T, U]
    assert _truths(In(path="c", values=("A", "B")), frame) == [T, F, U]
    assert _truths(Known(path="c"), frame) == [T, T, F]


def test_enum_in_a_pyarrow_string_column_keeps_missing_unknown() -> None:
    c = pd.Series(["A", "C", None]).astype(pd.StringDtype("pyarrow", na_value=pd.NA))
    frame = _frame(c=c)
    assert _truths(Compare(path="c", op="eq", value="C"), frame) == [F, T, U]
    assert _truths(In(path="c", values=("C",)), frame) == [F, T, U]


def test_enum_in_a_categorical_column_is_judged_by_category() -> None:
    # categories include one no row holds ("B"); a missing row (code -1) stays unknown for every test
    c = pd.Series(pd.Categorical(["A", "C", None, "A"], categories=["A", "B", "C"]))
    frame = _frame(c=c)
    assert _truths(Compare(path="c", op="eq", value="A"), frame) == [T, F, U, T]
    assert _truths(Compare(path="c", op="ne", value="A"), frame) == [F, T, U, F]
    assert _truths(Compare(path="c", op="eq", value="B"), frame) == [F, F, U, F]
    assert _truths(In(path="c", values=("B", "C")), frame) == [F, T, U, F]
    assert _truths(Known(path="c"), frame) == [T, T, F, T]
    assert _truths(Not(item=In(path="c", values=("A",))), frame) == [F, T, U, F]
    # a test other than eq/ne with a string is made on the strings themselves, as for a string column
    assert _truths(Compare(path="c", op="eq", value=1), frame) == _truths(
        Compare(path="c", op="eq", value=1), _frame(c=c.astype(pd.StringDtype("python", na_value=pd.NA))))


def test_kleene_connectives_full_tables() -> None:
    # b over (T, T, T, F, F, F, U, U, U); n over (2, 1, missing) * 3 gives n >= 2 as T, F, U.
    b = pd.array([True] * 3 + [False] * 3 + [None] * 3, dtype="boolean")
    n = pd.array([2, 1, None] * 3, dtype="Int64")
    frame = _frame(b=b, n=n)
    p, q = Compare(path="b", op="eq", value=True), Compare(path="n", op="gte", value=2)
    assert _truths(All(items=(p, q)), frame) == [T, F, U, F, F, F, U, F, U]
    assert _truths(Any_(items=(p, q)), frame) == [T, T, T, T, F, U, T, U, U]
    assert _truths(Not(item=q), frame) == [F, T, U] * 3


def test_constants() -> None:
    frame = INTS
    assert _truths(Const(value=True), frame) == [T] * 4
    assert _truths(Const(value=False), frame) == [F] * 4
    assert _truths(Const(value=None), frame) == [U] * 4


def test_count_ranges() -> None:
    # lo..hi = 1..1, 1..3, 3..3, missing; against 2.
    frame = _frame(
        **{"r.lo": pd.array([1, 1, 3, None], dtype="Int64"), "r.hi": pd.array([1, 3, 3, None], dtype="Int64")}
    )
    expected = {
        "gte": [F, U, T, U],
        "gt": [F, U, T, U],
        "lte": [T, U, F, U],
        "lt": [T, U, F, U],
        "eq": [F, U, F, U],
        "ne": [T, U, T, U],
    }
    for op, want in expected.items():
        assert _truths(Compare(path="r", op=op, value=2), frame) == want, op
    assert _truths(Compare(path="r", op="eq", value=3), frame) == [F, U, T, U]
    assert _truths(Known(path="r"), frame) == [T, T, T, F]


def test_compile_mask_is_the_same_truth_as_a_boolean_series() -> None:
    mask = compile_mask(Compare(path="n", op="gte", value=2), {}, CAT)(INTS)
    assert str(mask.dtype) == "boolean"
    assert mask.tolist() == [False, True, True, pd.NA]
