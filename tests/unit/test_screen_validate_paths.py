"""The Arrow fast paths of columnar validation against the validation as it was (``validate_reference``): the
same typed frame, rejected rows and issues for any cells, and hand-made cells checked against the calendar and
Python's own number parser."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.screen import validate
from hccprotocol.screen.columns import Column, patient_columns, session_columns
from hccprotocol.screen.validate import typed_table

from . import validate_reference as reference

_ODD = ["", " ", "\t", "  \t ", "\u00a0", "\u3000", "x", "n/a", "None", "null", "\n", "1,7", "yes"]
_BOOLS = ["true", "True", "TRUE", "false", "False", "FALSE", " true", "FALSE\t", "tRue", "1", "0", "t", "no"]
_NUMBERS = ["0", "-0", "1.5", " 25 ", "\t70\t", "24,9", "350,1", "inf", "-inf", "nan", "NaN", "1e400", "1e-400",
            "1e", "--1", "+.5", "5.", ".", "+", "-", "1 2", "0x10", "1_000", "\u00a012", "１２", "1e1", "2E+2",
            "400", "-5", "3.0", "07", "1.2.3", "e5", "9" * 40]
_DATES = ["2023-02-30", "2023-02-29", "2024-02-29", "1900-02-29", "2000-02-29", "2024-13-01", "2024-04-31",
          "2024-00-10", "2024-01-00", "0000-01-01", "0001-01-01", "9999-12-31", "2023-2-3", "2023-01-6",
          " 2023-01-06", "2023-01-06 ", "\t2023-01-06\t", "          ", "20230106", "2023/01/06", "24-03-01",
          "+2023-01-01", "2023-01-06T00:00", "-0079-09-12", "２０２３-01-06", "2023-01-0٦"]

_ten_chars = st.text(alphabet="0123456789-+ T:/", min_size=10, max_size=10)
_near_dates = st.tuples(st.integers(0, 9999), st.integers(0, 19), st.integers(0, 39)).map(
    lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}")


def _cells_for(col: Column) -> st.SearchStrategy[str | None]:
    odd = st.sampled_from(_ODD)
    if col.kind == "bool":
        return st.one_of(st.sampled_from(_BOOLS), odd)
    if col.kind in ("int", "float"):
        plain = st.from_regex(r"\A[ \t]?[+-]?[0-9]{1,5}(\.[0-9]{0,3})?([eE][+-]?[0-9]{1,2})?[ \t]?\Z")
        return st.one_of(plain, st.integers(-5, 400).map(str), st.floats(allow_nan=True).map(repr),
                         st.sampled_from(_NUMBERS), st.text(alphabet="0123456789+-.eE \t", max_size=6), odd)
    if col.kind == "date":
        return st.one_of(st.dates().map(dt.date.isoformat), _near_dates, _ten_chars, st.sampled_from(_DATES), odd)
    if col.kind == "id":
        return st.one_of(st.sampled_from(["P1", "P2", " P3 ", "a,b", "P1"]), odd)
    if col.choices:
        return st.one_of(st.sampled_from(col.choices), st.sampled_from(col.choices).map(lambda c: f" {c}\t"),
                         st.sampled_from(col.choices).map(str.upper), odd)
    return st.one_of(st.text(max_size=4), odd)


@st.composite
def _tables(draw: Any, columns: tuple[Column, ...]) -> dict[str, list[str | None]]:
    n = draw(st.integers(1, 12))
    chosen = [c for c in columns if c.kind == "id" or draw(st.booleans())]
    return {c.name: draw(st.lists(_cells_for(c), min_size=n, max_size=n)) for c in chosen}


def _as_frame(cells: dict[str, list[str | None]], storage: str, split: int) -> pd.DataFrame:
    """The cells as a registry partition would hold them: one extra leading row sliced off (Arrow offsets not
    zero) and, for Arrow text, each column in two chunks (as a CSV reader delivers it)."""
    out: dict[str, Any] = {}
    for name, values in cells.items():
        column = [values[0], *values]
        if storage == "object":
            out[name] = pd.Series(column, dtype=object)
            continue
        array = pa.array(column, type=pa.large_string())
        k = min(split, len(array))
        chunked = pa.chunked_array([array.slice(0, k), array.slice(k)], type=pa.large_string())
        dtype = "str" if storage == "str" else pd.StringDtype("pyarrow")  # CSV's text / Parquet's strings
        out[name] = pd.Series(pd.array(chunked, dtype=dtype))
    return pd.DataFrame(out).iloc[1:]


def _assert_same(raw: pd.DataFrame, columns: tuple[Column, ...], table: str) -> None:
    rows = np.arange(1, len(raw) + 1) * 7  # row numbers are carried, not recounted
    got = typed_table(raw, columns, table, rows)
    want = reference.typed_table(raw, columns, table, rows)
    pd.testing.assert_frame_equal(got.frame, want.frame)
    assert got.invalid.tolist() == want.invalid.tolist()
    assert got.issues == want.issues


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cells=_tables(patient_columns()), storage=st.sampled_from(["str", "pyarrow", "object"]),
       split=st.integers(0, 14))
def test_patients_table_equals_the_reference(cells: dict[str, list[str | None]], storage: str, split: int) -> None:
    _assert_same(_as_frame(cells, storage, split), patient_columns(), "patients")


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cells=_tables(session_columns()), storage=st.sampled_from(["str", "pyarrow", "object"]),
       split=st.integers(0, 14))
def test_sessions_table_equals_the_reference(cells: dict[str, list[str | None]], storage: str, split: int) -> None:
    _assert_same(_as_frame(cells, storage, split), session_columns(), "sessions")


_DATE_COL = next(c for c in session_columns() if c.kind == "date")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.dates().map(dt.date.isoformat), _near_dates, _ten_chars, st.sampled_from(_DATES),
                          st.sampled_from(["", " ", "\t"]), st.none()), min_size=1, max_size=40),
       st.sampled_from([1, 2, 4096]))
def test_date_cells_equal_the_reference(cells: list[str | None], block: int) -> None:
    """Dates, blanks and rejections as ``pd.to_datetime(format="%Y-%m-%d")`` reads the trimmed cells (the
    reference path), however small the blocks the cast is retried in (block 1: every refused cell alone)."""
    series = pd.Series(pd.array(pa.array(cells, type=pa.large_string()), dtype="str"))
    with mock.patch.object(validate, "_DATE_BLOCK", block):
        values, bad, reason, blank = validate._parse_text(_DATE_COL, series, validate._arrow_text(series))
    ref_blank = reference._blank(series)
    ref_values, ref_bad, ref_reason = reference._parse(_DATE_COL, series, ref_blank)
    pd.testing.assert_series_equal(values, ref_values)
    assert blank.tolist() == np.asarray(ref_blank, dtype=bool).tolist()
    assert np.asarray(bad, dtype=bool).tolist() == np.asarray(ref_bad, dtype=bool).tolist()
    assert reason == ref_reason


def test_dates_against_the_calendar() -> None:
    # Gregorian leap years: every 4th year, not every 100th, every 400th (2024, 2000 leap; 2023, 1900 not).
    cells = ["2024-02-29", "2000-02-29", "2023-02-29", "1900-02-29", "2023-02-30", "2023-04-31", "2023-12-31",
             " 2023-01-06\t", "", "  ", "2023-13-01", "0001-01-01", "9999-12-31"]
    series = pd.Series(cells, dtype="str")
    values, bad, _, blank = validate._parse_text(_DATE_COL, series, validate._arrow_text(series))
    want = [dt.date(2024, 2, 29), dt.date(2000, 2, 29), None, None, None, None, dt.date(2023, 12, 31),
            dt.date(2023, 1, 6), None, None, None, dt.date(1, 1, 1), dt.date(9999, 12, 31)]
    got = [None if pd.isna(v) else dt.date(v.year, v.month, v.day) for v in values]
    assert got == want
    assert values.dtype == "datetime64[s]"
    assert list(blank) == [False] * 8 + [True, True] + [False] * 3
    assert list(bad) == [False, False, True, True, True, True, False, False, False, False, True, False, False]


def test_one_bad_date_among_many_is_found_alone() -> None:
    # 20,000 strict dates (blocks of 4096 are halved down to the refused one) with one impossible date
    start = dt.date(1990, 1, 1)
    days = [start + dt.timedelta(days=i) for i in range(20_000)]
    cells = [d.isoformat() for d in days]
    cells[12_345] = "2021-02-29"  # 2021 is not a leap year
    series = pd.Series(cells, dtype="str")
    values, bad, _, blank = validate._parse_text(_DATE_COL, series, validate._arrow_text(series))
    assert np.flatnonzero(bad).tolist() == [12_345] and not blank.any()
    expect = np.array([np.datetime64(d, "s") for d in days])
    expect[12_345] = np.datetime64("NaT")
    assert np.array_equal(values.to_numpy(), expect, equal_nan=True)


_PLAIN = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")


def test_number_cast_reads_only_plain_decimals_exhaustively() -> None:
    """Every cell of up to five characters of ``0 9 + - . e E`` and space (digits stand for any digit): when the
    fast path reads it, it is a plain decimal (``_PLAIN_NUMBER``'s core, padded) and its value is Python's
    ``float`` of it; so the byte check plus Arrow's cast admits no cell the pattern would refuse."""
    read = 0
    for size in range(1, 6):
        for chars in itertools.product("09+-.eE ", repeat=size):
            cell = "".join(chars)
            fast, _ = validate._number_cells(pa.array([cell], type=pa.large_string()))
            if fast is None or pd.isna(fast.iloc[0]):
                continue
            read += 1
            assert _PLAIN.fullmatch(cell.strip(" ")), cell
            assert fast.iloc[0] == float(cell), cell
    assert read > 1000  # the fast path did read the plain ones


def test_numbers_against_python() -> None:
    cells = [" 25 ", "1e1", "+3", ".5", "5.", "-0.25", "2E+2", "\t70\t", ""]
    series = pd.Series(cells, dtype="str")
    col = next(c for c in patient_columns() if c.name == "tumour_afp_ng_ml")
    values, bad, _, blank = validate._parse_text(col, series, validate._arrow_text(series))
    assert values.tolist()[:-1] == [float(c) for c in cells[:-1]] and pd.isna(values.iloc[-1])
    assert not np.asarray(bad).any() and blank.tolist() == [False] * 8 + [True]


@pytest.mark.parametrize("storage", ["str", "pyarrow"])
def test_booleans_read_as_written_or_trimmed(storage: str) -> None:
    cells = ["true", " TRUE", "False\t", "", " ", None, "yes", "tRue", "\u00a0false\u00a0"]
    dtype = "str" if storage == "str" else pd.StringDtype("pyarrow")
    series = pd.Series(cells, dtype=dtype)
    col = next(c for c in patient_columns() if c.kind == "bool")
    values, bad, _, blank = validate._parse_text(col, series, validate._arrow_text(series))
    assert [None if pd.isna(v) else bool(v) for v in values] == [True, True, False, None, None, None, None, None,
                                                                 False]
    assert list(bad) == [False] * 6 + [True, True, False]
    assert list(blank) == [False, False, False, True, True, True, False, False, False]


def _typed_cells(col: Column, n: int) -> st.SearchStrategy[pd.Series]:  # type: ignore[type-arg]
    """A Parquet column for ``col``: of the model's type (with nulls, NaN, values past the limits), or of an
    unexpected one (a float for an int, an int for a float, booleans for a number, text for a date)."""
    ints = st.lists(st.one_of(st.none(), st.integers(-10, 500)), min_size=n, max_size=n)
    floats = st.lists(st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True),
                                st.floats(-10, 500)), min_size=n, max_size=n)
    bools = st.lists(st.one_of(st.none(), st.booleans()), min_size=n, max_size=n)
    dates = st.lists(st.one_of(st.none(), st.datetimes(min_value=dt.datetime(1900, 1, 1),
                                                       max_value=dt.datetime(2100, 1, 1))), min_size=n, max_size=n)
    texts = st.lists(st.one_of(st.none(), st.sampled_from([*col.choices, " x ", "", "2023-01-06", "12"])),
                     min_size=n, max_size=n)
    as_int = ints.map(lambda v: pd.Series(v, dtype="Int64"))
    as_float = floats.map(lambda v: pd.Series(pa.array(v, type=pa.float64(), from_pandas=False)
                                              .to_pandas(types_mapper={pa.float64(): pd.Float64Dtype()}.get)))
    as_bool = bools.map(lambda v: pd.Series(v, dtype="boolean"))
    as_date = dates.map(lambda v: pd.Series(pd.array(v, dtype="datetime64[ms]")))
    as_text = texts.map(lambda v: pd.Series(v, dtype=pd.StringDtype("pyarrow")))
    kinds = {"int": [as_int, as_float, as_bool, as_text], "float": [as_float, as_int, as_bool, as_text],
             "bool": [as_bool, as_int, as_text], "date": [as_date, as_text], "text": [as_text], "id": [as_text]}
    return st.one_of(*kinds[col.kind])


@st.composite
def _typed_tables(draw: Any, columns: tuple[Column, ...]) -> pd.DataFrame:
    n = draw(st.integers(0, 10))
    chosen = [c for c in columns if c.kind == "id" or draw(st.booleans())]
    return pd.DataFrame({c.name: draw(_typed_cells(c, n)) for c in chosen})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(frame=_typed_tables(patient_columns()), sessions=_typed_tables(session_columns()))
def test_typed_parquet_columns_equal_the_reference(frame: pd.DataFrame, sessions: pd.DataFrame) -> None:
    """Typed (Parquet) columns, of the model's types or not, empty tables included: as the reference reads them."""
    _assert_same(frame, patient_columns(), "patients")
    _assert_same(sessions, session_columns(), "sessions")


def test_synthetic_registry_read_from_both_formats_equals_the_reference(tmp_path: Any) -> None:
    from hccprotocol.screen.io import read_table
    from hccprotocol.screen.partition import ROW
    from hccprotocol.screen.synthetic import registry_csv, synthetic_registry

    patients, sessions = synthetic_registry(3000, gap=0.05, seed=7)
    for name, frame, columns in [("patients", patients, patient_columns()), ("sessions", sessions, session_columns())]:
        frame.to_parquet(tmp_path / f"{name}.parquet", index=False)
        (tmp_path / f"{name}.csv").write_text(registry_csv(frame), encoding="utf-8")
        for ext in ("parquet", "csv"):
            raw = read_table(tmp_path / f"{name}.{ext}", name).iloc[1000:2500]  # a partition: sliced, offset
            rows = raw[ROW].to_numpy()
            raw = raw.drop(columns=[ROW]).reset_index(drop=True)
            got, want = typed_table(raw, columns, name, rows), reference.typed_table(raw, columns, name, rows)
            pd.testing.assert_frame_equal(got.frame, want.frame)
            assert got.issues == want.issues and got.invalid.tolist() == want.invalid.tolist()
