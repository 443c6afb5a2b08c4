"""``dose``/``course`` and ``plan`` tell the same story (issue 9 item 12), over generated courses.

For a generated record (an eligible patient, the baseline work-up the day before the first HAIC, later
pre-cycle results around the limits, adverse events on the HAIC drugs and lenvatinib) the calendar is
planned from ``treatment_start`` with the real engines, and on every day the calendar decides something
the doses are computed ``--as-of`` that day:

1. a HAIC admission whose pre-cycle check passed: every HAIC drug infused that day is ``active`` in ``dose``;
2. a provisional admission (check due, no result): none of them is ``active`` (pending or delayed);
3. a delay (failed check, cycle-1 baseline failure or a drug held by the course): at least one HAIC drug
   still given is not ``active`` in ``dose``, and the course shows no HAIC drug of that day as given at a
   level the calendar did not take;
4. a HAIC drug the calendar leaves out (discontinued) is ``discontinued`` in ``dose``;
5. lenvatinib: each calendar segment starts on a day ``dose`` agrees with (``oral`` <-> ``active``,
   ``hold`` <-> interrupted/held); the PD-1 inhibitor: an infusion day is ``active``, a hold day is not;
6. when no HAIC can be placed at all, no HAIC drug is ``active`` on the start day.

Expected statuses are not computed here: the two engines are compared with each other, on the same
record and date. database=None: nothing is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.dosing import next_cycle_doses
from hccprotocol.patient import Patient
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import load_protocol
from hccprotocol.schedule.adapters import default_providers
from hccprotocol.schedule.plan import make_plan
from hccprotocol.schedule.site_calendar import ScheduleInputError

REPO = Path(__file__).resolve().parents[2]
START = dt.date(2027, 1, 4)
PROTOCOL = load_protocol("haic-lenvatinib-pd1")
HAIC = ("oxaliplatin", "leucovorin", "fluorouracil")
BASE: dict[str, Any] = yaml.safe_load((REPO / "examples" / "p01-bclc-c-pvtt.yaml").read_text(encoding="utf-8"))
TERMS = {"Diarrhea": (2, 3, 4), "Neutrophil count decreased": (3, 4), "Platelet count decreased": (3, 4),
         "Hypertension": (2, 3), "Fatigue": (2, 3), "Colitis": (2, 3)}  # fmt: skip
IDS = ("oxaliplatin", "fluorouracil", "lenvatinib", "camrelizumab")
SYSTEMIC_START = START + dt.timedelta(days=3)


@st.composite
def lab(draw: st.DrawFn, lo: int, hi: int) -> dict[str, Any]:
    out: dict[str, Any] = {"date": (START + dt.timedelta(days=draw(st.integers(lo, hi)))).isoformat()}
    for name, values in (("anc_10e9_l", [1.2, 1.49, 1.5, 2.0, 2.0]), ("platelets_10e9_l", [60.0, 74.0, 75.0, 150.0]),
                         ("total_bilirubin_umol_l", [15.0, 30.0, 31.0]), ("albumin_g_l", [29.0, 30.0, 40.0])):
        if draw(st.integers(0, 5)) > 0:  # one in six values not recorded
            out[name] = draw(st.sampled_from(values))
    return out


@st.composite
def adverse_event(draw: st.DrawFn) -> dict[str, Any]:
    term = draw(st.sampled_from(sorted(TERMS)))
    onset = START + dt.timedelta(days=draw(st.integers(0, 70)))
    ids = [i for i in IDS if i not in ("lenvatinib", "camrelizumab") or onset >= SYSTEMIC_START]
    resolved = draw(st.one_of(st.none(), st.integers(0, 20)))
    return {
        "onset_date": onset.isoformat(),
        "term": term,
        "grade": draw(st.sampled_from(TERMS[term])),
        "attributed_to": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True)),
        "immune_related": term == "Colitis",
        "resolved_date": None if resolved is None else (onset + dt.timedelta(days=resolved)).isoformat(),
    }


def _record(baseline: dict[str, Any], labs: list[dict[str, Any]], events: list[dict[str, Any]]) -> Patient:
    baseline = {**baseline, "creatinine_umol_l": 80.0}  # CrCl 87.8 mL/min: the renal start is known
    data = {**BASE, "treatment_start": START.isoformat(), "baseline_weight_kg": BASE["weight_kg"],
            "labs": [baseline, *labs], "adverse_events": events}  # fmt: skip
    return parse_patient(data, source="hypothesis")


def _statuses(record: Patient, day: dt.date) -> dict[str, str]:
    plan = next_cycle_doses(record, PROTOCOL, day)
    return {"pd1" if a.agent == "camrelizumab" else a.agent: a.status for a in plan.agents}


@settings(max_examples=30, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
@given(baseline=lab(-1, -1), labs=st.lists(lab(15, 80), max_size=4), events=st.lists(adverse_event(), max_size=3))
def test_course_and_plan_agree(
    baseline: dict[str, Any], labs: list[dict[str, Any]], events: list[dict[str, Any]]
) -> None:
    record = _record(baseline, labs, events)
    try:
        calendar = make_plan(record, PROTOCOL, start=START, providers=default_providers(), cycles=3,
                             today=START - dt.timedelta(days=30))  # fmt: skip
    except ScheduleInputError as exc:
        message = exc.message
    else:
        _agree(record, calendar.event_rows())
        return
    # 6. no HAIC can be placed at all (held past max_delay_days from day 1): not given in `dose` either
    assert "no HAIC can be scheduled" in message, message
    doses = _statuses(record, START)
    assert all(doses[a] != "active" for a in HAIC), doses


def _agree(record: Patient, rows: list[dict[str, Any]]) -> None:
    for row in rows:
        day = dt.date.fromisoformat(row["date"])
        if row["activity"] == "admission":
            doses = _statuses(record, day)
            infused = {r["agent"] for r in rows if r["date"] == row["date"] and r["activity"] == "infusion"}
            given_haic = [a for a in HAIC if a in infused]
            provisional = "provisional" in row["note"]
            for agent in given_haic:
                if provisional:  # 2.
                    assert doses[agent] != "active", (day, agent, doses, row["note"])
                else:  # 1.
                    assert doses[agent] == "active", (day, agent, doses, row["note"])
            for agent in set(HAIC) - set(given_haic):  # 4.
                assert doses[agent] == "discontinued", (day, agent, doses)
        elif row["activity"] == "delay":  # 3.
            doses = _statuses(record, day)
            still = [a for a in HAIC if doses[a] != "discontinued"]
            assert still and any(doses[a] != "active" for a in still), (day, doses, row["note"])
        elif row["agent"] == "camrelizumab" and row["activity"] in ("infusion", "hold"):  # 5.
            status = _statuses(record, day)["pd1"]
            assert (status == "active") is (row["activity"] == "infusion"), (day, status, row["note"])
        elif row["agent"] == "lenvatinib" and row["activity"] in ("oral", "hold"):  # 5.
            status = _statuses(record, day)["lenvatinib"]
            if row["activity"] == "oral":
                assert status == "active", (day, status, row["note"])
            else:
                assert status in ("interrupted", "held"), (day, status, row["note"])
