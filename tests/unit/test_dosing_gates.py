"""`dose` never gives a dose while recorded entries are ignored; statuses say when a computed dose may not be given.

Hand values: 68 kg, 172 cm -> Mosteller BSA sqrt(172 x 68 / 3600) = 1.8025 m2; oxaliplatin 85 x 1.8025 =
153.2125 -> 153 mg; lenvatinib 68 kg -> 12 mg, one level lower 8 mg (Lenvima PI 2.4 / SmPC). Pre-cycle window:
schedule.precycle_labs.result_max_age_days = 3 (inclusive), from_cycle = 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from hccprotocol.cli import app
from hccprotocol.commands import dose as dose_cli
from hccprotocol.ctcae import CtcaeError
from hccprotocol.dosing import DosingInputError, next_cycle_doses
from hccprotocol.errors import InputError
from hccprotocol.protocol import load_protocol

from .dosing_support import BASELINE_LAB, ELIGIBLE, D, ae, baseline_lab, by_agent, patient, protocol_with

TRIPLE = load_protocol("haic-lenvatinib-pd1")
HTN = "Hypertension"
FULL_LABS = {"anc_10e9_l": 2.0, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0, "albumin_g_l": 40.0}
runner = CliRunner()


# --- 1. events without a treatment start are refused, never ignored ---------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"adverse_events": [ae("2026-09-20", HTN, 3, ["lenvatinib"])]},
        {"adverse_events": [ae("2026-09-20", "Colitis", 4, ["camrelizumab"], irae=True)]},
        {"dose_changes": [{"date": "2026-09-20", "agent": "lenvatinib", "action": "hold"}]},
    ],
)
def test_events_without_treatment_start_are_refused(fields: dict[str, Any]) -> None:
    record = patient(treatment_start=None, baseline_weight_kg=None, **fields)
    with pytest.raises(DosingInputError, match="treatment_start is missing") as err:
        next_cycle_doses(record, TRIPLE, D("2026-09-25"))
    assert err.value.exit_code == 2


def test_an_invalid_term_without_treatment_start_is_named() -> None:
    record = patient(treatment_start=None, adverse_events=[ae("2026-09-20", "Liver abscess", 3, ["haic_procedure"])])
    with pytest.raises(CtcaeError, match="Hepatic infection"):
        next_cycle_doses(record, TRIPLE, D("2026-09-25"))


def test_an_invalid_term_dated_after_as_of_is_still_validated() -> None:
    # as_of before treatment_start: nothing is replayed, but the record is checked
    record = patient(adverse_events=[ae("2026-09-20", "Fatigue", 4, ["lenvatinib"])])
    with pytest.raises(CtcaeError, match="no grade 4"):
        next_cycle_doses(record, TRIPLE, D("2026-08-25"))


def test_no_events_and_no_start_still_gives_start_doses() -> None:
    record = patient(treatment_start=None, baseline_weight_kg=None, adverse_events=[], dose_changes=[],
                     labs=[baseline_lab(D("2026-08-24"))])  # fmt: skip
    rows = by_agent(next_cycle_doses(record, TRIPLE, D("2026-08-25")).agents)
    assert (rows["lenvatinib"].dose_mg, rows["oxaliplatin"].dose_mg) == (12.0, 153.0)


def test_cli_refuses_events_without_start(tmp_path: Path) -> None:
    record = {
        "id": "R", "weight_kg": 68.0, "height_cm": 172.0, "pd1_agent": "sintilimab",
        "adverse_events": [ae("2026-09-20", HTN, 3, ["lenvatinib"])],
    }  # fmt: skip
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(record), encoding="utf-8")
    result = runner.invoke(app, ["dose", str(path), "--as-of", "2026-09-25", "--format", "json"])
    assert result.exit_code == 2
    assert "treatment_start" in result.stderr and "Traceback" not in result.output


# --- 5. pre-cycle status of the HAIC drugs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lab_date", "status"),
    [("2026-09-28", "active"),  # 3 days before 2026-10-01: inside the window
     ("2026-09-27", "pending_precycle_check")],  # 4 days: too old, the check has no result
)  # fmt: skip
def test_pending_when_no_recent_result(lab_date: str, status: str) -> None:
    # BASELINE_LAB: the baseline work-up of 2026-08-31 (its creatinine fixes the oxaliplatin renal start)
    plan = next_cycle_doses(patient(labs=[BASELINE_LAB, {"date": lab_date, **FULL_LABS}]), TRIPLE, D("2026-10-01"))
    rows = by_agent(plan.agents)
    for drug in ("oxaliplatin", "leucovorin", "fluorouracil"):
        assert rows[drug].status == status
    assert rows["oxaliplatin"].dose_mg == 153.0  # computed either way
    assert rows["lenvatinib"].status == "active"  # not gated by the HAIC check
    assert any(w.startswith("pre-cycle check unknown") for w in plan.warnings) == (status != "active")


@pytest.mark.parametrize(("anc", "status"), [(1.49, "delayed"), (1.5, "active")])
def test_delayed_when_a_recent_result_fails(anc: float, status: str) -> None:
    labs = [BASELINE_LAB, {"date": "2026-09-30", **FULL_LABS, "anc_10e9_l": anc}]
    row = by_agent(next_cycle_doses(patient(labs=labs), TRIPLE, D("2026-10-01")).agents)["oxaliplatin"]
    assert (row.status, row.dose_mg) == (status, 153.0)
    assert ("may not be given yet" in row.basis) == (status == "delayed")


@pytest.mark.parametrize(("from_cycle", "status"), [(2, "pending_precycle_check"), (1, "pending_precycle_check")])
def test_cycle_1_follows_precycle_from_cycle(tmp_path: Path, from_cycle: int, status: str) -> None:
    # issue 9 item 2 (deliberate change: from_cycle 2 used to exempt cycle 1): before the start the next HAIC is
    # cycle 1, checked against the baseline work-up whatever from_cycle says (it only places the blood draws).
    # Only a creatinine is recorded (CrCl known): the pre-cycle limits have no result -> pending.
    site = protocol_with(tmp_path, schedule__precycle_labs__from_cycle=from_cycle)
    record = patient(treatment_start=None, baseline_weight_kg=None,
                     labs=[{"date": "2026-08-24", "creatinine_umol_l": 80.0}])  # fmt: skip
    plan = next_cycle_doses(record, site, D("2026-08-25"))
    assert by_agent(plan.agents)["oxaliplatin"].status == status
    assert any("pre-cycle check for cycle 1 (baseline work-up) unknown" in w for w in plan.warnings)


def test_held_haic_drug_is_not_turned_into_pending() -> None:
    record = patient(adverse_events=[ae("2026-09-20", "Diarrhea", 3, ["oxaliplatin"])])
    row = by_agent(next_cycle_doses(record, TRIPLE, D("2026-09-25")).agents)["oxaliplatin"]
    assert (row.status, row.dose_mg) == ("held", None)


# --- 6. an event attributed to nothing is rejected -------------------------------------------------------------


def test_empty_attribution_is_rejected_with_a_clear_message() -> None:
    with pytest.raises(InputError) as err:
        patient(adverse_events=[ae("2026-09-20", HTN, 3, [])])
    assert err.value.exit_code == 2
    rendered = err.value.render()
    assert "adverse_events[0].attributed_to" in rendered and "attributed_to is empty" in rendered
    assert patient(adverse_events=[ae("2026-09-20", HTN, 3, ["haic_procedure"])]).adverse_events


# --- 9. where an interrupted or held drug resumes ---------------------------------------------------------------


def test_interrupted_lenvatinib_says_it_resumes_at_8mg() -> None:
    record = patient(adverse_events=[ae("2026-09-20", HTN, 3, ["lenvatinib"])])
    row = by_agent(next_cycle_doses(record, TRIPLE, D("2026-09-25")).agents)["lenvatinib"]
    assert (row.status, row.dose_mg, row.dose_level) == ("interrupted", None, "12mg")
    assert "resumes one level lower at 8mg (once daily, 8 mg)" in row.basis


def test_first_haematological_toxicity_under_the_label_resumes_at_the_same_level(tmp_path: Path) -> None:
    label = protocol_with(tmp_path, modification__lenvatinib_policy="label")
    record = patient(adverse_events=[ae("2026-09-20", "Neutrophil count decreased", 3, ["lenvatinib"])])
    row = by_agent(next_cycle_doses(record, label, D("2026-09-25")).agents)["lenvatinib"]
    assert "resumes at the same level at 12mg" in row.basis


def test_held_oxaliplatin_at_65_says_no_lower_level_is_left() -> None:
    events = [ae("2026-09-05", "Diarrhea", 3, ["oxaliplatin"], "2026-09-12"), ae("2026-10-01", "Diarrhea", 3,
              ["oxaliplatin"])]  # fmt: skip
    row = by_agent(next_cycle_doses(patient(adverse_events=events), TRIPLE, D("2026-10-03")).agents)["oxaliplatin"]
    assert (row.status, row.dose_level) == ("held", "65mg/m2")
    assert "no lower dose level is left" in row.basis


def test_pre_start_urine_protein_at_the_threshold_is_a_warning() -> None:
    for value, warned in ((2.0, True), (1.99, False)):
        record = patient(treatment_start=None, baseline_weight_kg=None,
                         labs=[{"date": "2026-08-20", "urine_protein_g_24h": value}])  # fmt: skip
        plan = next_cycle_doses(record, TRIPLE, D("2026-08-25"))
        assert any("urine protein" in w for w in plan.warnings) == warned


# --- 4. dose and course agree on the same record and date -------------------------------------------------------


def _record(tmp_path: Path) -> Path:
    # Hypertension grade 3 from 2026-09-10, ongoing: 30-day persistence threshold on 2026-10-10
    data = {
        "id": "AGREE", **ELIGIBLE, "weight_kg": 68.0, "height_cm": 172.0, "baseline_weight_kg": 68.0,
        "treatment_start": "2026-09-01", "pd1_agent": "sintilimab",
        "adverse_events": [ae("2026-09-10", HTN, 3, ["lenvatinib"])],
    }  # fmt: skip
    path = tmp_path / "agree.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(("day", "status"), [("2026-10-09", "interrupted"), ("2026-10-10", "discontinued")])
def test_dose_and_course_agree(tmp_path: Path, day: str, status: str) -> None:
    path = _record(tmp_path)
    dose = runner.invoke(app, ["dose", str(path), "--as-of", day, "--format", "json"])
    course = runner.invoke(app, ["course", str(path), "--as-of", day, "--format", "json"])
    assert dose.exit_code == 0 and course.exit_code == 0, dose.output + course.output
    doses = {a["agent"]: a for a in json.loads(dose.stdout)["agents"]}
    out = json.loads(course.stdout)
    states = {c["agent"]: c for c in out["current"]}
    assert doses["lenvatinib"]["status"] == states["lenvatinib"]["status"] == status
    for agent in ("lenvatinib", "sintilimab"):
        assert doses[agent]["dose_level"] == states[agent]["dose_level"]
        assert doses[agent]["dose_mg"] == states[agent]["dose_mg"]
    assert all(e["date"] <= day for e in out["events"])
    # Issue 13 changed this deliberately: the warnings are in the JSON (key ``warnings``), not on stderr.
    assert {"events", "current", "warnings"} <= set(out)
    assert any("2026-10-10" in w for w in out["warnings"]) == (status == "interrupted")


def test_course_as_of_defaults_to_today(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _record(tmp_path)
    monkeypatch.setattr(dose_cli, "today", lambda: D("2026-10-09"))
    implicit = runner.invoke(app, ["course", str(path), "--format", "json"])
    explicit = runner.invoke(app, ["course", str(path), "--as-of", "2026-10-09", "--format", "json"])
    assert implicit.exit_code == 0
    assert json.loads(implicit.stdout) == json.loads(explicit.stdout)
    assert not [e for e in json.loads(implicit.stdout)["events"] if e["action"] == "discontinue"]
    dose = runner.invoke(app, ["dose", str(path), "--format", "json"])
    assert {a["agent"]: a["status"] for a in json.loads(dose.stdout)["agents"]}["lenvatinib"] == "interrupted"


def test_course_table_shows_the_warning(tmp_path: Path) -> None:
    result = runner.invoke(app, ["course", str(_record(tmp_path)), "--as-of", "2026-09-20"])
    assert result.exit_code == 0
    assert "2026-10-10" in result.stdout
