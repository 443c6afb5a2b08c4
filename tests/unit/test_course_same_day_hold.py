"""A hold-triggering event that starts on a dosing day and resolves the same day withholds that day's dose.

Found by tests/generative/test_course_plan_agreement.py (seed 5): the calendar listed a PD-1 hold on
2027-01-07 (and still infused), while ``dose --as-of 2027-01-07`` said PD-1 ``active``. The record does not
say whether the resolution came before the infusion, so the safe reading (ASCO 2021 irAE: immune-related
grade 2 -> hold until grade <= 1; clinical-references.md 3.3) is that the administration of the onset day is
withheld; from the next day the resumed status applies. Both engines are asserted separately here.

Expected dates are hand-computed from the protocol (Lin 2023): course start 2027-01-04 = cycle day 1; the
PD-1 inhibitor starts on cycle day 4 (2027-01-07) and is given every 3 weeks with each HAIC cycle
(next: 2027-01-28). Lenvatinib grade 3 (paper policy): interrupt, resume one level lower (12 -> 8 mg).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml

from hccprotocol.dosing import next_cycle_doses
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import make_plan

REPO = Path(__file__).resolve().parents[2]
PROTOCOL = load_protocol("haic-lenvatinib-pd1")
START = dt.date(2027, 1, 4)
PD1_DAY_1 = dt.date(2027, 1, 7)  # cycle day 4
PD1_DAY_2 = dt.date(2027, 1, 28)  # cycle 2 day 4, 21 days later


def D(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def record(event: dict[str, Any], *labs: dict[str, Any]) -> Patient:
    base = yaml.safe_load((REPO / "examples" / "p01-bclc-c-pvtt.yaml").read_text(encoding="utf-8"))
    data = {**base, "treatment_start": START.isoformat(), "baseline_weight_kg": base["weight_kg"],
            "labs": [{"date": "2027-01-03", "creatinine_umol_l": 80.0}, *labs], "adverse_events": [event]}  # fmt: skip
    return parse_patient(data, source="test")


def colitis(resolved: str) -> Patient:
    return record({"onset_date": "2027-01-07", "term": "Colitis", "grade": 2, "attributed_to": ["camrelizumab"],
                   "immune_related": True, "resolved_date": resolved})  # fmt: skip


def status(patient: Patient, agent: str, day: dt.date) -> str:
    plan = next_cycle_doses(patient, PROTOCOL, day)
    return next(a.status for a in plan.agents if a.agent == agent)


def calendar(patient: Patient) -> list[dict[str, Any]]:
    plan = make_plan(patient, PROTOCOL, start=START, providers=default_providers(), cycles=3,
                     today=START - dt.timedelta(days=30))  # fmt: skip
    return plan.event_rows()


def pd1_days(rows: list[dict[str, Any]], activity: str) -> set[dt.date]:
    return {D(r["date"]) for r in rows if r["agent"] == "camrelizumab" and r["activity"] == activity}


def test_same_day_resolution_withholds_that_days_pd1_in_dose() -> None:
    p = colitis("2027-01-07")
    assert status(p, "camrelizumab", PD1_DAY_1) == "held"
    assert status(p, "camrelizumab", PD1_DAY_1 + dt.timedelta(days=1)) == "active"  # resumed from the next day
    assert status(p, "camrelizumab", PD1_DAY_2) == "active"


def test_same_day_resolution_withholds_that_days_pd1_in_the_calendar() -> None:
    rows = calendar(colitis("2027-01-07"))
    assert PD1_DAY_1 in pd1_days(rows, "hold")
    assert PD1_DAY_1 not in pd1_days(rows, "infusion")
    assert PD1_DAY_2 in pd1_days(rows, "infusion")


@pytest.mark.parametrize("resolved", ["2027-01-08", "2027-01-10"])
def test_resolution_after_the_onset_day_still_holds(resolved: str) -> None:
    p = colitis(resolved)
    assert status(p, "camrelizumab", PD1_DAY_1) == "held"
    assert status(p, "camrelizumab", D(resolved) - dt.timedelta(days=1)) == "held"
    assert status(p, "camrelizumab", D(resolved)) == "active"  # a later resolution: given that day, as before
    rows = calendar(p)
    assert PD1_DAY_1 in pd1_days(rows, "hold") and PD1_DAY_1 not in pd1_days(rows, "infusion")
    assert PD1_DAY_2 in pd1_days(rows, "infusion")


def test_same_day_lenvatinib_interruption_withholds_that_days_dose_both_sides() -> None:
    p = record({"onset_date": "2027-01-10", "term": "Hypertension", "grade": 3, "attributed_to": ["lenvatinib"],
                "immune_related": False, "resolved_date": "2027-01-10"})  # fmt: skip
    assert status(p, "lenvatinib", D("2027-01-09")) == "active"
    assert status(p, "lenvatinib", D("2027-01-10")) == "interrupted"
    after = next(a for a in next_cycle_doses(p, PROTOCOL, D("2027-01-11")).agents if a.agent == "lenvatinib")
    assert after.status == "active" and after.dose_mg == 8.0  # paper grade 3: one level lower (12 -> 8 mg)
    rows = [r for r in calendar(p) if r["agent"] == "lenvatinib" and r["activity"] in ("oral", "hold")]
    segments = {(D(r["date"]), r["activity"]) for r in rows}
    assert (D("2027-01-10"), "hold") in segments
    assert (D("2027-01-11"), "oral") in segments
    hold = next(r for r in rows if r["date"] == "2027-01-10" and r["activity"] == "hold")
    assert hold.get("end_date") in (None, "2027-01-10")  # that day only


CYCLE_2 = dt.date(2027, 1, 25)  # cycle 2 day 1: 2027-01-04 + 21 days
PRECYCLE_OK = {"date": "2027-01-24", "anc_10e9_l": 2.0, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0,
               "albumin_g_l": 40.0}  # fmt: skip


def test_same_day_haic_hold_withholds_that_days_admission_both_sides() -> None:
    """Grade 3 diarrhoea on fluorouracil beginning and resolving on cycle 2 day 1: no HAIC drug given that day."""
    p = record({"onset_date": "2027-01-25", "term": "Diarrhea", "grade": 3, "attributed_to": ["fluorouracil"],
                "immune_related": False, "resolved_date": "2027-01-25"}, PRECYCLE_OK)  # fmt: skip
    doses = {a.agent: a.status for a in next_cycle_doses(p, PROTOCOL, CYCLE_2).agents}
    assert all(doses[a] == "held" for a in ("oxaliplatin", "leucovorin", "fluorouracil")), doses
    rows = calendar(p)
    on_day = {r["activity"] for r in rows if D(r["date"]) == CYCLE_2 and r["agent"] is None}
    assert "admission" not in on_day and "delay" in on_day
    assert not [r for r in rows if D(r["date"]) == CYCLE_2 and r["activity"] == "infusion"]


def test_grade2_infusion_reaction_release_same_day_that_administration_only() -> None:
    """``release: same_day`` (rule pd1.infusion-reaction.grade2-interrupt): that day's dose is not counted as
    given; the next PD-1 day (2027-02-18, 21 days later) is."""
    p = record({"onset_date": "2027-01-28", "term": "Infusion related reaction", "grade": 2,
                "attributed_to": ["camrelizumab"], "immune_related": False, "resolved_date": "2027-01-28"})  # fmt: skip
    assert status(p, "camrelizumab", PD1_DAY_2) == "interrupted"
    assert status(p, "camrelizumab", PD1_DAY_2 + dt.timedelta(days=1)) == "active"
    rows = calendar(p)
    assert PD1_DAY_2 in pd1_days(rows, "hold") and PD1_DAY_2 not in pd1_days(rows, "infusion")
    assert D("2027-02-18") in pd1_days(rows, "infusion")
