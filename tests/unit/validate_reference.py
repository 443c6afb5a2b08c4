"""The columnar validation as it was before the Arrow fast paths (hccprotocol.screen.validate at 820ebe8),
kept verbatim below this docstring as the reference the fast paths are tested against: same typed frame,
same rejected rows, same issues (row, field, value, reason), cell for cell.

Why a frozen copy and not the module's own slow branches: a fast path that is wrong in a way its own
fallback shares would pass a test against itself; this copy does not change when the module does.
Only ``Issue`` is the module's (so issues compare equal); everything else is the old code.
"""
# ruff: noqa
# mypy: ignore-errors
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol import limits
from hccprotocol.errors import InputError
from hccprotocol.screen.columns import Column
from hccprotocol.screen.validate import Issue

__all__ = ["Issue", "Typed", "typed_table"]

_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_BOOL_SPELLINGS = pa.array([*sorted(_TRUE), *sorted(_FALSE)], type=pa.large_string())


@dataclass(frozen=True)
class Typed:
    frame: pd.DataFrame
    """Typed columns named by column name: boolean, Int64, Float64, str, or datetime64 for dates."""
    invalid: np.ndarray[Any, Any]
    """Per row: True when some cell of the row was rejected."""
    issues: list[Issue]


def _arrow_trimmed(series: pd.Series[Any]) -> Any:
    """The cells of an Arrow-backed text column with surrounding whitespace trimmed (what pandas' ``str.strip``
    computes for such a column, by the same Arrow kernel), or ``None`` for any other column."""
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        return None
    return pc.utf8_trim_whitespace(pa.array(series.array))


def _blank(raw: pd.Series[Any]) -> Any:
    """Missing cells: NA, or text that is empty after stripping (a CSV's empty field)."""
    trimmed = _arrow_trimmed(raw)
    if trimmed is not None:
        return pc.fill_null(pc.equal(trimmed, ""), True).to_numpy(zero_copy_only=False)
    if pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        text = raw.astype("str")
        return (raw.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)
    return raw.isna().to_numpy(dtype=bool)


def typed_table(raw: pd.DataFrame, columns: Sequence[Column], table: str, rows: np.ndarray[Any, Any]) -> Typed:
    """Parse ``raw`` (strings from CSV, or typed columns from Parquet) into typed columns; collect issues.

    An unknown column is refused for the whole file (``InputError``): a misspelt header would otherwise turn
    a whole field into "unknown" for every patient without a word. A model column the file lacks is all
    missing (unknown), as an absent field is in a record.
    """
    known = {c.name for c in columns}
    unknown = [c for c in raw.columns if c not in known]
    if unknown:
        raise InputError(f"{table}: unknown column(s) {', '.join(map(str, unknown))}; "
                         f"expected columns as `hccprotocol schema cohort` lists them")
    if "patient_id" not in raw.columns:
        raise InputError(f"{table}: the column patient_id is required")
    n = len(raw)
    ids = raw["patient_id"].astype("str").reset_index(drop=True)  # read per issue, never as a million-item list
    out: dict[str, pd.Series[Any]] = {}
    invalid = np.zeros(n, dtype=bool)
    issues: list[Issue] = []

    def reject(mask: np.ndarray[Any, Any], col: Column, values: pd.Series[Any], reason: str | Sequence[str]) -> None:
        nonlocal invalid
        where = np.flatnonzero(mask)
        if not where.size:
            return
        invalid[where] = True
        shown = values.iloc[where].astype("str").to_numpy(dtype=object)
        who = ids.iloc[where].to_numpy(dtype=object)
        for k, i in enumerate(where):
            why = reason if isinstance(reason, str) else reason[k]
            issues.append(Issue(table, int(rows[i]), str(who[k]), col.name, str(shown[k]), why))

    index = pd.RangeIndex(n)
    for col in columns:
        if col.name not in raw.columns:
            out[col.name] = _empty(col, n)
            continue
        series = raw[col.name].reset_index(drop=True)
        blank = np.asarray(_blank(series), dtype=bool)
        if col.kind == "id":
            text = series.astype("str").str.strip()
            reject(blank, col, series, "patient_id is required")
            out[col.name] = text.where(~pd.Series(blank, index=index), None).astype("str")
            continue
        parsed, bad, reason = _parse(col, series, blank)
        reject(bad, col, series, reason)
        drop = bad | blank
        if (drop & ~parsed.isna().to_numpy(dtype=bool)).any():  # typed Parquet columns are usually NA already
            parsed = parsed.mask(pd.Series(drop, index=index))
        if col.limit is not None or col.low is not None:
            values = parsed.astype("Float64")
            lo = -np.inf if col.low is None else col.low
            hi = np.inf if col.high is None else col.high
            arr = values.to_numpy(dtype=float, na_value=np.nan)
            outside = ~np.isnan(arr) & ((arr < lo) | (arr > hi))
            if outside.any():
                if col.limit is not None:
                    reasons = [limits.check(col.limit, float(v)) or "" for v in arr[outside]]
                else:
                    reasons = [f"outside {col.low:g}-{col.high:g}" if col.high is not None else f"below {col.low:g}"
                               for _ in arr[outside]]
                reject(outside, col, series, reasons)
                parsed = parsed.mask(pd.Series(outside, index=index))
        out[col.name] = parsed
    issues.sort(key=lambda i: i.row)  # by row, then in column order
    return Typed(frame=pd.DataFrame(out, index=index), invalid=invalid, issues=issues)


def _empty(col: Column, n: int) -> pd.Series[Any]:
    """An all-missing column of the column's type (a column the file lacks), built without a list of Nones."""
    missing = np.ones(n, dtype=bool)
    if col.kind == "bool":
        return pd.Series(pd.arrays.BooleanArray(np.zeros(n, dtype=bool), missing))
    if col.kind == "int":
        return pd.Series(pd.arrays.IntegerArray(np.zeros(n, dtype=np.int64), missing))
    if col.kind == "float":
        return pd.Series(pd.arrays.FloatingArray(np.zeros(n, dtype=np.float64), missing))
    if col.kind == "date":
        return pd.Series(np.full(n, np.datetime64("NaT"), dtype="datetime64[s]"))
    return pd.Series(pd.array(pa.nulls(n, pa.large_string()), dtype="str"))


def _parse(col: Column, series: pd.Series[Any], blank: np.ndarray[Any, Any]) -> tuple[pd.Series[Any], Any, str]:
    """(typed values, rejected cells, reason) for one column."""
    kind = col.kind
    if kind == "bool":
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.astype("boolean"), np.zeros(len(series), dtype=bool), ""
        trimmed = _arrow_trimmed(series)
        if trimmed is not None:  # one hash lookup: positions 0-2 are the true spellings, 3-5 the false ones
            found = pc.index_in(trimmed, value_set=_BOOL_SPELLINGS.cast(trimmed.type))
            at = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
            yes, no = (at >= 0) & (at < len(_TRUE)), at >= len(_TRUE)
        else:
            text = series.astype("str").str.strip()
            yes, no = text.isin(_TRUE).to_numpy(dtype=bool), text.isin(_FALSE).to_numpy(dtype=bool)
        values = pd.Series(np.where(yes, True, False), dtype="boolean").mask(pd.Series(~(yes | no)))
        return values, ~(yes | no | blank), "expected true or false"
    if kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(series.dtype):
            return pd.Series([None] * len(series), dtype="Float64"), ~blank, "expected a number, got true/false"
        if kind == "int" and pd.api.types.is_integer_dtype(series.dtype):  # typed Parquet: whole numbers already
            return series.astype("Int64"), np.zeros(len(series), dtype=bool), ""
        number = _plain_numbers(series, blank) if not pd.api.types.is_numeric_dtype(series.dtype) else None
        if number is None:
            number = pd.to_numeric(series.astype("str").str.strip() if not pd.api.types.is_numeric_dtype(series.dtype)
                                   else series, errors="coerce").astype("Float64")
        arr = number.to_numpy(dtype=float, na_value=np.nan)
        bad = ~blank & np.isnan(arr)
        if kind == "int":
            frac = ~np.isnan(arr) & (arr != np.round(arr))
            values = number.mask(pd.Series(frac)).round().astype("Int64")
            return values, bad | frac, "expected a whole number" + _limit_hint(col)
        return number, bad, "expected a number" + _limit_hint(col)
    if kind == "date":
        if pd.api.types.is_datetime64_any_dtype(series.dtype):
            values = series.astype("datetime64[s]")
            return values, np.zeros(len(series), dtype=bool), ""
        text = series.astype("str").str.strip()
        values = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        return values, ~blank & values.isna().to_numpy(dtype=bool), "expected a date YYYY-MM-DD"
    text = series.astype("str").str.strip()
    if col.choices:
        ok = text.isin(col.choices).to_numpy(dtype=bool)
        return text.astype("str"), ~(ok | blank), "expected one of " + ", ".join(col.choices)
    return text.astype("str"), np.zeros(len(series), dtype=bool), ""


_PLAIN_NUMBER = r"^[ \t]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*$"
"""A decimal number as a CSV export writes it, optionally padded with spaces or tabs."""


def _plain_numbers(series: pd.Series[Any], blank: np.ndarray[Any, Any]) -> pd.Series[Any] | None:
    """Text cells as Float64 by Arrow's parser when every filled (not ``blank``) cell is a plain decimal number,
    else ``None``.

    Why only then: on plain decimals Arrow's cast and ``pd.to_numeric`` give the same (correctly rounded) double,
    and Arrow does it without a Python object per cell; any other text ("1,7", "n/a", "inf") goes the general
    way, so what is rejected, and why, does not depend on which parser ran.
    """
    text = pa.array(series.astype("str").array)
    plain = np.asarray(pc.fill_null(pc.match_substring_regex(text, _PLAIN_NUMBER), False), dtype=bool)
    if not (plain | blank).all():
        return None
    cells = pc.if_else(pa.array(blank), pa.scalar(None, text.type), pc.utf8_trim(text, " \t"))
    values = pc.cast(cells, pa.float64())
    return pd.Series(values.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get), index=series.index)


def _limit_hint(col: Column) -> str:
    return f" ({limits.LIMITS[col.limit].describe()})" if col.limit is not None else ""
