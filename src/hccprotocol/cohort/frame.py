"""Facts (nested dicts, one per patient or per TACE session) laid out as a typed DataFrame.

Why typed columns: the mask compiler's semantics depend on what a column holds
(numbers, text, true/false). Letting pandas infer would turn an integer column
with a gap into floats and a true/false column with a gap into ``object``; here
each column gets a nullable dtype chosen from the Python values themselves:
``boolean``, ``Int64``, ``Float64`` (ints and floats mixed), ``str``, or
``object`` when kinds are mixed or every value is missing.

Every fact is first passed through ``rules_engine.sanitise``, the function that
prepares facts for durable_rules: the cohort frame therefore holds exactly what
the per-patient engine asserts (``None``/NaN absent, numpy scalars and Decimals
as Python numbers).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pandas as pd

from hccprotocol.rules_engine import sanitise

__all__ = ["facts_frame", "typed_column"]


def _paths_of(fact: Mapping[str, Any], split: Sequence[tuple[str, tuple[str, ...]]]) -> dict[str, Any]:
    """The value at each dotted path (``None`` when any part is absent), keyed by the dotted path."""
    out: dict[str, Any] = {}
    for path, parts in split:
        node: Any = fact
        for part in parts:
            # a plain dict first: isinstance against the Mapping ABC is slow and facts are dicts
            node = node.get(part) if type(node) is dict or isinstance(node, Mapping) else None
            if node is None:
                break
        out[path] = node
    return out


def typed_column(values: Sequence[Any], index: pd.Index[Any] | None = None) -> pd.Series[Any]:
    """A Series whose dtype says what the non-missing values are (see the module docstring)."""
    kinds = {type(v) for v in values if v is not None}
    dtype: str
    if not kinds:
        dtype = "object"
    elif kinds == {bool}:
        dtype = "boolean"
    elif kinds == {int}:
        dtype = "Int64"
    elif kinds <= {int, float}:
        dtype = "Float64"
    elif kinds == {str}:
        dtype = "str"
    else:
        dtype = "object"
    return pd.Series(list(values), index=index, dtype=dtype)


def facts_frame(
    facts: Iterable[Mapping[str, Any]], paths: Sequence[str], extra: Mapping[str, Sequence[Any]] | None = None
) -> pd.DataFrame:
    """One row per fact, one column per dotted path in ``paths`` (a path no fact has is an all-missing column).

    Only ``paths`` are read, as the per-patient path asserts only the projection on the paths its rules test.
    ``extra`` adds columns given directly (e.g. the patient row of each session).
    """
    split = [(p, tuple(p.split("."))) for p in paths]
    flats = [sanitise(_paths_of(f, split)) for f in facts]
    index = pd.RangeIndex(len(flats))
    columns: dict[str, pd.Series[Any]] = {}
    for name, values in (extra or {}).items():
        columns[name] = typed_column(values, index)
    for path in paths:
        columns[path] = typed_column([flat.get(path) for flat in flats], index)
    return pd.DataFrame(columns, index=index)
