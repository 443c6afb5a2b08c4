"""Screening of one partition (patients + their TACE sessions): a pure function, columnar end to end.

Why a pure function of one partition: the same code runs on one machine over
a whole file and on every Dask worker over a slice of it (sessions
co-partitioned by ``patient_id``); nothing depends on what other partitions
hold except row numbers, which travel with the rows (``ROW``). Its steps:
validate (invalid records reported and set aside), session facts and
findings, runs of sessions, derived measures, the refractoriness criteria,
then the inclusion/exclusion criteria and the decision; no per-patient Python
loop and no pydantic object per row.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import pandas as pd

from hccprotocol.cohort.statuses import STATUSES
from hccprotocol.screen.columns import SESSIONS_COUNT, patient_columns, session_columns
from hccprotocol.screen.criteria import TACE_REFRACTORY, Criteria, any_met_codes, excluding, load_criteria
from hccprotocol.screen.derive import derive_columns
from hccprotocol.screen.issues import Issues
from hccprotocol.screen.keys import keys_and_owners
from hccprotocol.screen.sessions import SessionTable, check_sessions, series_runs, session_frame
from hccprotocol.screen.validate import typed_table

if TYPE_CHECKING:
    from hccprotocol.protocol import Protocol

__all__ = ["ROW", "Keys", "PartitionResult", "Prepared", "decide_on_facts", "facts_frame", "prepare",
           "screen_partition"]

ROW = "__row"
"""Optional column carrying each row's 1-based data-row number in its file (added by the readers)."""

_CP = ("liver_total_bilirubin_umol_l", "liver_albumin_g_l", "liver_inr", "liver_ascites", "liver_encephalopathy")
_DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "derived.child_pugh.score_min": _CP,
    "derived.child_pugh.score_max": _CP,
    "derived.child_pugh.class": _CP,
    "derived.child_pugh.score": _CP,
    "derived.bclc_stage": ("tumour_count", "tumour_largest_diameter_cm", "tumour_vascular_invasion",
                           "tumour_extrahepatic_spread", "ecog", *_CP),
    "derived.bclc_stage_contradicted": (),
    "derived.child_pugh.score_range": _CP,
}
"""Derived fact path -> the patient columns it is computed from (to name what a criterion missed)."""


Keys = tuple["np.ndarray[Any, Any]", "np.ndarray[Any, Any]"]
"""(per patient row, the partition row of the first row with its id; per session row, the partition row of its
patient), -1 where the id is missing or matches no patient: ``keys_and_owners`` over the partition's ids as
``validate.clean_ids`` keeps them."""


@dataclass(frozen=True)
class PartitionResult:
    decisions: pd.DataFrame
    issues: Issues = field(default_factory=Issues)
    invalid: int = 0
    """Patients set aside as invalid records."""
    rows: np.ndarray[Any, Any] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Data-row number of each decision (to restore file order across partitions)."""


def _rows(raw: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray[Any, Any]]:
    if ROW in raw.columns:
        return raw.drop(columns=[ROW]).reset_index(drop=True), raw[ROW].to_numpy(dtype=np.int64)
    return raw.reset_index(drop=True), np.arange(1, len(raw) + 1)


def screen_partition(
    patients: pd.DataFrame,
    sessions: pd.DataFrame | None,
    protocol: Protocol,
    today: dt.date,
    criteria: Criteria | None = None,
    keys: Keys | None = None,
) -> PartitionResult:
    """Decisions for every valid patient of the partition (input order), the issues, the invalid count.

    ``keys``: the partition's ``keys_and_owners`` when the caller matched the whole file already (see ``Keys``).
    """
    crit = criteria or load_criteria(protocol)
    ready = prepare(patients, sessions, today, keys)
    decisions = _decide(crit, protocol, ready.frame, ready.table, ready.known_history)
    return PartitionResult(decisions=decisions, issues=ready.issues, invalid=ready.invalid, rows=ready.rows)


@dataclass(frozen=True)
class Prepared:
    """A validated partition: typed valid patients, their session facts, and what was set aside."""

    frame: pd.DataFrame
    table: SessionTable
    known_history: np.ndarray[Any, Any]
    issues: Issues
    invalid: int
    rows: np.ndarray[Any, Any]


def prepare(patients: pd.DataFrame, sessions: pd.DataFrame | None, today: dt.date,
            keys: Keys | None = None) -> Prepared:
    """Validation and session facts (everything before derived measures and criteria)."""
    raw, rows = _rows(patients)
    typed = typed_table(raw, patient_columns(), "patients", rows)
    frame, invalid, issues = typed.frame, typed.invalid.copy(), [typed.issues]
    n = len(frame)
    st, s_ids = None, frame["patient_id"].iloc[:0]
    if sessions is not None:
        s_raw, s_rows = _rows(sessions)
        st = typed_table(s_raw, session_columns(), "sessions", s_rows)
        s_ids = st.frame["patient_id"]
    # each row's first row with its id (a duplicate row never owns sessions), each session's patient row
    first, owner_of = keys_and_owners(frame["patient_id"], s_ids) if keys is None else keys
    if len(first) != n or len(owner_of) != len(s_ids):  # pragma: no cover - a caller's defect
        raise ValueError("keys do not match the partition's rows")
    dup = np.flatnonzero((first >= 0) & (first != np.arange(n)))
    invalid[dup] = True
    again = "patient_id appears on an earlier row: one row per patient"
    dup_ids = _at(frame["patient_id"], dup)
    issues.append(Issues.of("patients", rows[dup], dup_ids, "patient_id", dup_ids, again))

    # sessions: attached to their patient's row, in file order within a patient
    if st is not None:
        s_frame = st.frame
        orphan = owner_of < 0
        lost = np.flatnonzero(orphan & ~st.invalid)
        lost_ids = _at(s_frame["patient_id"], lost)
        issues.append(Issues.of("sessions", s_rows[lost], lost_ids, "patient_id", lost_ids,
                                "no patient with this patient_id"))
        issues.append(st.issues)
        keep = ~orphan
        if keep.all() and bool(np.all(owner_of[1:] >= owner_of[:-1])):  # listed patient by patient already
            s_bad_typed, owner = st.invalid, owner_of.astype(np.int64)
        else:
            order = np.argsort(np.where(keep, owner_of, -1), kind="stable")[int((~keep).sum()):]
            s_frame = s_frame.iloc[order].reset_index(drop=True)
            s_bad_typed = st.invalid[order]
            s_rows = s_rows[order]
            owner = owner_of[order].astype(np.int64)
        s_bad, s_issues = check_sessions(s_frame, s_rows, today)
        issues.append(s_issues)
        invalid[owner[s_bad | s_bad_typed]] = True
    else:
        s_frame = typed_table(pd.DataFrame({"patient_id": pd.Series([], dtype="str")}), session_columns(),
                              "sessions", np.zeros(0, dtype=np.int64)).frame
        owner = np.zeros(0, dtype=np.int64)
    count = np.bincount(owner, minlength=n) if len(owner) else np.zeros(n, dtype=np.int64)
    declared = frame[SESSIONS_COUNT].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    wrong = np.flatnonzero(~np.isnan(declared) & (declared != count))
    invalid[wrong] = True
    issues.append(Issues.of("patients", rows[wrong], _at(frame["patient_id"], wrong), SESSIONS_COUNT,
                            [f"{v:g}" for v in declared[wrong].tolist()],
                            [f"the sessions table lists {c} session(s) for this patient"
                             for c in count[wrong].tolist()]))
    known_history = ~np.isnan(declared) | (count > 0)

    # set invalid records aside
    valid = ~invalid
    keep_rows = np.flatnonzero(valid)
    remap = np.full(n, -1, dtype=np.int64)
    remap[keep_rows] = np.arange(len(keep_rows))
    if len(keep_rows) < n:  # else every row stays, in place (no copy of every column)
        frame = frame.iloc[keep_rows].reset_index(drop=True)
        known_history = known_history[keep_rows]
        s_keep = valid[owner] if len(owner) else np.zeros(0, dtype=bool)
        s_frame = s_frame[s_keep].reset_index(drop=True)
        owner = remap[owner[s_keep]]
    kept_rows = rows[keep_rows]
    table = session_frame(s_frame, owner, len(frame))
    return Prepared(frame=frame, table=table, known_history=known_history, issues=Issues.concat(issues).sorted(),
                    invalid=int(invalid.sum()), rows=kept_rows)


def facts_frame(crit: Criteria, protocol: Protocol, frame: pd.DataFrame, table: Any,
           known_history: np.ndarray[Any, Any]) -> pd.DataFrame:
    """The patient fact's paths as columns (what the criteria read)."""
    labels = _Ids(frame["patient_id"])
    m = len(frame)
    columns: dict[str, pd.Series[Any]] = {}
    for col in patient_columns():
        if col.kind != "id" and col.name != SESSIONS_COUNT:
            series = frame[col.name]
            columns[col.path] = _date_text(series) if col.kind == "date" else series
    columns.update(derive_columns(frame, table))
    columns["arm.id"] = pd.Series(pd.Categorical.from_codes(np.zeros(m, dtype=np.int8),  # type: ignore[call-overload]
                                                            categories=[protocol.id]), copy=False)
    columns["arm.includes_pd1"] = pd.Series(np.full(m, protocol.includes_pd1), dtype="boolean")
    s_labels = _Labels(labels, table.owner, table.frame["session"].to_numpy(dtype=np.int64, na_value=0))
    codes = crit.judge_findings(table.frame, s_labels)
    runs = series_runs(table, codes, crit.needs_change, protocol.eligibility, m)
    unknown_history = ~known_history
    for fid, (run, possible) in runs.items():
        for name, values in (("run", run), ("possible_run", possible)):  # missing where the history is unknown
            data = np.asarray(values)
            if data.dtype.kind not in "iu":  # pragma: no cover - a run is a count; never cast a float silently
                raise TypeError(f"tace.{fid}.{name}: runs must be integers, got {data.dtype}")
            data = data.astype(np.int64, copy=False)
            columns[f"tace.{fid}.{name}"] = pd.Series(pd.arrays.IntegerArray(data, unknown_history.copy()))
    return pd.DataFrame(columns, index=pd.RangeIndex(m), copy=False)


def _at(ids: pd.Series[Any], where: np.ndarray[Any, Any]) -> list[str]:
    """The ids at positions ``where``, in one gather: an issue per row must not cost a pandas lookup each (2.2
    million orphan sessions took 351 s that way, under a profiler; 8.5 s on one worker now)."""
    return [str(v) for v in ids.iloc[where].tolist()]


def _date_text(dates: pd.Series[Any]) -> pd.Series[Any]:
    """Dates as ``YYYY-MM-DD`` text, a categorical: each distinct date formatted once (registries hold few)."""
    codes, days = pd.factorize(dates)
    day_codes, texts = pd.factorize(pd.Index(days).strftime("%Y-%m-%d"))  # two times of one day: one text
    lookup = np.append(day_codes, -1)  # a missing date (code -1) reads the trailing -1
    return pd.Series(pd.Categorical.from_codes(lookup[codes], categories=texts), copy=False)


def _decide(crit: Criteria, protocol: Protocol, frame: pd.DataFrame, table: Any,
            known_history: np.ndarray[Any, Any]) -> pd.DataFrame:
    facts = facts_frame(crit, protocol, frame, table, known_history)
    return decide_on_facts(crit, facts, frame["patient_id"], (frame, table, known_history))


def decide_on_facts(crit: Criteria, facts: pd.DataFrame, patient_id: pd.Series[Any],
                    context: tuple[pd.DataFrame, Any, np.ndarray[Any, Any]] | None = None) -> pd.DataFrame:
    """Rule evaluation alone: every criterion's Kleene mask over the facts, the decision and the output columns.

    ``context`` (typed patients, sessions, known history) lets ``missing`` name the unrecorded fields;
    without it ``missing`` is left empty (the benchmark's "rule evaluation alone").
    """
    m = len(facts)
    labels = _Ids(patient_id.reset_index(drop=True))
    jsh = crit.judge(crit.refractory, facts, labels)
    tace = any_met_codes(list(jsh.values()), m)
    facts[TACE_REFRACTORY] = _status(tace)
    items = crit.judge(crit.criteria, facts, labels)
    excluded = np.zeros(m, dtype=bool)
    unknown = np.zeros(m, dtype=bool)
    hits: list[tuple[str, np.ndarray[Any, Any]]] = []
    for cid, c in items.items():
        hit = excluding(crit.kinds[cid])[c]
        excluded |= hit
        unknown |= c == 2
        hits.append((cid, hit))
    eligible = pd.Series(np.where(excluded, False, True), dtype="boolean").mask(pd.Series(~excluded & unknown))
    out: dict[str, Any] = {
        "patient_id": patient_id.astype("str").reset_index(drop=True),
        "eligible": eligible,
        "tace_refractory": _status(tace),
    }
    all_codes = {**jsh, **items}
    for cid in crit.ids:
        out[cid] = _status(all_codes[cid])
    out["excluded_by"] = _joined(hits, m)
    out["missing"] = (_missing(crit, *context, all_codes, tace) if context is not None
                      else pd.Series([""] * m, dtype="str"))
    return pd.DataFrame(out, index=pd.RangeIndex(m))


def _missing(crit: Criteria, frame: pd.DataFrame, table: Any, known_history: np.ndarray[Any, Any],
             codes: dict[str, np.ndarray[Any, Any]], tace: np.ndarray[Any, Any]) -> pd.Series[str]:
    """Per patient, the unrecorded fields behind its unknown criteria (``;``-separated, columns order).

    Patient columns by name; a session field as ``sessions.<field>`` when some session of the patient
    lacks it; ``tace_sessions`` when the TACE history itself is unknown.
    """
    m = len(frame)
    blank = {c.name: frame[c.name].isna().to_numpy(dtype=bool) for c in patient_columns()
             if c.kind != "id" and not c.annotation}
    blank[SESSIONS_COUNT] = ~known_history
    s = table.frame
    for fid_fields in crit.finding_fields.values():
        for f in fid_fields:
            key = f"sessions.{f}"
            if key not in blank:
                hole = np.zeros(m, dtype=bool)
                if len(s) and f in s:
                    hole[table.owner[s[f].isna().to_numpy(dtype=bool)]] = True
                blank[key] = hole
    needed: dict[str, np.ndarray[Any, Any]] = {}

    def need(cid: str, unknown: np.ndarray[Any, Any]) -> None:
        for path in crit.reads[cid]:
            if path == TACE_REFRACTORY:
                for rid in crit.refractory_ids:
                    need(rid, unknown & (tace == 2))
                continue
            if path.startswith("tace."):
                fid = path.split(".")[1]
                sources = (SESSIONS_COUNT, *(f"sessions.{f}" for f in crit.finding_fields.get(fid, ())))
            elif path.startswith("derived."):
                sources = _DERIVED_FROM.get(path, ())
            elif path.startswith("arm."):
                sources = ()
            else:
                sources = (path.replace(".", "_"),)
            for src in sources:
                needed[src] = needed.get(src, np.zeros(m, dtype=bool)) | unknown

    for cid in crit.ids:
        need(cid, codes[cid] == 2)
    return _joined([(name, needed[name] & hole) for name, hole in blank.items() if name in needed], m)


_STATUS_DTYPE = pd.CategoricalDtype(list(STATUSES))
"""Built once: a dtype from a list of categories validates them (an Index built and checked) each time, about
0.25 ms, and a partition writes some twenty status columns."""


def _status(codes: np.ndarray[Any, Any]) -> pd.Series[Any]:
    """Status codes as a categorical column of "met" / "not_met" / "unknown" (no string per row is built)."""
    return pd.Series(pd.Categorical.from_codes(codes.astype(np.int8), dtype=_STATUS_DTYPE), copy=False)


def _joined(flags: list[tuple[str, np.ndarray[Any, Any]]], m: int) -> pd.Series[str]:
    """Per row, the names whose flag is set, ``;``-separated in list order: one string per distinct combination
    (rows share few combinations), as a categorical column."""
    if not flags or m == 0:
        return pd.Series([""] * m, dtype="str")
    names = [n for n, _ in flags]
    code = np.zeros(m, dtype=np.uint64)
    if len(flags) > 64:  # pragma: no cover - more names than bits: one code per 64-name block would be needed
        raise ValueError("too many names to join")
    for k, (_, flag) in enumerate(flags):
        code |= flag.astype(np.uint64) << np.uint64(k)
    inverse, found = pd.factorize(code)  # a hash over the rows; then the few combinations in ascending code order
    order = np.argsort(np.asarray(found))
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    texts = _join_bits(tuple(names), np.asarray(found)[order])
    return pd.Series(pd.Categorical.from_codes(rank[inverse], categories=texts),  # type: ignore[call-overload]
                     copy=False)


_JOINED: dict[tuple[str, ...], dict[int, str]] = {}
"""Per list of names, the joined text of each code met so far (combinations recur from partition to partition)."""
_JOINED_KEEP = 65536


def _join_bits(names: tuple[str, ...], codes: np.ndarray[Any, Any]) -> list[str]:
    """For each code, the names whose bit is set, ``;``-separated in list order.

    Why remembered per list of names by plain integer keys, and the new ones read from one array of bits: a
    partition's ``missing`` column holds some 3,000 combinations and ``excluded_by`` 1,200; a cache keyed by
    (names, code) hashed the names tuple for each of them, and testing each name's bit in Python cost more.
    """
    memo = _JOINED.setdefault(names, {})  # only ever grows (to _JOINED_KEEP): a code found in it stays
    keys = codes.tolist()
    new = [c for c in keys if c not in memo]
    fresh: dict[int, str] = {}
    if new:
        held = np.asarray(new, dtype=np.uint64)
        bits = ((held[:, None] >> np.arange(len(names), dtype=np.uint64)) & np.uint64(1)).astype(bool)
        fresh = {c: ";".join(itertools.compress(names, row)) for c, row in zip(new, bits.tolist(), strict=True)}
        if len(memo) < _JOINED_KEEP:
            memo.update(fresh)
    return [fresh[c] if c in fresh else memo[c] for c in keys]


class _Lazy(Sequence[str]):
    """Row labels built one at a time, only when an error names a row (no list of a million strings up front)."""

    def __len__(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def _item(self, i: int) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[str]: ...
    def __getitem__(self, i: int | slice) -> str | Sequence[str]:
        if isinstance(i, slice):
            return [self._item(k) for k in range(*i.indices(len(self)))]
        return self._item(int(i))


class _Ids(_Lazy):
    """Patient ids, read from the column per label."""

    def __init__(self, ids: pd.Series[Any]) -> None:
        self._ids = ids

    def __len__(self) -> int:
        return len(self._ids)

    def _item(self, i: int) -> str:
        return str(self._ids.iloc[i])


class _Labels(_Lazy):
    """Session labels ("<patient> session <k>")."""

    def __init__(self, patients: Sequence[str], owner: np.ndarray[Any, Any], position: np.ndarray[Any, Any]) -> None:
        self._patients, self._owner, self._position = patients, owner, position

    def __len__(self) -> int:
        return len(self._owner)

    def _item(self, i: int) -> str:
        return f"{self._patients[int(self._owner[i])]} session {int(self._position[i])}"
