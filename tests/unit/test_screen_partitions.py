"""The single-process screen gives the same answer however the registry is cut into partitions.

Why: a duplicate ``patient_id`` must be judged against its *first* row whichever partition that row
falls in (the Dask path meets them in one hash partition), and a patient's sessions must travel with it,
including when the first row is itself an invalid record.
"""

from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

from hccprotocol.errors import InputError
from hccprotocol.patient import latest_today
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.keys import keys_and_owners
from hccprotocol.screen.partition import _date_text
from hccprotocol.screen.run import Screen, _concat, _session_chunks, screen_frames
from hccprotocol.screen.synthetic import synthetic_registry

from .screen_support import cohort_tables

ARM = load_protocol("haic-lenvatinib-pd1")


def _screen(patients: pd.DataFrame, sessions: pd.DataFrame, rows: int, workers: int = 2) -> Screen:
    return screen_frames(patients, sessions, ARM, latest_today(), partition_rows=rows, workers=workers)


def _registry() -> tuple[pd.DataFrame, pd.DataFrame]:
    patients, sessions = cohort_tables(12, seed=5)
    ids = patients["patient_id"].tolist()
    patients.loc[2, "ecog"] = "7"  # invalid record (ECOG 0-5) ...
    extra = patients.iloc[[0, 2]].copy()  # ... whose id returns on a later row, as does row 0's
    extra["ecog"] = "1"
    patients = pd.concat([patients, extra], ignore_index=True)
    assert patients["patient_id"].tolist() == [*ids, ids[0], ids[2]]
    return patients, sessions


def test_duplicates_are_invalid_in_every_partitioning() -> None:
    patients, sessions = _registry()
    whole = _screen(patients, sessions, 10**6, workers=1)
    ids = patients["patient_id"].tolist()
    # rows 13 and 14 repeat rows 1 and 3: both are invalid; row 3 (ECOG 7) is invalid too
    dup_rows = sorted(i.row for i in whole.issues if i.field == "patient_id")
    assert dup_rows == [13, 14]
    assert whole.invalid == 3
    assert whole.decisions["patient_id"].tolist() == [i for k, i in enumerate(ids[:12]) if k != 2]
    for rows, workers in ((1, 2), (2, 1), (3, 2), (5, 3)):
        cut = _screen(patients, sessions, rows, workers)
        pd.testing.assert_frame_equal(cut.decisions.astype(str), whole.decisions.astype(str))
        assert cut.issues == whole.issues, rows
        assert cut.invalid == whole.invalid


def test_sessions_listed_out_of_patient_order_give_the_same_decisions() -> None:
    patients, sessions = cohort_tables(12, seed=6)
    whole = _screen(patients, sessions, 10**6, workers=1)
    shuffled = sessions.iloc[::-1].reset_index(drop=True)  # patients' sessions reversed across the file ...
    # ... but each patient's own sessions kept in date order (the order the record checks)
    shuffled = shuffled.iloc[shuffled.groupby("patient_id", sort=False).cumcount(ascending=False)
                             .sort_values(kind="stable").index.to_numpy()].reset_index(drop=True)
    for rows in (1, 4):
        cut = _screen(patients, shuffled, rows)
        pd.testing.assert_frame_equal(cut.decisions.astype(str), whole.decisions.astype(str))
        assert cut.invalid == whole.invalid


def test_partitions_with_different_name_combinations_keep_the_columns_categorical() -> None:
    # partition 1 excludes nobody, partition 2 finds "a" and "a;b": the united column holds each row's own text
    first = pd.DataFrame({"excluded_by": pd.Categorical([""])})
    second = pd.DataFrame({"excluded_by": pd.Categorical(["a;b", "a"])})
    out = _concat([first, second])
    assert isinstance(out["excluded_by"].dtype, pd.CategoricalDtype)
    assert out["excluded_by"].tolist() == ["", "a;b", "a"]
    plain = _concat([pd.DataFrame({"patient_id": ["p1"]}), pd.DataFrame({"patient_id": ["p2", "p3"]})])
    assert plain["patient_id"].tolist() == ["p1", "p2", "p3"]


def test_every_partitioning_gives_the_same_column_types() -> None:
    patients, sessions = cohort_tables(12, seed=7)
    whole = _screen(patients, sessions, 10**6, workers=1).decisions
    cut = _screen(patients, sessions, 5, workers=2).decisions
    pd.testing.assert_frame_equal(cut, whole, check_categorical=False)


def test_keys_and_owners_by_hand() -> None:
    keys = pd.Series(["a", "b", "a", None, "c", "b"], dtype="str")
    values = pd.Series(["c", "a", None, "z", "b", "a"], dtype="str")
    first, owner = keys_and_owners(keys, values)
    assert first.tolist() == [0, 1, 0, -1, 4, 1]  # rows 2 and 5 repeat rows 0 and 1; a missing key matches nothing
    assert owner.tolist() == [4, 0, -1, -1, 1, 0]
    empty_first, empty_owner = keys_and_owners(keys, values.iloc[:0])
    assert empty_first.tolist() == [0, 1, 0, -1, 4, 1] and empty_owner.tolist() == []


def test_a_file_smaller_than_two_partitions_is_shared_by_the_workers() -> None:
    patients, sessions = synthetic_registry(45_000, sessions=1.0, seed=3)
    seen: list[tuple[int, int]] = []
    two = screen_frames(patients, sessions, ARM, latest_today(), workers=2, progress=lambda d, n: seen.append((d, n)))
    assert seen == [(22_500, 45_000), (45_000, 45_000)]  # 45,000 rows: two partitions of 22,500
    one = screen_frames(patients, sessions, ARM, latest_today(), workers=1)
    pd.testing.assert_frame_equal(two.decisions.astype(str), one.decisions.astype(str))
    assert [type(t) for t in two.decisions.dtypes] == [type(t) for t in one.decisions.dtypes]
    small: list[tuple[int, int]] = []
    head = patients.iloc[:30_000]
    screen_frames(head, sessions[sessions["patient_id"].isin(head["patient_id"])], ARM, latest_today(), workers=2,
                  progress=lambda d, n: small.append((d, n)))
    assert small == [(20_000, 30_000), (30_000, 30_000)]  # never below MIN_PARTITION_ROWS (20,000)


def test_date_text_formats_each_day_once_and_keeps_missing() -> None:
    dates = pd.Series(pd.to_datetime(["2023-01-05", None, "2023-01-05 13:00", "2024-02-29"], format="ISO8601"))
    assert _date_text(dates).tolist()[0::2] == ["2023-01-05", "2023-01-05"]
    assert pd.isna(_date_text(dates).iloc[1]) and _date_text(dates).iloc[3] == "2024-02-29"
    assert _date_text(pd.Series(pd.to_datetime([None, None]))).isna().all()


def test_a_large_file_without_patient_id_is_refused_as_input() -> None:
    # partitioning reads patient_id: the column checks come first, whatever the file's size
    patients, sessions = synthetic_registry(45_000, sessions=1.0, seed=4)
    with pytest.raises(InputError, match="patients: the column patient_id is required"):
        screen_frames(patients.drop(columns=["patient_id"]), sessions, ARM, latest_today(), partition_rows=1000)
    with pytest.raises(InputError, match="sessions: the column patient_id is required"):
        screen_frames(patients, sessions.drop(columns=["patient_id"]), ARM, latest_today(), partition_rows=1000)
    with pytest.raises(InputError, match="unknown column"):
        screen_frames(patients.assign(bogus=1), sessions, ARM, latest_today(), partition_rows=1000)


def test_padded_blank_and_orphan_ids_give_the_same_answer_in_every_partitioning() -> None:
    # the partitions take their keys from the file-level lookup: it must match ids as the validation keeps them
    patients, sessions = cohort_tables(10, seed=8)
    ids = patients["patient_id"].tolist()
    padded = patients.iloc[[4]].assign(patient_id=f"  {ids[4]}\t")  # ids[4] padded, on row 4: its first row
    blank = patients.iloc[[6]].assign(patient_id="   ")  # no id: an invalid record, never anyone's duplicate
    patients = pd.concat([patients.iloc[:3], padded, patients.iloc[3:], blank], ignore_index=True)
    orphan = sessions.iloc[[0]].assign(patient_id="nobody")
    padded_session = sessions.iloc[[1]].assign(patient_id=f" {sessions['patient_id'].iloc[1]} ")
    sessions = pd.concat([orphan, sessions.iloc[:1], padded_session, sessions.iloc[2:]], ignore_index=True)
    whole = _screen(patients, sessions, 10**6, workers=1)
    # row 6 holds ids[4] again (rows 1-3, the padded row 4, then the original rows from row 5); row 12 is blank
    assert [i.row for i in whole.issues if i.field == "patient_id" and i.table == "patients"] == [6, 12]
    assert any(i.table == "sessions" and i.patient_id == "nobody" for i in whole.issues)
    for rows, workers in ((1, 2), (2, 1), (4, 2)):
        cut = _screen(patients, sessions, rows, workers)
        pd.testing.assert_frame_equal(cut.decisions.astype(str), whole.decisions.astype(str))
        assert cut.issues == whole.issues, rows
        assert cut.invalid == whole.invalid


def test_sessions_of_no_patient_are_spread_by_place_between_their_neighbours_partitions() -> None:
    # partitions of 10 patient rows, 3 partitions; sessions' patients' first rows (-1: no such patient)
    owner = np.array([-1, -1, 0, 5, -1, 12, -1, -1, 25, -1])
    # by place: 3 partitions over 10 sessions -> 0 0 0 0 1 1 1 2 2 2; an orphan stays between the partitions of
    # the matched sessions before and after it (leading ones at most the first's, trailing ones at least the last's)
    assert _session_chunks(owner, 10, 3).tolist() == [0, 0, 0, 0, 1, 1, 1, 2, 2, 2]
    assert _session_chunks(np.full(8, -1), 10, 4).tolist() == [0, 0, 1, 1, 2, 2, 3, 3]  # a wrong sessions file
    assert _session_chunks(np.array([25, -1, 3]), 10, 3).tolist() == [2, 2, 0]  # between 2 and 0: 2
    assert _session_chunks(np.array([3, 14, 14]), 10, 3).tolist() == [0, 1, 1]  # no orphan: the patients'


def test_a_sessions_file_of_other_patients_is_reported_whole_in_every_partitioning() -> None:
    patients, sessions = cohort_tables(12, seed=9)
    wrong = sessions.assign(patient_id="X" + sessions["patient_id"].astype(str))  # another registry's ids
    whole = _screen(patients, wrong, 10**6, workers=1)
    orphans = [(i.row, i.patient_id) for i in whole.issues if i.table == "sessions" and i.field == "patient_id"]
    assert orphans == list(zip(range(1, len(wrong) + 1), wrong["patient_id"].tolist(), strict=True))
    for rows, workers in ((1, 2), (2, 1), (5, 2)):
        cut = _screen(patients, wrong, rows, workers)
        pd.testing.assert_frame_equal(cut.decisions.astype(str), whole.decisions.astype(str))
        assert cut.issues == whole.issues, rows
        assert cut.invalid == whole.invalid


def _writer_alive() -> bool:
    return any(t.name == "hccprotocol-screen-writer" for t in threading.enumerate())


def test_the_sink_gets_every_part_in_file_order_off_the_main_thread() -> None:
    # the parts are written on a thread of their own while the next ones arrive; they must still join to the
    # decisions in file order, and the thread must be gone when the screen returns
    patients, sessions = synthetic_registry(3_000, sessions=1.0, seed=11)
    got: list[tuple[str, pd.DataFrame]] = []
    screen = screen_frames(patients, sessions, ARM, latest_today(), partition_rows=1_000, workers=2,
                           sink=lambda part: got.append((threading.current_thread().name, part)))
    assert [len(part) for _, part in got] == [1_000, 1_000, 1_000]
    assert {name for name, _ in got} == {"hccprotocol-screen-writer"}
    joined = pd.concat([part.astype(str) for _, part in got], ignore_index=True)
    pd.testing.assert_frame_equal(joined, screen.decisions.astype(str))
    assert joined["patient_id"].tolist() == patients["patient_id"].tolist()
    assert not _writer_alive()


def test_an_error_of_the_sink_reaches_the_caller() -> None:
    patients, sessions = synthetic_registry(3_000, sessions=1.0, seed=12)
    written: list[int] = []

    def sink(part: pd.DataFrame) -> None:
        if written:
            raise OSError("disk full")
        written.append(len(part))

    with pytest.raises(OSError, match="disk full"):
        screen_frames(patients, sessions, ARM, latest_today(), partition_rows=1_000, workers=2, sink=sink)
    assert written == [1_000] and not _writer_alive()


def test_a_failed_partition_stops_the_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    # a partition that fails (here the second) ends the screen with its error; the parts not yet written are
    # dropped and the writer thread does not outlive the screen
    import hccprotocol.screen.run as run

    real = run.screen_partition

    def failing(patients: pd.DataFrame, *args: object, **kwargs: object) -> object:
        if int(patients["__row"].iloc[0]) > 1_000:
            raise ValueError("partition failed")
        return real(patients, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(run, "screen_partition", failing)  # before the workers fork: they inherit it
    patients, sessions = synthetic_registry(3_000, sessions=1.0, seed=13)
    written: list[int] = []
    with pytest.raises(ValueError, match="partition failed"):
        screen_frames(patients, sessions, ARM, latest_today(), partition_rows=1_000, workers=2,
                      sink=lambda part: written.append(len(part)))
    assert written in ([], [1_000]) and not _writer_alive()


def test_joined_names_are_the_set_bits_in_list_order_and_stay_so_when_remembered() -> None:
    from hccprotocol.screen.partition import _join_bits

    names = ("ecog", "liver_inr", "tumour_count")
    codes = np.array([0, 1, 5, 6, 7], dtype=np.uint64)  # 0b000, 0b001, 0b101, 0b110, 0b111
    expected = ["", "ecog", "ecog;tumour_count", "liver_inr;tumour_count", "ecog;liver_inr;tumour_count"]
    assert _join_bits(names, codes) == expected
    assert _join_bits(names, codes[::-1]) == expected[::-1]  # the second time from what was remembered
    wide = tuple(f"n{k}" for k in range(64))
    assert _join_bits(wide, np.array([2**63 + 1], dtype=np.uint64)) == ["n0;n63"]  # the 64th bit too
