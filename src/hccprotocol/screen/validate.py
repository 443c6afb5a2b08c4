"""Columnar validation of a registry partition: typed columns, and every bad cell named by row and field.

Why columnar and not one ``Patient`` per row: a registry of millions of rows
cannot afford a pydantic object per row, but it must be held to the same
limits. Each column is parsed once with vectorised pandas operations against
the model's type, allowed values and ``limits.LIMITS`` (the reason text is
``limits.check``'s own, so both paths word a problem alike). A row with any
bad cell is an *invalid record*: it is reported (row number, field, reason),
counted as such in the flow and not screened; the other rows are screened.
A cell is never clipped, coerced to a default or guessed.

Row numbers are 1-based data rows (CSV line = row + 1, after the header).
"""

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

__all__ = ["Issue", "Typed", "typed_table"]

_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_BOOL_SPELLINGS = pa.array([*sorted(_TRUE), *sorted(_FALSE)], type=pa.large_string())


@dataclass(frozen=True)
class Issue:
    """One rejected cell (or row): where, what, why."""

    table: str
    row: int
    patient_id: str
    field: str
    value: str
    reason: str


@dataclass(frozen=True)
class Typed:
    frame: pd.DataFrame
    """Typed columns named by column name: boolean, Int64, Float64, str, or datetime64 for dates."""
    invalid: np.ndarray[Any, Any]
    """Per row: True when some cell of the row was rejected."""
    issues: list[Issue]


def _arrow_text(series: pd.Series[Any]) -> pa.Array | None:
    """The cells of an Arrow-backed text column as one Arrow array (chunks combined once), or ``None`` for any
    other column."""
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        return None
    cells = pa.array(series.array)
    if isinstance(cells, pa.ChunkedArray):
        cells = cells.combine_chunks()
    return cells


def _trim_bytes() -> np.ndarray[Any, Any]:
    """Per byte value: whether a cell starting or ending with it may be changed by Arrow's trim (the ASCII
    characters the kernel itself trims, and every non-ASCII byte, which may be part of a Unicode space)."""
    ascii_chars = pa.array([chr(i) for i in range(128)], type=pa.large_string())
    edge = np.ones(256, dtype=bool)
    edge[:128] = np.asarray(pc.equal(pc.utf8_trim_whitespace(ascii_chars), ""), dtype=bool)
    return edge


_TRIM_EDGE = _trim_bytes()


def _offsets(cells: pa.Array) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """(offsets, data bytes) of a string or large_string array, without copying; ``None`` for another layout."""
    if cells.type == pa.large_string():
        width: type[np.signedinteger[Any]] = np.int64
    elif cells.type == pa.string():
        width = np.int32
    else:
        return None
    buffers = cells.buffers()
    offsets = np.frombuffer(buffers[1], dtype=width)[cells.offset:cells.offset + len(cells) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _trimmed(cells: pa.Array) -> pa.Array:
    """``cells`` with surrounding whitespace trimmed by Arrow's trim (what pandas' ``str.strip`` computes for an
    Arrow-backed column).

    Why the look at first and last bytes: a registry's cells are almost never padded, and then the trim would
    only copy every cell; a cell whose first and last bytes are ASCII characters the trim keeps is unchanged by
    it, so the trim runs only when some cell starts or ends otherwise.
    """
    layout = _offsets(cells)
    if layout is None:
        return pc.utf8_trim_whitespace(cells)
    offsets, data = layout
    filled = offsets[1:] > offsets[:-1]
    if not filled.any():
        return cells
    if _TRIM_EDGE[data[offsets[:-1][filled]]].any() or _TRIM_EDGE[data[offsets[1:][filled] - 1]].any():
        return pc.utf8_trim_whitespace(cells)
    return cells


def _arrow_trimmed(series: pd.Series[Any]) -> Any:
    """The cells of an Arrow-backed text column with surrounding whitespace trimmed (what pandas' ``str.strip``
    computes for such a column, by the same Arrow kernel), or ``None`` for any other column."""
    cells = _arrow_text(series)
    return None if cells is None else _trimmed(cells)


def _blank_of(trimmed: pa.Array) -> np.ndarray[Any, Any]:
    """Missing cells of trimmed Arrow text: null, or empty."""
    return np.asarray(pc.fill_null(pc.equal(pc.binary_length(trimmed), 0), True), dtype=bool)


def _blank(raw: pd.Series[Any], trimmed: Any = None) -> Any:
    """Missing cells: NA, or text that is empty after stripping (a CSV's empty field)."""
    if trimmed is None:
        trimmed = _arrow_trimmed(raw)
    if trimmed is not None:
        return _blank_of(trimmed)
    if pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        text = raw.astype("str")
        return (raw.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)
    return raw.isna().to_numpy(dtype=bool)


def _str_series(cells: pa.Array) -> pd.Series[Any]:
    """Arrow text as a pandas ``str`` column (the dtype ``astype("str")`` gives), without copying the cells."""
    return pd.Series(pd.array(cells, dtype="str"))


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
        text = _arrow_text(series)  # once per column: blanks and parsing read the same (trimmed) cells
        trimmed = None if text is None else _trimmed(text)
        blank = np.asarray(_blank(series, trimmed), dtype=bool)
        if col.kind == "id":
            reject(blank, col, series, "patient_id is required")
            if trimmed is not None:
                out[col.name] = _str_series(_with_nulls(trimmed, blank))
            else:
                text = series.astype("str").str.strip()
                out[col.name] = text.where(~pd.Series(blank, index=index), None).astype("str")
            continue
        parsed, bad, reason = _parse(col, series, blank, trimmed, text)
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
    # copy=False: every column is a new array of this call (or a read-only view of the input, under pandas'
    # copy-on-write), so the frame need not copy them all once more
    return Typed(frame=pd.DataFrame(out, index=index, copy=False), invalid=invalid, issues=issues)


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


def _parse(col: Column, series: pd.Series[Any], blank: np.ndarray[Any, Any], trimmed: Any = None,
           text: Any = None) -> tuple[pd.Series[Any], Any, str]:
    """(typed values, rejected cells, reason) for one column; ``text``/``trimmed``: its Arrow text as read and
    trimmed, when the caller has them already."""
    kind = col.kind
    if trimmed is None or text is None:
        text = _arrow_text(series)
        trimmed = None if text is None else _trimmed(text)
    if kind == "bool":
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.astype("boolean"), np.zeros(len(series), dtype=bool), ""
        if trimmed is not None:  # one hash lookup: positions 0-2 are the true spellings, 3-5 the false ones
            found = pc.index_in(trimmed, value_set=_BOOL_SPELLINGS.cast(trimmed.type))
            at = pc.fill_null(found, -1).to_numpy(zero_copy_only=False)
            yes, no = (at >= 0) & (at < len(_TRUE)), at >= len(_TRUE)
        else:
            stripped = series.astype("str").str.strip()
            yes, no = stripped.isin(_TRUE).to_numpy(dtype=bool), stripped.isin(_FALSE).to_numpy(dtype=bool)
        values = pd.Series(pd.arrays.BooleanArray(yes, ~(yes | no)))
        return values, ~(yes | no | blank), "expected true or false"
    if kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(series.dtype):
            return pd.Series([None] * len(series), dtype="Float64"), ~blank, "expected a number, got true/false"
        if kind == "int" and pd.api.types.is_integer_dtype(series.dtype):  # typed Parquet: whole numbers already
            return series.astype("Int64"), np.zeros(len(series), dtype=bool), ""
        number: pd.Series[Any] | None
        if series.dtype == pd.Float64Dtype():  # typed Parquet: the numbers as they are (NaN is missing)
            number = series.astype("Float64")
        else:
            numeric = pd.api.types.is_numeric_dtype(series.dtype)
            number = None if numeric else _plain_numbers(series, blank, trimmed, text)
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
        values = _dates(series, blank, trimmed)
        return values, ~blank & values.isna().to_numpy(dtype=bool), "expected a date YYYY-MM-DD"
    if trimmed is not None:
        cells = _str_series(trimmed)
        if col.choices:
            found = pc.is_in(trimmed, value_set=pa.array(col.choices, type=trimmed.type))
            ok = np.asarray(pc.fill_null(found, False), dtype=bool)
            return cells, ~(ok | blank), "expected one of " + ", ".join(col.choices)
        return cells, np.zeros(len(series), dtype=bool), ""
    stripped = series.astype("str").str.strip()
    if col.choices:
        ok = stripped.isin(col.choices).to_numpy(dtype=bool)
        return stripped.astype("str"), ~(ok | blank), "expected one of " + ", ".join(col.choices)
    return stripped.astype("str"), np.zeros(len(series), dtype=bool), ""


def _with_nulls(cells: pa.Array, missing: np.ndarray[Any, Any]) -> pa.Array:
    """``cells`` with the ``missing`` ones null (the others as they are)."""
    return pc.if_else(pa.array(missing), pa.scalar(None, cells.type), cells)


_PLAIN_NUMBER = r"^[ \t]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*$"
"""A decimal number as a CSV export writes it, optionally padded with spaces or tabs."""


_NUMBER_BYTES = np.zeros(256, dtype=bool)
_NUMBER_BYTES[np.frombuffer(b"0123456789+-.eE \t", dtype=np.uint8)] = True


def _plain_numbers(series: pd.Series[Any], blank: np.ndarray[Any, Any], trimmed: Any = None, text: Any = None,
                   ) -> pd.Series[Any] | None:
    """Text cells as Float64 by Arrow's parser when every filled (not ``blank``) cell is a plain decimal number,
    else ``None``.

    Why only then: on plain decimals Arrow's cast and ``pd.to_numeric`` give the same (correctly rounded) double,
    and Arrow does it without a Python object per cell; any other text ("1,7", "n/a", "inf") goes the general
    way, so what is rejected, and why, does not depend on which parser ran.
    """
    if trimmed is None or text is None:
        text = _arrow_text(series)
        trimmed = None if text is None else _trimmed(text)
    if trimmed is not None:
        return _decimal_cells(text, trimmed, blank)
    raw = pa.array(series.astype("str").array)
    plain = np.asarray(pc.fill_null(pc.match_substring_regex(raw, _PLAIN_NUMBER), False), dtype=bool)
    if not (plain | blank).all():
        return None
    cells = pc.if_else(pa.array(blank), pa.scalar(None, raw.type), pc.utf8_trim(raw, " \t"))
    values = pc.cast(cells, pa.float64())
    return pd.Series(values.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get), index=series.index)


def _decimal_cells(text: pa.Array, trimmed: pa.Array, blank: np.ndarray[Any, Any]) -> pd.Series[Any] | None:
    """Arrow text as Float64 when its cells hold only the characters of a decimal number (``0-9 + - . e E``,
    spaces and tabs) and Arrow's cast reads every filled one of them trimmed, else ``None``.

    Why not the ``_PLAIN_NUMBER`` pattern: the pattern costs more than the cast itself. Over those characters
    Arrow's cast reads only plain decimals (a sign, digits with at most one point, an exponent: what the
    pattern admits; "1e", "--1", "1 2", "." fail the cast), which a test checks against the pattern
    exhaustively for short cells, so the numbers read are the pattern's, read by the same cast.
    """
    layout = _offsets(text)
    if layout is None:
        return None
    offsets, data = layout
    if not _NUMBER_BYTES[data[offsets[0]:offsets[-1]]].all():
        return None
    try:
        values = pc.cast(_with_nulls(trimmed, blank), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(values.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get))


def _dates(series: pd.Series[Any], blank: np.ndarray[Any, Any], trimmed: Any) -> pd.Series[Any]:
    """Text cells as ``datetime64[s]`` dates, as ``pd.to_datetime(format="%Y-%m-%d", errors="coerce")`` reads
    them: strict YYYY-MM-DD cells of a real date (years 1-9999) by arithmetic on their bytes, every other
    filled cell the pandas way (so an odd cell, 30 February included, is read, or refused, exactly as before).

    Why: ``pd.to_datetime`` spends about 150 ns a cell; a registry's dates are nearly all strict.
    """
    n = len(series)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    done = np.zeros(n, dtype=bool)
    if trimmed is not None:
        strict = _iso_dates(trimmed, blank)
        if strict is not None:
            at, days = strict
            values[at] = days
            done[at] = True
    rest = np.flatnonzero(~done & ~blank)
    if rest.size:
        text = series.iloc[rest].astype("str").str.strip()
        parsed = pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        values[rest] = parsed.to_numpy(dtype="datetime64[s]")
    return pd.Series(values)


def _iso_dates(trimmed: pa.Array, blank: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], Any] | None:
    """(positions, dates) of the filled cells that are strict YYYY-MM-DD of a real calendar date, years 1-9999."""
    layout = _offsets(trimmed)
    if layout is None:
        return None
    offsets, data = layout
    length = np.diff(offsets)
    ten = np.flatnonzero(length == 10)
    if not ten.size:
        return None
    if np.all((length == 10) | (length == 0)):  # the cells' bytes lie back to back: a view, no copy
        chars = data[offsets[0]:offsets[-1]].reshape(-1, 10)
    else:
        chars = data[offsets[:-1][ten][:, None] + np.arange(10)]
    digit = [chars[:, i].astype(np.int32) - 48 for i in range(10)]
    ok = ~blank[ten] & (chars[:, 4] == ord("-")) & (chars[:, 7] == ord("-"))
    for i in (0, 1, 2, 3, 5, 6, 8, 9):
        ok &= (digit[i] >= 0) & (digit[i] <= 9)
    year = digit[0] * 1000 + digit[1] * 100 + digit[2] * 10 + digit[3]
    month = digit[5] * 10 + digit[6]
    day = digit[8] * 10 + digit[9]
    ok &= (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1)
    months = np.where(ok, (year - 1970) * 12 + month - 1, 0).astype("datetime64[M]")
    first = months.astype("datetime64[D]")
    ok &= day <= ((months + 1).astype("datetime64[D]") - first).astype(np.int64)  # the month's length
    dates = (first + (day - 1).astype("timedelta64[D]")).astype("datetime64[s]")
    return ten[ok], dates[ok]


def _limit_hint(col: Column) -> str:
    return f" ({limits.LIMITS[col.limit].describe()})" if col.limit is not None else ""
