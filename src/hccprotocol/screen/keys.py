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

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol.screen.chunks import one_array
from hccprotocol.screen.unpack import numpy_bools

__all__ = ["keys_and_owners"]


def _array(ids: pd.Series[Any]) -> pa.Array:
    found = pa.array(ids.astype("str").array)  # Arrow-backed: handed over without a copy
    found = one_array(found)  # a CSV's blocks joined once
    return found.cast(pa.large_string())


def _run_heads(values: pa.Array) -> np.ndarray[Any, Any]:
    """Positions where a run of equal values starts (a missing value is a run of its own)."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    differs = pc.not_equal(values.slice(1), values.slice(0, len(values) - 1))
    heads = np.empty(len(values), dtype=bool)
    heads[0] = True
    heads[1:] = numpy_bools(differs, null=True)  # a missing value starts a run of its own
    return np.flatnonzero(heads)


PARALLEL_FROM = 200_000
"""Ids (keys and run heads together) from which the hashing is split into ``GROUPS`` groups on ``THREADS``
threads."""
THREADS = min(2, os.cpu_count() or 1)
GROUPS = 8
"""Groups hashed apart from ``PARALLEL_FROM`` ids. Why more groups than threads: each group's hash table is
smaller, and a thread's next group reuses the memory its last one freed. In a fresh process (every screen
run), 10^6 patients' and 2.95M sessions' ids: 0.32-0.46 s in 2 groups, 0.15-0.23 s in 8 (0.17-0.31 s and
0.14-0.23 s when repeated in one process)."""


def _groups(ids: pa.Array, parts: int) -> list[np.ndarray[Any, Any]]:
    """Positions of ``ids`` in ``parts`` groups, by the low bits of each id's last byte: equal ids always
    share a group (an empty or missing id goes to the first), so each group is matched on its own.

    Why: Arrow's hashing holds the GIL for none of its work, so groups hashed on threads run at once, and
    a smaller hash table misses the cache less (each group hashes faster per id than the whole does).
    """
    if parts <= 1 or len(ids) == 0:
        return [np.arange(len(ids))]
    buffers = ids.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[ids.offset:ids.offset + len(ids) + 1]
    data = np.frombuffer(buffers[2], dtype=np.uint8) if buffers[2] is not None else np.zeros(1, dtype=np.uint8)
    ends = offsets[1:]
    filled = ends > offsets[:-1]
    last = data[np.clip(ends - 1, 0, max(len(data) - 1, 0))] if len(data) else np.zeros(len(ids), dtype=np.uint8)
    group = np.where(filled, last % np.uint8(parts), np.uint8(0))
    return [np.flatnonzero(group == g) for g in range(parts)]


def _first_rows(codes: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Positions where each code first appears, by code (codes count up in order of first appearance)."""
    seen_before = np.maximum.accumulate(np.concatenate([[-1], codes[:-1]])) if len(codes) else codes
    return np.flatnonzero(codes > seen_before)


def keys_and_owners(keys: pd.Series[Any], values: pd.Series[Any],
                    parts: int | None = None) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per key row, the first row with its key (itself unless a duplicate), and per value, the first row of
    ``keys`` equal to it; -1 where missing or unmatched.

    Why together: one pass of hashing answers both (see the module docstring). ``parts``: the groups hashed
    apart (``_groups``), by default ``GROUPS`` from ``PARALLEL_FROM`` ids and one below.
    """
    k, v = _array(keys), _array(values)
    heads = _run_heads(v)
    both = pa.concat_arrays([k, v.take(pa.array(heads))])
    n_keys = len(k)
    if parts is None:
        parts = GROUPS if len(both) >= PARALLEL_FROM else 1
    groups = _groups(both, parts)
    first = np.full(n_keys, -1, dtype=np.int64)
    owner_heads = np.full(len(heads), -1, dtype=np.int64)

    def match(at: np.ndarray[Any, Any]) -> None:
        # within a group, the keys come first (positions in order): their codes are 0 .. distinct keys - 1
        subset = both if len(at) == len(both) else both.take(pa.array(at))
        codes = np.asarray(pc.dictionary_encode(subset).indices.fill_null(-1).to_numpy(), dtype=np.int64)
        n_k = int(np.searchsorted(at, n_keys))
        key_codes, head_codes = codes[:n_k], codes[n_k:]
        rows = at[:n_k][_first_rows(key_codes)]  # rows[code] = the first key row with that id
        known = key_codes >= 0
        first[at[:n_k][known]] = rows[key_codes[known]]
        matched = (head_codes >= 0) & (head_codes < len(rows))
        owner_heads[at[n_k:][matched] - n_keys] = rows[head_codes[matched]]

    if len(groups) == 1:
        match(groups[0])
    else:
        with ThreadPoolExecutor(max_workers=min(THREADS, len(groups))) as pool:
            list(pool.map(match, groups))  # list: re-raises a group's error here
    owner = np.repeat(owner_heads, np.diff(np.append(heads, len(v)))) if len(v) else np.zeros(0, dtype=np.int64)
    return first, np.asarray(owner, dtype=np.int64)
