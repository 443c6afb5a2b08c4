"""Matching rows by ``patient_id``: the first row holding each id, by one hash lookup in Arrow.

Why a module of its own: both the single-process partitioning and the
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

__all__ = ["first_rows", "keys_and_owners"]


def _arrow(ids: pd.Series[Any] | np.ndarray[Any, Any]) -> pa.Array:
    if isinstance(ids, pd.Series):
        return pa.array(ids.astype("str").array)  # Arrow-backed: handed over without a copy
    return pa.array(ids, type=pa.string(), from_pandas=True)


def first_rows(values: pd.Series[Any] | np.ndarray[Any, Any], keys: pd.Series[Any] | np.ndarray[Any, Any],
               ) -> np.ndarray[Any, Any]:
    """Per value, the position of the first row of ``keys`` equal to it; -1 where none is (or the value is missing)."""
    found = pc.index_in(_arrow(values), value_set=_arrow(keys), skip_nulls=True)
    return np.asarray(found.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def keys_and_owners(keys: pd.Series[Any], values: pd.Series[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per key row, the first row with its key (itself unless a duplicate), and per value, the first row of
    ``keys`` equal to it; -1 where missing or unmatched.

    Why together: one hash table of the keys answers both (building it costs more than probing it).
    """
    n = len(keys)
    key_set = _arrow(keys)
    chunks = [c for p in (key_set, _arrow(values)) for c in (p.chunks if isinstance(p, pa.ChunkedArray) else [p])]
    both = pa.chunked_array([c.cast(pa.large_string()) for c in chunks], type=pa.large_string())
    found = pc.index_in(both, value_set=key_set, skip_nulls=True)
    out = np.asarray(found.fill_null(-1).to_numpy(), dtype=np.int64)
    return out[:n], out[n:]
