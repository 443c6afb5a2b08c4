"""screen.workers: partitions on forked processes (or threads), results in partition order, errors surfaced."""

from __future__ import annotations

import gc
import os

import pytest

from hccprotocol.screen import workers
from hccprotocol.screen.workers import run_partitions


def _square_and_pid(k: int) -> tuple[int, int]:
    return k * k, os.getpid()


@pytest.mark.parametrize(("count", "size"), [(0, 2), (1, 2), (5, 1), (5, 2), (7, 3), (2, 8)])
def test_results_in_partition_order(count: int, size: int) -> None:
    out = list(run_partitions(_square_and_pid, count, size))
    assert [v for v, _ in out] == [k * k for k in range(count)]
    assert not workers._JOBS


@pytest.mark.skipif(not workers._can_fork(), reason="no fork on this platform")
def test_forked_workers_do_the_work() -> None:
    pids = {pid for _, pid in run_partitions(_square_and_pid, 6, 2)}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2


def _frozen_objects(k: int) -> int:
    return gc.get_freeze_count()


@pytest.mark.skipif(not workers._can_fork(), reason="no fork on this platform")
def test_workers_never_collect_what_they_inherit_and_the_caller_collects_all_again() -> None:
    kept = [[k] for k in range(100)]  # tracked objects of the caller, alive across the fork
    gc.collect()
    frozen = list(run_partitions(_frozen_objects, 4, 2))
    assert all(count >= len(kept) for count in frozen), frozen  # a worker's collections skip them
    assert gc.get_freeze_count() == 0  # the caller's objects are collected as before


def test_the_caller_is_unfrozen_when_a_partition_fails() -> None:
    def job(k: int) -> int:
        raise ValueError("no")

    with pytest.raises(ValueError, match="no"):
        list(run_partitions(job, 3, 2))
    assert gc.get_freeze_count() == 0


def test_a_caller_that_froze_objects_keeps_them_frozen() -> None:
    gc.freeze()
    try:
        before = gc.get_freeze_count()
        list(run_partitions(_frozen_objects, 3, 2))
        assert gc.get_freeze_count() == before
    finally:
        gc.unfreeze()


def test_threads_where_fork_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workers, "_can_fork", lambda: False)
    out = list(run_partitions(_square_and_pid, 4, 2))
    assert out == [(k * k, os.getpid()) for k in range(4)]


def test_a_failing_partition_raises_in_the_caller() -> None:
    def job(k: int) -> int:
        if k == 2:
            raise ValueError("partition 2 failed")
        return k

    with pytest.raises(ValueError, match="partition 2 failed"):
        list(run_partitions(job, 4, 2))
    assert not workers._JOBS


def test_fork_only_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(workers.sys, "platform", platform)
        assert not workers._can_fork(), platform
