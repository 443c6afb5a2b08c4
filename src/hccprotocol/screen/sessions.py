"""TACE sessions of a partition, columnar: record checks, session facts, findings and runs of sessions.

Why this shape: whether one session shows a finding is a rule-file condition
(``criteria.judge_findings``, a mask over every session of every patient at
once); the run of consecutive sessions is JSH-LCSGJ 2014's "two or more
consecutive", computed here by stepping through session *positions* (1st,
2nd, ... session of every patient at once), never through patients. The step is
``eligibility.tace_series``'s three-valued one: ``run`` counts every unknown
against the finding, ``possible_run`` for it; the agreement test with the
per-patient path guards that the two count alike.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.eligibility.tace_series import CHANGE_FIELDS
from hccprotocol.engines import masked
from hccprotocol.screen.issues import Issues
from hccprotocol.screen.unpack import numpy_bools

__all__ = ["SessionTable", "check_sessions", "longest_runs", "session_frame"]

# Outcome bits (eligibility.tace_series.Outcome): does not count / counts, absent / extends / restarts.
SKIP, NEGATIVE, EXTEND, RESTART = 1, 2, 4, 8
_BIG = np.iinfo(np.int32).max


@dataclass(frozen=True)
class SessionTable:
    """Sessions of the screened patients in (patient row, position) order, and each patient's session count."""

    frame: pd.DataFrame
    """Session facts named by the rule files' session paths, plus ``patient`` (row) and ``session`` (position)."""
    owner: np.ndarray[Any, Any]
    count: np.ndarray[Any, Any]


_PER_DAY = {"D": 1, "h": 24, "m": 1440, "s": 86_400, "ms": 86_400_000, "us": 86_400_000_000,
            "ns": 86_400_000_000_000}


def _day_numbers(series: pd.Series[Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Dates as (int64 day numbers, missing); a missing date's number is meaningless.

    Why the division: the typed columns are datetime64[s]; floor division of their integers is the day
    numpy's cast to datetime64[D] gives (it floors too), without the cast's per-element unit conversion.
    """
    values = series.to_numpy()
    if values.dtype.kind == "M":
        unit, count = np.datetime_data(values.dtype)
        if count == 1 and unit in _PER_DAY:
            return values.view(np.int64) // _PER_DAY[unit], np.isnat(values)
    values = series.to_numpy(dtype="datetime64[D]")
    return values.view(np.int64), np.isnat(values)


def _days(series: pd.Series[Any]) -> np.ndarray[Any, Any]:
    """Dates as day numbers (NaN when missing)."""
    days, missing = _day_numbers(series)
    out = days.astype(float)
    out[missing] = np.nan
    return out


def _previous_known(values: np.ndarray[Any, Any], group: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Per row, the last non-NaN value on an earlier row of its group (NaN when none, or the group is -1).

    Rows of a group are contiguous in every partition (sessions come ordered by patient), which allows one
    running maximum of row numbers; groupby shift + ffill otherwise.
    """
    n = len(values)
    if n == 0:
        return np.zeros(0, dtype=float)
    start = np.ones(n, dtype=bool)
    start[1:] = (group[1:] != group[:-1]) | (group[1:] < 0)
    starts = np.flatnonzero(start)
    heads = group[starts]
    heads = heads[heads >= 0]
    if len(heads) > 1 and not (heads[1:] > heads[:-1]).all():
        # codes number groups by first appearance: a group split in two runs shows as a code going down
        shifted = pd.Series(values).groupby(group).shift(1)
        out: np.ndarray[Any, Any] = shifted.groupby(group).ffill().to_numpy(dtype=float)
        return np.where(group < 0, np.nan, out)  # -1 is a group to groupby: rows without an id follow each other
    known = ~np.isnan(values)
    latest = np.maximum.accumulate(np.where(known, np.arange(n), -1))
    before = np.full(n, -1, dtype=np.int64)
    before[1:] = latest[:-1]
    run_start = np.repeat(starts, np.diff(np.append(starts, n)))
    ok = (before >= run_start) & (group >= 0)
    return np.where(ok, values[np.maximum(before, 0)], np.nan)


def _same_and_previous(ids: pd.Series[Any], tace: np.ndarray[Any, Any]
                       ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """(row has the previous row's patient id, row's known TACE date is not after its patient's previous known
    one). A missing id matches no row.

    Why neighbours: the partition hands sessions over grouped by patient, so "same patient as the row
    before" is one Arrow comparison of the id column with itself shifted, and a hash over the first id of
    each run (is every run a different patient?) proves the grouping; a factorize of every row otherwise.
    """
    n = len(ids)
    array = ids.array
    if n > 1 and isinstance(array, pd.arrays.ArrowStringArray):
        column = pa.array(array)
        same = np.zeros(n, dtype=bool)
        same[1:] = numpy_bools(pc.equal(column[1:], column[:-1]), null=False)
        if _distinct(column.filter(pa.array(~same)).drop_null()):
            return same, _not_after_previous(tace, same)
    group = pd.factorize(ids)[0].astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    same = np.zeros(n, dtype=bool)
    same[1:] = (group[1:] == group[:-1]) & (group[1:] >= 0)
    return same, ~np.isnan(tace) & (tace <= _previous_known(tace, group))


def _distinct(ids: pa.Array) -> bool:
    """Whether no id occurs twice (no nulls in ``ids``).

    Why not only a hash: the ids of a patients file often come sorted (as text, or as numbers written
    without leading zeros: shorter first), and ids strictly increasing in (length, text) order are distinct;
    two comparisons of neighbours prove it, and a hash of every id decides otherwise.
    """
    if len(ids) < 2:
        return True
    length = pc.binary_length(ids).to_numpy(zero_copy_only=False)
    longer, level = length[1:] > length[:-1], length[1:] == length[:-1]
    if (longer | level).all():
        later = numpy_bools(pc.less(ids[:-1], ids[1:]), null=False)
        if (longer | (level & later)).all():
            return True
    return len(pc.unique(ids)) == len(ids)


def _not_after_previous(tace: np.ndarray[Any, Any], same: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Known dates not after the previous known date of their run, when each patient is one run of rows
    (``same``: the row continues the run above; a row without an id is a run of its own).

    Why over the known dates only: the previous known date is then the previous element, of the same run
    when no run starts in between (equal running counts of run starts).
    """
    at = np.flatnonzero(~np.isnan(tace))
    known, run = tace[at], np.cumsum(~same, dtype=np.int32 if len(same) < 2**31 else np.int64)[at]
    hit = np.zeros(len(at), dtype=bool)
    hit[1:] = (run[1:] == run[:-1]) & (known[1:] <= known[:-1])
    out = np.zeros(len(tace), dtype=bool)
    out[at[hit]] = True
    return out


def check_sessions(sessions: pd.DataFrame, rows: np.ndarray[Any, Any], today: dt.date) -> tuple[Any, Issues]:
    """The model's session checks, columnar: no future dates, imaging after its TACE, none after the next
    TACE, strictly increasing TACE dates, and no viable tumour at 0 tumours. Returns (bad rows, issues)."""
    n = len(sessions)
    bad = np.zeros(n, dtype=bool)
    batches: list[Issues] = []
    tace, imaging = _days(sessions["date"]), _days(sessions["imaging_date"])
    limit = float((np.datetime64(today, "D") - np.datetime64(0, "D")).astype(int))

    def flag(mask: np.ndarray[Any, Any], field: str, values: np.ndarray[Any, Any], reason: str,
             shown: Any = _iso) -> None:
        at = np.flatnonzero(mask)
        if not len(at):
            return
        bad[at] = True
        ids = sessions["patient_id"].iloc[at].to_numpy(dtype=object)
        batches.append(Issues.of("sessions", rows[at], ids, field, [shown(v) for v in values[at]], reason))

    flag(tace > limit, "date", tace, f"after today ({today.isoformat()}): a TACE cannot be recorded before it happens")
    flag(imaging > limit, "imaging_date", imaging,
         f"after today ({today.isoformat()}): imaging cannot be recorded before it happens")
    flag(imaging < tace, "imaging_date", imaging, "before the TACE date; response imaging follows the session")
    count = sessions["intrahepatic_tumour_count"].to_numpy(dtype=float, na_value=np.nan)
    viable = sessions["viable_tumour_pct"].to_numpy(dtype=float, na_value=np.nan)
    flag((count == 0) & (viable > 0), "viable_tumour_pct", viable,
         "above 0 while intrahepatic_tumour_count is 0: with no tumour nothing is viable", shown=lambda v: f"{v:g}")
    # the previous row's patient, and the previous known TACE date of the same patient (the model checks the
    # known dates in order)
    same, not_after = _same_and_previous(sessions["patient_id"], tace)
    flag(not_after, "date", tace,
         "not after the patient's previous TACE date: list sessions once each, in date order")
    next_tace = np.full(n, np.nan)
    next_tace[:-1] = np.where(same[1:], tace[1:], np.nan)
    flag(imaging > next_tace, "imaging_date", imaging,
         "after the next TACE: it cannot be the response evaluation of this session")
    return bad, Issues.concat(batches)


def _iso(day: float) -> str:
    if np.isnan(day):
        return ""
    return str(np.datetime64(int(day), "D"))


# Calendar arithmetic on int64 day numbers since 1970-01-01 (proleptic Gregorian, as datetime.date), after
# Howard Hinnant's civil_from_days: integer operations only, no datetime64 round trips.
_MONTH_DAYS = np.asarray([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _by_table(days: np.ndarray[Any, Any], compute: Any) -> tuple[np.ndarray[Any, Any], ...]:
    """``compute(days)`` (a tuple of arrays), by table lookup when the dates span few days.

    Why a table: a registry's millions of dates fall on a few thousand distinct days; the arithmetic runs on
    that span once and every date is a gather.
    """
    if len(days) > 4096:
        low, high = int(days.min()), int(days.max())
        if high - low < len(days) // 4:
            at = days - low
            return tuple(column[at] for column in compute(np.arange(low, high + 1, dtype=np.int64)))
    out: tuple[np.ndarray[Any, Any], ...] = compute(days)
    return out


def _civil(days: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Day numbers -> (year, month 1-12, day 1-31)."""
    y, m, d = _by_table(days, _civil_arithmetic)
    return y, m, d


def _civil_arithmetic(days: np.ndarray[Any, Any]
                      ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = np.where(mp < 10, mp + 3, mp - 9)
    return yoe + era * 400 + (m <= 2), m, d


def _month_terms(days: np.ndarray[Any, Any], base: int) -> np.ndarray[Any, Any]:
    """Day numbers (none before day ``base``) -> the terms ``_whole_months`` reads, packed in one integer:
    day of the month (bits 0-4), days in its month (5-9), days in the month before (10-14), months since
    the month of ``base`` (from bit 15); int32 when every value fits (half the memory to stream)."""
    y, m, d = _civil_arithmetic(days)
    base_y, base_m, _ = _civil_arithmetic(np.asarray([base], dtype=np.int64))
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    length = _MONTH_DAYS[m - 1] + ((m == 2) & leap)
    before = _MONTH_DAYS[m - 2] + ((m == 3) & leap)  # m - 2 = -1 in January: December's 31
    out: np.ndarray[Any, Any] = ((y - base_y) * 12 + m - base_m) << 15 | before << 10 | length << 5 | d
    return out.astype(np.int32) if len(out) and int(out.max()) < 2**31 else out


def _whole_months(start: np.ndarray[Any, Any], end: np.ndarray[Any, Any]
                  ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``facts.whole_months`` over arrays of day numbers: (whole calendar months, days left over).

    Why from calendar terms: ``add_months(start, k)`` for k = the months between the two dates' months lands
    in end's month on start's day clamped to the month's length; past end (only when k > 0) one month fewer
    lands in the month before end's, clamped to that month's length. Both days left over follow from the
    day numbers of the month alone, without building a date and converting it back. The terms come from
    one table over the dates' span when it is short (as ``_by_table``).
    """
    if not len(start):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    low, high = min(int(start.min()), int(end.min())), max(int(start.max()), int(end.max()))
    if len(start) > 2048 and high - low < len(start) // 2:
        table = _month_terms(np.arange(low, high + 1, dtype=np.int64), low)
        terms_s, terms_e = table[start - low], table[end - low]
    else:
        terms_s, terms_e = _month_terms(start, low), _month_terms(end, low)
    day_s, day_e = terms_s & 31, terms_e & 31
    length_e, length_before = terms_e >> 5 & 31, terms_e >> 10 & 31
    whole = (terms_e >> 15) - (terms_s >> 15)
    clamped = np.minimum(day_s, length_e)
    over = (whole > 0) & (clamped > day_e)
    # not over: end's day less the clamped day; over: the rest of the month before end's, then end's day
    beyond = np.where(over, day_e + length_before - np.minimum(day_s, length_before), day_e - clamped)
    return whole - over, beyond


def _positions(owner: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Each session's position among its patient's sessions (file order); one pass when owners are sorted."""
    n = len(owner)
    if n and (owner[1:] >= owner[:-1]).all():
        row = np.arange(n)
        start = np.ones(n, dtype=bool)
        start[1:] = owner[1:] != owner[:-1]
        out: np.ndarray[Any, Any] = row - np.maximum.accumulate(np.where(start, row, 0))
        return out
    return pd.Series(owner).groupby(owner).cumcount().to_numpy()


def _int64(values: np.ndarray[Any, Any], known: np.ndarray[Any, Any]) -> pd.arrays.IntegerArray:
    return pd.arrays.IntegerArray(np.where(known, values, 0).astype(np.int64, copy=False), ~known)


def session_frame(sessions: pd.DataFrame, owner: np.ndarray[Any, Any], n_patients: int) -> SessionTable:
    """Session facts as ``eligibility.facts.session_facts`` computes them, for every session at once.

    ``sessions`` are typed session columns, already ordered by (owner, file order); ``owner`` is each
    session's patient row.
    """
    position = _positions(owner)
    t_raw, t_missing = _day_numbers(sessions["date"])
    e_raw, e_missing = _day_numbers(sessions["imaging_date"])
    imaged = ~e_missing
    both = ~t_missing & imaged
    tace = np.where(both, t_raw, 0)
    imaging = np.where(both, e_raw, 0)
    months, beyond = _whole_months(tace, imaging)
    before = sessions["intrahepatic_tumour_count_before"].astype("Int64")
    after = sessions["intrahepatic_tumour_count"].astype("Int64")
    frame = pd.DataFrame(
        {
            "patient": owner,
            "session": pd.arrays.IntegerArray(position.astype(np.int64), np.zeros(len(position), dtype=bool)),
            **{c: sessions[c].reset_index(drop=True) for c in sessions.columns
               if c not in ("patient_id", "date", "imaging_date")},
            "imaging_date_known": imaged,
            "days_to_imaging": _int64(imaging - tace, both),
            "months_to_imaging": _int64(months, both),
            "days_beyond_months": _int64(beyond, both),
            "intrahepatic_tumour_count_increase": (after - before).reset_index(drop=True),
        },
        copy=False,
    )
    count = np.bincount(owner, minlength=n_patients) if len(owner) else np.zeros(n_patients, dtype=np.int64)
    return SessionTable(frame=frame, owner=owner, count=count)


def _changed_before(frame: pd.DataFrame) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``tace_series.changed_before`` per session: (certainly true, certainly false)."""
    n = len(frame)
    any_true = np.zeros(n, dtype=bool)
    all_false = np.ones(n, dtype=bool)
    for f in CHANGE_FIELDS:
        if f not in frame:
            all_false[:] = False  # an absent field is unknown: never certainly false
            continue
        column = frame[f]
        if isinstance(column.dtype, pd.BooleanDtype):
            data, missing = masked.parts(column.array)  # the values and what is not recorded
            known = ~missing
            any_true |= data & known
            all_false &= ~data & known
        else:
            v = column.astype("object").where(column.notna(), None).to_numpy()
            any_true |= v == True  # noqa: E712 - elementwise over an object array
            all_false &= v == False  # noqa: E712
    return any_true, all_false & ~any_true


def _extends(extends_true: np.ndarray[Any, Any], extends_false: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The outcomes a session whose finding may be present may have, by ``extends``: EXTEND unless it is
    certainly false, RESTART unless it is certainly true (the same for every finding: computed once)."""
    out: np.ndarray[Any, Any] = (~extends_false).view(np.uint8) * np.uint8(EXTEND)
    out |= (~extends_true).view(np.uint8) * np.uint8(RESTART)
    return out


def _outcomes(counted: np.ndarray[Any, Any], present: np.ndarray[Any, Any], extends: np.ndarray[Any, Any]
              ) -> np.ndarray[Any, Any]:
    """``outcome_bits`` with ``extends`` from ``_extends``; codes 0 yes, 1 no, anything else unknown.

    Why bytes: a session that certainly does not count (1) only skips; any other may skip unless it
    certainly counts (0), may be negative unless the finding is certainly present (0), and may extend or
    restart unless the finding is certainly absent (1). Each "unless" is one byte comparison.
    """
    counted, present = np.asarray(counted), np.asarray(present)
    may = (present != 0).view(np.uint8) * np.uint8(NEGATIVE)
    may |= (present != 1).view(np.uint8) * extends
    may *= (counted != 1).view(np.uint8)
    may |= (counted != 0).view(np.uint8)  # SKIP = 1
    out: np.ndarray[Any, Any] = may.view(np.int8)
    return out


def outcome_bits(counted: np.ndarray[Any, Any], present: np.ndarray[Any, Any], extends_true: np.ndarray[Any, Any],
                 extends_false: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``tace_series._outcomes`` as bit sets, every session at once."""
    return _outcomes(counted, present,
                     _extends(np.asarray(extends_true, dtype=bool), np.asarray(extends_false, dtype=bool)))


def _step(lo: np.ndarray[Any, Any], hi: np.ndarray[Any, Any], b: np.ndarray[Any, Any], breaks_run: bool
          ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """One session of ``tace_series.longest_runs``: the smallest and largest run after outcome bits ``b``
    (``_BIG`` / -1 when ``b`` holds none of the 4 bits)."""
    cands_lo, cands_hi = [], []
    for bit, nxt_lo, nxt_hi in (
        (SKIP, np.zeros_like(lo) if breaks_run else lo, np.zeros_like(hi) if breaks_run else hi),
        (NEGATIVE, np.zeros_like(lo), np.zeros_like(hi)),
        (RESTART, np.ones_like(lo), np.ones_like(hi)),
        (EXTEND, lo + 1, hi + 1),
    ):
        has = (b & bit) != 0
        cands_lo.append(np.where(has, nxt_lo, _BIG))
        cands_hi.append(np.where(has, nxt_hi, -1))
    return np.minimum.reduce(cands_lo), np.maximum.reduce(cands_hi)


def _stepwise_runs(bits: np.ndarray[Any, Any], owner: np.ndarray[Any, Any], position: np.ndarray[Any, Any],
                   n_patients: int, breaks_run: bool) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """The three-valued step through session positions (1st session of every patient, then 2nd, ...)."""
    low = np.zeros(n_patients, dtype=np.int32)
    high = np.zeros(n_patients, dtype=np.int32)
    best_low = np.zeros(n_patients, dtype=np.int32)
    best_high = np.zeros(n_patients, dtype=np.int32)
    if not len(bits):
        return best_low, best_high
    for k in range(int(position.max()) + 1):
        at = position == k
        who, b = owner[at], bits[at]
        lo, hi = _step(low[who], high[who], b, breaks_run)
        low[who], high[who] = lo, hi
        best_low[who] = np.maximum(best_low[who], lo)
        best_high[who] = np.maximum(best_high[who], hi)
    return best_low, best_high


_SHORT = 7
"""Patients with at most this many sessions take the state machine (``_pattern_runs``); others the step.
Why 7: its values fit 3 bits, a table of 2**16 entries built in milliseconds (4 bits: 2**20, ~0.1 s)."""


@functools.lru_cache(maxsize=8)
def _machine(width: int, breaks_run: bool) -> np.ndarray[Any, Any]:
    """``_step`` as a state machine: the next state at index (state << 4 | bits), a state being
    lo | hi << w | best lo << 2w | best hi << 3w for ``width`` w (each value below 2**w); state 0 is all 0.

    Why values below 2**w suffice: after k sessions every value is at most k (a step adds at most 1), so
    2**w > the longest sequence covers every state sequences that long reach; the other entries (and bits
    holding none of the 4 outcomes, which ``_pattern_runs`` keeps away) are never read.
    """
    v, mask = 1 << width, (1 << width) - 1
    state = np.arange(1 << (4 * width), dtype=np.int32)
    lo, hi, best_lo, best_hi = (state >> (i * width) & mask for i in range(4))
    b = np.tile(np.arange(16, dtype=np.int32), len(state))
    nxt_lo, nxt_hi = _step(np.repeat(lo, 16), np.repeat(hi, 16), b, breaks_run)
    nxt_best_lo = np.maximum(np.repeat(best_lo, 16), nxt_lo)
    nxt_best_hi = np.maximum(np.repeat(best_hi, 16), nxt_hi)
    inside = (nxt_lo < v) & (nxt_hi >= 0) & (nxt_hi < v) & (nxt_best_lo < v) & (nxt_best_hi < v)
    packed = nxt_lo | nxt_hi << width | nxt_best_lo << 2 * width | nxt_best_hi << 3 * width
    out: np.ndarray[Any, Any] = np.where(inside, packed, 0).astype(np.int32)
    out.setflags(write=False)  # cached and shared (threads of a run): never written
    return out


def _blocks(owner: np.ndarray[Any, Any], position: np.ndarray[Any, Any]
            ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]] | None:
    """(first session, owner, session count) of each patient when every patient's sessions are one block in
    position order 0, 1, ... and owners increase from block to block; None otherwise."""
    n = len(owner)
    start = np.ones(n, dtype=bool)
    start[1:] = owner[1:] != owner[:-1]
    starts = np.flatnonzero(start)
    who = owner[starts]
    if len(who) > 1 and not (who[1:] > who[:-1]).all():
        return None
    # 0 at every start and one more than the row above elsewhere (then a start's step, 0 - a position >= 0,
    # is never 1)
    if (position[starts] != 0).any() or not np.array_equal(np.diff(position) == 1, ~start[1:]):
        return None
    return starts, who, np.diff(np.append(starts, n))


def _pattern_runs(all_bits: list[np.ndarray[Any, Any]], owner: np.ndarray[Any, Any],
                  position: np.ndarray[Any, Any], n_patients: int, breaks_run: bool,
                  ) -> list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """``_stepwise_runs`` for several bit arrays over the same sessions, by a state machine.

    Why: the step reads only (run low, run high) and the session's 4 outcome bits, and keeps the best of
    each, so (low, high, best low, best high) is a state of a small machine whose transitions are tabulated
    once (``_machine``). Patients are ordered longest first, so the patients with a k-th session are a
    prefix of that order and their k-th sessions a contiguous slice of the sessions laid out position by
    position: each step is a shift, an or and a table gather over slices. Patients with more than ``_SHORT``
    sessions, bits holding none of the 4 outcomes, or sessions not laid out as contiguous (owner, position)
    blocks take the step directly.
    """
    blocks = _blocks(owner, position) if len(owner) else None
    if blocks is None or not all(np.issubdtype(b.dtype, np.integer) for b in all_bits):
        return [_stepwise_runs(b, owner, position, n_patients, breaks_run) for b in all_bits]
    starts, who, lengths = blocks
    short = lengths <= _SHORT
    held = np.flatnonzero(short)
    order = held[np.argsort((_SHORT - lengths[held]).astype(np.uint8), kind="stable")]  # longest first
    longest = int(lengths[order[0]]) if len(order) else 0
    # m[k]: patients with a (k+1)-th session; their sessions at position k, position by position
    m = np.cumsum(np.bincount(lengths[order], minlength=longest + 1)[::-1])[::-1][1:]
    at = np.concatenate([starts[order[:m_k]] + k for k, m_k in enumerate(m)]) if longest else np.zeros(0, np.int64)
    width = max(1, longest.bit_length())
    nxt = _machine(width, breaks_run)
    # state of every patient (columns in ``order``; the last column, state 0, for patients not in it)
    state = np.zeros((len(all_bits), len(order) + 1), dtype=np.int32)
    step = np.empty(len(order), dtype=np.int32)
    direct = []
    for row, bits in zip(state, all_bits, strict=True):
        sequence = (bits[at] & 15).astype(np.uint8)
        direct.append(bool((sequence == 0).any()))  # none of the 4 outcomes: not a state of the machine
        if direct[-1]:
            continue
        offset = 0
        for m_k in m.tolist():
            np.left_shift(row[:m_k], 4, out=step[:m_k])
            np.bitwise_or(step[:m_k], sequence[offset:offset + m_k], out=step[:m_k])
            np.take(nxt, step[:m_k], out=row[:m_k], mode="clip")  # clip: no bounds buffer, every index is inside
            offset += m_k
    column = np.full(n_patients, len(order), dtype=np.int64)
    column[who[order]] = np.arange(len(order))
    final = state[:, column]
    out = []
    long_who = who[~short]
    in_long = np.repeat(~short, lengths) if len(long_who) else None
    for row, bits, alone in zip(final, all_bits, direct, strict=True):
        if alone:
            out.append(_stepwise_runs(bits, owner, position, n_patients, breaks_run))
            continue
        best_low, best_high = row >> 2 * width & (1 << width) - 1, row >> 3 * width
        if in_long is not None:
            lo, hi = _stepwise_runs(bits[in_long], owner[in_long], position[in_long], n_patients, breaks_run)
            best_low[long_who], best_high[long_who] = lo[long_who], hi[long_who]
        out.append((best_low, best_high))
    return out


def longest_runs(bits: np.ndarray[Any, Any], owner: np.ndarray[Any, Any], position: np.ndarray[Any, Any],
                 n_patients: int, breaks_run: bool) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``tace_series.longest_runs`` for every patient: (certain longest run, possible longest run)."""
    return _pattern_runs([bits], owner, position, n_patients, breaks_run)[0]


def series_runs(table: SessionTable, codes: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
                needs_change: dict[str, bool], options: EligibilityOptions, n_patients: int,
                ) -> dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """finding id -> (run, possible_run) per patient (``tace_series.summarise`` facts)."""
    frame = table.frame
    position = frame["session"].to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, dtype=np.int64)
    changed_yes, changed_no = _changed_before(frame)
    first = position == 0
    extends = {True: (changed_yes | first, changed_no & ~first),
               False: (np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool))}
    may_extend = {k: _extends(*v) for k, v in extends.items()}  # the same for every finding: once
    all_bits = [_outcomes(counted, present, may_extend[needs_change[fid]]) for fid, (counted, present)
                in codes.items()]
    runs = _pattern_runs(all_bits, table.owner, position, n_patients, options.non_counting_session_breaks_run)
    return dict(zip(codes, runs, strict=True))
