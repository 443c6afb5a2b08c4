"""The Dask path gives byte-identical decisions to the single-process path, on a local 2-worker cluster.

The cohort is small but spread over several partitions (both tables are
hash-partitioned by patient_id, so sessions and duplicate rows meet their
patient on one worker); one patient row is invalid and one is a duplicate,
so the reported issues and the invalid count must match too.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from hccprotocol.patient import latest_today
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.io import to_csv_text
from hccprotocol.screen.run import screen_dask, screen_frames
from tests.unit.screen_support import cohort_tables

distributed = pytest.importorskip("distributed")

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::DeprecationWarning"),
              pytest.mark.filterwarnings("ignore::ResourceWarning"), pytest.mark.filterwarnings("ignore::UserWarning")]


def test_dask_two_workers_byte_identical(tmp_path: Path) -> None:
    patients, sessions = cohort_tables(120)
    patients.loc[5, "ecog"] = "7"  # outside 0-4: an invalid record
    patients.loc[9, "patient_id"] = patients.loc[3, "patient_id"]  # a duplicate row
    p_path, s_path = tmp_path / "patients.csv", tmp_path / "sessions.csv"
    patients.to_csv(p_path, index=False)
    sessions.to_csv(s_path, index=False)
    arm = load_protocol("haic-lenvatinib-pd1")
    today = latest_today()
    local = screen_frames(pd.read_csv(p_path, dtype="str", keep_default_na=False),
                          pd.read_csv(s_path, dtype="str", keep_default_na=False), arm, today)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  local_directory=str(tmp_path / "dask")) as cluster:
        remote = screen_dask(p_path, s_path, arm, today, scheduler=cluster.scheduler_address, npartitions=4)
    assert local.invalid == remote.invalid == 2
    assert [(i.table, i.row, i.field) for i in local.issues] == [(i.table, i.row, i.field) for i in remote.issues]
    assert to_csv_text(local.decisions).encode() == to_csv_text(remote.decisions).encode()
    shutil.rmtree(tmp_path / "dask", ignore_errors=True)
