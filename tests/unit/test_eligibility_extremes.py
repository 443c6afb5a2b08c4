"""The extremes of every numeric field's plausible range (``limits.py``) through BOTH engines, in one process.

Why: durable_rules' C parser cannot read Python's exponent notation (``1e-05``); a valid viable-tumour
percentage of 0.00001 made ``assess`` fail and left the engine unusable for every later patient. Each value
below is a plausible value (inside ``limits.LIMITS``): the range's ends, a hair inside them (1e-05 away,
which Python writes in exponent notation), and for ranges starting at 0 the value 0.00001 itself. Every
record is judged by the per-patient engine and the cohort engine, which must agree; then an ordinary
candidate, judged in the same process, is still eligible.
"""

from __future__ import annotations

from typing import Any

import pytest

from hccprotocol import limits
from hccprotocol.cohort import evaluate_cohort
from hccprotocol.eligibility import evaluate_eligibility
from hccprotocol.patient_file import parse_patient

from .eligibility_support import DOUBLET, TRIPLE, candidate, protocol

# limit key -> where it lives in a record (a path with [0] for the first list item)
PLACES: dict[str, tuple[str, ...]] = {
    "age_years": ("age_years",),
    "weight_kg": ("weight_kg", "baseline_weight_kg"),
    "height_cm": ("height_cm",),
    "tumour_count": ("tumour.count",),
    "intrahepatic_tumour_count": (
        "tace_history[0].intrahepatic_tumour_count", "tace_history[1].intrahepatic_tumour_count_before",
    ),
    "largest_diameter_cm": ("tumour.largest_diameter_cm",),
    "afp_ng_ml": ("tumour.afp_ng_ml",),
    "viable_tumour_pct": ("tace_history[0].viable_tumour_pct", "tace_history[1].viable_tumour_pct"),
    "total_bilirubin_umol_l": ("liver.total_bilirubin_umol_l", "labs[0].total_bilirubin_umol_l"),
    "albumin_g_l": ("liver.albumin_g_l", "labs[0].albumin_g_l"),
    "inr": ("liver.inr", "labs[0].inr"),
    "anc_10e9_l": ("labs[0].anc_10e9_l",),
    "platelets_10e9_l": ("labs[0].platelets_10e9_l",),
    "hemoglobin_g_l": ("labs[0].hemoglobin_g_l",),
    "alt_u_l": ("labs[0].alt_u_l",),
    "ast_u_l": ("labs[0].ast_u_l",),
    "creatinine_umol_l": ("labs[0].creatinine_umol_l",),
    "urine_protein_g_24h": ("labs[0].urine_protein_g_24h",),
}
INTEGERS = {"age_years", "tumour_count", "intrahepatic_tumour_count"}


def test_every_limit_has_a_place_in_the_record() -> None:
    assert set(PLACES) == set(limits.LIMITS)


def extremes(key: str) -> list[float]:
    limit = limits.LIMITS[key]
    if key in INTEGERS:
        return [limit.low, limit.high]
    values = [limit.low, limit.high, limit.low + 0.00001, limit.high - 0.00001]
    if limit.low == 0:
        values.append(0.00001)
    return values


CASES = [(key, place, value) for key in PLACES for place in PLACES[key] for value in extremes(key)]


def put(record: dict[str, Any], place: str, value: float) -> None:
    head, _, last = place.rpartition(".")
    node: Any = record
    for part in head.split(".") if head else ():
        name, _, index = part.partition("[")
        node = node.setdefault(name, [{}]) if index else node.setdefault(name, {})
        if index:
            node = node[int(index.rstrip("]"))]
    node[last] = value


def record_with(place: str, value: float, key: str) -> dict[str, Any]:
    record = candidate()
    record["labs"] = [{"date": "2026-04-20"}]
    put(record, place, int(value) if key in INTEGERS else value)
    for s in record["tace_history"]:  # nothing is viable in no tumour (the record would be refused)
        if s.get("intrahepatic_tumour_count") == 0:
            s["viable_tumour_pct"] = 0.0
    return record


@pytest.mark.agreement
@pytest.mark.parametrize(("key", "place", "value"), CASES, ids=[f"{p}={v!r}" for _, p, v in CASES])
def test_an_extreme_plausible_value_is_judged_alike_by_both_engines(key: str, place: str, value: float) -> None:
    patient = parse_patient(record_with(place, value, key), source="extreme")
    for arm in (TRIPLE, DOUBLET):
        expected = evaluate_eligibility(patient, protocol(arm))
        got = evaluate_cohort([patient], protocol(arm)).outcome(0)
        assert got.refractory_criteria == {c.id: c.status for c in expected.tace_refractory.criteria}
        assert got.criteria == {c.id: c.status for c in expected.criteria}
        assert got.eligible is expected.eligible
    ordinary = parse_patient(candidate(), source="ordinary")
    assert evaluate_eligibility(ordinary, protocol()).eligible is True
    assert evaluate_cohort([ordinary], protocol()).outcome(0).eligible is True


def test_a_tiny_viable_percentage_reads_as_recorded_and_is_not_an_insufficient_response() -> None:
    record = candidate()
    record["tace_history"][1]["viable_tumour_pct"] = 0.00001
    result = evaluate_eligibility(parse_patient(record, source="tiny"), protocol())
    ir = next(c for c in result.tace_refractory.criteria if c.id == "jsh2014.insufficient_response")
    assert ir.status == "not_met"  # 0.00001 % <= 50 %
    assert ir.evidence[1].inputs["tace_history[1].viable_tumour_pct"] == 0.00001
    assert "viable tumour 0.00001 % <= 50 %" in ir.evidence[1].why
