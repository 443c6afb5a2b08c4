"""Reading registry tables (CSV or Parquet) and writing decisions, with row numbers kept.

Why text for CSV: every CSV cell is read as text and typed by
``screen.validate`` against the model, so "1.7" and "1,7" or "yes" are judged
by one rule, never by pandas' guessing. Parquet columns arrive typed and are
checked the same way. Decisions are written with ``eligible`` as
``true``/``false``/empty (CSV) or a nullable boolean (Parquet).
"""

from __future__ import annotations

import csv
import functools
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from hccprotocol.errors import InputError
from hccprotocol.screen.chunks import one_array
from hccprotocol.screen.partition import ROW
from hccprotocol.screen.unpack import numpy_bools
from hccprotocol.screen.validate import NULLABLE

__all__ = ["DecisionsFile", "csv_chunks", "read_table", "suffix", "to_csv_text", "write_decisions"]


def suffix(path: Path, allowed: tuple[str, ...], what: str) -> str:
    ext = path.suffix.lower()
    if ext not in allowed:
        raise InputError(f"{what} {path}: expected a {' or '.join(allowed)} file")
    return ext


_AS_READ: dict[pa.DataType, Any] = {
    **{t: pd.ArrowDtype(t) for t in NULLABLE},
    pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(),
}
"""Parquet types as the screen holds them when read: numbers and booleans (the types ``validate.NULLABLE``
converts) left in Arrow (``pd.ArrowDtype``, no
copy), text as pandas' Arrow-backed ``StringDtype`` (no copy either). ``screen.validate`` turns each Arrow
column into the nullable dtype ``pd.read_parquet(dtype_backend="numpy_nullable")`` gives, on the workers and
for their partition's rows only; every other type converts as that call converts it."""


def read_table(path: Path, what: str) -> pd.DataFrame:
    """The table with a ``__row`` column (1-based data-row numbers).

    Why Parquet is not read by ``pd.read_parquet(dtype_backend="numpy_nullable")``: that converts every column
    into pandas' masked arrays in the main process before anything runs in parallel (about 0.5 s for a
    million patients and their sessions); read as ``_AS_READ`` says, the conversion happens per partition on
    the workers, to the same dtypes."""
    ext = suffix(path, (".csv", ".parquet"), what)
    if not path.exists():
        raise InputError(f"{what} {path}: no such file")
    try:
        if ext == ".csv":
            frame = _read_csv_text(path, what)
        else:
            frame = pq.read_table(path).to_pandas(types_mapper=_AS_READ.get)
    except (ValueError, OSError) as exc:
        raise InputError(f"{what} {path}: cannot be read ({exc})") from exc
    frame[ROW] = np.arange(1, len(frame) + 1)
    return frame


_TEXT_AS_READ = {pa.string(): pd.ArrowDtype(pa.string())}


def _read_csv_text(path: Path, what: str) -> pd.DataFrame:
    """Every cell of a CSV file as the text written there (an empty cell as ""), held in Arrow as read.

    Why Arrow's reader with every column typed as text, and the columns left as ``pd.ArrowDtype(string)``:
    pandas' ``read_csv(dtype="str")`` turns each column into pandas' text dtype, whose Arrow array has 64-bit
    offsets, copying every cell's offset once more (about 250 MB for a million patients and their sessions,
    in the process every worker shares); ``screen.validate`` reads either the same way. Why the header is
    read first: Arrow types only the columns it is told of, so the names must be known before the read. A
    repeated name is kept (``validate.check_columns`` refuses it; pandas renamed it ``name.1``)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = next(csv.reader(handle), None)
    if not header:
        raise InputError(f"{what} {path}: no header row")
    convert = pacsv.ConvertOptions(column_types={name: pa.string() for name in header}, null_values=[],
                                   strings_can_be_null=False, quoted_strings_can_be_null=False)
    table = pacsv.read_csv(path, convert_options=convert)
    if table.column_names != header or any(t != pa.string() for t in table.schema.types):
        # the header read otherwise than Arrow read it (never seen): the reader every cell once went through
        return pd.read_csv(path, dtype="str", keep_default_na=False, engine="pyarrow")
    frame: pd.DataFrame = table.to_pandas(types_mapper=_TEXT_AS_READ.get)
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


def _pandas_csv(frame: pd.DataFrame, header: bool = True) -> bytes:
    """The reference writer, for small frames and for values the fast path does not take (line breaks)."""
    return frame.to_csv(index=False, header=header, lineterminator="\n").encode("utf-8")


def csv_chunks(decisions: pd.DataFrame, rows: int = CHUNK_ROWS, header: bool = True) -> Iterator[bytes | pa.Buffer]:
    """``to_csv_text`` as UTF-8 pieces of ``rows`` lines (the header with the first, unless ``header`` is
    false: the lines of a later part of the same file), so a file is written without holding its whole text
    at once.

    Why not ``to_csv`` on the whole frame: it formats a million rows cell by cell (seconds). Every column
    after ``patient_id`` holds few distinct values (statuses, joined names), so each distinct value's cell is
    written by ``to_csv`` itself (its quoting), once; the ids that need quoting are written by ``to_csv``
    too. Arrow joins the cells of each distinct combination of those columns once, and each chunk of lines
    is one take of those tails and one element-wise join with the ids; the joined lines' data buffer is the
    text.
    """
    frame = _csv_frame(decisions)
    if len(frame) < 1000 or frame.columns[0] != "patient_id" or len(frame.columns) < 2:
        yield _pandas_csv(frame, header)
        return
    head = _pandas_csv(frame.head(0)) if header else b""
    rest = frame.iloc[:, 1:]
    combo = _combination_codes(rest)
    first = pd.Series(np.arange(len(combo))).groupby(combo, sort=True).first().to_numpy()
    parts = []
    for name in rest.columns:
        codes, uniques = pd.factorize(rest[name].iloc[first], use_na_sentinel=False)
        cells = _column_cells(pd.Series(uniques, dtype=rest[name].dtype))
        if cells is None:  # pragma: no cover - a value with a line break: let pandas write it all
            yield _pandas_csv(frame, header)
            return
        parts.append(pa.array(cells, pa.string()).take(pa.array(codes)))
    tails = pc.binary_join_element_wise(*parts, pa.array([""] * len(first)), ",")  # "cell,...,cell,"
    tails = pc.binary_join_element_wise(pc.utf8_slice_codeunits(tails, 0, -1), "\n", "")  # "cell,...,cell\n"
    ids = pa.array(frame["patient_id"].astype("str").array, pa.string())  # chunked after a concatenation
    ids = one_array(ids).fill_null("")
    needs = numpy_bools(pc.match_substring_regex(ids, r'[,"\r\n]|^\s|\s$'), null=False)
    if needs.any():
        quoted = _cells(frame.loc[needs, "patient_id"])
        if quoted is None:  # pragma: no cover - an id with a line break
            yield _pandas_csv(frame, header)
            return
        ids = pc.replace_with_mask(ids, pa.array(needs), pa.array(quoted, pa.string()))
    for start in range(0, len(frame), rows):
        stop = min(start + rows, len(frame))
        tail = tails.take(pa.array(combo[start:stop]))
        lines = pc.binary_join_element_wise(ids.slice(start, stop - start), tail, ",")
        _, offsets, data = lines.buffers()
        bounds = np.frombuffer(offsets, dtype=np.int32, count=len(lines) + 1, offset=lines.offset * 4)
        text = data.slice(int(bounds[0]), int(bounds[-1] - bounds[0]))
        yield (head + text.to_pybytes()) if start == 0 and head else text


def _cells(values: pd.Series[Any]) -> list[str] | None:
    """Each value as ``to_csv`` writes it as a cell among others (quoted where needed); None if one spans lines.

    Why a second, empty column: a line of one empty field is written ``""``, a cell among others is not.
    """
    frame = pd.DataFrame({"value": values.reset_index(drop=True), "after": ""})
    lines = frame.to_csv(index=False, header=False, lineterminator="\n").split("\n")[:-1]
    return [line[:-1] for line in lines] if len(lines) == len(values) else None


@functools.lru_cache(maxsize=4096)
def _text_cells(values: tuple[str | None, ...]) -> tuple[str, ...] | None:
    """``_cells`` of a text column's distinct values (missing as None), cached: every partition of a screen
    writes the same few statuses and names, so each set is written by ``to_csv`` once, not once per partition."""
    cells = _cells(pd.Series([pd.NA if v is None else v for v in values], dtype="str"))
    return None if cells is None else tuple(cells)


def _column_cells(values: pd.Series[Any]) -> list[str] | None:
    """``_cells`` of the distinct values of one column, through the cache when they are plain text (the
    statuses and joined names) and directly otherwise."""
    if isinstance(values.dtype, pd.CategoricalDtype) and values.dtype.categories.dtype == "str":
        key = tuple(None if pd.isna(v) else str(v) for v in values.tolist())
        cached = _text_cells(key)
        return None if cached is None else list(cached)
    return _cells(values)


def _combination_codes(frame: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Per row, the number of its distinct combination of values over ``frame``'s columns."""
    key = np.zeros(len(frame), dtype=np.int64)
    cardinality = 1
    for name in frame.columns:
        column = frame[name]
        if isinstance(column.dtype, pd.CategoricalDtype):  # its codes already number its values (-1 missing)
            codes = np.asarray(column.cat.codes, dtype=np.int64) + 1
            width = len(column.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(column, use_na_sentinel=False)
            width = len(uniques) + 1
        if cardinality * width >= 2**62:
            key, seen = pd.factorize(key)
            cardinality = len(seen)
        key = key * width + codes
        cardinality *= width
    out, _ = pd.factorize(key)
    return np.asarray(out, dtype=np.int64)


PARQUET_STATISTICS = ["patient_id", "eligible"]
"""Columns whose min/max the Parquet file records. Why not every column: the statuses' statistics cost a
third of the write and every row group holds every status, so a reader could skip nothing by them."""
PARQUET_PLAIN = "patient_id"
"""The one column written without a Parquet dictionary: every id is distinct (a duplicate row aside), so a
dictionary only costs (a third of the write) and makes the file larger."""


def _parquet_schema(table: pa.Table) -> pa.Schema:
    """The file's schema, from its first part as converted: categorical columns as dictionaries with int32
    indices (any later part's categories fit), pandas' metadata kept (so pandas reads the dtypes back).

    Why from the converted part and not ``pa.Schema.from_pandas``: that converts every column once more only
    to learn its type."""
    fields = [pa.field(f.name, pa.dictionary(pa.int32(), f.type.value_type)) if pa.types.is_dictionary(f.type)
              else f for f in table.schema]
    return pa.schema(fields, metadata=table.schema.metadata)


class DecisionsFile:
    """A decisions file (.csv or .parquet) written part by part, in file order, and put in place whole.

    Why parts: the screen hands over each partition's decisions in file order as soon as it has them, so the
    file is written while later partitions are still being screened instead of after all of them. Why a
    temporary file renamed at the end: a screen that fails half way must not leave half a decisions file
    where a whole one is expected (an older file at that path stays as it was). The parts join to exactly
    the file ``write_decisions`` writes for their concatenation (CSV byte for byte; Parquet with the same
    values and dtypes, one row group per part).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._ext = suffix(path, (".csv", ".parquet"), "decisions file")
        self._partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
        self._csv: IO[bytes] | None = None
        self._parquet: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, decisions: pd.DataFrame) -> None:
        """Append the next part (the header, or the schema, comes from the first part)."""
        if self._ext == ".csv":
            header = self._csv is None
            if self._csv is None:
                self._csv = self._partial.open("wb")
            for chunk in csv_chunks(decisions, header=header):
                self._csv.write(chunk)
            return
        table = pa.Table.from_pandas(decisions, preserve_index=False)
        if self._schema is None:
            self._schema = _parquet_schema(table)
            dictionary = [name for name in self._schema.names if name != PARQUET_PLAIN]
            self._parquet = pq.ParquetWriter(self._partial, self._schema, write_statistics=PARQUET_STATISTICS,
                                             use_dictionary=dictionary)
        assert self._parquet is not None
        self._parquet.write_table(table.cast(self._schema))

    def _close(self) -> None:
        if self._csv is not None:
            self._csv.close()
        if self._parquet is not None:
            self._parquet.close()

    def __enter__(self) -> DecisionsFile:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._close()
        if kind is None and (self._csv is not None or self._parquet is not None):
            os.replace(self._partial, self.path)
        else:
            self._partial.unlink(missing_ok=True)


def write_decisions(decisions: pd.DataFrame, path: Path | None) -> bytes | None:
    """Write to ``path`` (.csv or .parquet) in one part; ``None`` returns the CSV bytes (standard output)."""
    if path is None:
        return _csv_bytes(decisions)
    with DecisionsFile(path) as out:
        out.write(decisions)
    return None
