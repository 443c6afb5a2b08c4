"""Matching rows by ``patient_id``: the first row holding each id, by one hash lookup in Arrow.

Why a module of its own: both the file-level partitioning and the
partition itself attach sessions (and duplicate rows) to the *first* patient row
with their id, and pandas' string re-indexing is an order of magnitude slower
than Arrow's hash lookup on a million ids. A missing id never matches.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["keys_and_owners"]


def _chunks(ids: pd.Series[Any]) -> list[pa.Array]:
    found = pa.array(ids.astype("str").array)  # Arrow-backed: handed over without a copy
    return [c.cast(pa.large_string()) for c in (found.chunks if isinstance(found, pa.ChunkedArray) else [found])]


def keys_and_owners(keys: pd.Series[Any], values: pd.Series[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per key row, the first row with its key (itself unless a duplicate), and per value, the first row of
    ``keys`` equal to it; -1 where missing or unmatched.

    Why together: one hash table of the keys answers both (building it costs more than probing it).
    """
    key_chunks = _chunks(keys)
    both = pa.chunked_array(key_chunks + _chunks(values), type=pa.large_string())
    key_set = pa.concat_arrays(key_chunks) if key_chunks else pa.array([], type=pa.large_string())
    found = pc.index_in(both, value_set=key_set, skip_nulls=True)  # one array: a CSV's many blocks joined once
    out = np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)
    return out[:len(keys)], out[len(keys):]
