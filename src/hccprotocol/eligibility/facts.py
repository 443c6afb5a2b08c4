"""The facts asserted into the rule engine: one per patient, one per TACE session.

Why facts are built here and nowhere else: a rule can only be checked by hand
if a reviewer can see exactly what it read. The patient fact holds the record's
scalar fields at their record paths (``ecog``, ``liver.inr``) plus derived
values under ``derived`` (Child-Pugh, BCLC), the arm under ``arm``, the TACE
series summary under ``tace`` and the refractoriness status under
``tace_refractory``. Unknown values stay ``None`` here (they are shown as
``null`` in the output's ``inputs``) and are dropped by the engine before
asserting, so a rule can never match on a missing value.

Which paths a rule may read is declared by the protocol model
(``hccprotocol.model.facts``: a rule file naming any other path is refused at
load, with its line); :func:`model_values` turns this nested fact into the flat
values the model's engines read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from hccprotocol.measures.derive import Derived
from hccprotocol.patient import Patient, TaceSession

if TYPE_CHECKING:  # protocol.py imports eligibility.options: avoid an import cycle
    from hccprotocol.protocol import Protocol

__all__ = [
    "SESSION_DERIVED_FROM",
    "lookup",
    "model_values",
    "patient_fact",
    "session_facts",
    "session_record_fields",
]

_SEQUENCES = {"tace_history", "adverse_events", "dose_changes", "labs"}
SESSION_DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "days_to_imaging": ("date", "imaging_date"),
    "months_to_imaging": ("date", "imaging_date"),
    "days_beyond_months": ("date", "imaging_date"),
    "intrahepatic_tumour_count_increase": ("intrahepatic_tumour_count_before", "intrahepatic_tumour_count"),
}
"""Session-fact paths computed here (``session_facts``) -> the record fields they are computed from."""


def session_record_fields(paths: Iterable[str]) -> tuple[str, ...]:
    """The ``TaceSession`` fields behind session-fact paths (a computed path stands for its sources)."""
    out: list[str] = []
    for path in paths:
        if path == "session":
            continue
        out.extend(SESSION_DERIVED_FROM.get(path, (path,)))
    return tuple(dict.fromkeys(out))


def patient_fact(
    patient: Patient,
    derived: Derived,
    protocol: Protocol,
    tace: Mapping[str, Any] | None,
    tace_refractory_status: str | None = None,
) -> dict[str, Any]:
    """The patient fact (nested dicts; ``None`` = unknown)."""
    fact = patient.model_dump(mode="json", exclude=_SEQUENCES)
    for section in ("diagnosis", "tumour", "liver", "history", "contraindications"):
        if fact.get(section) is None:
            fact[section] = {}
    cp = derived.child_pugh
    low, high = derived.child_pugh_score_range
    fact["derived"] = {
        "child_pugh": {
            **({"class": cp.cls, "score": cp.score} if cp is not None else {}),
            "score_min": low,
            "score_max": high,
        },
        "bclc_stage": derived.bclc_stage,
        "bclc_stage_conflict": derived.bclc_stage_conflict,
        "bclc_stage_contradicted": bool(derived.bclc_stage_contradictions),
        "albi": {"grade": derived.albi.grade} if derived.albi is not None else {},
    }
    fact["arm"] = {"id": protocol.id, "includes_pd1": protocol.includes_pd1}
    fact["tace"] = dict(tace) if tace is not None else {}
    fact["tace_refractory"] = {"status": tace_refractory_status}
    return fact


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` calendar months later; a day the month lacks clamps to its last day.

    1 March + 1 = 1 April; 1 December + 3 = 1 March; 31 January + 1 = 28 February (29 in a leap year).
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def whole_months(start: dt.date, end: dt.date) -> tuple[int, int]:
    """(whole calendar months from ``start`` to ``end``, days left over): the largest m with
    ``add_months(start, m) <= end`` and ``end - add_months(start, m)`` in days (``end`` not before ``start``)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    while months > 0 and add_months(start, months) > end:
        months -= 1
    return months, (end - add_months(start, months)).days


def session_facts(history: Iterable[TaceSession]) -> list[dict[str, Any]]:
    """One fact per TACE session, with the interval to imaging and the change in tumour count computed.

    The interval is given both ways the protocol can read "1-3 months": in days (``days_to_imaging``) and in
    calendar months (``months_to_imaging`` whole months, plus ``days_beyond_months``).
    """
    out = []
    for index, s in enumerate(history):
        fact = s.model_dump(mode="json")
        fact["session"] = index
        fact["days_to_imaging"] = (s.imaging_date - s.date).days if s.date and s.imaging_date else None
        months = whole_months(s.date, s.imaging_date) if s.date and s.imaging_date else (None, None)
        fact["months_to_imaging"], fact["days_beyond_months"] = months
        fact["intrahepatic_tumour_count_increase"] = (
            s.intrahepatic_tumour_count - s.intrahepatic_tumour_count_before
            if s.intrahepatic_tumour_count is not None and s.intrahepatic_tumour_count_before is not None
            else None
        )
        out.append(fact)
    return out


def lookup(fact: Mapping[str, Any], path: str) -> Any:
    """Value at a dotted path, ``None`` when any part is absent."""
    node: Any = fact
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


_ALWAYS_KNOWN = ("arm.id", "arm.includes_pd1")


def model_values(fact: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """The flat values (model fact path -> value; ``None`` = missing) of a patient fact that the model's
    conditions read: a run of sessions as the range ``(run, possible_run)``, the Child-Pugh score as the range
    ``(score_min, score_max)``, an unknown refractoriness status as missing."""
    out: dict[str, Any] = {}
    for path in (*_ALWAYS_KNOWN, *paths):
        head, _, last = path.rpartition(".")
        if last == "consecutive_sessions" and path.startswith("tace."):
            value: Any = _pair(lookup(fact, f"{head}.run"), lookup(fact, f"{head}.possible_run"))
        elif last == "certain_run" and path.startswith("tace."):
            value = lookup(fact, f"{head}.run")
        elif path == "derived.child_pugh.score_range":
            value = _pair(lookup(fact, f"{head}.score_min"), lookup(fact, f"{head}.score_max"))
        elif path == "tace_refractory.status":
            value = lookup(fact, path)
            value = None if value == "unknown" else value
        else:
            value = lookup(fact, path)
        out[path] = value
    return out


def _pair(lo: Any, hi: Any) -> tuple[int, int] | None:
    return None if lo is None or hi is None else (lo, hi)
