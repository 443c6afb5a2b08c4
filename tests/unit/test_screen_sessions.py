"""Session facts and runs of consecutive sessions, columnar, against hand-computed values."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hccprotocol.eligibility.facts import add_months, whole_months
from hccprotocol.eligibility.tace_series import Outcome
from hccprotocol.eligibility.tace_series import longest_runs as tace_longest_runs
from hccprotocol.protocol import load_protocol
from hccprotocol.screen.partition import screen_partition
from hccprotocol.screen.sessions import (
    EXTEND,
    NEGATIVE,
    RESTART,
    SKIP,
    _civil,
    _stepwise_runs,
    _whole_months,
    check_sessions,
    longest_runs,
    outcome_bits,
    session_frame,
)
from hccprotocol.screen.validate import Issue

TODAY = dt.date(2026, 12, 1)
EPOCH = dt.date(1970, 1, 1)


# The previous array implementation of whole months (add the months, convert back to a day number, step back
# once when past the end), kept as a reference for the direct computation from calendar terms.
def _from_civil(y: np.ndarray, m: np.ndarray, d: np.ndarray) -> np.ndarray:
    y = y - (m <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * ((m + 9) % 12) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def _month_length(y: np.ndarray, m: np.ndarray) -> np.ndarray:
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    return np.asarray([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])[m - 1] + ((m == 2) & leap)


def _add_months(y: np.ndarray, m: np.ndarray, d: np.ndarray, months: np.ndarray) -> np.ndarray:
    index = m - 1 + months
    year, month = y + index // 12, index % 12 + 1
    return _from_civil(year, month, np.minimum(d, _month_length(year, month)))


def _reference_whole_months(start: np.ndarray, end: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ys, ms, ds = _civil(start)
    ye, me, _ = _civil(end)
    whole = (ye - ys) * 12 + me - ms
    reached = _add_months(ys, ms, ds, whole)
    over = (whole > 0) & (reached > end)
    whole[over] -= 1
    reached[over] = _add_months(ys[over], ms[over], ds[over], whole[over])
    return whole, end - reached


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


def _day(iso: str) -> int:
    return (dt.date.fromisoformat(iso) - EPOCH).days


# (start, end, whole months, days left over), each computed by hand from the definition: the largest m with
# add_months(start, m) <= end (the day clamped to the month's last day), and the days from there to end.
# Pairs sit on both sides of a boundary: the clamped target day, a 30-day month before end's, leap years.
HAND_MONTHS = [
    ("2024-01-31", "2024-02-28", 0, 28), ("2024-01-31", "2024-02-29", 1, 0), ("2024-01-31", "2024-03-01", 1, 1),
    ("2023-01-31", "2023-02-27", 0, 27), ("2023-01-31", "2023-02-28", 1, 0), ("2023-01-31", "2023-03-01", 1, 1),
    ("2024-01-30", "2024-02-28", 0, 29), ("2024-01-30", "2024-02-29", 1, 0),
    ("2024-03-31", "2024-04-29", 0, 29), ("2024-03-31", "2024-04-30", 1, 0),
    ("2024-05-31", "2024-07-30", 1, 30), ("2024-05-31", "2024-07-31", 2, 0),  # via 30 June
    ("2024-01-31", "2024-03-30", 1, 30), ("2023-01-31", "2023-03-30", 1, 30),  # via 29 / 28 February
    ("2024-02-29", "2025-02-27", 11, 29), ("2024-02-29", "2025-02-28", 12, 0),
    ("1900-01-31", "1900-02-27", 0, 27), ("1900-01-31", "1900-02-28", 1, 0),  # 1900: no 29 February
    ("2000-01-31", "2000-02-28", 0, 28), ("2000-01-31", "2000-02-29", 1, 0),  # 2000: a 29 February
    ("2023-12-31", "2024-01-30", 0, 30), ("2023-12-31", "2024-01-31", 1, 0),  # over the year end
    ("2023-12-15", "2024-01-14", 0, 30), ("2023-12-15", "2024-01-15", 1, 0),
    ("2024-05-10", "2024-05-10", 0, 0), ("2024-05-10", "2024-05-09", 0, -1),  # end before start: negative
]


@pytest.mark.parametrize(("start", "end", "months", "days"), HAND_MONTHS)
def test_whole_months_by_hand(start: str, end: str, months: int, days: int) -> None:
    got = _whole_months(np.asarray([_day(start)]), np.asarray([_day(end)]))
    assert (int(got[0][0]), int(got[1][0])) == (months, days)
    if days >= 0:
        assert whole_months(dt.date.fromisoformat(start), dt.date.fromisoformat(end)) == (months, days)


def test_whole_months_by_hand_through_the_table() -> None:
    """The same pairs among thousands of dates over a short span (the table lookup path)."""
    start = np.asarray([_day(s) for s, *_ in HAND_MONTHS if s.startswith("2024-0")] * 2000)
    end = np.asarray([_day(e) for s, e, *_ in HAND_MONTHS if s.startswith("2024-0")] * 2000)
    want = [(m, d) for s, _, m, d in HAND_MONTHS if s.startswith("2024-0")] * 2000
    months, days = _whole_months(start, end)
    assert list(zip(months.tolist(), days.tolist(), strict=True)) == want


@pytest.mark.parametrize("around", ["1899-12-20", "1999-12-20", "2023-12-20", "2100-01-20"])
def test_whole_months_every_pair_near_february(around: str) -> None:
    """Every start over ~75 days and every gap up to 130 days (tens of thousands of pairs: the table path),
    against ``facts.whole_months`` and against the add-and-step-back implementation."""
    first = _day(around)
    start = np.repeat(np.arange(first, first + 75), 131)
    end = start + np.tile(np.arange(131), 75)
    months, days = _whole_months(start, end)
    ref_months, ref_days = _reference_whole_months(start, end)
    assert np.array_equal(months, ref_months) and np.array_equal(days, ref_days)
    for i in range(0, len(start), 3):
        s, e = EPOCH + dt.timedelta(days=int(start[i])), EPOCH + dt.timedelta(days=int(end[i]))
        assert (int(months[i]), int(days[i])) == whole_months(s, e)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.dates(dt.date(1700, 1, 1), dt.date(2300, 12, 31)), st.integers(-400, 4000)),
                min_size=1, max_size=60))
def test_whole_months_equal_old_implementation(pairs: list[tuple[dt.date, int]]) -> None:
    """Arrays of pairs (end before start included) agree with the add-and-step-back implementation."""
    start = np.asarray([(s - EPOCH).days for s, _ in pairs])
    end = start + np.asarray([g for _, g in pairs])
    months, days = _whole_months(start, end)
    ref_months, ref_days = _reference_whole_months(start, end)
    assert months.tolist() == ref_months.tolist() and days.tolist() == ref_days.tolist()


# check_sessions against the model's checks written out row by row (Python dates, no arrays)
def _reference_checks(ids: list[str | None], dates: list[dt.date | None], imaging: list[dt.date | None],
                      count: list[int | None], viable: list[float | None], rows: list[int]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    n = len(ids)
    iso = lambda d: d.isoformat() if d else ""  # noqa: E731
    kinds: list[list[tuple[Any, ...]]] = [[] for _ in range(6)]
    for i in range(n):
        if dates[i] and dates[i] > TODAY:
            kinds[0].append((rows[i], "date", iso(dates[i])))
        if imaging[i] and imaging[i] > TODAY:
            kinds[1].append((rows[i], "imaging_date", iso(imaging[i])))
        if imaging[i] and dates[i] and imaging[i] < dates[i]:
            kinds[2].append((rows[i], "imaging_date", iso(imaging[i])))
        if count[i] == 0 and viable[i] is not None and viable[i] > 0:
            kinds[3].append((rows[i], "viable_tumour_pct", f"{viable[i]:g}"))  # the percentage as a number
        earlier = [dates[j] for j in range(i) if ids[i] is not None and ids[j] == ids[i] and dates[j]]
        if dates[i] and earlier and dates[i] <= earlier[-1]:
            kinds[4].append((rows[i], "date", iso(dates[i])))
        if (i + 1 < n and ids[i] is not None and ids[i + 1] == ids[i] and imaging[i] and dates[i + 1]
                and imaging[i] > dates[i + 1]):
            kinds[5].append((rows[i], "imaging_date", iso(imaging[i])))
    for k in kinds:
        out.extend(k)
    return out


def _session_table(ids: list[str | None], dates: list[dt.date | None], imaging: list[dt.date | None],
                   count: list[int | None], viable: list[float | None], id_dtype: str = "str") -> pd.DataFrame:
    return pd.DataFrame({
        "patient_id": pd.Series(ids, dtype=id_dtype),
        "date": pd.Series(pd.to_datetime(pd.Series(dates, dtype=object)), dtype="datetime64[s]"),
        "imaging_date": pd.Series(pd.to_datetime(pd.Series(imaging, dtype=object)), dtype="datetime64[s]"),
        "intrahepatic_tumour_count": pd.array(count, dtype="Int64"),
        "viable_tumour_pct": pd.array(viable, dtype="Float64"),
    })


def _got(frame: pd.DataFrame, rows: list[int]) -> tuple[list[bool], list[tuple[Any, ...]]]:
    bad, issues = check_sessions(frame, np.asarray(rows), TODAY)
    got = []
    for x in issues:
        assert isinstance(x, Issue) and x.table == "sessions"
        got.append((x.row, x.field, x.value))
    return bad.tolist(), got


def test_session_checks_by_hand() -> None:
    d = dt.date.fromisoformat
    # a: 1 Mar then 1 Feb (not after the previous); b split in two runs around c: its 3rd row (1 Jan) is not
    # after its 1st (5 Jan) - only a grouping by id, not by neighbours, sees it; two rows without an id never
    # compare; c's imaging (10 Apr) is after c's next TACE (1 Apr)
    ids = ["a", "a", "b", "c", "c", "b", None, None]
    dates = [d("2024-03-01"), d("2024-02-01"), d("2024-01-05"), d("2024-03-01"), d("2024-04-01"),
             d("2024-01-01"), d("2024-05-01"), d("2024-04-01")]
    imaging = [None, None, None, d("2024-04-10"), None, None, None, None]
    rows = [10, 11, 12, 13, 14, 15, 16, 17]
    frame = _session_table(ids, dates, imaging, [None] * 8, [None] * 8)
    want = [(11, "date", "2024-02-01"), (15, "date", "2024-01-01"), (13, "imaging_date", "2024-04-10")]
    assert _got(frame, rows) == ([False, True, False, True, False, True, False, False], want)
    # grouped (b's rows together): b's 1 Jan after 5 Jan is still flagged, a missing id between two rows of
    # the same patient breaks nothing: a, None, a with 1 Mar then 1 Feb flags the second a
    ids = ["a", None, "a", "b", "b"]
    dates = [d("2024-03-01"), d("2024-01-01"), d("2024-02-01"), d("2024-01-05"), d("2024-01-01")]
    frame = _session_table(ids, dates, [None] * 5, [None] * 5, [None] * 5)
    assert _got(frame, [1, 2, 3, 4, 5])[1] == [(3, "date", "2024-02-01"), (5, "date", "2024-01-01")]
    # unknown dates are skipped: a 1 Mar, unknown, 1 Mar -> the third is not after the first
    frame = _session_table(["a", "a", "a"], [d("2024-03-01"), None, d("2024-03-01")], [None] * 3, [None] * 3,
                           [None] * 3)
    assert _got(frame, [1, 2, 3])[1] == [(3, "date", "2024-03-01")]


_IDS = st.sampled_from(["a", "b", "c", "d", None])
_DATES = st.one_of(st.none(), st.dates(dt.date(2026, 10, 1), dt.date(2027, 1, 31)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_IDS, _DATES, _DATES, st.sampled_from([None, 0, 1]),
                          st.sampled_from([None, 0.0, 20.0])), max_size=14),
       st.booleans(), st.sampled_from(["str", "object", "string[python]", "string[pyarrow]"]))
def test_session_checks_equal_row_by_row(records: list[tuple[Any, ...]], grouped: bool, id_dtype: str) -> None:
    """Sessions grouped by patient (as the partition hands them over) or not, ids Arrow-backed or Python
    objects: the same bad rows and issues, in the same order, as the checks written out row by row."""
    if grouped:
        records = sorted(records, key=lambda r: "~" if r[0] is None else r[0])  # stable: file order kept
    ids, dates, imaging, count, viable = (list(c) for c in zip(*records, strict=True)) if records else ([],) * 5
    rows = [2 * i + 1 for i in range(len(records))]
    want = _reference_checks(ids, dates, imaging, count, viable, rows)
    bad, got = _got(_session_table(ids, dates, imaging, count, viable, id_dtype), rows)
    assert got == want
    assert bad == [r in {w[0] for w in want} for r in rows]


_OUTCOME_OF_BIT = {SKIP: Outcome.SKIP, NEGATIVE: Outcome.NEGATIVE, EXTEND: Outcome.EXTEND, RESTART: Outcome.RESTART}


def _per_patient(seqs: list[list[int]], breaks_run: bool) -> list[tuple[int, int]]:
    """``eligibility.tace_series.longest_runs`` (the per-patient path) on each sequence of bit sets."""
    return [tace_longest_runs([{o for bit, o in _OUTCOME_OF_BIT.items() if b & bit} for b in seq], breaks_run)
            for seq in seqs]


def _columnar(seqs: list[list[int]], breaks_run: bool, n_extra: int = 1) -> list[tuple[int, int]]:
    bits = np.asarray([b for s in seqs for b in s], dtype=np.int8)
    owner = np.asarray([i for i, s in enumerate(seqs) for _ in s], dtype=np.int64)
    position = np.asarray([k for s in seqs for k in range(len(s))], dtype=np.int64)
    low, high = longest_runs(bits, owner, position, len(seqs) + n_extra, breaks_run)
    assert low[len(seqs):].tolist() == [0] * n_extra and high[len(seqs):].tolist() == [0] * n_extra
    return list(zip(low[:len(seqs)].tolist(), high[:len(seqs)].tolist(), strict=True))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(1, 15), max_size=10), max_size=12), st.booleans())
def test_runs_equal_per_patient_path(seqs: list[list[int]], breaks_run: bool) -> None:
    """Sequences of up to 10 sessions (either side of the state machine's 7) against the per-patient path."""
    assert _columnar(seqs, breaks_run) == _per_patient(seqs, breaks_run)


def test_runs_every_short_sequence_of_real_outcomes() -> None:
    """Every sequence of up to 5 sessions over the outcome sets the judgements produce, against the
    per-patient path (tens of thousands of patients in one call, as a partition has)."""
    present, absent, unknown = EXTEND, NEGATIVE, EXTEND | NEGATIVE
    kinds = [present, absent, unknown, SKIP, RESTART, RESTART | NEGATIVE, SKIP | present, SKIP | unknown,
             EXTEND | RESTART, EXTEND | RESTART | NEGATIVE]
    seqs = [list(s) for n in range(6) for s in itertools.product(kinds, repeat=n)]
    for breaks_run in (True, False):
        assert _columnar(seqs, breaks_run) == _per_patient(seqs, breaks_run)


def test_runs_by_hand_around_the_machine_length() -> None:
    # all present: 7 sessions (the machine) -> 7, 8 sessions (the direct step) -> 8; 7 present, then absent
    # -> 7; unknown x7 -> certain 0, possible 7; restart-only after the first -> 1
    p, u = EXTEND, EXTEND | NEGATIVE
    seqs = [[p] * 7, [p] * 8, [p] * 7 + [NEGATIVE], [u] * 7, [p] + [RESTART] * 6, [p] * 3 + [SKIP] + [p] * 3]
    assert _columnar(seqs, True) == [(7, 7), (8, 8), (7, 7), (0, 7), (1, 1), (3, 3)]
    assert _columnar(seqs, False)[5] == (6, 6)  # the skip does not break the run


def test_outcome_bits_equal_per_patient_outcomes() -> None:
    """Every (counted, present, extends) against ``tace_series._outcomes``: codes 0 yes, 1 no, anything else
    unknown (as one-byte codes take the table, wider ones the formula)."""
    from hccprotocol.eligibility.tace_series import Judgement, _outcomes

    tri = {0: True, 1: False}
    extends = {(True, False): True, (False, True): False, (False, False): None}
    combos = [(c, p, e) for c in (-1, 0, 1, 2, 3) for p in (-1, 0, 1, 2, 3) for e in extends]
    want = [sum(bit for bit, o in _OUTCOME_OF_BIT.items() if o in _outcomes(Judgement(tri.get(c), tri.get(p)),
                                                                             extends[e]))
            for c, p, e in combos]
    ext_true = np.asarray([e[0] for _, _, e in combos])
    ext_false = np.asarray([e[1] for _, _, e in combos])
    for dtype in (np.int8, np.int64):
        counted = np.asarray([c for c, _, _ in combos], dtype=dtype)
        present = np.asarray([p for _, p, _ in combos], dtype=dtype)
        assert outcome_bits(counted, present, ext_true, ext_false).tolist() == want
        in_range = (counted >= 0) & (counted <= 2) & (present >= 0) & (present <= 2)
        got = outcome_bits(counted[in_range], present[in_range], ext_true[in_range], ext_false[in_range])
        assert got.tolist() == [w for w, keep in zip(want, in_range, strict=True) if keep]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_day_numbers_floor_like_the_calendar(unit: str) -> None:
    """Day numbers of date-times in every unit are the calendar day (before 1970 too), missing stays missing."""
    from hccprotocol.screen.sessions import _day_numbers, _days

    stamps = [dt.datetime(1969, 12, 31, 23, 0), dt.datetime(1970, 1, 1, 1, 0), None, dt.datetime(1900, 3, 1, 12),
              dt.datetime(2024, 2, 29), dt.datetime(2024, 2, 29, 23, 59, 59)]
    series = pd.Series(pd.to_datetime(pd.Series(stamps, dtype=object))).astype(f"datetime64[{unit}]")
    want = [-1, 0, None, (dt.date(1900, 3, 1) - EPOCH).days, 19782, 19782]
    days, missing = _day_numbers(series)
    assert [None if m else int(d) for d, m in zip(days, missing, strict=True)] == want
    as_float = _days(series)
    assert [None if np.isnan(x) else int(x) for x in as_float] == want
    # Python objects take numpy's cast: the same days
    objects = pd.Series([s.to_pydatetime() if pd.notna(s) else None for s in series], dtype=object)
    days, missing = _day_numbers(objects)
    assert [None if m else int(d) for d, m in zip(days, missing, strict=True)] == want


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(-1, 4), st.integers(1, 15)), max_size=14), st.booleans())
def test_runs_of_any_layout_equal_stepwise(rows: list[tuple[int, int, int]], breaks_run: bool) -> None:
    """Owners and positions in any order (blocks split, positions skipped, repeated or out of order): the
    columnar runs are the direct step's."""
    owner = np.asarray([r[0] for r in rows], dtype=np.int64)
    position = np.asarray([max(r[1], 0) for r in rows], dtype=np.int64)
    bits = np.asarray([r[2] for r in rows], dtype=np.int8)
    got = longest_runs(bits, owner, position, 5, breaks_run)
    want = _stepwise_runs(bits, owner, position, 5, breaks_run)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.lists(st.integers(1, 15), min_size=1, max_size=4)), max_size=6),
       st.booleans())
def test_runs_of_split_blocks_equal_stepwise(blocks: list[tuple[int, list[int]]], breaks_run: bool) -> None:
    """Blocks laid out 0, 1, ... but a patient's sessions in two blocks, or owners not increasing: the
    columnar runs are the direct step's."""
    owner = np.asarray([o for o, seq in blocks for _ in seq], dtype=np.int64)
    position = np.asarray([k for _, seq in blocks for k in range(len(seq))], dtype=np.int64)
    bits = np.asarray([b for _, seq in blocks for b in seq], dtype=np.int8)
    got = longest_runs(bits, owner, position, 4, breaks_run)
    want = _stepwise_runs(bits, owner, position, 4, breaks_run)
    assert got[0].tolist() == want[0].tolist() and got[1].tolist() == want[1].tolist()


@pytest.mark.parametrize(("ids", "distinct"), [
    (["P0", "P1", "P2", "P10", "P11"], True),  # sorted as numbers: shorter first
    (["A-001", "A-002", "A-010"], True),  # sorted as text
    (["P1", "P0"], True), (["ab", "b"], True),  # not sorted: the hash decides
    (["P1", "P2", "P1"], False), (["b", "b"], False), (["P1", "P10", "P1"], False), ([], True), (["x"], True),
])
def test_distinct_ids_by_hand(ids: list[str], distinct: bool) -> None:
    import pyarrow as pa

    from hccprotocol.screen.sessions import _distinct

    assert _distinct(pa.array(ids, type=pa.large_string())) is distinct


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet="ab1", max_size=3), max_size=12), st.sampled_from(["as is", "text", "length"]))
def test_distinct_ids_equal_a_set(ids: list[str], order: str) -> None:
    import pyarrow as pa

    from hccprotocol.screen.sessions import _distinct

    if order == "text":
        ids = sorted(ids)
    elif order == "length":
        ids = sorted(ids, key=lambda x: (len(x), x))
    assert _distinct(pa.array(ids, type=pa.large_string())) is (len(set(ids)) == len(ids))


def test_viable_tumour_issue_shows_the_percentage() -> None:
    # 0 tumours with 20 % and 12.5 % viable: both refused, each value shown as the percentage it is
    d = dt.date(2024, 1, 10)
    frame = _session_table(["a", "b"], [d, d], [None, None], [0, 0], [20.0, 12.5])
    bad, issues = check_sessions(frame, np.asarray([1, 2]), TODAY)
    assert bad.tolist() == [True, True]
    assert [(x.row, x.field, x.value) for x in issues] == [(1, "viable_tumour_pct", "20"),
                                                             (2, "viable_tumour_pct", "12.5")]


def test_key_issues_name_each_row_its_own_patient_and_value() -> None:
    """Every issue of the key checks (a repeated id, an orphan session, a wrong session count) names its own
    row's patient and value, also when the frames come with a shuffled index (the ids are gathered by
    position, once per check)."""
    patients = pd.DataFrame({"patient_id": ["a", "b", "a", "c", "b"], "tace_sessions": ["1", "2", "", "", "0"]},
                            dtype="str", index=[40, 7, 3, 99, 0])
    sessions = pd.DataFrame({"patient_id": ["x", "a", "y", "b"], "date": ["2024-01-01"] * 4}, dtype="str",
                            index=[5, 6, 1, 2])
    result = screen_partition(patients, sessions, load_protocol("haic-lenvatinib"), TODAY)
    got = [(i.table, i.row, i.patient_id, i.field, i.value, i.reason) for i in result.issues]
    earlier = "patient_id appears on an earlier row: one row per patient"
    assert got == [
        ("patients", 2, "b", "tace_sessions", "2", "the sessions table lists 1 session(s) for this patient"),
        ("patients", 3, "a", "patient_id", "a", earlier),
        ("patients", 5, "b", "patient_id", "b", earlier),
        ("sessions", 1, "x", "patient_id", "x", "no patient with this patient_id"),
        ("sessions", 3, "y", "patient_id", "y", "no patient with this patient_id"),
    ]
    assert result.invalid == 3  # rows 2, 3 and 5; a and c are screened
    assert sorted(result.decisions["patient_id"]) == ["a", "c"]
