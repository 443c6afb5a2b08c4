"""Resolved rule conditions compiled to pandas boolean masks, with durable_rules' semantics.

Why a compiler and not ``DataFrame.apply``: a cohort of 100,000 patients is
judged in one pass per rule; each condition becomes a function from a frame
(one row per fact, one column per dotted path) to a boolean Series, built once.

The semantics are durable_rules 2.0.28's, as the per-patient path sees them
through ``hccprotocol.rules_engine`` (every case is checked against durable in
``tests/unit/test_cohort_masks.py``):

* a missing attribute never matches: ``None`` and NaN are dropped before
  durable sees a fact, so every test except ``$nex`` is false on a missing
  value, **including** ``$neq`` (pandas' ``!=`` on a missing value is true,
  hence the ``notna`` guard on every comparison);
* ``$ex`` is "present", ``$nex`` "absent";
* numbers compare as numbers (an int and a float alike: ``50.0 == 50``), and
  true/false compare as the numbers 1/0 with numbers and with each other
  (durable: ``True == 1``, ``False < True``), text compares with text;
* durable also compares text with numbers and true/false, by formatting one
  as text, with accidental results (verified: the fact ``'0'`` matches
  ``== 0``; whether it also matches ``!= 0`` depends on the *other* rules of
  the ruleset and their order; an empty string equals every number). A comparison across
  kinds in a rule file is a typing mistake whose durable answer no mask can
  reproduce, so this compiler refuses it (``ProtocolDefinitionError``) rather
  than silently disagree with the per-patient engine.

Only the resolved operator subset of ``rules_source`` is accepted: ``$and $or
$lt $lte $gt $gte $neq $ex $nex`` and equality; ``$option``/``$case`` must have
been resolved against the protocol's options first (``resolve_condition``).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import reduce
from typing import Any, Literal

import pandas as pd
from pandas.api import types as ptypes

from hccprotocol.errors import ProtocolDefinitionError
from hccprotocol.rules_source import Condition

__all__ = ["Kind", "Mask", "column_kind", "compile_condition", "condition_mask"]

Mask = Callable[[pd.DataFrame], "pd.Series[bool]"]
Kind = Literal["empty", "bool", "number", "text", "mixed"]

_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "$eq": operator.eq,
    "$neq": operator.ne,
    "$lt": operator.lt,
    "$lte": operator.le,
    "$gt": operator.gt,
    "$gte": operator.ge,
}
_INFERRED: dict[str, Kind] = {
    "empty": "empty",
    "boolean": "bool",
    "integer": "number",
    "floating": "number",
    "mixed-integer-float": "number",
    "decimal": "number",
    "string": "text",
}


def compile_condition(cond: Condition) -> Mask:
    """A function frame -> boolean mask (index of the frame) that is true where ``cond`` matches."""
    if not isinstance(cond, dict) or len(cond) != 1:
        raise ProtocolDefinitionError(f"a condition is a mapping with exactly one key, got {cond!r}")
    ((key, arg),) = cond.items()
    if key in ("$and", "$or"):
        if not isinstance(arg, list) or not arg:
            raise ProtocolDefinitionError(f"{key} takes a non-empty list of conditions, got {arg!r}")
        parts = [compile_condition(sub) for sub in arg]
        combine = operator.and_ if key == "$and" else operator.or_

        def junction(frame: pd.DataFrame) -> pd.Series[bool]:
            result: pd.Series[bool] = reduce(combine, (part(frame) for part in parts))
            return result

        return junction
    if key in ("$ex", "$nex"):
        path, _ = _single(key, arg)
        return _exists(path, negate=key == "$nex")
    if key in ("$lt", "$lte", "$gt", "$gte", "$neq"):
        path, value = _single(key, arg)
        return _comparison(key, path, value)
    if key.startswith("$"):
        raise ProtocolDefinitionError(
            f"operator {key} cannot be compiled to a mask (allowed: $and $or $lt $lte $gt $gte $neq $ex $nex and "
            "equality; $option/$case must be resolved against the protocol's options first)"
        )
    return _comparison("$eq", key, arg)


def condition_mask(cond: Condition, frame: pd.DataFrame) -> pd.Series[bool]:
    """Convenience: compile ``cond`` and apply it to ``frame``."""
    return compile_condition(cond)(frame)


def column_kind(column: pd.Series[Any]) -> Kind:
    """What a column holds, ignoring missing values: the comparison semantics depend on it."""
    dtype = column.dtype
    if ptypes.is_bool_dtype(dtype):
        return "bool"
    if ptypes.is_numeric_dtype(dtype):
        return "number"
    if ptypes.is_string_dtype(dtype) and not ptypes.is_object_dtype(dtype):
        return "text"
    return _INFERRED.get(ptypes.infer_dtype(column, skipna=True), "mixed")


def _single(key: str, arg: Any) -> tuple[str, Any]:
    if not isinstance(arg, dict) or len(arg) != 1:
        raise ProtocolDefinitionError(f"{key} takes one {{path: value}}, got {arg!r}")
    ((path, value),) = arg.items()
    if not isinstance(path, str) or not path:
        raise ProtocolDefinitionError(f"{key}: {path!r} is not a field path")
    return path, value


def _column(frame: pd.DataFrame, path: str) -> pd.Series[Any] | None:
    """The column for a dotted path; ``None`` when the frame has no such column (missing for every row)."""
    if path not in frame.columns:
        return None
    column: pd.Series[Any] = frame[path]
    return column


def _none(frame: pd.DataFrame) -> pd.Series[bool]:
    return pd.Series(False, index=frame.index, dtype=bool)


def _exists(path: str, *, negate: bool) -> Mask:
    def mask(frame: pd.DataFrame) -> pd.Series[bool]:
        column = _column(frame, path)
        present = _none(frame) if column is None else column.notna().astype(bool)
        return ~present if negate else present

    return mask


def _value_kind(value: Any) -> Kind:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    raise ProtocolDefinitionError(
        f"unsupported value {value!r} in a condition (numbers, text or true/false; $option must be resolved first)"
    )


def _comparison(op: str, path: str, value: Any) -> Mask:
    value_kind = _value_kind(value)
    if value_kind == "number" and value != value:  # NaN
        raise ProtocolDefinitionError(f"{op} on {path}: NaN is not a value a rule can compare with")
    compare = _COMPARE[op]
    shown = f"{path} {op} {value!r}"

    def mask(frame: pd.DataFrame) -> pd.Series[bool]:
        column = _column(frame, path)
        if column is None:
            return _none(frame)
        present = column.notna().astype(bool)
        kind = column_kind(column)
        if kind == "empty":
            return _none(frame)
        left: pd.Series[Any] = column
        right: Any = value
        if {kind, value_kind} <= {"bool", "number"}:
            # durable compares true/false with numbers (and each other) as 1/0: verified, e.g. True == 1, True > 0.5
            left = column.astype("Float64")
            right = float(value)
        elif kind != value_kind or kind == "mixed":
            raise ProtocolDefinitionError(
                f"condition {shown}: the column holds {kind} values and the rule compares them with {value_kind}; "
                "durable_rules compares across kinds by formatting values as text, with results that depend on the "
                "other rules of the ruleset (the fact '0' matches == 0, and sometimes != 0), which the cohort engine "
                "does not reproduce. Write the value with the field's type."
            )
        raw = compare(left, right)
        matched: pd.Series[bool] = present & pd.Series(raw, index=frame.index).fillna(False).astype(bool)
        return matched

    return mask
