"""Session facts and runs of consecutive sessions, columnar, against hand-computed values."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.eligibility.facts import add_months, whole_months
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.partition import screen_partition
from hccprotocol.screen.sessions import (
    EXTEND,
    NEGATIVE,
    RESTART,
    SKIP,
    _add_months,
    _civil,
    _from_civil,
    _stepwise_runs,
    _whole_months,
    longest_runs,
    session_frame,
)

TODAY = dt.date(2026, 12, 1)


def _sessions(dates: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame({
        "patient_id": ["a"] * len(dates),
        "date": pd.Series([d for d, _ in dates]).astype("datetime64[s]"),
        "imaging_date": pd.Series([i for _, i in dates]).astype("datetime64[s]"),
        "intrahepatic_tumour_count_before": pd.array([2] * len(dates), dtype="Int64"),
        "intrahepatic_tumour_count": pd.array([3] * len(dates), dtype="Int64"),
    })


def test_calendar_months_clamp_at_month_ends() -> None:
    # 31 Jan 2024 + 1 month = 29 Feb 2024 (leap year): 29 Feb is 1 month 0 days, 28 Feb is 0 months 28 days;
    # 30 Nov 2023 + 3 months = 29 Feb 2024 (clamped): 1 Mar 2024 is 3 months 1 day
    frame = session_frame(_sessions([("2024-01-31", "2024-02-29"), ("2024-01-31", "2024-02-28"),
                                     ("2023-11-30", "2024-03-01")]), np.zeros(3, dtype=np.int64), 1).frame
    assert frame["months_to_imaging"].tolist() == [1, 0, 3]
    assert frame["days_beyond_months"].tolist() == [0, 28, 1]
    assert frame["days_to_imaging"].tolist() == [29, 28, 92]
    assert frame["intrahepatic_tumour_count_increase"].tolist() == [1, 1, 1]


def test_runs_three_valued() -> None:
    # patient 0: present, present, absent, present -> run 2; patient 1: present, unknown, present -> certain run 1,
    # possible 3 (extends everywhere); patient 2: present, not counted, present with the skip breaking the run -> 1
    present = EXTEND
    unknown = EXTEND | NEGATIVE
    bits = np.asarray([present, present, NEGATIVE, present, present, unknown, present, present, SKIP, present])
    owner = np.asarray([0, 0, 0, 0, 1, 1, 1, 2, 2, 2])
    position = np.asarray([0, 1, 2, 3, 0, 1, 2, 0, 1, 2])
    low, high = longest_runs(bits, owner, position, 4, breaks_run=True)
    assert low.tolist() == [2, 1, 1, 0] and high.tolist() == [2, 3, 1, 0]
    low, high = longest_runs(bits, owner, position, 4, breaks_run=False)
    assert low.tolist()[2] == 2
    # a later session with no change can only restart: present, restart -> 1
    low, high = longest_runs(np.asarray([present, RESTART]), np.asarray([0, 0]), np.asarray([0, 1]), 1, True)
    assert (low.tolist(), high.tolist()) == ([1], [1])


def test_session_checks_report_rows() -> None:
    patients = pd.DataFrame({"patient_id": ["a", "b"], "tace_sessions": ["2", "1"]}, dtype="str")
    sessions = pd.DataFrame({
        "patient_id": ["a", "a", "b", "zz"],
        "date": ["2024-03-01", "2024-01-01", "2024-01-01", "2024-01-01"],
        "imaging_date": ["2024-04-01", "2024-02-01", "2023-12-01", ""],
    }, dtype="str")
    result = screen_partition(patients, sessions, load_protocol("haic-lenvatinib"), TODAY)
    got = {(i.table, i.row, i.field) for i in result.issues}
    assert ("sessions", 2, "date") in got  # not after the previous TACE
    assert ("sessions", 3, "imaging_date") in got  # imaging before its TACE
    assert ("sessions", 4, "patient_id") in got  # no such patient
    assert result.invalid == 2 and len(result.decisions) == 0


def test_session_count_must_match() -> None:
    patients = pd.DataFrame({"patient_id": ["a", "b", "c"], "tace_sessions": ["3", "0", ""]}, dtype="str")
    sessions = pd.DataFrame({"patient_id": ["a"], "date": ["2024-01-01"]}, dtype="str")
    result = screen_partition(patients, sessions, load_protocol("haic-lenvatinib"), TODAY)
    assert [(i.row, i.field) for i in result.issues] == [(1, "tace_sessions")]
    # b: no TACE (runs 0, refractoriness not met); c: history unknown (tace_sessions listed missing)
    d = result.decisions.set_index("patient_id")
    assert d.loc["b", "tace_refractory"] == "not_met"
    assert d.loc["c", "tace_refractory"] == "unknown" and "tace_sessions" in d.loc["c", "missing"].split(";")


def test_pattern_runs_by_hand_and_long_fallback() -> None:
    # hand-computed: present x3, absent, present x2 -> 3; 16 sessions all present (> 14: the direct step) -> 16;
    # present, skip, present -> 1 when the skip breaks the run, 2 when it does not; patient 3 has no session
    p = EXTEND
    seqs = [[p, p, p, NEGATIVE, p, p], [p] * 16, [p, SKIP, p]]
    bits = np.asarray([b for s in seqs for b in s], dtype=np.int8)
    owner = np.asarray([i for i, s in enumerate(seqs) for _ in s])
    position = np.asarray([k for s in seqs for k in range(len(s))])
    low, high = longest_runs(bits, owner, position, 4, breaks_run=True)
    assert low.tolist() == [3, 16, 1, 0] and high.tolist() == [3, 16, 1, 0]
    low, high = longest_runs(bits, owner, position, 4, breaks_run=False)
    assert low.tolist() == [3, 16, 2, 0] and high.tolist() == [3, 16, 2, 0]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(0, 15), max_size=17), max_size=8), st.booleans())
def test_pattern_runs_equal_stepwise(seqs: list[list[int]], breaks_run: bool) -> None:
    bits = np.asarray([b for s in seqs for b in s], dtype=np.int8)
    owner = np.asarray([i for i, s in enumerate(seqs) for _ in s], dtype=np.int64)
    position = np.asarray([k for s in seqs for k in range(len(s))], dtype=np.int64)
    got = longest_runs(bits, owner, position, len(seqs) + 1, breaks_run)
    want = _stepwise_runs(bits, owner, position, len(seqs) + 1, breaks_run)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


@pytest.mark.parametrize(("start", "end"), [
    ("2024-01-31", "2024-02-29"), ("2023-01-31", "2023-02-28"), ("2023-12-31", "2024-01-01"),
    ("1900-01-31", "1900-03-01"), ("2000-01-31", "2000-02-29"), ("2100-01-29", "2100-03-01"),
    ("2024-02-29", "2025-02-28"), ("2024-02-29", "2028-02-29"), ("2023-11-30", "2024-03-01"),
])
def test_whole_months_hand_picked(start: str, end: str) -> None:
    s, e = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    day = np.asarray([(s - dt.date(1970, 1, 1)).days]), np.asarray([(e - dt.date(1970, 1, 1)).days])
    months, beyond = _whole_months(*day)
    assert (int(months[0]), int(beyond[0])) == whole_months(s, e)
    assert tuple(int(x[0]) for x in _civil(day[0])) == (s.year, s.month, s.day)


@settings(max_examples=300, deadline=None)
@given(st.dates(dt.date(1800, 1, 1), dt.date(2200, 12, 31)), st.integers(0, 4000))
def test_whole_months_equal_reference(start: dt.date, gap: int) -> None:
    end = start + dt.timedelta(days=gap)
    if end.year > 9999:
        return
    epoch = dt.date(1970, 1, 1)
    months, beyond = _whole_months(np.asarray([(start - epoch).days]), np.asarray([(end - epoch).days]))
    assert (int(months[0]), int(beyond[0])) == whole_months(start, end)
    assert _from_civil(*_civil(np.asarray([(end - epoch).days])))[0] == (end - epoch).days
    assert int(_add_months(*(np.asarray([v]) for v in (start.year, start.month, start.day)),
                           np.asarray([gap % 50]))[0]) == (add_months(start, gap % 50) - epoch).days


def test_calendar_table_lookup_equals_the_calendar() -> None:
    """Many dates over a short span take the table path; each must be datetime.date's own calendar day."""
    import datetime as dt

    from hccprotocol.screen.sessions import _civil

    start = (dt.date(1999, 12, 1) - dt.date(1970, 1, 1)).days  # spans 29 Feb 2000 and 2004, year ends
    days = np.tile(np.arange(start, start + 2000, dtype=np.int64), 10)
    y, m, d = _civil(days)
    for i in range(0, len(days), 7):
        assert dt.date(int(y[i]), int(m[i]), int(d[i])) == dt.date(1970, 1, 1) + dt.timedelta(days=int(days[i]))
