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
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.eligibility.tace_series import CHANGE_FIELDS
from hccprotocol.screen.validate import Issue

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


def _days(series: pd.Series[Any]) -> np.ndarray[Any, Any]:
    """Dates as day numbers (NaN when missing)."""
    values = series.to_numpy(dtype="datetime64[D]")
    out = values.view(np.int64).astype(float)
    out[np.isnat(values)] = np.nan
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
        same[1:] = pc.fill_null(pc.equal(column[1:], column[:-1]), False).to_numpy(zero_copy_only=False)
        heads = column.filter(pa.array(~same)).drop_null()
        if len(pc.unique(heads)) == len(heads):
            return same, _not_after_previous(tace, same)
    group = pd.factorize(ids)[0].astype(np.int64) if n else np.zeros(0, dtype=np.int64)
    same = np.zeros(n, dtype=bool)
    same[1:] = (group[1:] == group[:-1]) & (group[1:] >= 0)
    return same, ~np.isnan(tace) & (tace <= _previous_known(tace, group))


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


def check_sessions(sessions: pd.DataFrame, rows: np.ndarray[Any, Any], today: dt.date) -> tuple[Any, list[Issue]]:
    """The model's session checks, columnar: no future dates, imaging after its TACE, none after the next
    TACE, strictly increasing TACE dates, and no viable tumour at 0 tumours. Returns (bad rows, issues)."""
    n = len(sessions)
    bad = np.zeros(n, dtype=bool)
    issues: list[Issue] = []
    tace, imaging = _days(sessions["date"]), _days(sessions["imaging_date"])
    limit = float((np.datetime64(today, "D") - np.datetime64(0, "D")).astype(int))

    def flag(mask: np.ndarray[Any, Any], field: str, values: np.ndarray[Any, Any], reason: str) -> None:
        at = np.flatnonzero(mask)
        if not len(at):
            return
        bad[at] = True
        ids = sessions["patient_id"].iloc[at].to_numpy(dtype=object)
        for i, pid in zip(at, ids, strict=True):
            issues.append(Issue("sessions", int(rows[i]), str(pid), field, _iso(values[i]), reason))

    flag(tace > limit, "date", tace, f"after today ({today.isoformat()}): a TACE cannot be recorded before it happens")
    flag(imaging > limit, "imaging_date", imaging,
         f"after today ({today.isoformat()}): imaging cannot be recorded before it happens")
    flag(imaging < tace, "imaging_date", imaging, "before the TACE date; response imaging follows the session")
    count = sessions["intrahepatic_tumour_count"].to_numpy(dtype=float, na_value=np.nan)
    viable = sessions["viable_tumour_pct"].to_numpy(dtype=float, na_value=np.nan)
    flag((count == 0) & (viable > 0), "viable_tumour_pct", viable,
         "above 0 while intrahepatic_tumour_count is 0: with no tumour nothing is viable")
    # the previous row's patient, and the previous known TACE date of the same patient (the model checks the
    # known dates in order)
    same, not_after = _same_and_previous(sessions["patient_id"], tace)
    flag(not_after, "date", tace,
         "not after the patient's previous TACE date: list sessions once each, in date order")
    next_tace = np.full(n, np.nan)
    next_tace[:-1] = np.where(same[1:], tace[1:], np.nan)
    flag(imaging > next_tace, "imaging_date", imaging,
         "after the next TACE: it cannot be the response evaluation of this session")
    return bad, issues


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


def _month_terms(days: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
    """Day numbers -> (months since January of year 0, day of the month, days in its month, days in the month
    before), the terms ``_whole_months`` reads; small integer types, as a table gathers them."""
    y, m, d = _civil_arithmetic(days)
    leap = (y % 4 == 0) & ((y % 100 != 0) | (y % 400 == 0))
    length = _MONTH_DAYS[m - 1] + ((m == 2) & leap)
    before = _MONTH_DAYS[m - 2] + ((m == 3) & leap)  # m - 2 = -1 in January: December's 31
    return (y * 12 + m - 1), d.astype(np.int16), length.astype(np.int16), before.astype(np.int16)


def _whole_months(start: np.ndarray[Any, Any], end: np.ndarray[Any, Any]
                  ) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``facts.whole_months`` over arrays of day numbers: (whole calendar months, days left over).

    Why from calendar terms: ``add_months(start, k)`` for k = the months between the two dates' months lands
    in end's month on start's day clamped to the month's length; past end (only when k > 0) one month fewer
    lands in the month before end's, clamped to that month's length. Both days left over follow from the
    day numbers of the month alone, without building a date and converting it back.
    """
    month_s, day_s = _by_table(start, lambda days: _month_terms(days)[:2])
    month_e, day_e, length_e, length_before = _by_table(end, _month_terms)
    whole = (month_e - month_s).astype(np.int64)
    clamped = np.minimum(day_s, length_e)
    over = (whole > 0) & (clamped > day_e)
    # not over: end's day less the clamped day; over: the rest of the month before end's, then end's day
    beyond = np.where(over, day_e + length_before - np.minimum(day_s, length_before), day_e - clamped)
    return whole - over, beyond.astype(np.int64)


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
    t_raw = sessions["date"].to_numpy(dtype="datetime64[D]")
    e_raw = sessions["imaging_date"].to_numpy(dtype="datetime64[D]")
    imaged = ~np.isnat(e_raw)
    both = ~np.isnat(t_raw) & imaged
    tace = np.where(both, t_raw.view(np.int64), 0)
    imaging = np.where(both, e_raw.view(np.int64), 0)
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


def _tri(codes: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Codes 0 yes / 1 no / 2 unknown -> (is yes, is no)."""
    return codes == 0, codes == 1


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
            array = column.array
            data, known = array._data, ~array._mask  # the masked array's values and what is recorded
            any_true |= data & known
            all_false &= ~data & known
        else:
            v = column.astype("object").where(column.notna(), None).to_numpy()
            any_true |= v == True  # noqa: E712 - elementwise over an object array
            all_false &= v == False  # noqa: E712
    return any_true, all_false & ~any_true


def outcome_bits(counted: np.ndarray[Any, Any], present: np.ndarray[Any, Any], extends_true: np.ndarray[Any, Any],
                 extends_false: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``tace_series._outcomes`` as bit sets, every session at once."""
    c_yes, c_no = _tri(counted)
    p_yes, p_no = _tri(present)
    can_present = ~p_no
    bits: np.ndarray[Any, Any] = (~c_yes & ~c_no).astype(np.int8) * np.int8(SKIP)  # counting unknown: may not count
    bits |= (can_present & ~extends_false).astype(np.int8) * np.int8(EXTEND)
    bits |= (can_present & ~extends_true).astype(np.int8) * np.int8(RESTART)
    bits |= (~p_yes).astype(np.int8) * np.int8(NEGATIVE)
    bits[c_no] = SKIP
    return bits


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
        lo, hi = low[who], high[who]
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
        lo, hi = np.minimum.reduce(cands_lo), np.maximum.reduce(cands_hi)
        low[who], high[who] = lo, hi
        best_low[who] = np.maximum(best_low[who], lo)
        best_high[who] = np.maximum(best_high[who], hi)
    return best_low, best_high


_PACKED = 14
"""Sessions a pattern key holds: 4 outcome bits each in the low 56 bits of a uint64, the count above them."""


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
    lengths = np.diff(np.append(starts, n))
    if not np.array_equal(position, np.arange(n) - np.repeat(starts, lengths)):
        return None
    return starts, who, lengths


def _pattern_runs(all_bits: list[np.ndarray[Any, Any]], owner: np.ndarray[Any, Any],
                  position: np.ndarray[Any, Any], n_patients: int, breaks_run: bool,
                  ) -> list[tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """``_stepwise_runs`` for several bit arrays over the same sessions, computed once per distinct sequence.

    Why: a patient's runs depend only on its sequence of outcome bits (the step reads nothing else), and a
    partition of 10^5-10^6 patients holds few distinct sequences. Each sequence (only the 4 bits the step
    reads, per session) is packed with its length into one uint64 key; the step runs on the distinct keys,
    decoded back into sessions, and the answers are mapped back. Patients with more than ``_PACKED``
    sessions, or sessions not laid out as contiguous (owner, position) blocks, take the step directly.
    """
    blocks = _blocks(owner, position) if len(owner) else None
    if blocks is None or not all(np.issubdtype(b.dtype, np.integer) for b in all_bits):
        return [_stepwise_runs(b, owner, position, n_patients, breaks_run) for b in all_bits]
    starts, who, lengths = blocks
    short = lengths <= _PACKED
    in_short = np.repeat(short, lengths)
    shift = (np.minimum(position, _PACKED - 1) * 4).astype(np.uint64)
    head = lengths.astype(np.uint64) << np.uint64(4 * _PACKED)
    keys = np.zeros((len(all_bits), n_patients), dtype=np.uint64)  # no sessions: key 0, runs 0/0
    for row, bits in zip(keys, all_bits, strict=True):
        packed = np.where(in_short, (bits.astype(np.int64) & 15).astype(np.uint64) << shift, np.uint64(0))
        row[who] = np.where(short, np.add.reduceat(packed, starts) | head, np.uint64(0))
    codes, distinct = pd.factorize(keys.ravel())
    distinct = np.asarray(distinct, dtype=np.uint64)
    count = (distinct >> np.uint64(4 * _PACKED)).astype(np.int64)
    first = np.cumsum(count) - count
    p_owner = np.repeat(np.arange(len(distinct)), count)
    p_position = np.arange(int(count.sum())) - np.repeat(first, count)
    p_bits = ((distinct[p_owner] >> (p_position.astype(np.uint64) * np.uint64(4))) & np.uint64(15)).astype(np.int8)
    low, high = _stepwise_runs(p_bits, p_owner, p_position, len(distinct), breaks_run)
    out = []
    long_who = who[~short]
    in_long = ~in_short
    for pick, bits in zip(codes.reshape(keys.shape), all_bits, strict=True):
        best_low, best_high = low[pick], high[pick]
        if len(long_who):
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
    all_bits = []
    for fid, (counted, present) in codes.items():
        if needs_change[fid]:
            ext_true, ext_false = changed_yes | first, changed_no & ~first
        else:
            ext_true, ext_false = np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
        all_bits.append(outcome_bits(counted, present, ext_true, ext_false))
    runs = _pattern_runs(all_bits, table.owner, position, n_patients, options.non_counting_session_breaks_run)
    return dict(zip(codes, runs, strict=True))
