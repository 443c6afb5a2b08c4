"""The declared facts: generated from the patient model with kinds and units; values checked by kind."""

from __future__ import annotations

import pytest

from hccprotocol.model import CountRange, check_fact_values
from hccprotocol.model.facts import FactValueError, dose_event_facts, patient_facts, session_facts


def test_patient_fields_are_generated_with_kind_and_unit() -> None:
    c = patient_facts(["insufficient_response"])
    # kinds and units as written in the patient model (src/hccprotocol/patient.py, limits.py)
    assert (c.facts["weight_kg"].kind, c.facts["weight_kg"].unit) == ("number", "kg")
    assert (c.facts["liver.total_bilirubin_umol_l"].kind, c.facts["liver.total_bilirubin_umol_l"].unit) == (
        "number",
        "µmol/L",
    )
    assert c.facts["liver.ascites"].values == ("none", "mild", "moderate_severe")
    assert c.facts["ecog"].kind == "integer"
    assert c.facts["bclc_stage"].values == ("0", "A", "B", "C", "D")
    assert c.facts["treatment_start"].kind == "date"
    assert c.facts["tace.insufficient_response.consecutive_sessions"].kind == "count_range"
    assert c.facts["derived.child_pugh.class"].values == ("A", "B", "C")
    assert c.facts["derived.albi.grade"].kind == "integer"
    assert c.facts["arm.includes_pd1"].always_known


def test_sequences_and_the_patient_id_are_not_rule_inputs() -> None:
    paths = set(patient_facts().facts)
    assert not {"id", "tace_history", "adverse_events", "dose_changes", "labs"} & paths
    assert not any(p.startswith(("tace_history", "labs.")) for p in paths)


def test_session_and_course_facts() -> None:
    s = session_facts()
    assert s.facts["days_to_imaging"].unit == "days"
    assert s.facts["viable_tumour_pct"].kind == "number"
    d = dose_event_facts(["neuropathy"])
    assert d.facts["in_neuropathy"].always_known and d.facts["first_neuropathy"].always_known
    assert d.facts["grade"].kind == "integer" and not d.facts["grade"].always_known


def test_fact_values_are_checked_by_kind() -> None:
    c = patient_facts(["x"])
    ok = check_fact_values(
        {
            "arm.id": "a",
            "arm.includes_pd1": True,
            "ecog": 1,
            "weight_kg": 59.9,
            "tace.x.consecutive_sessions": (1, 2),
            "liver.inr": float("nan"),
            "history.other_tki": None,
        },
        c,
    )
    assert ok == {
        "arm.id": "a",
        "arm.includes_pd1": True,
        "ecog": 1,
        "weight_kg": 59.9,
        "tace.x.consecutive_sessions": CountRange(1, 2),
    }
    base = {"arm.id": "a", "arm.includes_pd1": True}
    for path, bad in [
        ("weight_kg", "60"),  # durable_rules would coerce this text to a number
        ("ecog", True),  # true is not a number
        ("ecog", 1.5),
        ("derived.child_pugh.class", "D"),
        ("history.other_tki", 1),
        ("weight_kg", float("inf")),
        ("tace.x.consecutive_sessions", (3, 1)),
        ("ecgo", 1),
    ]:
        with pytest.raises(FactValueError, match=path):
            check_fact_values({**base, path: bad}, c)
    with pytest.raises(FactValueError, match="always known"):
        check_fact_values({"arm.id": "a"}, c)
