"""The facts asserted into the rule engine: one per patient, one per TACE session.

Why facts are built here and nowhere else: a rule can only be checked by hand
if a reviewer can see exactly what it read. The patient fact holds the record's
scalar fields at their record paths (``ecog``, ``liver.inr``) plus derived
values under ``derived`` (Child-Pugh, BCLC), the arm under ``arm``, the TACE
series summary under ``tace`` and the refractoriness status under
``tace_refractory``. Unknown values stay ``None`` here (they are shown as
``null`` in the output's ``inputs``) and are dropped by the engine before
asserting, so a rule can never match on a missing value.

``FACT_PATHS``/``SESSION_PATHS`` list every path a rule may read: a rule file
naming any other path is rejected at load (a misspelt path would otherwise
make a criterion silently ``unknown`` forever).
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from hccprotocol.measures.derive import Derived
from hccprotocol.patient import Patient, TaceSession

if TYPE_CHECKING:  # protocol.py imports eligibility.options: avoid an import cycle
    from hccprotocol.protocol import Protocol

__all__ = [
    "SESSION_DERIVED_FROM",
    "SESSION_PATHS",
    "fact_paths",
    "lookup",
    "patient_fact",
    "project",
    "session_facts",
    "session_record_fields",
]

_SEQUENCES = {"tace_history", "adverse_events", "dose_changes", "labs"}
_DERIVED_PATHS = (
    "derived.child_pugh.class",
    "derived.child_pugh.score",
    "derived.bclc_stage",
    "derived.bclc_stage_conflict",
    "derived.albi.grade",
    "arm.id",
    "arm.includes_pd1",
    "tace_refractory.status",
)


def _scalar_paths(model: type[BaseModel], prefix: str = "") -> Iterable[str]:
    for name, field in model.model_fields.items():
        if name in _SEQUENCES:
            continue
        nested = next(
            (a for a in (field.annotation, *typing.get_args(field.annotation)) if isinstance(a, type)
             and issubclass(a, BaseModel)),
            None,
        )
        if nested is not None:
            yield from _scalar_paths(nested, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}"


_RECORD_PATHS = frozenset(_scalar_paths(Patient))
SESSION_PATHS = frozenset(
    {*_scalar_paths(TaceSession), "session", "days_to_imaging", "intrahepatic_tumour_count_increase"}
)


SESSION_DERIVED_FROM: dict[str, tuple[str, ...]] = {
    "days_to_imaging": ("date", "imaging_date"),
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


def fact_paths(finding_ids: Iterable[str]) -> frozenset[str]:
    """Every path of the patient fact, given the TACE session findings of the refractoriness rules."""
    tace = {f"tace.{f}.{k}" for f in finding_ids for k in ("run", "possible_run")}
    return _RECORD_PATHS | frozenset(_DERIVED_PATHS) | tace


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
    fact["derived"] = {
        "child_pugh": {"class": cp.cls, "score": cp.score} if cp is not None else {},
        "bclc_stage": derived.bclc_stage,
        "bclc_stage_conflict": derived.bclc_stage_conflict,
        "albi": {"grade": derived.albi.grade} if derived.albi is not None else {},
    }
    fact["arm"] = {"id": protocol.id, "includes_pd1": protocol.includes_pd1}
    fact["tace"] = dict(tace) if tace is not None else {}
    fact["tace_refractory"] = {"status": tace_refractory_status}
    return fact


def session_facts(history: Iterable[TaceSession]) -> list[dict[str, Any]]:
    """One fact per TACE session, with the interval to imaging and the change in tumour count computed."""
    out = []
    for index, s in enumerate(history):
        fact = s.model_dump(mode="json")
        fact["session"] = index
        fact["days_to_imaging"] = (s.imaging_date - s.date).days if s.date and s.imaging_date else None
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


def project(fact: Mapping[str, Any], paths: Iterable[str]) -> dict[str, Any]:
    """A nested copy holding only ``paths`` that have a value (what the rules test, nothing else)."""
    out: dict[str, Any] = {}
    for path in paths:
        value = lookup(fact, path)
        if value is None:
            continue
        *parents, last = path.split(".")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return out
