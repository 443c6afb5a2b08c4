"""The arithmetic shown next to each dose is that of the level in force on that date; one PD-1 id per plan.

Hand-worked values: 68 kg, 172 cm -> Mosteller BSA sqrt(68 x 172 / 3600) = 1.80247 -> 1.8025 m2.
Oxaliplatin 85 x 1.8025 = 153.2 -> 153 mg; the label's reduced level 65 x 1.8025 = 117.2 -> 117 mg.
Leucovorin 400 x 1.8025 = 721 mg. 5-FU 2400 x 1.8025 = 4326 mg; the protocol's -20 % level
1920 x 1.8025 = 3460.8 -> 3461 mg (Oxaliplatin US PI: "reduce Oxaliplatin ... along with a dose
reduction of fluorouracil"; clinical-references.md 2.1).
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import icalendar

from hccprotocol.protocol import load_protocol
from hccprotocol.render.csv_export import render_plan_csv
from hccprotocol.render.html import render_plan_html
from hccprotocol.render.ics import render_plan_ics
from hccprotocol.render.plan_json import render_plan_json
from hccprotocol.schedule import adapters
from hccprotocol.schedule.plan import EligibilityGate, Plan, Providers, make_plan
from hccprotocol.schedule.timeline import AgentDose, CourseChange, FixedDoses
from tests.unit.schedule_support import PAPER_DOSES, D, patient, plan, rows

FOLFOX_IDS = ("oxaliplatin", "leucovorin", "fluorouracil")


def _dose(agent: str, mg: float, per_m2: int) -> AgentDose:
    return AgentDose(agent, mg, "intra-arterial", basis=f"{per_m2} mg/m2 x 1.8025 m2", level=f"{per_m2}mg/m2")


FOLFOX = FixedDoses(
    {
        **PAPER_DOSES.doses,
        "oxaliplatin": _dose("oxaliplatin", 153.0, 85),
        "leucovorin": _dose("leucovorin", 721.0, 400),
        "fluorouracil": _dose("fluorouracil", 4326.0, 2400),
    },
    levels={
        "oxaliplatin": {"85mg/m2": _dose("oxaliplatin", 153.0, 85), "65mg/m2": _dose("oxaliplatin", 117.0, 65)},
        "fluorouracil": {
            "2400mg/m2": _dose("fluorouracil", 4326.0, 2400),
            "1920mg/m2": _dose("fluorouracil", 3461.0, 1920),
        },
    },
)

REDUCED = [
    CourseChange(D("2027-02-01"), "oxaliplatin", "reduce", from_mg=153, to_mg=117, level="65mg/m2", rule="r.red"),
    CourseChange(D("2027-02-01"), "fluorouracil", "reduce", from_mg=4326, to_mg=3461, level="1920mg/m2",
                 rule="r.red"),
]


def _infusions(p: Plan, agent: str) -> list[tuple[str, float | None, str]]:
    return [(r["date"], r["dose_mg"], r["note"]) for r in rows(p, "infusion", agent)]


def test_reduced_dose_shows_the_reduced_level_arithmetic() -> None:
    p = plan(changes=REDUCED, doses=FOLFOX)
    oxali = _infusions(p, "oxaliplatin")
    # cycles 1-2 (4 and 25 Jan) before the reduction of 1 Feb; cycles 3-4 (15 Feb, 8 Mar) after it
    assert [(d, mg) for d, mg, _ in oxali] == [
        ("2027-01-04", 153.0), ("2027-01-25", 153.0), ("2027-02-15", 117.0), ("2027-03-08", 117.0)
    ]
    assert all(note.startswith("85 mg/m2 x 1.8025 m2;") for _, _, note in oxali[:2])
    assert all(note.startswith("65 mg/m2 x 1.8025 m2;") and "85 mg/m2" not in note for _, _, note in oxali[2:])
    fu = _infusions(p, "fluorouracil")
    assert [mg for _, mg, _ in fu] == [4326.0, 4326.0, 3461.0, 3461.0]
    assert all("1920 mg/m2 x 1.8025 m2" in note and "2400" not in note for _, _, note in fu[2:])
    # leucovorin is not reduced: its starting arithmetic stays right
    assert {note.split(";")[0] for _, _, note in _infusions(p, "leucovorin")} == {"400 mg/m2 x 1.8025 m2"}


def test_restored_level_shows_the_starting_arithmetic_again() -> None:
    changes = [
        *REDUCED,
        CourseChange(D("2027-03-01"), "oxaliplatin", "restore", from_mg=117, to_mg=153, level="85mg/m2", rule="r.r"),
    ]
    oxali = _infusions(plan(changes=changes, doses=FOLFOX), "oxaliplatin")
    assert (oxali[2][1], oxali[2][2].split(";")[0]) == (117.0, "65 mg/m2 x 1.8025 m2")
    assert (oxali[3][1], oxali[3][2].split(";")[0]) == (153.0, "85 mg/m2 x 1.8025 m2")


def test_unknown_level_arithmetic_is_said_never_borrowed_from_the_start() -> None:
    odd_level = [CourseChange(D("2027-02-01"), "oxaliplatin", "reduce", from_mg=153, to_mg=90, level="50mg/m2")]
    note = _infusions(plan(changes=odd_level, doses=FOLFOX), "oxaliplatin")[2][2]
    assert "dose level 50mg/m2 set by the course (arithmetic not available)" in note
    assert "85 mg/m2" not in note
    # a level whose table dose disagrees with the course's dose is not shown either (118 is not 65 x 1.8025)
    mismatch = [CourseChange(D("2027-02-01"), "oxaliplatin", "reduce", from_mg=153, to_mg=118, level="65mg/m2")]
    note = _infusions(plan(changes=mismatch, doses=FOLFOX), "oxaliplatin")[2][2]
    assert "arithmetic not available" in note and "mg/m2 x" not in note
    # a course dose without any level: no arithmetic is invented
    no_level = [CourseChange(D("2027-02-01"), "oxaliplatin", "reduce", from_mg=153, to_mg=117)]
    note = _infusions(plan(changes=no_level, doses=FOLFOX), "oxaliplatin")[2][2]
    assert "dose set by the course (arithmetic not available)" in note and "85 mg/m2" not in note


# -- with the real dosing and course engines, through every export ---------------------------------------------


def _gate_open() -> Providers:
    real = adapters.default_providers()
    return Providers(
        eligibility=lambda p, pr: EligibilityGate(True, "eligible"),
        doses=real.doses, course=real.course, timings=real.timings, pd1_interval=real.pd1_interval,
    )


def _reduced_plan() -> Plan:
    # grade 3 diarrhoea attributed to oxaliplatin on 8 Jan, resolved 13 Jan: FOLFOX held, then resumed one level
    # lower (label: oxaliplatin 85 -> 65 mg/m2 with a 5-FU reduction; the protocol's 5-FU level is 1920 mg/m2)
    # baseline creatinine 80 umol/L on 3 Jan, 56-year-old man of 68 kg: CrCl (140 - 56) x 68 x 1.23 / 80 =
    # 87.8 mL/min, so oxaliplatin starts at 85 mg/m2 (an unknown clearance would give no oxaliplatin dose)
    record = patient(
        sex="male", age_years=56, weight_kg=68.0, height_cm=172.0, baseline_weight_kg=68.0,
        treatment_start="2027-01-04", pd1_agent="sintilimab",
        labs=[{"date": "2027-01-03", "creatinine_umol_l": 80.0}],
        adverse_events=[{"onset_date": "2027-01-08", "term": "Diarrhea", "grade": 3,
                         "attributed_to": ["oxaliplatin"], "immune_related": False,
                         "resolved_date": "2027-01-13"}],
    )
    return make_plan(record, load_protocol(), start=D("2027-01-04"), providers=_gate_open(), cycles=2,
                     today=D("2026-12-01"))


EXPECTED = {
    "oxaliplatin": (117.0, "65 mg/m2 x 1.8025 m2"),
    "leucovorin": (721.0, "400 mg/m2 x 1.8025 m2"),
    "fluorouracil": (3461.0, "1920 mg/m2 x 1.8025 m2"),
}


def test_real_engines_json_shows_the_reduced_arithmetic() -> None:
    doc = json.loads(render_plan_json(_reduced_plan()))
    cycle2 = {e["agent"]: e for e in doc["events"] if e["activity"] == "infusion" and e["date"] == "2027-01-25"}
    for agent, (mg, basis) in EXPECTED.items():
        assert cycle2[agent]["dose_mg"] == mg
        assert cycle2[agent]["note"].startswith(basis + ";")
    assert "85 mg/m2" not in cycle2["oxaliplatin"]["note"]
    assert "2400 mg/m2" not in cycle2["fluorouracil"]["note"]


def test_real_engines_csv_ics_and_html_show_the_reduced_arithmetic() -> None:
    p = _reduced_plan()
    csv_rows = [r for r in csv.DictReader(io.StringIO(render_plan_csv(p)))
                if r["activity"] == "infusion" and r["date"] == "2027-01-25"]
    by_agent: dict[str, dict[str, Any]] = {r["agent"]: r for r in csv_rows}
    for agent, (mg, basis) in EXPECTED.items():
        assert float(by_agent[agent]["dose_mg"]) == mg and basis in by_agent[agent]["note"]

    cal = icalendar.Calendar.from_ical(render_plan_ics(p))
    oxali = [e for e in cal.walk("VEVENT") if str(e["SUMMARY"]).startswith("Oxaliplatin 117 mg")]
    assert len(oxali) == 1
    assert "65 mg/m2 x 1.8025 m2" in str(oxali[0]["DESCRIPTION"])
    assert "85 mg/m2" not in str(oxali[0]["DESCRIPTION"])

    html = render_plan_html(p)
    [row] = [line for line in html.splitlines() if "<td>2027-01-25</td>" in line and "Oxaliplatin 117 mg" in line]
    assert "65 mg/m2 x 1.8025 m2" in row and "85 mg/m2" not in row


# -- item 5: one PD-1 id in the whole plan ----------------------------------------------------------------------


def test_doses_and_events_use_the_chosen_pd1_product_id() -> None:
    doc = json.loads(render_plan_json(plan(patient(pd1_agent="sintilimab"))))
    assert "sintilimab" in {d["agent"] for d in doc["doses"]}
    assert "pd1" not in {d["agent"] for d in doc["doses"]}
    systemic = {e["agent"] for e in doc["events"] if e["agent"] not in (None, "lenvatinib")} - set(FOLFOX_IDS)
    assert systemic == {"sintilimab"}


def test_doses_and_events_use_pd1_while_the_choice_is_open() -> None:
    doc = json.loads(render_plan_json(plan()))
    assert "pd1" in {d["agent"] for d in doc["doses"]}
    assert {e["agent"] for e in doc["events"] if e["activity"] == "infusion"} - set(FOLFOX_IDS) == {"pd1"}


def test_real_engines_use_one_pd1_id() -> None:
    doc = json.loads(render_plan_json(_reduced_plan()))
    dose_agents = {d["agent"] for d in doc["doses"]}
    event_agents = {e["agent"] for e in doc["events"]} - {None}
    assert dose_agents == {"oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "sintilimab"}
    assert event_agents <= dose_agents and "sintilimab" in event_agents
