"""Compile model conditions to pandas nullable-boolean (Kleene) masks: one pass per rule for a cohort.

Why pandas' ``boolean`` dtype: its ``&``, ``|`` and ``~`` already are Kleene's
three-valued logic with ``<NA>`` as unknown, so ``all``/``any``/``not`` compile
to them directly. Every column is built with a nullable dtype (``Int64``,
``Float64``, ``boolean``, ``string`` with ``pd.NA``), so a comparison with a
missing value is ``<NA>`` (unknown) and never ``False``. A count range is two
``Int64`` columns ``path.lo`` and ``path.hi``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol.engines import masked
from hccprotocol.engines.fold import fold_options
from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not
from hccprotocol.model.facts import CountRange, FactCatalogue, check_fact_values
from hccprotocol.model.rules import Criterion
from hccprotocol.model.semantics import criterion_parts

__all__ = ["FACT_DTYPES", "Mask", "Truth", "TruthFn", "build_frame", "compile_mask", "compile_truth", "criteria_masks"]

Mask = Callable[[pd.DataFrame], "pd.Series[Any]"]
Truth = tuple["np.ndarray[Any, Any]", "np.ndarray[Any, Any]"]
"""(certainly true, certainly false) as numpy bools; unknown where neither. Never both."""
TruthFn = Callable[[pd.DataFrame], Truth]
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
FACT_DTYPES: dict[str, Any] = {
    "boolean": "boolean",
    "integer": "Int64",
    "number": "Float64",
    "enum": pd.StringDtype("python", na_value=pd.NA),
    "text": pd.StringDtype("python", na_value=pd.NA),
    "date": "object",
}


def build_frame(rows: Iterable[Mapping[str, Any]], catalogue: FactCatalogue) -> pd.DataFrame:
    """One row per fact (flat path -> value), one nullable column per declared path."""
    checked = [check_fact_values(row, catalogue) for row in rows]
    columns: dict[str, pd.Series[Any]] = {}
    for fact in catalogue:
        values = [row.get(fact.path) for row in checked]
        if fact.kind == "count_range":
            for end in ("lo", "hi"):
                bound = [None if v is None else getattr(CountRange(*v), end) for v in values]
                columns[f"{fact.path}.{end}"] = pd.Series(bound, dtype="Int64")
        else:
            columns[fact.path] = pd.Series(values, dtype=FACT_DTYPES[fact.kind])
    return pd.DataFrame(columns, index=pd.RangeIndex(len(checked)))


def compile_mask(cond: Condition, options: Mapping[str, Any], catalogue: FactCatalogue) -> Mask:
    """A function frame -> ``boolean`` Series (``<NA>`` = unknown); options folded in first."""
    truth = compile_truth(cond, options, catalogue)

    def mask(frame: pd.DataFrame) -> pd.Series[Any]:
        yes, no = truth(frame)
        return pd.Series(pd.arrays.BooleanArray(yes.copy(), ~(yes | no)), index=frame.index)

    return mask


def compile_truth(cond: Condition, options: Mapping[str, Any], catalogue: FactCatalogue) -> TruthFn:
    """A function frame -> (true, false) numpy masks; the same Kleene logic as the ``boolean`` masks.

    Why a pair of plain arrays: building a nullable Series per node dominated a cohort's rule
    evaluation; ``not`` swaps the pair, ``all`` is (and, or), ``any`` is (or, and).
    """
    ranges = {f.path for f in catalogue if f.kind == "count_range"}

    def comp(node: Condition) -> TruthFn:
        if isinstance(node, Const):
            value = node.value
            return lambda frame: _const(len(frame), value)
        if isinstance(node, Not):
            inner = comp(node.item)
            return lambda frame: _swap(inner(frame))
        if isinstance(node, All | Any_):
            parts = [comp(i) for i in node.items]
            conj = isinstance(node, All)
            return lambda frame: _combine([p(frame) for p in parts], conj)
        if isinstance(node, Known):
            column = f"{node.path}.lo" if node.path in ranges else node.path
            return lambda frame: _known(frame[column])
        if isinstance(node, In):
            tests = [comp(Compare(path=node.path, op="eq", value=v)) for v in node.values]
            if node.path not in ranges and node.values and all(isinstance(v, str) for v in node.values):
                path, values = node.path, [str(v) for v in node.values]

                def member(frame: pd.DataFrame) -> Truth:
                    fast = _isin(frame[path], values)
                    return fast if fast is not None else _combine([t(frame) for t in tests], False)

                return member
            return lambda frame: _combine([t(frame) for t in tests], False)
        assert isinstance(node, Compare)
        if node.path in ranges:
            return _range_truth(node.path, node.op, node.value)
        path, op, target = node.path, node.op, node.value
        return lambda frame: _compare(frame[path], op, target)

    return comp(fold_options(cond, options))


def _const(n: int, value: Any) -> Truth:
    if value is None:
        return np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    return _split(pd.Series(value, index=pd.RangeIndex(n), dtype="boolean"))


def _swap(truth: Truth) -> Truth:
    return truth[1], truth[0]


def _combine(truths: list[Truth], conj: bool) -> Truth:
    """Kleene and (conj) / or of the truths."""
    yes, no = truths[0]
    for y, n in truths[1:]:
        yes, no = (yes & y, no | n) if conj else (yes | y, no & n)
    return yes, no


def _known(series: pd.Series[Any]) -> Truth:
    missing = series.isna().to_numpy(dtype=bool)
    return ~missing, missing


def _split(result: pd.Series[Any] | Any) -> Truth:
    """A ``boolean`` Series (or masked array) as (true, false)."""
    arr: Any = result.array if isinstance(result, pd.Series) else result
    if not masked.is_masked(arr):  # e.g. pyarrow-backed booleans from a pyarrow string column
        arr = pd.array(arr, dtype="boolean")
    values, mask = masked.parts(arr)
    data = values.astype(bool, copy=False)
    return data & ~mask, ~data & ~mask


def _by_category(series: pd.Series[Any], held: Callable[[np.ndarray[Any, Any]], np.ndarray[Any, Any]]) -> Truth:
    """A test of a categorical text column made on its few categories and read back by code (missing: unknown)."""
    categories = np.asarray([str(c) for c in series.cat.categories], dtype=object)
    codes = series.cat.codes.to_numpy()
    known = codes >= 0
    yes = np.append(held(categories).astype(bool), False)[codes]  # code -1 (missing) reads the trailing False
    return yes & known, ~yes & known


def _compare(series: pd.Series[Any], op: str, target: Any) -> Truth:
    """``series <op> target``; a missing value is unknown (as pandas' masked comparison)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        if isinstance(target, str) and op in ("eq", "ne"):
            return _by_category(series, lambda c: (c == target) if op == "eq" else (c != target))
        series = series.astype(FACT_DTYPES["text"])  # any other test: on the strings themselves
    arr: Any = series.array
    if masked.is_masked(arr) and isinstance(target, bool | int | float):
        # The masked array's own values and missing-mask, read without a copy.
        values, mask = masked.parts(arr)
        with np.errstate(invalid="ignore"):
            held: np.ndarray[Any, Any] = _OPS[op](values, target)
        return held & ~mask, ~held & ~mask
    if (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow" and isinstance(target, str)
            and op in ("eq", "ne")):
        # Arrow's own kernel over the Arrow-backed strings: no boolean extension array to convert.
        text = pa.array(series.array)
        held_arrow = pc.equal(text, target) if op == "eq" else pc.not_equal(text, target)
        known = pc.is_valid(text).to_numpy(zero_copy_only=False)
        yes = pc.fill_null(held_arrow, False).to_numpy(zero_copy_only=False)
        return yes & known, ~yes & known
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage != "python" and not isinstance(target, str):
        series = series.astype(FACT_DTYPES["text"])  # a non-string target compares as the python strings do
    return _split(_OPS[op](series, target).astype("boolean"))


def _isin(series: pd.Series[Any], values: list[str]) -> Truth | None:
    """``in`` over a string column in one pass (the or of its ``eq``); None when the column is not strings."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return _by_category(series, lambda c: np.isin(c, values))
    if not isinstance(series.dtype, pd.StringDtype):
        return None
    missing = series.isna().to_numpy(dtype=bool)
    held = series.isin(values).to_numpy(dtype=bool, na_value=False)
    return held & ~missing, ~held & ~missing


def _range_truth(path: str, op: str, n: Any) -> TruthFn:
    """True where the comparison holds for every count in lo..hi, false where for none, else unknown."""

    def truth(frame: pd.DataFrame) -> Truth:
        lo_s, hi_s = frame[f"{path}.lo"], frame[f"{path}.hi"]

        def t(series: pd.Series[Any], o: str) -> np.ndarray[Any, Any]:
            return _compare(series, o, n)[0]

        pick: dict[str, Callable[[], tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]] = {
            "gte": lambda: (t(lo_s, "gte"), t(hi_s, "lt")),
            "gt": lambda: (t(lo_s, "gt"), t(hi_s, "lte")),
            "lte": lambda: (t(hi_s, "lte"), t(lo_s, "gt")),
            "lt": lambda: (t(hi_s, "lt"), t(lo_s, "gte")),
            "eq": lambda: (t(lo_s, "eq") & t(hi_s, "eq"), t(hi_s, "lt") | t(lo_s, "gt")),
            "ne": lambda: (t(hi_s, "lt") | t(lo_s, "gt"), t(lo_s, "eq") & t(hi_s, "eq")),
        }
        met, not_met = pick[op]()
        # As before: true set first, then false overwrites it.
        return met & ~not_met, not_met

    return truth


def criteria_masks(
    criteria: Iterable[Criterion], options: Mapping[str, Any], catalogue: FactCatalogue, frame: pd.DataFrame
) -> pd.DataFrame:
    """One ``boolean`` column per criterion (``<NA>`` = unknown), combined from its parts as the reference does."""
    out: dict[str, pd.Series[Any]] = {}
    for c in criteria:
        parts = {name: compile_mask(cond, options, catalogue)(frame) for name, cond in criterion_parts(c).items()}
        when = parts["when"]
        if "not_met_when" in parts:
            value = pd.Series(pd.NA, index=frame.index, dtype="boolean")
            value[parts["not_met_when"].fillna(False).astype(bool)] = False
            value[when.fillna(False).astype(bool)] = True
        else:
            value = when.copy()
        out[c.id] = value
    return pd.DataFrame(out, index=frame.index)
