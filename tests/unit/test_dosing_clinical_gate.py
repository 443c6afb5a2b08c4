"""Issue 9 items 1-2: one clinical gate for `dose` and `plan`, contraindications, missing inputs, renal start.

Hand values: P01 (examples/p01-bclc-c-pvtt.yaml) is a 56-year-old man of 68 kg, 172 cm: Mosteller BSA
sqrt(172 x 68 / 3600) = 1.8025 m2; oxaliplatin 85 x 1.8025 = 153.2 -> 153 mg, 65 x 1.8025 = 117.2 -> 117 mg.
Cockcroft-Gault (umol/L): (140 - 56) x 68 x 1.23 / creatinine: 80 -> 87.8 mL/min; 240 -> 29.3 mL/min;
234 -> 30.02 mL/min. Lin 2023 exclusion (8): "contraindications for HAIC, lenvatinib, PD-1 inhibitors".
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.dosing import next_cycle_doses
from hccprotocol.errors import ClinicalGateError
from hccprotocol.gate import eligibility_gate
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import make_plan

from .dosing_support import EXAMPLES, by_agent

TRIPLE = load_protocol("haic-lenvatinib-pd1")
START = dt.date(2027, 1, 4)
TODAY = dt.date(2026, 12, 1)
runner = CliRunner()


def p01(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((EXAMPLES / "p01-bclc-c-pvtt.yaml").read_text(encoding="utf-8"))
    data["labs"] = [{"date": "2027-01-03", "anc_10e9_l": 2.0, "platelets_10e9_l": 150.0,
                     "total_bilirubin_umol_l": 15.0, "albumin_g_l": 40.0, "creatinine_umol_l": 80.0}]  # fmt: skip
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def record(**changes: Any) -> Patient:
    return parse_patient(p01(**changes), source="test")


def _plan(patient: Patient, **kw: Any) -> Any:
    return make_plan(patient, TRIPLE, start=START, providers=default_providers(), cycles=2, today=TODAY, **kw)


# -- one gate, the same refusal ------------------------------------------------------------------------------


def test_dose_and_plan_refuse_with_the_same_error_and_reasons() -> None:
    undetermined = record(ecog=None)
    with pytest.raises(ClinicalGateError) as dose_error:
        next_cycle_doses(undetermined, TRIPLE, START)
    with pytest.raises(ClinicalGateError) as plan_error:
        _plan(undetermined)
    reasons = "; ".join(eligibility_gate(undetermined, TRIPLE).reasons)
    assert "inclusion.ecog_0_1: unknown" in reasons
    for error, what in ((dose_error, "doses"), (plan_error, "calendar")):
        assert error.value.message.startswith(f"no {what}: patient P01 is eligibility undetermined")
        assert f"({reasons})" in error.value.message and "--force" in error.value.message


def test_eligible_patient_is_not_marked() -> None:
    plan = next_cycle_doses(record(), TRIPLE, START)
    assert plan.eligibility == {"eligible": True, "summary": "eligible", "reasons": [], "forced": False}
    assert not any(a.basis.startswith("[FORCED") for a in plan.agents)


def test_cli_dose_refuses_and_force_marks_every_line(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(p01(ecog=None)), encoding="utf-8")
    refused = runner.invoke(app, ["dose", str(path), "--as-of", "2027-01-04", "--format", "json"])
    assert refused.exit_code == 3 == ClinicalGateError.exit_code  # the refusal plan gives (exit 3, issue 13)
    assert "no doses: patient P01 is eligibility undetermined" in refused.stderr and "Traceback" not in refused.output
    forced = runner.invoke(app, ["dose", str(path), "--as-of", "2027-01-04", "--format", "json", "--force"])
    assert forced.exit_code == 0, forced.output
    out = json.loads(forced.stdout)
    assert out["eligibility"]["forced"] is True and out["warnings"][0].startswith("FORCED")
    assert all(a["basis"].startswith("[FORCED: eligibility undetermined]") for a in out["agents"])
    table = runner.invoke(app, ["dose", str(path), "--as-of", "2027-01-04", "--force"])
    assert table.exit_code == 0 and "FORCED" in table.stdout


# -- contraindications ---------------------------------------------------------------------------------------


def test_contraindicated_pd1_in_dose_course_and_calendar(tmp_path: Path) -> None:
    patient = record(contraindications={"haic": False, "lenvatinib": False, "pd1": True})
    rows = by_agent(next_cycle_doses(patient, TRIPLE, START, force=True).agents)
    assert (rows["camrelizumab"].status, rows["camrelizumab"].dose_mg) == ("contraindicated", None)
    assert "contraindications.pd1" in rows["camrelizumab"].basis
    assert (rows["lenvatinib"].status, rows["lenvatinib"].dose_mg) == ("active", 12.0)
    calendar = _plan(patient, force=True)
    assert not [r for r in calendar.event_rows() if r["agent"] in ("camrelizumab", "pd1")]
    assert any("camrelizumab" not in w and "pd1 not scheduled: contraindications.pd1" in w for w in calendar.warnings)
    assert next(r["date"] for r in calendar.event_rows() if r["agent"] == "lenvatinib") == "2027-01-07"
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(p01(contraindications={"pd1": True}, treatment_start="2027-01-04",
                                       baseline_weight_kg=68.0)), encoding="utf-8")  # fmt: skip
    course = runner.invoke(app, ["course", str(path), "--as-of", "2027-02-01", "--format", "json"])
    assert course.exit_code == 0, course.output
    out = json.loads(course.stdout)
    assert not [e for e in out["events"] if e["agent"] == "camrelizumab"]
    assert {c["agent"]: c["status"] for c in out["current"]}["camrelizumab"] == "contraindicated"
    assert any("contraindications.pd1 is true" in w for w in out["warnings"])  # course JSON carries its warnings


def test_haic_contraindicated_has_no_calendar_even_with_force() -> None:
    patient = record(contraindications={"haic": True, "lenvatinib": False, "pd1": False})
    with pytest.raises(ClinicalGateError, match=r"contraindications\.haic is true"):
        _plan(patient, force=True)
    rows = by_agent(next_cycle_doses(patient, TRIPLE, START, force=True).agents)
    assert [rows[a].status for a in ("oxaliplatin", "leucovorin", "fluorouracil")] == ["contraindicated"] * 3


def test_unknown_contraindication_is_not_contraindicated_but_undetermined() -> None:
    patient = record(contraindications={"haic": False, "lenvatinib": False})  # pd1 not recorded
    with pytest.raises(ClinicalGateError, match="undetermined"):
        next_cycle_doses(patient, TRIPLE, START)
    assert by_agent(next_cycle_doses(patient, TRIPLE, START, force=True).agents)["camrelizumab"].status == "active"


# -- missing inputs: never a silent dose ---------------------------------------------------------------------


@pytest.mark.parametrize("field", ["weight_kg", "height_cm"])
def test_missing_bsa_input_is_pending_input_and_named(field: str) -> None:
    # baseline_weight_kg keeps the lenvatinib tier known (a missing tier weight is an input error of its own)
    rows = by_agent(next_cycle_doses(record(**{field: None}, baseline_weight_kg=68.0), TRIPLE, START).agents)
    for agent in ("oxaliplatin", "leucovorin", "fluorouracil"):
        assert (rows[agent].status, rows[agent].dose_mg) == ("pending_input", None)
        assert field in rows[agent].basis


# -- oxaliplatin renal start (label: CrCl < 30 mL/min -> 65 mg/m2) --------------------------------------------


@pytest.mark.parametrize(("creatinine", "level", "mg"), [(240.0, "65mg/m2", 117.0), (234.0, "85mg/m2", 153.0)])
def test_renal_start_both_sides_in_dose_course_and_calendar(creatinine: float, level: str, mg: float) -> None:
    labs = [{**p01()["labs"][0], "creatinine_umol_l": creatinine}]
    row = by_agent(next_cycle_doses(record(labs=labs), TRIPLE, START).agents)["oxaliplatin"]
    assert (row.status, row.dose_level, row.dose_mg) == ("active", level, mg)
    started = record(labs=labs, treatment_start="2027-01-04", baseline_weight_kg=68.0)
    later = by_agent(next_cycle_doses(started, TRIPLE, dt.date(2027, 1, 20), force=False).agents)["oxaliplatin"]
    assert later.dose_level == level  # the course started at the renal start level
    calendar = _plan(started)
    oxali = [r for r in calendar.event_rows() if r["agent"] == "oxaliplatin" and r["activity"] == "infusion"]
    assert oxali[0]["dose_mg"] == mg


def test_renal_start_policy_none_is_the_papers_reading(tmp_path: Path) -> None:
    data = yaml.safe_load((Path(__file__).resolve().parents[2] / "protocol" / "haic-lenvatinib-pd1.yaml").read_text())
    next(a for a in data["agents"] if a["id"] == "oxaliplatin")["renal_start"]["policy"] = "none"
    site = tmp_path / "site.yaml"
    site.write_text(yaml.safe_dump(data), encoding="utf-8")
    protocol = load_protocol(str(site))
    labs = [{**p01()["labs"][0], "creatinine_umol_l": 240.0}]
    row = by_agent(next_cycle_doses(record(labs=labs), protocol, START).agents)["oxaliplatin"]
    assert (row.dose_level, row.dose_mg) == ("85mg/m2", 153.0)
    no_sex = by_agent(next_cycle_doses(record(sex=None), protocol, START, force=True).agents)["oxaliplatin"]
    assert no_sex.status == "active"  # CrCl is not needed when no renal adjustment applies


def test_unknown_crcl_gives_no_oxaliplatin_dose_in_the_calendar() -> None:
    calendar = _plan(record(sex=None), force=True)
    oxali = [r for r in calendar.event_rows() if r["agent"] == "oxaliplatin" and r["activity"] == "infusion"]
    assert oxali and all(r["dose_mg"] is None for r in oxali)
    assert all("dose not computed" in r["note"] for r in oxali)
    assert any("creatinine clearance unknown (sex missing)" in w for w in calendar.warnings)


def test_course_warns_of_a_failing_baseline_work_up() -> None:
    # ANC 1.4 on 3 Jan, the day before the first HAIC (< 1.5, oxaliplatin label): dose delays cycle 1, and so
    # does the calendar; the course says so in its warnings
    labs = [{**p01()["labs"][0], "anc_10e9_l": 1.4}]
    started = record(labs=labs, treatment_start="2027-01-04", baseline_weight_kg=68.0)
    from hccprotocol.course import replay_course

    course = replay_course(started, TRIPLE, as_of=START)
    assert any("cycle 1 baseline work-up" in w and "anc_10e9_l 1.4 fails" in w for w in course.warnings)
    assert by_agent(next_cycle_doses(started, TRIPLE, START).agents)["oxaliplatin"].status == "delayed"
    passing = replay_course(record(treatment_start="2027-01-04", baseline_weight_kg=68.0), TRIPLE, as_of=START)
    assert not any("baseline work-up" in w for w in passing.warnings)
