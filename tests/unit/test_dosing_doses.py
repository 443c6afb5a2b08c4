"""Next-cycle doses against hand calculation from the paper and the labels, both arms.

Formulas: Mosteller BSA = sqrt(height_cm x weight_kg / 3600) rounded to 4 decimals (the value shown);
per-m2 dose = mg/m2 x BSA, rounded half-up to 1 mg (protocol dosing.per_m2_rounding_mg = 1);
5-FU rate = dose / infusion hours. Lenvatinib: >= 60 kg 12 mg, < 60 kg 8 mg (Lenvima PI 2.4).
PD-1: 200 mg fixed; camrelizumab 200 mg vials, sintilimab 100 mg vials (Lin 2023; labels).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hccprotocol.dosing import DosingInputError, next_cycle_doses
from hccprotocol.errors import InputError
from hccprotocol.patient import LabResult
from hccprotocol.patient_file import load_patient
from hccprotocol.protocol import load_protocol

from .dosing_support import EXAMPLES, START, D, baseline_lab, by_agent, patient, protocol_with

TRIPLE = load_protocol("haic-lenvatinib-pd1")
DOUBLE = load_protocol("haic-lenvatinib")
BEFORE = D("2026-08-25")


def example(name: str, on: dt.date = BEFORE):  # type: ignore[no-untyped-def]
    """A bundled example with the baseline work-up (every limit passing, creatinine 80 umol/L) the day before ``on``."""
    record = load_patient(next(EXAMPLES.glob(f"{name}*")))
    lab = LabResult.model_validate(baseline_lab(on - dt.timedelta(days=1)), strict=False)
    return record.model_copy(update={"labs": (lab,)})


def test_p01_triple_arm_by_hand() -> None:
    # P01: 68 kg, 172 cm. BSA = sqrt(172*68/3600) = sqrt(3.248889) = 1.802467 -> 1.8025 m2.
    plan = next_cycle_doses(example("p01"), TRIPLE, BEFORE)
    rows = by_agent(plan.agents)
    assert plan.bsa_m2 == 1.8025
    # oxaliplatin 85 x 1.8025 = 153.2125 -> 153 mg over 2 h = 76.5 mg/h
    assert (rows["oxaliplatin"].unrounded_mg, rows["oxaliplatin"].dose_mg) == (153.2125, 153.0)
    assert rows["oxaliplatin"].basis == "85 mg/m2 x 1.8025 m2"
    assert rows["oxaliplatin"].rate_mg_per_h == 76.5
    # leucovorin 400 x 1.8025 = 721.0 mg over 1 h (hours 2-3)
    assert rows["leucovorin"].dose_mg == 721.0
    assert rows["leucovorin"].infusion_hours == 1.0
    # 5-FU 2400 x 1.8025 = 4326.0 mg over 46 h = 94.043 -> 94.04 mg/h; no bolus row exists
    assert rows["fluorouracil"].dose_mg == 4326.0
    assert rows["fluorouracil"].infusion_hours == 46.0
    assert rows["fluorouracil"].rate_mg_per_h == 94.04
    assert rows["fluorouracil"].day == "1-3"  # hour 3 + 46 h = hour 49, i.e. day 3
    # 68 kg >= 60 kg -> 12 mg once daily = 3 x 4 mg capsules
    assert (rows["lenvatinib"].dose_mg, rows["lenvatinib"].vials, rows["lenvatinib"].frequency) == (
        12.0,
        3,
        "once daily",
    )
    # camrelizumab 200 mg = 1 x 200 mg vial
    assert (rows["camrelizumab"].dose_mg, rows["camrelizumab"].vials) == (200.0, 1)
    assert [a.agent for a in plan.agents] == ["oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "camrelizumab"]


def test_p03_double_arm_under_60_kg_by_hand() -> None:
    # P03: 54.5 kg, 158 cm. BSA = sqrt(158*54.5/3600) = sqrt(2.391944) = 1.546591 -> 1.5466 m2.
    plan = next_cycle_doses(example("p03"), DOUBLE, BEFORE)
    rows = by_agent(plan.agents)
    assert plan.bsa_m2 == 1.5466
    assert rows["oxaliplatin"].dose_mg == 131.0  # 85 x 1.5466 = 131.461
    assert rows["leucovorin"].dose_mg == 619.0  # 400 x 1.5466 = 618.64
    assert rows["fluorouracil"].dose_mg == 3712.0  # 2400 x 1.5466 = 3711.84
    assert (rows["lenvatinib"].dose_mg, rows["lenvatinib"].vials) == (8.0, 2)  # < 60 kg -> 8 mg = 2 capsules
    assert set(rows) == {"oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib"}  # no PD-1 on this arm


def test_p05_exactly_60_kg_gets_12_mg_and_sintilimab_two_vials() -> None:
    plan = next_cycle_doses(example("p05"), TRIPLE, BEFORE)
    rows = by_agent(plan.agents)
    assert rows["lenvatinib"].dose_mg == 12.0  # 60.0 kg is in the >= 60 kg tier (label)
    assert (rows["sintilimab"].dose_mg, rows["sintilimab"].vials) == (200.0, 2)  # 200 / 100 mg vials
    # BSA sqrt(162*60/3600) = sqrt(2.7) = 1.643168 -> 1.6432; oxaliplatin 85 x 1.6432 = 139.672 -> 140
    assert rows["oxaliplatin"].dose_mg == 140.0


def test_p10_obese_full_bsa_no_cap_by_default(tmp_path: Path) -> None:
    # 112 kg, 178 cm: BSA = sqrt(178*112/3600) = sqrt(5.537778) = 2.353248 -> 2.3532 m2 (ASCO: no cap)
    plan = next_cycle_doses(example("p10"), TRIPLE, BEFORE)
    assert plan.bsa_m2 == 2.3532
    assert by_agent(plan.agents)["oxaliplatin"].dose_mg == 200.0  # 85 x 2.3532 = 200.022
    assert plan.options["bsa_cap_m2"] is None
    capped = next_cycle_doses(example("p10"), protocol_with(tmp_path, dosing__bsa_cap_m2=2.0), BEFORE)
    assert capped.bsa_m2 == 2.0
    assert by_agent(capped.agents)["oxaliplatin"].dose_mg == 170.0  # 85 x 2.0
    assert any("capped" in w for w in capped.warnings)


def test_rounding_is_half_up() -> None:
    # 61.2 kg, 170 cm: BSA = sqrt(170*61.2/3600) = sqrt(2.89) = 1.7 exactly; 85 x 1.7 = 144.5 -> 145 (not 144)
    plan = next_cycle_doses(patient(weight_kg=61.2, height_cm=170.0, baseline_weight_kg=61.2), TRIPLE, BEFORE)
    assert by_agent(plan.agents)["oxaliplatin"].unrounded_mg == 144.5
    assert by_agent(plan.agents)["oxaliplatin"].dose_mg == 145.0


def test_fluorouracil_over_23_hours_option(tmp_path: Path) -> None:
    plan = next_cycle_doses(example("p01"), protocol_with(tmp_path, dosing__fluorouracil_infusion_hours=23), BEFORE)
    row = by_agent(plan.agents)["fluorouracil"]
    assert row.infusion_hours == 23.0
    assert row.rate_mg_per_h == 188.09  # 4326 / 23 = 188.087
    assert row.day == "1-2"  # hour 3 + 23 h = hour 26, day 2
    assert plan.options["fluorouracil_infusion_hours"] == 23


@pytest.mark.parametrize(("weight", "mg"), [(59.9, 8.0), (60.0, 12.0)])
def test_lenvatinib_tier_boundary(weight: float, mg: float) -> None:
    plan = next_cycle_doses(patient(weight_kg=weight, baseline_weight_kg=weight), TRIPLE, START)
    assert by_agent(plan.agents)["lenvatinib"].dose_mg == mg


def test_lenvatinib_not_re_tiered_when_weight_changes() -> None:
    # baseline 61 kg (12 mg tier); the patient now weighs 55 kg: still 12 mg (SmPC: not on body weight changes)
    plan = next_cycle_doses(patient(weight_kg=55.0, baseline_weight_kg=61.0), TRIPLE, D("2026-10-01"))
    assert by_agent(plan.agents)["lenvatinib"].dose_mg == 12.0
    # and the other way: baseline 58 kg stays 8 mg at 65 kg
    plan = next_cycle_doses(patient(weight_kg=65.0, baseline_weight_kg=58.0), TRIPLE, D("2026-10-01"))
    assert by_agent(plan.agents)["lenvatinib"].dose_mg == 8.0


def test_before_start_the_current_weight_sets_the_tier() -> None:
    record = patient(weight_kg=59.9, baseline_weight_kg=None, treatment_start=None)
    assert by_agent(next_cycle_doses(record, TRIPLE, BEFORE).agents)["lenvatinib"].dose_mg == 8.0


def test_after_start_without_baseline_weight_is_an_error() -> None:
    record = patient(baseline_weight_kg=None)
    with pytest.raises(DosingInputError, match="baseline_weight_kg"):
        next_cycle_doses(record, TRIPLE, D("2026-10-01"))


def test_missing_height_gives_no_per_m2_dose_and_says_why() -> None:
    plan = next_cycle_doses(patient(height_cm=None), TRIPLE, BEFORE)
    rows = by_agent(plan.agents)
    assert plan.bsa_m2 is None
    for drug in ("oxaliplatin", "leucovorin", "fluorouracil"):
        assert rows[drug].dose_mg is None
        assert rows[drug].rate_mg_per_h is None
        assert "height_cm missing" in rows[drug].basis
    assert any("BSA unknown (height_cm missing)" in w for w in plan.warnings)
    assert rows["lenvatinib"].dose_mg == 12.0  # fixed-tier and fixed doses do not need BSA


def test_generic_pd1_when_agent_not_chosen() -> None:
    plan = next_cycle_doses(patient(pd1_agent=None), TRIPLE, BEFORE)
    row = by_agent(plan.agents)["pd1"]
    assert (row.dose_mg, row.vials) == (200.0, None)
    assert any("choice is open" in w and "camrelizumab" in w and "sintilimab" in w for w in plan.warnings)


def test_pd1_agent_on_double_arm_is_an_error() -> None:
    with pytest.raises(InputError, match="gives no PD-1"):
        next_cycle_doses(patient(pd1_agent="sintilimab"), DOUBLE, BEFORE)


def test_pd1_every_4_weeks_option(tmp_path: Path) -> None:
    default = by_agent(next_cycle_doses(example("p01"), TRIPLE, BEFORE).agents)["camrelizumab"]
    assert "every 3 weeks" in default.frequency
    site = protocol_with(tmp_path, dosing__pd1_schedule="q4w_paper")
    row = by_agent(next_cycle_doses(example("p01"), site, BEFORE).agents)["camrelizumab"]
    assert "every 4 weeks" in row.frequency
    assert row.dose_mg == 200.0


def test_child_pugh_b_warning_for_lenvatinib() -> None:
    plan = next_cycle_doses(example("p04"), TRIPLE, BEFORE)
    assert any("Child-Pugh B" in w and "lenvatinib" in w for w in plan.warnings)
    plan_a = next_cycle_doses(example("p01"), TRIPLE, BEFORE)
    assert not any("Child-Pugh" in w for w in plan_a.warnings)


def test_ongoing_event_holds_the_drug_no_dose() -> None:
    record = patient(
        adverse_events=[
            {"onset_date": "2026-09-20", "term": "Hypertension", "grade": 3, "attributed_to": ["lenvatinib"]}
        ]
    )
    row = by_agent(next_cycle_doses(record, TRIPLE, D("2026-09-25")).agents)["lenvatinib"]
    assert row.status == "interrupted"
    assert row.dose_mg is None
    assert row.vials is None


def test_json_keys_are_the_contract() -> None:
    data = next_cycle_doses(example("p01"), TRIPLE, BEFORE).to_json_dict()
    # issue 9 item 1 adds "eligibility" (the gate shared with plan); every earlier key is unchanged
    assert set(data) == {"protocol", "bsa_m2", "bsa_formula", "options", "warnings", "agents", "eligibility"}
    assert set(data["agents"][0]) == {
        "agent", "dose_mg", "unrounded_mg", "basis", "route", "day", "infusion_hours",
        "rate_mg_per_h", "frequency", "vials", "dose_level", "status",
    }  # fmt: skip


def test_failing_precycle_labs_delay_the_haic() -> None:
    record = patient(
        treatment_start=None,
        baseline_weight_kg=None,
        labs=[baseline_lab(D("2026-08-24"), anc_10e9_l=1.4)],
    )  # fmt: skip
    rows = by_agent(next_cycle_doses(record, TRIPLE, BEFORE).agents)
    assert rows["oxaliplatin"].status == "delayed"
    # the computed dose stays visible for the pharmacist (85 x 1.8025 = 153.2125 -> 153); the status says wait
    assert rows["oxaliplatin"].dose_mg == 153.0
    assert "may not be given yet" in rows["oxaliplatin"].basis
    assert rows["lenvatinib"].status == "active"
    ok = patient(
        treatment_start=None,
        baseline_weight_kg=None,
        labs=[baseline_lab(D("2026-08-24"), anc_10e9_l=1.5, platelets_10e9_l=75.0, total_bilirubin_umol_l=30.0,
                           albumin_g_l=30.0)],
    )  # fmt: skip
    assert by_agent(next_cycle_doses(ok, TRIPLE, BEFORE).agents)["oxaliplatin"].status == "active"
