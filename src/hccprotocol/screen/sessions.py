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
    out = values.astype("int64").astype(float)
    out[np.isnat(values)] = np.nan
    return out


def check_sessions(sessions: pd.DataFrame, rows: np.ndarray[Any, Any], today: dt.date) -> tuple[Any, list[Issue]]:
    """The model's session checks, columnar: no future dates, imaging after its TACE, none after the next
    TACE, strictly increasing TACE dates, and no viable tumour at 0 tumours. Returns (bad rows, issues)."""
    n = len(sessions)
    bad = np.zeros(n, dtype=bool)
    issues: list[Issue] = []
    ids = sessions["patient_id"].to_numpy(dtype=object)
    tace, imaging = _days(sessions["date"]), _days(sessions["imaging_date"])
    limit = float((np.datetime64(today, "D") - np.datetime64(0, "D")).astype(int))

    def flag(mask: np.ndarray[Any, Any], field: str, values: np.ndarray[Any, Any], reason: str) -> None:
        for i in np.flatnonzero(mask):
            bad[i] = True
            issues.append(Issue("sessions", int(rows[i]), str(ids[i]), field, _iso(values[i]), reason))

    flag(tace > limit, "date", tace, f"after today ({today.isoformat()}): a TACE cannot be recorded before it happens")
    flag(imaging > limit, "imaging_date", imaging,
         f"after today ({today.isoformat()}): imaging cannot be recorded before it happens")
    flag(imaging < tace, "imaging_date", imaging, "before the TACE date; response imaging follows the session")
    count = sessions["intrahepatic_tumour_count"].to_numpy(dtype=float, na_value=np.nan)
    viable = sessions["viable_tumour_pct"].to_numpy(dtype=float, na_value=np.nan)
    flag((count == 0) & (viable > 0), "viable_tumour_pct", viable,
         "above 0 while intrahepatic_tumour_count is 0: with no tumour nothing is viable")
    same = np.zeros(n, dtype=bool)
    same[1:] = ids[1:] == ids[:-1]
    # previous known TACE date of the same patient (the model checks the known dates in order)
    group = pd.Series(ids).factorize()[0] if n else np.zeros(0, dtype=np.int64)
    shifted = pd.Series(tace).groupby(group).shift(1)
    prev = shifted.groupby(group).ffill().to_numpy(dtype=float)
    flag(~np.isnan(tace) & (tace <= prev), "date", tace,
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


def _add_months(y: np.ndarray[Any, Any], m: np.ndarray[Any, Any], d: np.ndarray[Any, Any],
                months: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``facts.add_months`` over arrays: the same day ``months`` later, clamped to the month's last day (days)."""
    index = m - 1 + months
    year, month = y + index // 12, index % 12 + 1
    first = (year - 1970) * 12 + (month - 1)
    start = first.astype("datetime64[M]")
    length = ((start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")).astype(int)
    out: np.ndarray[Any, Any] = (start.astype("datetime64[D]").astype(int) + np.minimum(d, length) - 1)
    return out.astype(np.int64)


def _ymd(days: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], ...]:
    dates = days.astype("datetime64[D]")
    y = dates.astype("datetime64[Y]").astype(int) + 1970
    m = dates.astype("datetime64[M]").astype(int) % 12 + 1
    d = (dates - dates.astype("datetime64[M]")).astype(int) + 1
    return y, m, d


def session_frame(sessions: pd.DataFrame, owner: np.ndarray[Any, Any], n_patients: int) -> SessionTable:
    """Session facts as ``eligibility.facts.session_facts`` computes them, for every session at once.

    ``sessions`` are typed session columns, already ordered by (owner, file order); ``owner`` is each
    session's patient row.
    """
    position = pd.Series(owner).groupby(owner).cumcount().to_numpy()
    tace, imaging = _days(sessions["date"]), _days(sessions["imaging_date"])
    both = ~np.isnan(tace) & ~np.isnan(imaging)
    days = np.where(both, imaging - tace, np.nan)
    months = np.full(len(sessions), np.nan)
    beyond = np.full(len(sessions), np.nan)
    if both.any():
        t = tace[both].astype(np.int64)
        e = imaging[both].astype(np.int64)
        ys, ms, ds = _ymd(t)
        ye, me, _ = _ymd(e)
        whole = (ye - ys) * 12 + me - ms
        over = (whole > 0) & (_add_months(ys, ms, ds, whole) > e)
        whole = np.where(over, whole - 1, whole)
        months[both] = whole
        beyond[both] = e - _add_months(ys, ms, ds, whole)
    before = sessions["intrahepatic_tumour_count_before"].astype("Int64")
    after = sessions["intrahepatic_tumour_count"].astype("Int64")
    frame = pd.DataFrame(
        {
            "patient": owner,
            "session": pd.array(position, dtype="Int64"),
            **{c: sessions[c].reset_index(drop=True) for c in sessions.columns
               if c not in ("patient_id", "date", "imaging_date")},
            "imaging_date_known": ~np.isnan(imaging),
            "days_to_imaging": pd.array(days, dtype="Float64").astype("Int64"),
            "months_to_imaging": pd.array(months, dtype="Float64").astype("Int64"),
            "days_beyond_months": pd.array(beyond, dtype="Float64").astype("Int64"),
            "intrahepatic_tumour_count_increase": (after - before).reset_index(drop=True),
        }
    )
    count = np.bincount(owner, minlength=n_patients) if len(owner) else np.zeros(n_patients, dtype=np.int64)
    return SessionTable(frame=frame, owner=owner, count=count)


def _tri(codes: np.ndarray[Any, Any]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Codes 0 yes / 1 no / 2 unknown -> (is yes, is no)."""
    return codes == 0, codes == 1


def _changed_before(frame: pd.DataFrame) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``tace_series.changed_before`` per session: (certainly true, certainly false)."""
    values = [frame[f].astype("object").where(frame[f].notna(), None).to_numpy() if f in frame
              else np.full(len(frame), None)
              for f in CHANGE_FIELDS]
    any_true = np.zeros(len(frame), dtype=bool)
    all_false = np.ones(len(frame), dtype=bool)
    for v in values:
        any_true |= v == True  # noqa: E712 - elementwise over an object array
        all_false &= v == False  # noqa: E712
    return any_true, all_false & ~any_true


def outcome_bits(counted: np.ndarray[Any, Any], present: np.ndarray[Any, Any], extends_true: np.ndarray[Any, Any],
                 extends_false: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``tace_series._outcomes`` as bit sets, every session at once."""
    c_yes, c_no = _tri(counted)
    p_yes, p_no = _tri(present)
    bits = np.where(~c_yes & ~c_no, SKIP, 0)  # counting unknown: may not count
    can_present = ~p_no
    bits |= np.where(can_present & ~extends_false, EXTEND, 0)
    bits |= np.where(can_present & ~extends_true, RESTART, 0)
    bits |= np.where(~p_yes, NEGATIVE, 0)
    return np.where(c_no, SKIP, bits).astype(np.int8)


def longest_runs(bits: np.ndarray[Any, Any], owner: np.ndarray[Any, Any], position: np.ndarray[Any, Any],
                 n_patients: int, breaks_run: bool) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """``tace_series.longest_runs`` for every patient: (certain longest run, possible longest run)."""
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


def series_runs(table: SessionTable, codes: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]],
                needs_change: dict[str, bool], options: EligibilityOptions, n_patients: int,
                ) -> dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]]:
    """finding id -> (run, possible_run) per patient (``tace_series.summarise`` facts)."""
    frame = table.frame
    position = frame["session"].to_numpy(dtype=np.int64) if len(frame) else np.zeros(0, dtype=np.int64)
    changed_yes, changed_no = _changed_before(frame)
    first = position == 0
    out: dict[str, tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]] = {}
    for fid, (counted, present) in codes.items():
        if needs_change[fid]:
            ext_true, ext_false = changed_yes | first, changed_no & ~first
        else:
            ext_true, ext_false = np.ones(len(frame), dtype=bool), np.zeros(len(frame), dtype=bool)
        bits = outcome_bits(counted, present, ext_true, ext_false)
        out[fid] = longest_runs(bits, table.owner, position, n_patients, options.non_counting_session_breaks_run)
    return out
