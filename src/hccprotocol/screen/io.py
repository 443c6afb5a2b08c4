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
    """``eligible`` as the text CSV shows (``true``/``false``/empty), as a categorical (no string per row)."""
    eligible = decisions["eligible"].astype("boolean")
    codes = np.where(eligible.isna().to_numpy(), 0, np.where(eligible.to_numpy(dtype=bool, na_value=False), 1, 2))
    return decisions.assign(eligible=pd.Categorical.from_codes(codes, categories=pd.Index(["", "true", "false"])))


CHUNK_ROWS = 100_000
"""Lines of decisions CSV built and written at a time (the whole text of a million rows is about 225 MB)."""


def to_csv_text(decisions: pd.DataFrame) -> str:
    """The decisions as CSV text, exactly as ``DataFrame.to_csv`` writes them (minimal quoting, empty = missing)."""
    return _csv_bytes(decisions).decode("utf-8")


def _csv_bytes(decisions: pd.DataFrame) -> bytes:
    return b"".join(bytes(c) for c in csv_chunks(decisions))


def _pandas_csv(frame: pd.DataFrame) -> bytes:
    """The reference writer, for small frames and for values the fast path does not take (line breaks)."""
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def csv_chunks(decisions: pd.DataFrame, rows: int = CHUNK_ROWS) -> Iterator[bytes | pa.Buffer]:
    """``to_csv_text`` as UTF-8 pieces of ``rows`` lines (the header with the first), so a file is written
    without holding its whole text at once.

    Why not ``to_csv`` on the whole frame: it formats a million rows cell by cell (seconds). Every column
    after ``patient_id`` holds few distinct values (statuses, joined names), so each distinct value's cell is
    written by ``to_csv`` itself (its quoting), once; the ids that need quoting are written by ``to_csv``
    too. Arrow joins the cells of each distinct combination of those columns once, and each chunk of lines
    is one take of those tails and one element-wise join with the ids; the joined lines' data buffer is the
    text.
    """
    frame = _csv_frame(decisions)
    if len(frame) < 1000 or frame.columns[0] != "patient_id" or len(frame.columns) < 2:
        yield _pandas_csv(frame)
        return
    header = _pandas_csv(frame.head(0))
    rest = frame.iloc[:, 1:]
    combo = _combination_codes(rest)
    first = pd.Series(np.arange(len(combo))).groupby(combo, sort=True).first().to_numpy()
    parts = []
    for name in rest.columns:
        codes, uniques = pd.factorize(rest[name].iloc[first], use_na_sentinel=False)
        cells = _cells(pd.Series(uniques, dtype=rest[name].dtype))
        if cells is None:  # pragma: no cover - a value with a line break: let pandas write it all
            yield _pandas_csv(frame)
            return
        parts.append(pa.array(cells, pa.string()).take(pa.array(codes)))
    tails = pc.binary_join_element_wise(*parts, pa.array([""] * len(first)), ",")  # "cell,...,cell,"
    tails = pc.binary_join_element_wise(pc.utf8_slice_codeunits(tails, 0, -1), "\n", "")  # "cell,...,cell\n"
    ids = pa.array(frame["patient_id"].astype("str").array, pa.string())  # chunked after a concatenation
    ids = (ids.combine_chunks() if isinstance(ids, pa.ChunkedArray) else ids).fill_null("")
    needs = np.asarray(pc.match_substring_regex(ids, r'[,"\r\n]|^\s|\s$'), dtype=bool)
    if needs.any():
        quoted = _cells(frame.loc[needs, "patient_id"])
        if quoted is None:  # pragma: no cover - an id with a line break
            yield _pandas_csv(frame)
            return
        ids = pc.replace_with_mask(ids, pa.array(needs), pa.array(quoted, pa.string()))
    for start in range(0, len(frame), rows):
        stop = min(start + rows, len(frame))
        tail = tails.take(pa.array(combo[start:stop]))
        lines = pc.binary_join_element_wise(ids.slice(start, stop - start), tail, ",")
        _, offsets, data = lines.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
        text = data.slice(int(bounds[0]), int(bounds[-1] - bounds[0]))
        yield (header + text.to_pybytes()) if start == 0 else text


def _cells(values: pd.Series[Any]) -> list[str] | None:
    """Each value as ``to_csv`` writes it as a cell among others (quoted where needed); None if one spans lines.

    Why a second, empty column: a line of one empty field is written ``""``, a cell among others is not.
    """
    frame = pd.DataFrame({"value": values.reset_index(drop=True), "after": ""})
    lines = frame.to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    return [line[:-1] for line in lines] if len(lines) == len(values) else None


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
        return _csv_bytes(decisions)
    ext = suffix(path, (".csv", ".parquet"), "decisions file")
    if ext == ".csv":
        with path.open("wb") as out:
            for chunk in csv_chunks(decisions):
                out.write(chunk)
    else:
        decisions.to_parquet(path, index=False)
    return None
