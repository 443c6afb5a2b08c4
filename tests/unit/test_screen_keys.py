"""``screen.keys.keys_and_owners`` against a plain dictionary walk, for any split of the hashing.

Why: the ids are hashed in groups (by the last byte) on threads; a slip in the grouping (an empty id, a
multi-byte character, a missing id) or in putting the groups' answers back would attach a session to the
wrong patient, or let a duplicate row through. The reference is the definition: the first row holding
each id, -1 for a missing or unmatched one.
"""

from __future__ import annotations

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.screen.keys import keys_and_owners

ID = st.one_of(st.none(), st.sampled_from(["", "a", "b", "ab", "ba", "é", "aé", "P1", "P10", "P01", " P1"]))


def _reference(keys: list[str | None], values: list[str | None]) -> tuple[list[int], list[int]]:
    first: dict[str, int] = {}
    for i, key in enumerate(keys):
        if key is not None:
            first.setdefault(key, i)
    return ([-1 if k is None else first[k] for k in keys], [-1 if v is None else first.get(v, -1) for v in values])


@settings(max_examples=200, deadline=None)
@given(st.lists(ID, max_size=30), st.lists(ID, max_size=40), st.integers(1, 9))
def test_matches_the_first_row_of_each_id(keys: list[str | None], values: list[str | None], parts: int) -> None:
    values = sorted(values, key=lambda v: (v is None, v or ""))[: len(values) // 2] + values[len(values) // 2:]
    first, owner = keys_and_owners(pd.Series(keys, dtype="str"), pd.Series(values, dtype="str"), parts=parts)
    assert (first.tolist(), owner.tolist()) == _reference(keys, values)


def test_a_large_file_is_split_and_matches_by_hand() -> None:
    # 80,000 patients on 160,000 rows (each id twice: the second row repeats the first), 3 sessions each and
    # one session of nobody: with the run heads, past PARALLEL_FROM ids, so hashed in groups on threads
    ids = [f"P{i}" for i in range(80_000)] * 2
    sessions = [f"P{i}" for i in range(80_000) for _ in range(3)] + ["nobody"]
    first, owner = keys_and_owners(pd.Series(ids, dtype="str"), pd.Series(sessions, dtype="str"))
    assert first[:3].tolist() == [0, 1, 2] and first[80_000:80_003].tolist() == [0, 1, 2]
    assert owner[:6].tolist() == [0, 0, 0, 1, 1, 1] and owner[-1] == -1
    assert owner[-4] == 79_999
