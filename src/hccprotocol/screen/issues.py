"""What a screen reports about its input: each rejected cell or row (table, row, patient, field, value, why).

Why columns and not one object per issue: an issue is rare in a clean
registry, but a wrong sessions file (ids that match no patient: a session each)
or a systematically wrong column gives millions. As one Python object each they
cost about 2.7 us to build on a worker, 2 us to pickle back and 3 us to unpickle
in the parent, which does it alone: a million patients with the wrong sessions
file took 31 s where a clean file takes 2.5 s. ``Issues`` holds the six fields
as arrays (a reason or field name shared by a batch is one string object, which
pickle writes once), is sorted with one stable ``lexsort``, and builds an
``Issue`` only when one is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, overload

import numpy as np
import pandas as pd

__all__ = ["Issue", "Issues"]


@dataclass(frozen=True)
class Issue:
    """One rejected cell (or row): where, what, why."""

    table: str
    row: int
    patient_id: str
    field: str
    value: str
    reason: str


_TEXT = ("table", "patient_id", "field", "value", "reason")


def _text(values: str | Iterable[Any], n: int) -> np.ndarray[Any, Any]:
    """``n`` texts as an object array: one string repeated (the same object, written once by pickle) or one
    per item, each as ``str`` makes it (as ``Issue`` fields always were)."""
    out = np.empty(n, dtype=object)
    if isinstance(values, str):
        out[:] = values
    else:
        items = [v if type(v) is str else str(v) for v in values]
        if len(items) != n:
            raise ValueError(f"{len(items)} values for {n} issues")
        out[:] = items
    return out


class Issues(Sequence[Issue]):
    """Issues as columns, in the order given (``sorted`` and ``by_row`` order them); reads as a sequence of
    ``Issue`` and compares equal to another ``Issues`` (or a list of ``Issue``) with the same items."""

    __slots__ = ("_columns",)

    def __init__(self, columns: dict[str, np.ndarray[Any, Any]] | None = None) -> None:
        if columns is None:
            columns = {name: np.empty(0, dtype=object) for name in _TEXT} | {"row": np.empty(0, dtype=np.int64)}
        lengths = {len(v) for v in columns.values()}
        if len(lengths) > 1 or set(columns) != {*_TEXT, "row"}:  # pragma: no cover - a caller's defect
            raise ValueError("issue columns must be the six fields, of one length")
        self._columns = columns

    @classmethod
    def of(cls, table: str, rows: Sequence[int] | np.ndarray[Any, Any], patient_ids: str | Iterable[Any],
           field: str | Iterable[Any], values: str | Iterable[Any], reasons: str | Iterable[Any]) -> Issues:
        """A batch: one issue per entry of ``rows``; a text given as one ``str`` applies to every issue."""
        row = np.asarray(rows, dtype=np.int64).reshape(-1)
        n = len(row)
        return cls({"table": _text(table, n), "row": row, "patient_id": _text(patient_ids, n),
                    "field": _text(field, n), "value": _text(values, n), "reason": _text(reasons, n)})

    @classmethod
    def concat(cls, parts: Iterable[Issues]) -> Issues:
        parts = [p for p in parts if len(p)]
        if not parts:
            return cls()
        if len(parts) == 1:
            return parts[0]
        return cls({name: np.concatenate([p._columns[name] for p in parts]) for name in (*_TEXT, "row")})

    def _take(self, order: np.ndarray[Any, Any]) -> Issues:
        return Issues({name: values[order] for name, values in self._columns.items()})

    def sorted(self) -> Issues:
        """By table (patients first), row and field name; stable (a cell's issues keep their order)."""
        if len(self) < 2:
            return self
        fields, _ = pd.factorize(self._columns["field"], sort=True)  # codes in the names' sort order
        other = self._columns["table"] != "patients"
        return self._take(np.lexsort((fields, self._columns["row"], other)))

    def by_row(self) -> Issues:
        """By row; stable (a row's issues keep their column order)."""
        if len(self) < 2:
            return self
        return self._take(np.argsort(self._columns["row"], kind="stable"))

    def tuples(self) -> Iterator[tuple[str, int, str, str, str, str]]:
        """Each issue's (table, row, patient_id, field, value, reason), without building an ``Issue``."""
        c = self._columns
        return zip(c["table"].tolist(), c["row"].tolist(), c["patient_id"].tolist(), c["field"].tolist(),
                   c["value"].tolist(), c["reason"].tolist(), strict=True)

    def __len__(self) -> int:
        return len(self._columns["row"])

    @overload
    def __getitem__(self, i: int) -> Issue: ...
    @overload
    def __getitem__(self, i: slice) -> Issues: ...
    def __getitem__(self, i: int | slice) -> Issue | Issues:
        if isinstance(i, slice):
            return self._take(np.arange(len(self))[i])
        c = self._columns
        k = range(len(self))[i]  # negative indices and bounds as a list has them
        return Issue(c["table"][k], int(c["row"][k]), c["patient_id"][k], c["field"][k], c["value"][k],
                     c["reason"][k])

    def __iter__(self) -> Iterator[Issue]:
        return (Issue(*t) for t in self.tuples())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Issues):
            return len(self) == len(other) and all(
                np.array_equal(self._columns[name], other._columns[name]) for name in (*_TEXT, "row"))
        if isinstance(other, list):
            return list(self) == other
        return NotImplemented

    def __repr__(self) -> str:
        shown = ", ".join(repr(i) for i in self[:5])
        more = f", ... ({len(self)} in all)" if len(self) > 5 else ""
        return f"Issues([{shown}{more}])"
