"""Helpers for the eligibility tests: a hand-built candidate, edits by dotted path, protocols with options.

The candidate is worked by hand, not taken from engine output:
ECOG 1; HCC confirmed, unresectable; 3 tumours, 8.5 cm, portal vein invasion,
no extrahepatic spread -> BCLC C (vascular invasion, ECOG 1, Child-Pugh A).
Liver: bilirubin 18 µmol/L (<34.2: 1 point), albumin 38 g/L (>35: 1), INR 1.1
(<1.7: 1), no ascites (1), no encephalopathy (1) -> Child-Pugh 5, class A.
TACE: two selective sessions, each imaged 35 days later (1 calendar month and 4-7 days:
inside 1-3 months), viable tumour 70 % and 65 % (> 50 %), the second after a change of
agents -> two consecutive insufficient responses "even after changing the chemotherapeutic
drugs" (JSH 2014 1 (i)).
No exclusion present; no contraindication.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from hccprotocol.eligibility import EligibilityResult, evaluate_eligibility
from hccprotocol.eligibility.decision import CriterionResult, RefractoryCriterion
from hccprotocol.eligibility.options import EligibilityOptions
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import Protocol, load_protocol

TRIPLE = "haic-lenvatinib-pd1"
DOUBLET = "haic-lenvatinib"


def session(date: str, days_to_imaging: int = 35, **fields: Any) -> dict[str, Any]:
    """A selective TACE session imaged ``days_to_imaging`` days later, nothing else found unless given."""
    day = dt.date.fromisoformat(date)
    base: dict[str, Any] = {
        "date": date,
        "selective": True,
        "agents_changed": False,
        "feeding_artery_reanalysed": False,
        "intrahepatic_tumour_count_before": 3,
        "imaging_date": (day + dt.timedelta(days=days_to_imaging)).isoformat(),
        "viable_tumour_pct": 20.0,
        "intrahepatic_tumour_count": 3,
        "markers_rising_after": False,
        "new_vascular_invasion": False,
        "new_extrahepatic_spread": False,
    }
    base.update(fields)
    return base


def candidate() -> dict[str, Any]:
    """A complete, eligible triple-arm candidate (see the module docstring for the hand calculation)."""
    return {
        "id": "T-ELIG",
        "sex": "male",
        "age_years": 58,
        "weight_kg": 70.0,
        "height_cm": 170.0,
        "ecog": 1,
        "diagnosis": {"hcc_confirmed": True, "resectable": False},
        "tumour": {
            "count": 3,
            "largest_diameter_cm": 8.5,
            "vascular_invasion": True,
            "extrahepatic_spread": False,
            "afp_ng_ml": 900.0,
        },
        "liver": {
            "total_bilirubin_umol_l": 18.0,
            "albumin_g_l": 38.0,
            "inr": 1.1,
            "ascites": "none",
            "encephalopathy": "none",
        },
        "tace_history": [
            session("2026-01-05", viable_tumour_pct=70.0),
            session("2026-03-02", viable_tumour_pct=65.0, agents_changed=True),
        ],
        "history": {
            "severe_autoimmune_disease": False,
            "prior_systemic_therapy": False,
            "prior_immunotherapy": False,
            "other_tki": False,
            "refuses_treatment": False,
            "other_subsequent_treatment": False,
        },
        "contraindications": {"haic": False, "lenvatinib": False, "pd1": False},
    }


def tace_only(sessions: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The candidate without vascular invasion (so only the TACE series can make it refractory)."""
    record = candidate()
    record["tumour"]["vascular_invasion"] = False
    if sessions is None:
        del record["tace_history"]
    else:
        record["tace_history"] = sessions
    return record


def edit(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """Copy with dotted-path changes (``liver__inr=None`` removes ``liver.inr``): keys use ``__`` for dots."""
    out = copy.deepcopy(record)
    for key, value in changes.items():
        *parents, last = key.split("__")
        node = out
        for part in parents:
            node = node.setdefault(part, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    return out


def protocol(arm: str = TRIPLE, **options: Any) -> Protocol:
    base = load_protocol(arm)
    if not options:
        return base
    merged = EligibilityOptions.model_validate({**base.eligibility.model_dump(), **options})
    return base.model_copy(update={"eligibility": merged})


def judge(record: dict[str, Any], arm: str = TRIPLE, **options: Any) -> EligibilityResult:
    return evaluate_eligibility(parse_patient(record, source="test"), protocol(arm, **options))


def criterion(result: EligibilityResult, criterion_id: str) -> CriterionResult:
    return next(c for c in result.criteria if c.id == criterion_id)


def jsh(result: EligibilityResult, criterion_id: str) -> RefractoryCriterion:
    return next(c for c in result.tace_refractory.criteria if c.id == criterion_id)
