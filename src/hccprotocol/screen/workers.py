"""Where the partitions of one file are screened at once: forked worker processes, else threads.

Why processes: a partition's work is as much pandas glue (which holds the GIL)
as numpy/Arrow kernels, so two threads gave only 1.38x on the issue's 2 cores;
two forked processes give close to 2x. Forked workers inherit the tables
(copy-on-write: no input is pickled) and only each partition's result travels
back (decisions as categorical codes, issues, row numbers).

Why fork is safe here: when the screen forks, the other threads of the process
are Arrow's CPU pool, which Arrow re-creates in a forked child (its at-fork
handlers), and on a terminal the progress bar's refresh thread, whose console
the workers never touch; glibc's malloc is fork-safe. Python 3.12+ warns on any
fork of a multi-threaded process; that one warning is silenced while the
workers start, nothing else. Elsewhere than Linux (Windows has no fork; on
macOS system libraries are not fork-safe), or inside a daemonic process (which
may not have children), partitions run on threads. Results come back in
partition order either way, so the output is the same as on one worker.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import multiprocessing as mp
import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import TypeVar, cast

__all__ = ["run_partitions"]

T = TypeVar("T")

_JOBS: dict[int, Callable[[int], object]] = {}
"""Jobs of the runs in progress, by token: a forked worker finds its job here (inherited, never pickled)."""
_TOKENS = itertools.count()
_LOCK = threading.Lock()


def _call(token: int, k: int) -> object:
    return _JOBS[token](k)


def _can_fork() -> bool:
    # Linux only: macOS offers fork, but its system libraries are not fork-safe (Python defaults to spawn there)
    return sys.platform.startswith("linux") and "fork" in mp.get_all_start_methods() and not mp.current_process().daemon


def _release_free_memory() -> None:
    """Hand the memory freed so far (the file-level matching's temporaries) back to the system before forking.

    Why: a forked worker that reuses an inherited free page copies it first (copy-on-write); returned pages
    are simply not there to copy. Measured on 10^6 patients: the workers' page faults 94-98k -> 80-84k, for
    2-5 ms here. glibc's ``malloc_trim`` (absent from other C libraries: then nothing) and Arrow's pool.
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@contextlib.contextmanager
def _frozen_objects() -> Iterator[None]:
    """The caller's objects frozen (``gc.freeze``) while the workers are forked, so a worker's collections never
    visit the objects it inherits; unfrozen on leaving, so the caller's own garbage is collected as before.

    Why: a full collection writes to every object it visits, so in a worker it copied each page of the parent's
    objects (measured on 10^6 patients: one 52-65 ms full collection per worker, and ~6k of its page faults).
    Left alone by a caller that froze objects itself: unfreezing would undo its freeze too.
    """
    if gc.get_freeze_count():
        yield
        return
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def run_partitions(job: Callable[[int], T], count: int, workers: int) -> Iterator[T]:
    """``job(0) .. job(count - 1)``, at most ``workers`` at once, yielded in partition order."""
    if workers <= 1 or count <= 1:
        yield from map(job, range(count))
        return
    size = min(workers, count)
    if not _can_fork():
        with ThreadPoolExecutor(max_workers=size) as threads:
            yield from threads.map(job, range(count))
        return
    _release_free_memory()
    pool = ProcessPoolExecutor(max_workers=size, mp_context=mp.get_context("fork"))
    try:
        with _LOCK:
            token = next(_TOKENS)
            _JOBS[token] = job
        try:
            with _frozen_objects(), warnings.catch_warnings():
                # The workers are forked on the first submit; the module docstring says why that fork is safe.
                warnings.filterwarnings("ignore", message=r".*fork\(\) may lead to deadlocks",
                                        category=DeprecationWarning)
                futures = [pool.submit(_call, token, k) for k in range(count)]
        finally:
            with _LOCK:
                del _JOBS[token]  # the forked workers hold their own copy
        for future in futures:
            yield cast(T, future.result())
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)  # a failed or abandoned run: nothing left running
        raise
    # Every result is in: the workers exit on their own (the pool's thread reaps them), so the caller does
    # not wait ~20 ms for two processes to unmap their memory before it goes on.
    pool.shutdown(wait=False)
