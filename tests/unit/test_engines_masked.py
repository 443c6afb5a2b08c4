"""``engines.masked``: the (values, missing) pair of pandas' nullable arrays, fast path and public path alike.

Why: the rule masks and the screen read every nullable column through ``parts``; if a pandas release
changed what its private attributes hold, the pairs would differ from the public API's and this test fails
(the values are written out by hand, not read back from the code).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hccprotocol.engines.masked import is_masked, parts, public_parts

CASES = [
    (pd.array([True, None, False], dtype="boolean"), [True, False], [False, True, False]),
    (pd.array([3, None, -1], dtype="Int64"), [3, -1], [False, True, False]),
    (pd.array([0.5, 2.0, None], dtype="Float64"), [0.5, 2.0], [False, False, True]),
]


@pytest.mark.parametrize(("arr", "known_values", "missing"), CASES)
def test_values_and_missing_by_hand(arr: pd.api.extensions.ExtensionArray, known_values: list[object],
                                    missing: list[bool]) -> None:
    assert is_masked(arr)
    for read in (parts, public_parts):
        values, mask = read(arr)
        assert mask.tolist() == missing
        assert values[~mask].tolist() == known_values
        assert len(values) == len(arr)


def test_other_arrays_are_not_masked() -> None:
    assert not is_masked(pd.array(["a", None], dtype="str"))
    assert not is_masked(np.array([True, False]))
    assert not is_masked(pd.Series([1, 2]).array)  # numpy-backed int64, no mask
