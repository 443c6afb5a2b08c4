"""Columnar validation of a registry partition: typed columns, and every bad cell named by row and field.

Why columnar and not one ``Patient`` per row: a registry of millions of rows
cannot afford a pydantic object per row, but it must be held to the same
limits. Each column is parsed once with vectorised pandas operations against
the model's type, allowed values and ``limits.LIMITS`` (the reason text is
``limits.check``'s own, so both paths word a problem alike). A row with any
bad cell is an *invalid record*: it is reported (row number, field, reason),
counted as such in the flow and not screened; the other rows are screened.
A cell is never clipped, coerced to a default or guessed.

CSV text (Arrow-backed) is read by kind without a Python object per cell:
booleans by a hash lookup, plain numbers and strict YYYY-MM-DD dates by
Arrow's casts; any other cell goes the general pandas way, so what is
accepted, and why a cell is refused, is the same whichever path read it
(``tests/unit/validate_reference.py`` keeps the general path as it was).

Row numbers are 1-based data rows (CSV line = row + 1, after the header).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol import limits
from hccprotocol.errors import InputError
from hccprotocol.screen.chunks import one_array
from hccprotocol.screen.columns import Column
from hccprotocol.screen.issues import Issue, Issues
from hccprotocol.screen.unpack import boolean_array, nullable_numbers, numpy_bools

__all__ = ["NULLABLE", "Issue", "Typed", "check_columns", "clean_ids", "typed_table"]

_TRUE = frozenset({"true", "True", "TRUE"})
_FALSE = frozenset({"false", "False", "FALSE"})
_BOOL_OR_BLANK = pa.array([*sorted(_TRUE), *sorted(_FALSE), ""], type=pa.large_string())
"""The six spellings, then the empty cell (position 6)."""
_BLANK_AT = 6


@dataclass(frozen=True)
class Typed:
    frame: pd.DataFrame
    """Typed columns named by column name: boolean, Int64, Float64, str, or datetime64 for dates."""
    invalid: np.ndarray[Any, Any]
    """Per row: True when some cell of the row was rejected."""
    issues: Issues


NULLABLE: dict[pa.DataType, Any] = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
    pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(), pa.uint32(): pd.UInt32Dtype(),
    pa.uint64(): pd.UInt64Dtype(), pa.float32(): pd.Float32Dtype(), pa.float64(): pd.Float64Dtype(),
    pa.bool_(): pd.BooleanDtype(),
}
"""Arrow number and boolean types -> the nullable dtypes ``pd.read_parquet(dtype_backend="numpy_nullable")``
gives them (its mapping)."""


def _nullable(series: pd.Series[Any]) -> pd.Series[Any]:
    """A column held in Arrow (``pd.ArrowDtype``, as ``screen.io`` reads Parquet numbers and booleans) in the
    nullable dtype ``pd.read_parquet(dtype_backend="numpy_nullable")`` gives it, with the values that call's
    conversion (the dtype's ``__from_arrow__``) gives, unpacked from the Arrow buffers by ``screen.unpack``
    (faster; tested against that conversion); any other column as it is."""
    dtype = series.dtype
    if isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype == pa.bool_():
        return pd.Series(boolean_array(pa.array(series.array)), index=series.index, copy=False)
    if isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype in NULLABLE:
        return pd.Series(nullable_numbers(pa.array(series.array), NULLABLE[dtype.pyarrow_dtype]), index=series.index,
                         copy=False)
    return series


_ARROW_TEXT = (pa.string(), pa.large_string())


def _arrow_text(series: pd.Series[Any]) -> pa.Array | None:
    """The cells of an Arrow-backed text column (pandas' Arrow text dtype, or ``pd.ArrowDtype`` of Arrow text,
    as ``screen.io`` reads a CSV) as one Arrow array (chunks combined once), or ``None`` for any other column."""
    dtype = series.dtype
    arrow = isinstance(dtype, pd.ArrowDtype) and dtype.pyarrow_dtype in _ARROW_TEXT
    if not (arrow or (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow")):
        return None
    cells = pa.array(series.array)
    if (isinstance(cells, pa.ChunkedArray) and cells.type == pa.string()
            and sum(c.nbytes for c in cells.chunks) >= 2**31):  # pragma: no cover
        cells = cells.cast(pa.large_string())  # 32-bit offsets cannot hold the joined text
    return one_array(cells)


def _arrow_trimmed(series: pd.Series[Any]) -> Any:
    """The cells of an Arrow-backed text column with surrounding whitespace trimmed (what pandas' ``str.strip``
    computes for such a column, by the same Arrow kernel), or ``None`` for any other column."""
    cells = _arrow_text(series)
    return None if cells is None else _trim(cells)


def _blank_of(trimmed: pa.Array) -> np.ndarray[Any, Any]:
    """Missing cells of trimmed Arrow text: null, or empty."""
    return numpy_bools(pc.equal(pc.binary_length(trimmed), 0), null=True)


def _blank(raw: pd.Series[Any]) -> Any:
    """Missing cells: NA, or text that is empty after stripping (a CSV's empty field)."""
    trimmed = _arrow_trimmed(raw)
    if trimmed is not None:
        return _blank_of(trimmed)
    if pd.api.types.is_string_dtype(raw.dtype) or raw.dtype == object:
        text = raw.astype("str")
        return (raw.isna() | text.str.strip().eq("")).to_numpy(dtype=bool)
    return raw.isna().to_numpy(dtype=bool)


def _offsets(cells: pa.Array) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """(offsets, data bytes) of a string or large_string array, without copying; ``None`` for another layout."""
    if cells.type == pa.large_string():
        width: type[np.signedinteger[Any]] = np.int64
    elif cells.type == pa.string():
        width = np.int32
    else:
        return None
    buffers = cells.buffers()
    if len(cells) == 0 or buffers[1] is None:
        return None
    offsets = np.frombuffer(buffers[1], dtype=width)[cells.offset:cells.offset + len(cells) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _str_series(cells: pa.Array) -> pd.Series[Any]:
    """Arrow text as a pandas ``str`` column (the dtype ``astype("str")`` gives), without copying the cells."""
    return pd.Series(pd.array(cells, dtype="str"))


def _with_nulls(cells: pa.Array, missing: np.ndarray[Any, Any]) -> pa.Array:
    """``cells`` with the ``missing`` ones null (the others as they are; no copy when none is missing)."""
    if not missing.any() and cells.null_count == 0:
        return cells
    return pc.if_else(pa.array(missing), pa.scalar(None, cells.type), cells)


_EDGE_TRIMMABLE = np.zeros(256, dtype=bool)
_EDGE_TRIMMABLE[[9, 10, 11, 12, 13, 28, 29, 30, 31, 32]] = True  # what Arrow's trim removes among ASCII bytes
_EDGE_TRIMMABLE[0x80:] = True  # any non-ASCII byte: a multi-byte character may be Unicode whitespace


def _trimmed_already(text: pa.Array) -> bool:
    """No cell starts or ends with a byte ``utf8_trim_whitespace`` could remove (then trimming copies for nothing)."""
    layout = _offsets(text)
    if layout is None:
        return False
    offsets, data = layout
    starts, ends = offsets[:-1], offsets[1:]
    filled = ends > starts
    return not (_EDGE_TRIMMABLE[data[starts[filled]]].any() or _EDGE_TRIMMABLE[data[ends[filled] - 1]].any())


def _trim(text: pa.Array) -> pa.Array:
    """Arrow text trimmed of surrounding whitespace; as it is when no cell has any (no copy of every cell)."""
    return text if _trimmed_already(text) else pc.utf8_trim_whitespace(text)


def clean_ids(series: pd.Series[Any]) -> pd.Series[Any]:
    """``patient_id`` cells as the validation keeps them: trimmed, missing where blank (what rows are matched by)."""
    return _ids(series.reset_index(drop=True), _arrow_text(series.reset_index(drop=True)))[0]


def _ids(series: pd.Series[Any], text: Any) -> tuple[pd.Series[Any], np.ndarray[Any, Any]]:
    """(trimmed ids, missing where blank; the blank cells), from Arrow text when the column is text."""
    if text is not None:
        trimmed = _trim(text)
        blank = _blank_of(trimmed)
        return _str_series(_with_nulls(trimmed, blank)), blank
    blank = np.asarray(_blank(series), dtype=bool)
    stripped = series.astype("str").str.strip()
    return stripped.where(~pd.Series(blank, index=series.index), None).astype("str"), blank


def check_columns(names: Sequence[Any], columns: Sequence[Column], table: str) -> None:
    """Refuse a table with an unknown or repeated column, or without ``patient_id`` (see ``typed_table``)."""
    repeated = sorted(str(c) for c, times in Counter(names).items() if times > 1)
    if repeated:
        raise InputError(f"{table}: column(s) {', '.join(repeated)} appear more than once")
    known = {c.name for c in columns}
    unknown = [c for c in names if c not in known]
    if unknown:
        raise InputError(f"{table}: unknown column(s) {', '.join(map(str, unknown))}; "
                         f"expected columns as `hccprotocol schema cohort` lists them")
    if "patient_id" not in names:
        raise InputError(f"{table}: the column patient_id is required")


def typed_table(raw: pd.DataFrame, columns: Sequence[Column], table: str, rows: np.ndarray[Any, Any]) -> Typed:
    """Parse ``raw`` (strings from CSV, or typed columns from Parquet) into typed columns; collect issues.

    An unknown column is refused for the whole file (``InputError``): a misspelt header would otherwise turn
    a whole field into "unknown" for every patient without a word. A model column the file lacks is all
    missing (unknown), as an absent field is in a record.
    """
    check_columns(list(raw.columns), columns, table)
    n = len(raw)
    ids = raw["patient_id"].astype("str").reset_index(drop=True)  # read per issue, never as a million-item list
    out: dict[str, pd.Series[Any]] = {}
    invalid = np.zeros(n, dtype=bool)
    batches: list[Issues] = []

    def reject(mask: np.ndarray[Any, Any], col: Column, values: pd.Series[Any], reason: str | Sequence[str]) -> None:
        nonlocal invalid
        where = np.flatnonzero(mask)
        if not where.size:
            return
        invalid[where] = True
        shown = values.iloc[where].astype("str").to_numpy(dtype=object)
        who = ids.iloc[where].to_numpy(dtype=object)
        batches.append(Issues.of(table, rows[where], who, col.name, shown, reason))

    index = pd.RangeIndex(n)
    for col in columns:
        if col.name not in raw.columns:
            out[col.name] = _empty(col, n)
            continue
        series = _nullable(raw[col.name].reset_index(drop=True))
        text = _arrow_text(series)  # once per column
        if col.kind == "id":
            out[col.name], blank = _ids(series, text)
            reject(blank, col, series, "patient_id is required")
            continue
        if text is not None:
            parsed, bad, reason, blank = _parse_text(col, series, text)
        else:
            blank = np.asarray(_blank(series), dtype=bool)
            parsed, bad, reason = _parse_other(col, series, blank)
        reject(bad, col, series, reason)
        drop = bad | blank
        if (drop & ~parsed.isna().to_numpy(dtype=bool)).any():  # typed Parquet columns are usually NA already
            parsed = parsed.mask(pd.Series(drop, index=index))
        if col.limit is not None or col.low is not None:
            lo = -np.inf if col.low is None else col.low
            hi = np.inf if col.high is None else col.high
            arr = parsed.to_numpy(dtype=float, na_value=np.nan)  # Int64 or Float64: the same doubles as via Float64
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
    issues = Issues.concat(batches).by_row()  # by row, then in column order
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


def _parse(col: Column, series: pd.Series[Any], blank: np.ndarray[Any, Any]) -> tuple[pd.Series[Any], Any, str]:
    """(typed values, rejected cells, reason) for one column (Arrow text finds its blanks itself, the cells
    ``_blank`` finds)."""
    text = _arrow_text(series) if col.kind != "id" else None
    if text is not None:
        parsed, bad, reason, _ = _parse_text(col, series, text)
        return parsed, bad, reason
    return _parse_other(col, series, blank)


def _parse_text(col: Column, series: pd.Series[Any], text: pa.Array,
                ) -> tuple[pd.Series[Any], Any, str, np.ndarray[Any, Any]]:
    """(typed values, rejected cells, reason, blank cells) for an Arrow-backed text column (a CSV's cells).

    Why the blanks are found here: what a cell is, is learnt from its kind. A cell that is a boolean spelling,
    a plain number or a strict date as read has nothing to trim, so only the other cells (few in a registry)
    are trimmed, by the kernel pandas' ``str.strip`` uses; text columns are trimmed whole.
    """
    kind = col.kind
    n = len(series)
    if kind == "bool":
        at = _bool_positions(text)
        yes, no, blank = at < len(_TRUE), (at >= len(_TRUE)) & (at < _BLANK_AT), at == _BLANK_AT
        yes &= at >= 0
        values = pd.Series(pd.arrays.BooleanArray(yes, ~(yes | no)), copy=False)
        return values, ~(yes | no | blank), "expected true or false", blank
    if kind in ("int", "float"):
        number, blank = _number_cells(text)
        if number is None:
            number = pd.to_numeric(series.astype("str").str.strip(), errors="coerce").astype("Float64")
        values, bad, reason = _numbers(col, number, blank)
        return values, bad, reason, blank
    if kind == "date":
        values, blank = _date_cells(series, text)
        return values, ~blank & values.isna().to_numpy(dtype=bool), "expected a date YYYY-MM-DD", blank
    trimmed = _trim(text)
    blank = _blank_of(trimmed)
    if col.choices:
        found = pc.is_in(trimmed, value_set=pa.array(col.choices, type=trimmed.type))
        ok = numpy_bools(found, null=False)  # a blank cell is never a choice
        return _str_series(_with_nulls(trimmed, ~ok)), ~(ok | blank), "expected one of " + ", ".join(col.choices), blank
    return _str_series(_with_nulls(trimmed, blank)), np.zeros(n, dtype=bool), "", blank


def _numbers(col: Column, number: pd.Series[Any], blank: np.ndarray[Any, Any]) -> tuple[pd.Series[Any], Any, str]:
    """(values, rejected cells, reason) of a number column read as Float64: whole numbers for an int column."""
    arr = number.to_numpy(dtype=float, na_value=np.nan)
    bad = ~blank & np.isnan(arr)
    if col.kind == "int":
        frac = ~np.isnan(arr) & (arr != np.round(arr))
        # rounding whole numbers changes none of them: only a fraction needs masking and rounding first
        values = number.mask(pd.Series(frac)).round().astype("Int64") if frac.any() else number.astype("Int64")
        return values, bad | frac, "expected a whole number" + _limit_hint(col)
    return number, bad, "expected a number" + _limit_hint(col)


def _parse_other(col: Column, series: pd.Series[Any], blank: np.ndarray[Any, Any],
                 ) -> tuple[pd.Series[Any], Any, str]:
    """(typed values, rejected cells, reason) for a typed column (Parquet) or text not held by Arrow."""
    kind = col.kind
    if kind == "bool":
        if pd.api.types.is_bool_dtype(series.dtype):
            return series.astype("boolean"), np.zeros(len(series), dtype=bool), ""
        text = series.astype("str").str.strip()
        yes, no = text.isin(_TRUE).to_numpy(dtype=bool), text.isin(_FALSE).to_numpy(dtype=bool)
        values = pd.Series(pd.arrays.BooleanArray(yes, ~(yes | no)), copy=False)
        return values, ~(yes | no | blank), "expected true or false"
    if kind in ("int", "float"):
        if pd.api.types.is_bool_dtype(series.dtype):
            return pd.Series([None] * len(series), dtype="Float64"), ~blank, "expected a number, got true/false"
        if kind == "int" and pd.api.types.is_integer_dtype(series.dtype):  # typed Parquet: whole numbers already
            return series.astype("Int64"), np.zeros(len(series), dtype=bool), ""
        numeric = pd.api.types.is_numeric_dtype(series.dtype)
        number: pd.Series[Any] | None
        if series.dtype == pd.Float64Dtype():  # typed Parquet: the numbers as they are (NaN is missing)
            number = series.astype("Float64")
        else:
            number = None if numeric else _plain_numbers(series, blank)
        if number is None:
            number = pd.to_numeric(series.astype("str").str.strip() if not numeric else series,
                                   errors="coerce").astype("Float64")
        return _numbers(col, number, blank)
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


def _bool_positions(text: pa.Array) -> np.ndarray[Any, Any]:
    """Per cell, its position in ``_BOOL_OR_BLANK`` once trimmed (null = blank), -1 for any other text: one hash
    lookup of the cells as read, and a second, trimmed, of only those not found (a spelling or an empty cell
    has nothing to trim)."""
    value_set = _BOOL_OR_BLANK.cast(text.type)
    at = np.asarray(pc.fill_null(pc.index_in(text, value_set=value_set), -1), dtype=np.int64)
    at[numpy_bools(text.is_null(), null=False)] = _BLANK_AT
    other = np.flatnonzero(at < 0)
    if other.size:
        trimmed = _trim(text.take(pa.array(other)))
        at[other] = np.asarray(pc.fill_null(pc.index_in(trimmed, value_set=value_set), -1), dtype=np.int64)
    return at


_NUMBER_BYTES = np.zeros(256, dtype=np.int8)
_NUMBER_BYTES[np.frombuffer(b"0123456789+-.eE", dtype=np.uint8)] = 1
_NUMBER_BYTES[np.frombuffer(b" \t", dtype=np.uint8)] = 2
"""Per byte: 1 for a character of a decimal number, 2 for the padding a CSV export may put around one."""


def _number_cells(text: pa.Array) -> tuple[pd.Series[Any] | None, np.ndarray[Any, Any]]:
    """(Float64 numbers or ``None``, blank cells) of Arrow text; ``None`` unless ``_decimal_cells`` reads it
    (trimmed only when some cell holds padding)."""
    layout = _offsets(text)
    body = _NUMBER_BYTES[layout[1][layout[0][0]:layout[0][-1]]] if layout is not None else None
    if body is None or not body.all():
        return None, _blank_of(_trim(text))
    trimmed = pc.utf8_trim_whitespace(text) if (body == 2).any() else text
    blank = _blank_of(trimmed)
    return _cast_numbers(trimmed, blank), blank


def _plain_numbers(series: pd.Series[Any], blank: np.ndarray[Any, Any]) -> pd.Series[Any] | None:
    """Text cells as Float64 by Arrow's parser when every filled (not ``blank``) cell is a plain decimal number,
    else ``None``.

    Why only then: on plain decimals Arrow's cast and ``pd.to_numeric`` give the same (correctly rounded) double,
    and Arrow does it without a Python object per cell; any other text ("1,7", "n/a", "inf") goes the general
    way, so what is rejected, and why, does not depend on which parser ran.
    """
    text = _arrow_text(series)
    if text is not None:
        return _decimal_cells(text, _trim(text), blank)
    raw = pa.array(series.astype("str").array)
    plain = numpy_bools(pc.match_substring_regex(raw, _PLAIN_NUMBER), null=False)
    if not (plain | blank).all():
        return None
    cells = pc.if_else(pa.array(blank), pa.scalar(None, raw.type), pc.utf8_trim(raw, " \t"))
    values = pc.cast(cells, pa.float64())
    return pd.Series(values.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get), index=series.index,
                     copy=False)


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
    return _cast_numbers(trimmed, blank)


def _cast_numbers(trimmed: pa.Array, blank: np.ndarray[Any, Any]) -> pd.Series[Any] | None:
    """Arrow's cast of the filled cells to float64 as Float64, or ``None`` when it refuses one."""
    try:
        values = pc.cast(_with_nulls(trimmed, blank), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.Series(values.to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get), copy=False)


_PLAIN_NUMBER = r"^[ \t]*[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?[ \t]*$"
"""A decimal number as a CSV export writes it, optionally padded with spaces or tabs."""


def _date_cells(series: pd.Series[Any], text: pa.Array) -> tuple[pd.Series[Any], np.ndarray[Any, Any]]:
    """(``datetime64[s]`` dates, blank cells) of Arrow text, as ``pd.to_datetime(format="%Y-%m-%d",
    errors="coerce")`` reads the trimmed cells: cells of exactly ten bytes by Arrow's cast to date32 (strict
    YYYY-MM-DD of a real date, else the cast fails), every other filled cell the pandas way, so an odd cell,
    30 February included, is read, or refused, exactly as before.

    Why: ``pd.to_datetime`` spends about 150 ns a cell, the cast about 10; a registry's dates are nearly all
    strict. A block of cells the cast refuses is halved until the refused cells are found (in blocks of at
    most ``_DATE_BLOCK``), so a few odd dates do not send a whole column the slow way.
    """
    n = len(series)
    values = np.full(n, np.datetime64("NaT"), dtype="datetime64[s]")
    layout = _offsets(text)
    null = numpy_bools(text.is_null(), null=False)
    length = np.diff(layout[0]) if layout is not None else np.full(n, -1)
    done = np.zeros(n, dtype=bool)
    ten = (length == 10) & ~null
    if ten.any():
        _cast_dates(_with_nulls(text, ~ten), 0, n, values, done)
    blank = null | (length == 0)
    other = np.flatnonzero(~done & ~blank)
    if other.size:  # trimmed, the pandas way (the cells the old path would have read just so)
        stripped = series.iloc[other].astype("str").str.strip()
        empty = stripped.eq("").to_numpy(dtype=bool) | stripped.isna().to_numpy(dtype=bool)
        blank[other[empty]] = True
        parsed = pd.to_datetime(stripped, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")
        values[other] = parsed.to_numpy(dtype="datetime64[s]")
    return pd.Series(values, copy=False), blank


_DATE_BLOCK = 4096
"""Cells in the smallest block the date cast is retried on; a refused block this small goes the pandas way."""


def _cast_dates(cells: pa.Array, start: int, stop: int, values: np.ndarray[Any, Any],
                done: np.ndarray[Any, Any]) -> None:
    """Arrow's date32 cast of ``cells[start:stop]`` into ``values`` (non-null cells marked ``done``), halving a
    block the cast refuses down to ``_DATE_BLOCK`` cells (left undone)."""
    block = cells.slice(start, stop - start)
    try:
        dates = pc.cast(block, pa.date32())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        if stop - start <= _DATE_BLOCK:
            return
        middle = (start + stop) // 2
        _cast_dates(cells, start, middle, values, done)
        _cast_dates(cells, middle, stop, values, done)
        return
    read = ~numpy_bools(dates.is_null(), null=False)
    days = np.asarray(pc.fill_null(dates.cast(pa.int32()), 0), dtype=np.int64)
    values[start:stop][read] = (days[read] * 86400).astype("datetime64[s]")
    done[start:stop] |= read


def _limit_hint(col: Column) -> str:
    return f" ({limits.LIMITS[col.limit].describe()})" if col.limit is not None else ""
