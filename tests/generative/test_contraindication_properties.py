"""No active dose for a contraindicated drug, anywhere (issue 9 item 1), over generated records.

Lin 2023, Patients, exclusion (8): "contraindications for HAIC, lenvatinib, PD-1 inhibitors". For any
combination of recorded contraindications (true / false / unknown), any adverse events and any date:

1. ``dose`` (with --force, past the eligibility gate) gives every contraindicated drug the status
   ``contraindicated`` and no dose (``contraindications.haic`` covers oxaliplatin, leucovorin, fluorouracil);
2. the course never shows it: no event, and ``contraindicated`` on every day;
3. the calendar (with --force) never schedules it, and refuses outright when HAIC is contraindicated.

database=None: nothing is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.course import replay_course
from hccprotocol.dosing import next_cycle_doses
from hccprotocol.errors import ClinicalGateError
from hccprotocol.gate import CONTRAINDICATION_FIELDS
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import make_plan
from hccprotocol.schedule.site_calendar import ScheduleInputError

REPO = Path(__file__).resolve().parents[2]
START = dt.date(2027, 1, 4)
BASE = yaml.safe_load((REPO / "examples" / "p01-bclc-c-pvtt.yaml").read_text(encoding="utf-8"))
BASELINE = {"date": "2027-01-03", "anc_10e9_l": 2.0, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0,
            "albumin_g_l": 40.0, "creatinine_umol_l": 80.0}  # fmt: skip
TERMS = {"Diarrhea": 3, "Hypertension": 3, "Colitis": 2, "Fatigue": 2}
IDS = ["oxaliplatin", "fluorouracil", "lenvatinib", "camrelizumab"]


@st.composite
def adverse_event(draw: st.DrawFn) -> dict[str, Any]:
    term = draw(st.sampled_from(sorted(TERMS)))
    onset = START + dt.timedelta(days=draw(st.integers(3, 60)))
    return {"onset_date": onset.isoformat(), "term": term, "grade": TERMS[term],
            "attributed_to": [draw(st.sampled_from(IDS))], "immune_related": term == "Colitis",
            "resolved_date": (onset + dt.timedelta(days=draw(st.integers(0, 20)))).isoformat()}  # fmt: skip


def _names(agent_id: str) -> str:
    return "camrelizumab" if agent_id == "pd1" else agent_id


@settings(max_examples=30, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    flags=st.fixed_dictionaries({k: st.sampled_from([True, False, None]) for k in CONTRAINDICATION_FIELDS}),
    events=st.lists(adverse_event(), max_size=3),
    as_of=st.integers(-5, 90),
    arm=st.sampled_from(["haic-lenvatinib-pd1", "haic-lenvatinib"]),
)
def test_no_active_dose_for_a_contraindicated_drug(
    flags: dict[str, bool | None], events: list[dict[str, Any]], as_of: int, arm: str
) -> None:
    protocol = load_protocol(arm)
    record_data = {**BASE, "contraindications": flags, "treatment_start": START.isoformat(),
                   "baseline_weight_kg": BASE["weight_kg"], "labs": [BASELINE],
                   "adverse_events": [e for e in events if arm.endswith("pd1") or "camrelizumab" not in
                                      e["attributed_to"]]}  # fmt: skip
    if not arm.endswith("pd1"):
        record_data.pop("pd1_agent")
    record = parse_patient(record_data, source="hypothesis")
    forbidden = {_names(a) for key, agents in CONTRAINDICATION_FIELDS.items() if flags[key] is True
                 for a in agents if a in protocol.agent_ids()}  # fmt: skip
    day = START + dt.timedelta(days=as_of)
    # 1. dose
    plan = next_cycle_doses(record, protocol, day, force=True)
    for row in plan.agents:
        if row.agent in forbidden:
            assert (row.status, row.dose_mg, row.unrounded_mg) == ("contraindicated", None, None), row
        assert not (row.status == "active" and row.agent in forbidden)
    # 2. course
    course = replay_course(record, protocol, as_of=day if day >= START else None)
    assert not [e for e in course.events if e.agent in forbidden]
    for offset in range(0, 100, 9):
        states = course.state_on(START + dt.timedelta(days=offset))
        for name in forbidden:
            assert states[name].status == "contraindicated" and states[name].dose_mg is None
    # 3. calendar
    try:
        calendar = make_plan(record, protocol, start=START, providers=default_providers(), cycles=2, force=True,
                             today=START - dt.timedelta(days=30))  # fmt: skip
    except (ClinicalGateError, ScheduleInputError) as exc:  # HAIC contraindicated (exit 3) / no HAIC placeable
        message = exc.message
    else:
        message = ""
    if flags["haic"] is True or message:
        assert flags["haic"] is True or "no HAIC can be scheduled" in message, message
        assert message.startswith("no calendar: contraindications.haic") or flags["haic"] is not True, message
        return
    shown = {"pd1" if a in ("camrelizumab", "sintilimab") else a for a in forbidden}
    assert not [r for r in calendar.event_rows() if r["agent"] in forbidden | shown]
