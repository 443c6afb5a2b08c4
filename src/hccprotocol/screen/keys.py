"""Matching rows by ``patient_id``: the first row holding each id, by one hash pass in Arrow.

Why a module of its own: both the file-level partitioning and the
partition itself attach sessions (and duplicate rows) to the *first* patient row
with their id, and pandas' string re-indexing is an order of magnitude slower
than Arrow's hashing on a million ids. A missing id never matches.

Why one ``dictionary_encode`` and not ``index_in``: ``index_in`` hashes the keys
to build its table and then hashes them again to look them up; dictionary
encoding the keys followed by the values hashes every id once, and numbers the
distinct ids in order of first appearance, so the keys' codes name their first
rows and a value's code names its key's first row (or no key, when the code is
past the keys' ones). Why only the first value of each run: a sessions table
lists a patient's sessions one after the other, so a million patients' three
million sessions are a million runs; the run's other values share its answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["keys_and_owners"]


def _array(ids: pd.Series[Any]) -> pa.Array:
    found = pa.array(ids.astype("str").array)  # Arrow-backed: handed over without a copy
    found = found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found  # a CSV's blocks joined once
    return found.cast(pa.large_string())


def _run_heads(values: pa.Array) -> np.ndarray[Any, Any]:
    """Positions where a run of equal values starts (a missing value is a run of its own)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    differs = pc.not_equal(values.slice(1), values.slice(0, len(values) - 1)).fill_null(True)
    heads = np.empty(len(values), dtype=bool)
    heads[0] = True
    heads[1:] = np.asarray(differs.to_numpy(zero_copy_only=False), dtype=bool)
    return np.flatnonzero(heads)


def keys_and_owners(keys: pd.Series[Any], values: pd.Series[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per key row, the first row with its key (itself unless a duplicate), and per value, the first row of
    ``keys`` equal to it; -1 where missing or unmatched.

    Why together: one pass of hashing answers both (see the module docstring).
    """
    k, v = _array(keys), _array(values)
    heads = _run_heads(v)
    both = pa.concat_arrays([k, v.take(pa.array(heads))])
    codes = np.asarray(pc.dictionary_encode(both).indices.fill_null(-1).to_numpy(), dtype=np.int64)
    key_codes, head_codes = codes[:len(k)], codes[len(k):]
    # codes count up in order of first appearance: a key row is the first of its id where its code is new
    seen_before = np.maximum.accumulate(np.concatenate([[-1], key_codes[:-1]])) if len(k) else key_codes
    first_rows = np.flatnonzero(key_codes > seen_before)  # first_rows[code] = the first row with that id
    first = np.where(key_codes >= 0, first_rows[np.clip(key_codes, 0, None)] if len(first_rows) else -1, -1)
    matched = (head_codes >= 0) & (head_codes < len(first_rows))
    owner_heads = np.where(matched, first_rows[np.clip(head_codes, 0, len(first_rows) - 1)]
                           if len(first_rows) else -1, -1)
    owner = np.repeat(owner_heads, np.diff(np.append(heads, len(v)))) if len(v) else np.zeros(0, dtype=np.int64)
    return np.asarray(first, dtype=np.int64), np.asarray(owner, dtype=np.int64)
