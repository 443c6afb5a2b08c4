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
from functools import reduce
from typing import Any

import pandas as pd

from hccprotocol.engines.fold import fold_options
from hccprotocol.model.conditions import All, Any_, Compare, Condition, Const, In, Known, Not
from hccprotocol.model.facts import CountRange, FactCatalogue, check_fact_values
from hccprotocol.model.rules import Criterion
from hccprotocol.model.semantics import criterion_parts

__all__ = ["Mask", "build_frame", "compile_mask", "criteria_masks"]

Mask = Callable[[pd.DataFrame], "pd.Series[Any]"]
_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq,
    "ne": operator.ne,
    "lt": operator.lt,
    "lte": operator.le,
    "gt": operator.gt,
    "gte": operator.ge,
}
_DTYPES: dict[str, Any] = {
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
            columns[fact.path] = pd.Series(values, dtype=_DTYPES[fact.kind])
    return pd.DataFrame(columns, index=pd.RangeIndex(len(checked)))


def compile_mask(cond: Condition, options: Mapping[str, Any], catalogue: FactCatalogue) -> Mask:
    """A function frame -> ``boolean`` Series (``<NA>`` = unknown); options folded in first."""
    ranges = {f.path for f in catalogue if f.kind == "count_range"}

    def comp(node: Condition) -> Mask:
        if isinstance(node, Const):
            truth: Any = pd.NA if node.value is None else node.value
            return lambda frame: pd.Series(truth, index=frame.index, dtype="boolean")
        if isinstance(node, Not):
            inner = comp(node.item)
            return lambda frame: ~inner(frame)
        if isinstance(node, All | Any_):
            parts = [comp(i) for i in node.items]
            combine = operator.and_ if isinstance(node, All) else operator.or_
            return lambda frame: reduce(combine, (p(frame) for p in parts))
        if isinstance(node, Known):
            column = f"{node.path}.lo" if node.path in ranges else node.path
            return lambda frame: frame[column].notna().astype("boolean")
        if isinstance(node, In):
            tests = [comp(Compare(path=node.path, op="eq", value=v)) for v in node.values]
            return lambda frame: reduce(operator.or_, (t(frame) for t in tests))
        assert isinstance(node, Compare)
        if node.path in ranges:
            return _range(node.path, node.op, node.value)
        path, op, target = node.path, node.op, node.value
        return lambda frame: _OPS[op](frame[path], target).astype("boolean")

    return comp(fold_options(cond, options))


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


def _range(path: str, op: str, n: Any) -> Mask:
    """True where the comparison holds for every count in lo..hi, false where for none, else unknown."""

    def mask(frame: pd.DataFrame) -> pd.Series[Any]:
        lo, hi = frame[f"{path}.lo"], frame[f"{path}.hi"]
        met, not_met = {
            "gte": (lo >= n, hi < n),
            "gt": (lo > n, hi <= n),
            "lte": (hi <= n, lo > n),
            "lt": (hi < n, lo >= n),
            "eq": ((lo == n) & (hi == n), (hi < n) | (lo > n)),
            "ne": ((hi < n) | (lo > n), (lo == n) & (hi == n)),
        }[op]
        out = pd.Series(pd.NA, index=frame.index, dtype="boolean")
        out[met.fillna(False).astype(bool)] = True
        out[not_met.fillna(False).astype(bool)] = False
        return out

    return mask
