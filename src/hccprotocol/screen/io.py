"""Reading registry tables (CSV or Parquet) and writing decisions, with row numbers kept.

Why text for CSV: every CSV cell is read as text and typed by
``screen.validate`` against the model, so "1.7" and "1,7" or "yes" are judged
by one rule, never by pandas' guessing. Parquet columns arrive typed and are
checked the same way. Decisions are written with ``eligible`` as
``true``/``false``/empty (CSV) or a nullable boolean (Parquet).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol.errors import InputError
from hccprotocol.screen.partition import ROW

__all__ = ["csv_chunks", "read_table", "suffix", "to_csv_text", "write_decisions"]


def suffix(path: Path, allowed: tuple[str, ...], what: str) -> str:
    ext = path.suffix.lower()
    if ext not in allowed:
        raise InputError(f"{what} {path}: expected a {' or '.join(allowed)} file")
    return ext


def read_table(path: Path, what: str) -> pd.DataFrame:
    """The table with a ``__row`` column (1-based data-row numbers)."""
    ext = suffix(path, (".csv", ".parquet"), what)
    if not path.exists():
        raise InputError(f"{what} {path}: no such file")
    try:
        if ext == ".csv":
            frame = pd.read_csv(path, dtype="str", keep_default_na=False, engine="pyarrow")
        else:
            frame = pd.read_parquet(path, dtype_backend="numpy_nullable")
    except (ValueError, OSError) as exc:
        raise InputError(f"{what} {path}: cannot be read ({exc})") from exc
    frame[ROW] = np.arange(1, len(frame) + 1)
    return frame


def _csv_frame(decisions: pd.DataFrame) -> pd.DataFrame:
    out = decisions.copy()
    eligible = decisions["eligible"].astype("boolean")
    out["eligible"] = np.where(eligible.isna(), "", np.where(eligible.fillna(False), "true", "false"))
    return out


CHUNK_ROWS = 100_000
"""Lines of decisions CSV built and written at a time (the whole text of a million rows is about 225 MB)."""


def to_csv_text(decisions: pd.DataFrame) -> str:
    """The decisions as CSV text, exactly as ``DataFrame.to_csv`` writes them (minimal quoting, empty = missing)."""
    return "".join(csv_chunks(decisions))


def csv_chunks(decisions: pd.DataFrame, rows: int = CHUNK_ROWS) -> Iterator[str]:
    """``to_csv_text`` in pieces of ``rows`` lines (the header with the first), so a file is written without
    holding its whole text, its lines and its bytes at once.

    Why not ``to_csv`` on the whole frame: it formats a million rows cell by cell (seconds). Every column after
    ``patient_id`` holds few distinct values (statuses, joined names), so the distinct combinations of those
    columns are written by ``to_csv`` itself, once each, and every line is its patient_id cell (``to_csv``'s
    quoting for the ids that need it) joined to its combination's text.
    """
    frame = _csv_frame(decisions)
    if len(frame) < 1000 or frame.columns[0] != "patient_id":
        yield frame.to_csv(index=False, lineterminator="\n")
        return
    header = frame.head(0).to_csv(index=False, lineterminator="\n")
    combo = _combination_codes(frame.iloc[:, 1:])
    first = pd.Series(np.arange(len(combo))).groupby(combo, sort=True).first().to_numpy()
    tails = frame.iloc[first, 1:].to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    if len(tails) != len(first):  # pragma: no cover - a value with a line break: let pandas write it all
        yield frame.to_csv(index=False, lineterminator="\n")
        return
    ids = frame["patient_id"].astype("str")
    needs = np.asarray(pc.match_substring_regex(pa.array(ids.array), r'[,"\r\n]|^\s|\s$').fill_null(True), dtype=bool)
    id_text = ids.to_numpy(dtype=object)
    if needs.any():
        cells = frame.loc[needs, ["patient_id"]].to_csv(index=False, header=False, lineterminator="\n").split("\n")
        if len(cells) - 1 != int(needs.sum()):  # pragma: no cover - an id with a line break
            yield frame.to_csv(index=False, lineterminator="\n")
            return
        id_text[needs] = cells[:-1]
    tail_text = np.asarray([f",{t}" for t in tails], dtype=object)
    for start in range(0, len(frame), rows):
        lines = id_text[start:start + rows] + tail_text[combo[start:start + rows]]  # str + str, element-wise
        yield (header if start == 0 else "") + "\n".join(lines.tolist()) + "\n"


def _combination_codes(frame: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Per row, the number of its distinct combination of values over ``frame``'s columns."""
    key = np.zeros(len(frame), dtype=np.int64)
    cardinality = 1
    for name in frame.columns:
        codes, uniques = pd.factorize(frame[name], use_na_sentinel=False)
        width = len(uniques) + 1
        if cardinality * width >= 2**62:
            key, seen = pd.factorize(key)
            cardinality = len(seen)
        key = key * width + codes
        cardinality *= width
    out, _ = pd.factorize(key)
    return np.asarray(out, dtype=np.int64)


def write_decisions(decisions: pd.DataFrame, path: Path | None) -> bytes | None:
    """Write to ``path`` (.csv or .parquet); ``None`` returns the CSV bytes (standard output)."""
    if path is None:
        return to_csv_text(decisions).encode("utf-8")
    ext = suffix(path, (".csv", ".parquet"), "decisions file")
    if ext == ".csv":
        with path.open("w", encoding="utf-8", newline="") as out:
            out.writelines(csv_chunks(decisions))
    else:
        decisions.to_parquet(path, index=False)
    return None
