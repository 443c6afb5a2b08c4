"""Arrow booleans as numpy arrays, by unpacking their bits a byte at a time.

Why not Arrow's own conversion (``to_numpy``, ``np.asarray``): an Arrow boolean
array is bit-packed and that conversion unpacks it a value at a time (about
2 ns a value), while ``np.unpackbits`` unpacks eight at once (about 0.16 ns a
value) to the same values. A partition converts some forty such arrays
(Parquet booleans, and the masks Arrow's text kernels return); pandas'
``BooleanDtype.__from_arrow__`` goes through the slow conversion twice per
column and then copies both arrays once more. Measured on 375,000 values with
nulls: 0.81 ms there, 0.06 ms here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from hccprotocol.screen.chunks import one_array

__all__ = ["boolean_array", "numpy_bools"]


def _one(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    values = one_array(values)
    if values.type != pa.bool_():
        raise TypeError(f"expected Arrow booleans, got {values.type}")
    return values


def _bits(buffer: pa.Buffer, offset: int, n: int) -> np.ndarray[Any, Any]:
    """Bits ``offset`` .. ``offset + n - 1`` of ``buffer`` (Arrow's order: least significant bit first)."""
    unpacked = np.unpackbits(np.frombuffer(buffer, dtype=np.uint8), count=offset + n, bitorder="little")
    return unpacked[offset:].view(np.bool_)


def numpy_bools(values: pa.Array | pa.ChunkedArray, null: bool) -> np.ndarray[Any, Any]:
    """The values as numpy bools, ``null`` where a value is missing."""
    array = _one(values)
    n = len(array)
    if n == 0:
        return np.zeros(0, dtype=bool)
    validity, data = array.buffers()
    out = _bits(data, array.offset, n)
    if array.null_count:
        valid = _bits(validity, array.offset, n)
        out = (out & valid) if not null else (out | ~valid)
    return out


def boolean_array(values: pa.Array | pa.ChunkedArray) -> pd.arrays.BooleanArray:
    """The values as pandas' nullable booleans (what ``BooleanDtype.__from_arrow__`` gives)."""
    array = _one(values)
    n = len(array)
    if n == 0:
        return pd.arrays.BooleanArray(np.zeros(0, dtype=bool), np.zeros(0, dtype=bool))
    validity, data = array.buffers()
    missing = ~_bits(validity, array.offset, n) if array.null_count else np.zeros(n, dtype=bool)
    return pd.arrays.BooleanArray(_bits(data, array.offset, n), missing)
