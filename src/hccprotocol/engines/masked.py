"""The values and missing-mask of pandas' nullable arrays (``boolean``, ``Int*``, ``Float*``), read in one place.

Why a module: the rule masks and the screen read every nullable column as a pair of numpy arrays (values,
missing), many times per partition. pandas holds exactly that pair, but only as the private ``_data`` and
``_mask`` (no public accessor returns them without a copy). They are read here alone, checked for the
shape this code relies on, with the public copies (``to_numpy``, ``isna``) as the fallback, so a pandas
release that changes its internals costs speed, never a wrong answer; a test pins both paths to the same
values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

__all__ = ["MASKED", "is_masked", "parts"]

MASKED = (pd.arrays.BooleanArray, pd.arrays.IntegerArray, pd.arrays.FloatingArray)
"""pandas' public nullable array classes (every one a masked array: values plus a missing-mask)."""


def is_masked(arr: Any) -> bool:
    return isinstance(arr, MASKED)


def parts(arr: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(values, missing) of a nullable array; a missing entry's value is unspecified (mask it)."""
    data, mask = getattr(arr, "_data", None), getattr(arr, "_mask", None)
    if (isinstance(data, np.ndarray) and isinstance(mask, np.ndarray) and mask.dtype == np.bool_
            and data.shape == mask.shape == (len(arr),)):
        return data, mask
    return public_parts(arr)  # pragma: no cover - only on a pandas whose internals differ


def public_parts(arr: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``parts`` by pandas' public API (copies): missing values filled with the dtype's zero."""
    numpy_dtype = arr.dtype.numpy_dtype
    values = arr.to_numpy(dtype=numpy_dtype, na_value=np.zeros((), dtype=numpy_dtype).item())
    return values, np.asarray(arr.isna(), dtype=bool)
