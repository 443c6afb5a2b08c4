"""``screen.unpack``: Arrow booleans unpacked to numpy give exactly what Arrow's and pandas' own conversions give.

Why: the screen reads every Parquet boolean and every mask of Arrow's text kernels through these, so a bit
read from the wrong place (a sliced array's offset, a second chunk, the validity bitmap) would change a
patient's facts without any error.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.screen.unpack import boolean_array, nullable_numbers, numpy_bools

cells = st.lists(st.one_of(st.none(), st.booleans()), max_size=70)


def _arrow(chunks: list[list[bool | None]], start: int, stop: int) -> pa.ChunkedArray:
    whole = pa.chunked_array([pa.array(c, pa.bool_()) for c in chunks], type=pa.bool_())
    return whole.slice(start, max(0, stop - start))


@settings(max_examples=300)
@given(chunks=st.lists(cells, min_size=1, max_size=3), start=st.integers(0, 40), stop=st.integers(0, 200))
def test_unpacked_bits_are_arrows_values_in_any_slice_and_chunking(
        chunks: list[list[bool | None]], start: int, stop: int) -> None:
    values = _arrow(chunks, start, stop)
    expected = [v for c in chunks for v in c][start:max(start, stop)]
    ours = boolean_array(values)
    pd.testing.assert_extension_array_equal(ours, pd.BooleanDtype().__from_arrow__(values))
    assert [None if m else bool(v) for v, m in zip(ours._data, ours._mask, strict=True)] == expected
    for null in (False, True):
        assert numpy_bools(values, null).tolist() == [null if v is None else v for v in expected]
        assert numpy_bools(values, null).dtype == np.bool_


def test_an_array_sliced_inside_a_byte_reads_its_own_bits() -> None:
    # values F F T F T T F T T, sliced from the 4th (an offset inside the first byte)
    values = pa.array([False, False, True, False, True, True, False, True, True]).slice(3, 6)
    assert numpy_bools(values, False).tolist() == [False, True, True, False, True, True]
    with_null = pa.array([True, None, False, True, None, True, False, False, True]).slice(1, 7)
    assert boolean_array(with_null).tolist() == [pd.NA, False, True, pd.NA, True, False, False]


def test_empty_all_missing_and_other_types() -> None:
    assert numpy_bools(pa.array([], pa.bool_()), True).tolist() == []
    assert len(boolean_array(pa.chunked_array([], type=pa.bool_()))) == 0
    assert boolean_array(pa.array([None, None], pa.bool_())).isna().tolist() == [True, True]
    assert numpy_bools(pa.array([None, None], pa.bool_()), True).tolist() == [True, True]
    with pytest.raises(TypeError, match="expected Arrow booleans"):
        numpy_bools(pa.array([1, 0]), False)


def test_one_array_is_the_only_chunk_itself_and_joins_several() -> None:
    from hccprotocol.screen.chunks import one_array

    chunk = pa.array(["P1", "P2", " P3"])
    single = pa.chunked_array([chunk]).slice(1, 2)
    got = one_array(single)
    assert got.to_pylist() == ["P2", " P3"] and got.buffers()[2].address == chunk.buffers()[2].address  # no copy
    assert one_array(pa.chunked_array([chunk, pa.array(["P4"])])).to_pylist() == ["P1", "P2", " P3", "P4"]
    assert one_array(pa.chunked_array([], type=pa.string())).to_pylist() == []
    assert one_array(chunk) is chunk


NUMBER_TYPES = [(pa.int64(), pd.Int64Dtype()), (pa.int32(), pd.Int32Dtype()), (pa.uint8(), pd.UInt8Dtype()),
                (pa.float64(), pd.Float64Dtype()), (pa.float32(), pd.Float32Dtype())]


@settings(max_examples=300)
@given(kind=st.sampled_from(NUMBER_TYPES), chunks=st.lists(
           st.lists(st.one_of(st.none(), st.integers(0, 255), st.just(float("nan"))), max_size=40),
           min_size=1, max_size=3),
       start=st.integers(0, 30), stop=st.integers(0, 130))
def test_unpacked_numbers_are_pandas_own_conversion(kind: tuple[pa.DataType, object], chunks: list[list[object]],
                                                    start: int, stop: int) -> None:
    arrow_type, dtype = kind
    if not pa.types.is_floating(arrow_type):  # NaN is a float: integers hold a null there instead
        chunks = [[None if isinstance(v, float) else v for v in c] for c in chunks]
    whole = pa.chunked_array([pa.array(c, arrow_type, from_pandas=False) for c in chunks], type=arrow_type)
    values = whole.slice(start, max(0, stop - start))
    ours = nullable_numbers(values, dtype)
    pd.testing.assert_extension_array_equal(ours, dtype.__from_arrow__(values))  # type: ignore[attr-defined]


def test_numbers_by_hand_and_a_type_it_does_not_unpack() -> None:
    values = pa.array([1.5, None, float("nan"), 60.0], pa.float64()).slice(1, 3)
    assert nullable_numbers(values, pd.Float64Dtype()).tolist() == [pd.NA, pd.NA, 60.0]  # NaN is missing
    assert nullable_numbers(pa.array([7, None], pa.int64()), pd.Int64Dtype()).tolist() == [7, pd.NA]
    # int32 held where the dtype is Int64: pandas' own conversion (a cast), the same answer
    assert nullable_numbers(pa.array([7, None], pa.int32()), pd.Int64Dtype()).tolist() == [7, pd.NA]
