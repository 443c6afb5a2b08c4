"""Running a screen: the whole file on one machine (in partitions on forked workers, with a progress bar) or
on Dask.

Why both paths call ``partition.screen_partition``: the single-machine path
cuts the patients table into partitions of about ``PARTITION_ROWS`` rows, each
row going to the partition of the first row with its ``patient_id`` (so a
duplicate row meets its first row, as on Dask) with its patients' sessions, and
screens them on ``screen.workers``; the Dask path hash-partitions both tables
by ``patient_id`` (so a patient's sessions and any duplicate rows of it meet in
one partition), screens every partition on the workers and puts the decisions
back in file order by row number. Same function, same rows: identical output,
which a test checks byte for byte on a 2-worker ``distributed`` cluster.
Dask is imported only here, only for ``--engine dask`` (an optional extra).
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from hccprotocol.errors import InputError
from hccprotocol.screen.columns import patient_columns, session_columns
from hccprotocol.screen.criteria import Criteria, load_criteria
from hccprotocol.screen.io import DecisionsFile, read_table, suffix
from hccprotocol.screen.issues import Issues
from hccprotocol.screen.keys import keys_and_owners
from hccprotocol.screen.partition import ROW, PartitionResult, screen_partition
from hccprotocol.screen.validate import check_columns, clean_ids
from hccprotocol.screen.workers import run_partitions

if TYPE_CHECKING:
    from hccprotocol.protocol import Protocol

__all__ = ["PARTITION_ROWS", "Screen", "combine", "screen_dask", "screen_files", "screen_frames"]

PARTITION_ROWS = 125_000
MIN_PARTITION_ROWS = 20_000
"""Below this, a second partition costs more (a forked worker, fixed per-partition work) than it saves."""
WORKERS = min(2, os.cpu_count() or 1)
"""Partitions screened at once, by forked processes where possible (``screen.workers``; the issue's machine has
2 cores)."""

Progress = Callable[[int, int], None]
Sink = Callable[[pd.DataFrame], None]
"""Receives the decisions in file order, in one or more consecutive parts (``io.DecisionsFile.write``)."""


@dataclass(frozen=True)
class Screen:
    decisions: pd.DataFrame
    issues: Issues
    invalid: int
    criteria: Criteria


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames one under the other; categorical columns stay categorical (their categories united).

    Why not ``pd.concat`` alone: partitions find different combinations of names (``excluded_by``,
    ``missing``), and concatenating categoricals with different categories builds one string per row.
    """
    if len(frames) == 1:
        return frames[0].reset_index(drop=True)
    columns: dict[str, Any] = {}
    for name in frames[0].columns:
        parts = [f[name] for f in frames]
        if all(isinstance(p.dtype, pd.CategoricalDtype) for p in parts):
            columns[name] = pd.Series(union_categoricals([p.array for p in parts]))
        else:
            columns[name] = pd.concat(parts, ignore_index=True)
    return pd.DataFrame(columns)


def combine(parts: list[PartitionResult], crit: Criteria) -> Screen:
    """Decisions of every partition in file order (by row number), issues by table and row."""
    decisions = _concat([p.decisions for p in parts if len(p.decisions)] or [parts[0].decisions])
    rows = np.concatenate([p.rows for p in parts]) if parts else np.zeros(0, dtype=np.int64)
    if np.any(rows[1:] < rows[:-1]):
        decisions = decisions.iloc[np.argsort(rows, kind="stable")].reset_index(drop=True)
    issues = Issues.concat(p.issues for p in parts).sorted()
    return Screen(decisions=decisions, issues=issues, invalid=sum(p.invalid for p in parts), criteria=crit)


def screen_frames(patients: pd.DataFrame, sessions: pd.DataFrame | None, protocol: Protocol, today: dt.date,
                  partition_rows: int = PARTITION_ROWS, progress: Progress | None = None,
                  workers: int = WORKERS, sink: Sink | None = None) -> Screen:
    """One machine: partitions of at most ``partition_rows`` patients, each with the sessions of its patients,
    screened by ``workers`` processes (``screen.workers``). A file of fewer than ``workers`` full partitions is
    cut into ``workers`` partitions (of at least ``MIN_PARTITION_ROWS``), so every worker has one.

    ``sink`` gets the decisions in file order: each partition's as it arrives when partitions are slices of
    the file in row order (so the output is written while later partitions are screened), else all at once
    at the end (a duplicate row moved to an earlier partition, or rows not numbered in file order)."""
    crit = load_criteria(protocol)
    _check_columns(patients, sessions)
    if ROW not in patients.columns:
        patients = patients.assign(**{ROW: np.arange(1, len(patients) + 1)})
    if sessions is not None and ROW not in sessions.columns:
        sessions = sessions.assign(**{ROW: np.arange(1, len(sessions) + 1)})
    n = len(patients)
    partition_rows = min(partition_rows, max(MIN_PARTITION_ROWS, -(-n // max(1, workers))))
    chunks = max(1, -(-n // partition_rows))
    streamed = False
    if chunks == 1:
        screen = combine([screen_partition(patients, sessions, protocol, today, crit)], crit)
        if progress is not None:
            progress(n, n)
    else:
        # Every row goes to the partition of the first row with its patient_id (a duplicate meets its first row,
        # as on Dask, and is judged there), and every session to its patient's first row's partition.
        # ids as the validation keeps them, so the partitions can take their keys from this one lookup
        ids = clean_ids(patients["patient_id"])
        s_ids = clean_ids(sessions["patient_id"]) if sessions is not None else ids.iloc[:0]
        first, owner = keys_and_owners(ids, s_ids)
        dup = (first >= 0) & (first != np.arange(n))
        chunk = np.where(dup, first, np.arange(n)) // partition_rows
        bounds = np.arange(chunks + 1) * partition_rows
        moved = bool(dup.any())  # a duplicate row joins its first row's partition: partitions are not slices
        numbers = patients[ROW].to_numpy()
        streamed = not moved and bool(np.all(numbers[1:] > numbers[:-1]))
        s_order: np.ndarray[Any, Any] | None = None  # sessions by partition, when the file does not list them so
        s_bounds = np.zeros(chunks + 1, dtype=np.int64)
        if sessions is not None:
            s_chunk = _session_chunks(owner, partition_rows, chunks)
            if not bool(np.all(s_chunk[1:] >= s_chunk[:-1])):
                s_order = np.argsort(s_chunk, kind="stable")  # file order within a partition
            s_bounds = np.searchsorted(s_chunk if s_order is None else s_chunk[s_order], np.arange(chunks + 1))

        def run(k: int) -> PartitionResult:
            # rows of a partition in file order, and their keys as partition rows
            rows = np.flatnonzero(chunk == k) if moved else np.arange(bounds[k], min(bounds[k + 1], n))
            p = patients.iloc[rows] if moved else patients.iloc[bounds[k]:bounds[k + 1]]
            s, s_rows = None, np.zeros(0, dtype=np.int64)
            if sessions is not None:
                start, stop = s_bounds[k], s_bounds[k + 1]
                s_rows = np.arange(start, stop) if s_order is None else s_order[start:stop]
                s = sessions.iloc[start:stop] if s_order is None else sessions.iloc[s_rows]
            if moved:
                keys = (_local(first[rows], rows), _local(owner[s_rows], rows))
            else:  # the partition's rows are bounds[k] onwards: a file row's place among them is one subtraction
                keys = (_shifted(first[rows], bounds[k]), _shifted(owner[s_rows], bounds[k]))
            return screen_partition(p, s, protocol, today, crit, keys=keys)

        parts = []
        writer = _Writer(sink) if sink is not None and streamed else None
        try:
            for k, part in enumerate(run_partitions(run, chunks, workers)):
                parts.append(part)
                if writer is not None:
                    writer.put(part.decisions)
                if progress is not None:
                    progress(min(n, (k + 1) * partition_rows), n)
            screen = combine(parts, crit)  # while the writer writes the last parts
        except BaseException:
            if writer is not None:
                writer.close(abandon=True)
            raise
        if writer is not None:
            writer.close()
    if sink is not None and not streamed:
        sink(screen.decisions)
    return screen


class _Writer:
    """A sink fed on a thread of its own, part by part in the order given.

    Why: a part's Parquet or CSV encoding (~40 ms per 125,000 decisions, mostly in Arrow, which releases the
    GIL) then overlaps the arrival of the next parts and, for the last ones, the final ``combine``, instead of
    running between them while a core stands idle. Why started on the first part: by then the workers have
    been forked (``screen.workers`` forks them all at the first submit), so no fork sees this thread. An
    error of the sink is raised by the next ``put`` or by ``close``; after an error elsewhere, ``close(abandon=
    True)`` drops the parts not yet written (the caller discards the file).
    """

    _DONE = object()

    def __init__(self, sink: Sink) -> None:
        self._sink = sink
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._error: BaseException | None = None
        self._abandon = False
        self._thread: threading.Thread | None = None

    def put(self, part: pd.DataFrame) -> None:
        if self._error is not None:
            raise self._error
        if self._thread is None:
            self._thread = threading.Thread(target=self._drain, name="hccprotocol-screen-writer", daemon=True)
            self._thread.start()
        self._queue.put(part)

    def _drain(self) -> None:
        while (part := self._queue.get()) is not self._DONE:
            if self._error is None and not self._abandon:
                try:
                    self._sink(part)
                except BaseException as exc:  # handed to the caller's thread by put/close
                    self._error = exc

    def close(self, abandon: bool = False) -> None:
        """Wait until every part is written (or, with ``abandon``, dropped); raise the sink's error if any."""
        self._abandon = abandon
        if self._thread is not None:
            self._queue.put(self._DONE)
            self._thread.join()
        if self._error is not None and not abandon:
            raise self._error


def _session_chunks(owner: np.ndarray[Any, Any], partition_rows: int, chunks: int) -> np.ndarray[Any, Any]:
    """Per session, its partition: its patient's; a session of no patient (reported, never screened) goes to
    a partition by its place in the file, between the partitions of the sessions of patients around it.

    Why spread: a wrong sessions file matches no patient at all, and all its sessions in one partition made
    that partition as slow as the rest together. Why between its neighbours' partitions: a file listed
    patient by patient stays in partition order (its sessions are then cut by slicing, not sorting).
    """
    chunk = owner // partition_rows
    orphan = owner < 0
    if not orphan.any():
        return chunk
    m = len(owner)
    at = np.arange(m)
    spread = at * chunks // m  # by place in the file
    before = np.maximum.accumulate(np.where(orphan, -1, at))  # the last matched session up to here, -1 if none
    after = np.minimum.accumulate(np.where(orphan, m, at)[::-1])[::-1]  # the next matched one, m if none
    low = np.where(before >= 0, chunk[np.maximum(before, 0)], 0)
    high = np.where(after < m, chunk[np.minimum(after, m - 1)], chunks - 1)
    return np.where(orphan, np.clip(spread, low, np.maximum(low, high)), chunk)


def _local(found: np.ndarray[Any, Any], rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """File rows (``found``, -1 = none) as positions among the partition's file rows ``rows`` (sorted)."""
    return np.where(found >= 0, np.searchsorted(rows, found), -1)


def _shifted(found: np.ndarray[Any, Any], start: int) -> np.ndarray[Any, Any]:
    """``_local`` for a partition of consecutive file rows from ``start``."""
    return np.where(found >= 0, found - start, -1)


def _check_columns(patients: pd.DataFrame, sessions: pd.DataFrame | None) -> None:
    """Unknown or missing key columns refused before the file is cut into partitions (which reads patient_id),
    by the validation's own column check."""
    check_columns([c for c in patients.columns if c != ROW], patient_columns(), "patients")
    if sessions is not None:
        check_columns([c for c in sessions.columns if c != ROW], session_columns(), "sessions")


def screen_files(patients: Path, sessions: Path | None, protocol: Protocol, today: dt.date,
                 progress: Progress | None = None, output: Path | None = None) -> Screen:
    """The files screened; with ``output``, the decisions written there as the partitions finish
    (``io.DecisionsFile``: put in place only when the whole screen succeeded)."""
    p = read_table(patients, "patients file")
    s = read_table(sessions, "sessions file") if sessions is not None else None
    if output is None:
        return screen_frames(p, s, protocol, today, progress=progress)
    with DecisionsFile(output) as out:
        return screen_frames(p, s, protocol, today, progress=progress, sink=out.write)


def _read_dask(path: Path, what: str) -> Any:
    import dask.dataframe as dd

    ext = suffix(path, (".csv", ".parquet"), what)
    if not path.exists():
        raise InputError(f"{what} {path}: no such file")
    if ext == ".csv":
        frame = dd.read_csv(str(path), dtype="str", keep_default_na=False, na_filter=False, blocksize="32MB")
    else:
        frame = dd.read_parquet(str(path), dtype_backend="numpy_nullable")
    lengths = frame.map_partitions(len).compute()
    offsets = np.concatenate([[1], 1 + np.cumsum(np.asarray(lengths))[:-1]]).tolist()

    def number(part: pd.DataFrame, partition_info: dict[str, Any] | None = None) -> pd.DataFrame:
        start = offsets[partition_info["number"]] if partition_info else 1
        return part.assign(**{ROW: np.arange(start, start + len(part), dtype=np.int64)})

    frame = frame.map_partitions(number)
    return frame.assign(patient_id=frame["patient_id"].astype("str"))


def _run_partition(pp: pd.DataFrame, ss: pd.DataFrame | None, protocol: Protocol, today: dt.date) -> PartitionResult:
    """One partition on a worker, in file order. Module-level and loading the criteria on the worker (cached per
    process): compiled rules hold engines and locks that cannot be pickled, the protocol can."""
    pp = pp.sort_values(ROW, kind="stable")
    ss = ss.sort_values(ROW, kind="stable") if ss is not None else None
    return screen_partition(pp, ss, protocol, today, load_criteria(protocol))


def screen_dask(patients: Path, sessions: Path | None, protocol: Protocol, today: dt.date,
                scheduler: str | None = None, npartitions: int | None = None) -> Screen:
    """On Dask: both tables hash-partitioned by patient_id, ``screen_partition`` per partition on the workers."""
    try:
        import dask
        import dask.dataframe
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise InputError("--engine dask needs the cohort extra: pip install 'hccprotocol[cohort]'") from exc
    client = None
    if scheduler is not None:
        from distributed import Client

        client = Client(scheduler)  # type: ignore[no-untyped-call]
    try:
        crit = load_criteria(protocol)
        p = _read_dask(patients, "patients file")
        k = npartitions or max(1, p.npartitions)
        p = p.shuffle("patient_id", npartitions=k)
        parts_p = p.to_delayed()
        if sessions is not None:
            s = _read_dask(sessions, "sessions file").shuffle("patient_id", npartitions=k)
            parts_s = s.to_delayed()
        else:
            parts_s = [None] * len(parts_p)

        delayed = dask.delayed  # type: ignore[attr-defined]
        tasks = [delayed(_run_partition)(a, b, protocol, today) for a, b in zip(parts_p, parts_s, strict=True)]
        results = list(dask.compute(*tasks))  # type: ignore[attr-defined,no-untyped-call]
    finally:
        if client is not None:
            client.close()  # type: ignore[no-untyped-call]
    return combine(results, crit)
