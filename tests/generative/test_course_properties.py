"""Properties of the course replay over arbitrary sequences of adverse events and clinician decisions.

For every generated record and every policy combination:

1. no event ever gives a drug a level above its start level (hence never above the protocol maximum);
2. a PD-1 inhibitor is never reduced: its only level is 200 mg, and no 'reduce'/'restore' event exists for it;
3. an ongoing grade >= 3 event never leaves a drug it is attributed to dosed (status 'active') on any day;
4. a discontinued drug never restarts: no event for it follows its discontinuation;
5. leucovorin is never left active after fluorouracil is discontinued;
6. with ``as_of``, no event is dated after it;
7. no dose after a permanent-stop term (issue 9): a lenvatinib-attributed event of the label's permanent classes
   (any grade), a grade >= 3 fistula, anaphylaxis or a grade >= 3 infusion reaction, or a grade 4 event not stated
   non-life-threatening; a PD-1-attributed myocarditis, Guillain-Barre, grade >= 3 myasthenia, anaphylaxis, grade >= 3
   infusion reaction or bilirubin > 3 x ULN: the drug is discontinued from the onset on;
8. reduction history survives a restore: a drug never steps down more often than its ladder has steps, and a restore
   is never dated the day a reduced dose took effect;
9. urine protein >= 2 g/24 h as the last result before lenvatinib's start: lenvatinib is not active on its start day.

The protocols are built in memory and the example database is off (database=None): the test writes no file.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

from hccprotocol import ctcae
from hccprotocol.course import Course, replay_course
from hccprotocol.course.record import CourseInputError
from hccprotocol.patient_file import parse_patient
from hccprotocol.protocol import Protocol
from hccprotocol.regimen import policy_option

REPO = Path(__file__).resolve().parents[2]
START = dt.date(2026, 9, 1)
HORIZON = 150
TERMS = [
    "Hypertension", "Diarrhea", "Fatigue", "Proteinuria", "Neutrophil count decreased", "Platelet count decreased",
    "Febrile neutropenia", "Peripheral sensory neuropathy", "Anaphylaxis", "Allergic reaction", "Colitis",
    "Hypothyroidism", "Hepatic infection", "Hepatic failure", "Alanine aminotransferase increased", "Vomiting",
    "Gastric fistula", "Pneumonitis", "Arterial thromboembolism", "Stroke", "Bronchial fistula", "Gastric perforation",
    "Infusion related reaction", "Myocarditis", "Guillain-Barre syndrome", "Myasthenia gravis", "Encephalopathy",
    "Blood bilirubin increased", "Reversible posterior leukoencephalopathy syndrome", "Thromboembolic event",
    "Electrocardiogram QT corrected interval prolonged",
]  # fmt: skip
IDS = ["oxaliplatin", "leucovorin", "fluorouracil", "lenvatinib", "camrelizumab", "haic_procedure"]
SYSTEMIC = {"lenvatinib", "camrelizumab"}
SYSTEMIC_START = START + dt.timedelta(days=3)  # cycle day 4 (schedule.systemic_start.default_day)
PROTOCOL_IDS = {"camrelizumab": "pd1"}


def _protocols() -> list[Protocol]:
    """Every policy combination, as in-memory site variants of the shipped triple-arm file."""
    out = []
    base = yaml.safe_load((REPO / "protocol" / "haic-lenvatinib-pd1.yaml").read_text(encoding="utf-8"))
    for lenv in ("paper_made_safe", "label"):
        for pd1 in ("irae_guideline", "paper_discontinue_if_continued"):
            for lab4, hyper, protein, rpls, irr, hep, event in (
                ("manage_as_grade3", "any_grade", "below_2_g", "discontinue", "interrupt_and_premedicate",
                 "discontinue", "grade2_withholds"),
                ("discontinue", "grade3_or_anaphylaxis", "at_or_below_2_g", "withhold_then_reduce",
                 "hold_until_resolved", "hold", "labs_decide")):  # fmt: skip
                data = dict(base, modification=dict(base["modification"], lenvatinib_policy=lenv, pd1_policy=pd1,
                                                    lenvatinib_lab_grade4=lab4, folfox_hypersensitivity=hyper,
                                                    lenvatinib_proteinuria_resume=protein, lenvatinib_rpls=rpls,
                                                    pd1_infusion_reaction=irr, pd1_hepatitis_transaminases=hep,
                                                    lenvatinib_proteinuria_event=event))  # fmt: skip
                out.append(Protocol.model_validate(data))
    return out


PROTOCOLS = _protocols()


@st.composite
def adverse_event(draw: st.DrawFn) -> dict[str, Any]:
    term = draw(st.sampled_from(TERMS))
    grade = draw(st.sampled_from(sorted(ctcae.terms()[term].grades)))
    onset = START + dt.timedelta(days=draw(st.integers(0, HORIZON)))
    resolved = draw(st.one_of(st.none(), st.integers(0, 100)))
    ids = IDS if onset >= SYSTEMIC_START else [i for i in IDS if i not in SYSTEMIC]  # nothing before their start
    judged = draw(st.sampled_from([None, False, True])) if grade == 4 else draw(st.sampled_from([None, False]))
    return {
        "life_threatening": judged,
        "onset_date": onset.isoformat(),
        "term": term,
        "grade": grade,
        "attributed_to": draw(st.lists(st.sampled_from(ids), min_size=1, max_size=3, unique=True)),
        "immune_related": draw(st.booleans()),
        "resolved_date": None if resolved is None else (onset + dt.timedelta(days=resolved)).isoformat(),
    }


@st.composite
def dose_change(draw: st.DrawFn) -> dict[str, Any]:
    agent = draw(st.sampled_from(IDS[:-1]))
    first = 3 if agent in SYSTEMIC else 0
    return {
        "date": (START + dt.timedelta(days=draw(st.integers(first, HORIZON)))).isoformat(),
        "agent": agent,
        "action": draw(st.sampled_from(["restore", "hold", "resume", "discontinue"])),
    }


@st.composite
def urine_protein(draw: st.DrawFn) -> dict[str, Any]:
    return {
        "date": (START + dt.timedelta(days=draw(st.integers(-5, HORIZON)))).isoformat(),
        "urine_protein_g_24h": draw(st.sampled_from([0.5, 1.99, 2.0, 2.01, 3.5])),
    }


@st.composite
def blood_count(draw: st.DrawFn) -> dict[str, Any]:
    lab: dict[str, Any] = {"date": (START + dt.timedelta(days=draw(st.integers(0, HORIZON)))).isoformat()}
    lab[draw(st.sampled_from(["anc_10e9_l", "platelets_10e9_l"]))] = draw(
        st.sampled_from([0.49, 0.5, 1.5, 24.9, 49.9, 50.0, 80.0])
    )
    return lab


# Restated from the label (US PI Table 1), not read from the rule files: arterial thromboembolic events, GI
# perforation, hepatic failure at any grade; fistula at grade 3-4 (the terms of TERMS that belong there).
LENVATINIB_STOPS = {"Arterial thromboembolism", "Stroke", "Gastric perforation", "Hepatic failure"}
FISTULAS = {"Gastric fistula", "Bronchial fistula"}


def _permanent_stop(ae: dict[str, Any], agent: str, protocol: Protocol) -> bool:
    """The label / guideline stops ``agent`` permanently for this record entry (independent restatement)."""
    term, grade = ae["term"], ae["grade"]
    if term == "Anaphylaxis" or (term == "Infusion related reaction" and grade >= 3) or grade == 5:
        return True
    if agent == "lenvatinib":
        lab_exception = protocol.modification.lenvatinib_lab_grade4 == "manage_as_grade3" and term in {
            "Neutrophil count decreased", "Platelet count decreased", "Alanine aminotransferase increased"}
        not_life_threatening = ae.get("life_threatening") is False
        return (
            term in LENVATINIB_STOPS
            or (term in FISTULAS and grade >= 3)
            or (grade == 4 and not (lab_exception and not_life_threatening))
            or (term == "Reversible posterior leukoencephalopathy syndrome"
                and protocol.modification.lenvatinib_rpls == "discontinue")
        )  # fmt: skip
    if agent == "pd1":
        return (
            term in ("Myocarditis", "Guillain-Barre syndrome")
            or (term in ("Myasthenia gravis", "Blood bilirubin increased") and grade >= 3)
            or (term == "Encephalopathy" and grade >= 3 and ae["immune_related"])
            or (grade == 4 and not (ae["immune_related"] and term == "Hypothyroidism"
                                    and protocol.modification.pd1_policy == "irae_guideline"))
        )  # fmt: skip
    return False


def _check(course: Course, protocol: Protocol, record: dict[str, Any]) -> None:
    agents = {a.id: a for a in protocol.agents}
    names = {t.state.agent: t.protocol_agent for t in course.tracks}
    starts = {t.state.agent: t.start_level for t in course.tracks}
    discontinued: set[str] = set()
    if course.as_of is not None:  # 6. nothing projected past as_of
        assert all(e.date <= course.as_of for e in course.events)
    for event in course.events:
        agent = agents[names[event.agent]]
        # 4. nothing after a discontinuation
        assert event.agent not in discontinued, f"{event.agent} restarted: {event}"
        if event.action == "discontinue":
            discontinued.add(event.agent)
        # 1. never above the start level / protocol maximum
        if event.to_level is not None:
            top = max(lv.intensity() for lv in agent.levels)
            to = agent.level(event.to_level).intensity()
            assert to <= agent.level(starts[event.agent]).intensity() <= top, event
        # 2. PD-1 never reduced
        if agent.id == "pd1":
            assert event.action not in ("reduce", "restore"), event
            assert event.to_level in (None, "200mg") and event.to_mg in (None, 200.0), event
    # 5. leucovorin goes with fluorouracil
    if "fluorouracil" in discontinued:
        assert "leucovorin" in discontinued
    # 7. no dose after a permanent-stop term
    for ae in record["adverse_events"]:
        onset = dt.date.fromisoformat(ae["onset_date"])
        if course.as_of is not None and onset > course.as_of:
            continue
        targets = {PROTOCOL_IDS.get(i, i) for i in ae["attributed_to"]} & set(agents)
        for name, agent_id in names.items():
            if agent_id in targets and _permanent_stop(ae, agent_id, protocol):
                for offset in (0, 1, 30):
                    day = onset + dt.timedelta(days=offset)
                    assert course.state_on(day)[name].status == "discontinued", f"{name} on {day} after {ae}"
    # 8. reduction history survives a restore: at most one step down per ladder step, restores notwithstanding
    for name, agent_id in names.items():
        agent = agents[agent_id]
        ladder = agent.reductions.get(str(getattr(protocol.modification, policy_option(agent_id))), {})
        level, downs, down_days = starts[name], 0, set()
        for e in (e for e in course.events if e.agent == name):
            if e.to_level is None:
                continue
            lower = agent.level(e.to_level).intensity() < agent.level(level).intensity()
            if e.action in ("reduce", "resume") and lower:
                downs += 1
                down_days.add(e.date)
            if e.action == "restore":
                assert e.date not in down_days, f"restore on the day the reduced dose took effect: {e}"
            level = e.to_level
        assert downs <= len(ladder.get(starts[name], ())), f"{name}: {downs} steps down"
    # 9. urine protein >= 2 g/24 h before the first dose withholds lenvatinib on its start day
    pre = sorted((lab for lab in record["labs"] if "urine_protein_g_24h" in lab
                  and dt.date.fromisoformat(lab["date"]) <= SYSTEMIC_START), key=lambda lab: lab["date"])  # fmt: skip
    distinct = len({lab["date"] for lab in pre}) == len(pre)
    replayed = course.as_of is None or course.as_of >= SYSTEMIC_START
    if pre and distinct and replayed and pre[-1]["urine_protein_g_24h"] >= 2.0:
        assert course.state_on(SYSTEMIC_START)["lenvatinib"].status != "active", pre
    # 3. an ongoing grade >= 3 event never leaves its drug dosed
    for ae in record["adverse_events"]:
        if ae["grade"] < 3:
            continue
        onset = dt.date.fromisoformat(ae["onset_date"])
        end = dt.date.fromisoformat(ae["resolved_date"]) if ae["resolved_date"] else onset + dt.timedelta(days=200)
        if course.as_of is not None:  # only what was replayed: up to as_of
            end = min(end, course.as_of + dt.timedelta(days=1))
        targets = {PROTOCOL_IDS.get(i, i) for i in ae["attributed_to"]} & set(agents)
        day = onset
        while day < end:
            states = course.state_on(day)
            for name, state in states.items():
                if names[name] in targets:
                    assert state.status != "active", f"{name} dosed on {day} during {ae}"
            day += dt.timedelta(days=7) if day + dt.timedelta(days=7) < end else end - day


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    events=st.lists(adverse_event(), max_size=8),
    changes=st.lists(dose_change(), max_size=2),
    labs=st.lists(urine_protein(), max_size=3),
    counts=st.lists(blood_count(), max_size=3),
    protocol_index=st.integers(0, len(PROTOCOLS) - 1),
    weight=st.sampled_from([55.0, 59.9, 60.0, 80.0]),
    as_of=st.one_of(st.none(), st.integers(0, HORIZON + 60)),
)
def test_course_invariants(events: list[dict[str, Any]], changes: list[dict[str, Any]], labs: list[dict[str, Any]],
                           counts: list[dict[str, Any]], protocol_index: int, weight: float,
                           as_of: int | None) -> None:  # fmt: skip
    record = {
        "id": "H",
        "weight_kg": weight,
        "height_cm": 170.0,
        "baseline_weight_kg": weight,
        "treatment_start": START.isoformat(),
        "pd1_agent": "camrelizumab",
        "adverse_events": events,
        "dose_changes": changes,
        "labs": labs + counts,
    }
    protocol = PROTOCOLS[protocol_index]
    try:
        day = None if as_of is None else START + dt.timedelta(days=as_of)
        course = replay_course(parse_patient(record, source="hypothesis"), protocol, as_of=day)
    except CourseInputError as exc:
        if "not permitted" in exc.message:
            reject()  # a clinician decision the policy refuses is an input error, tested elsewhere
        raise
    _check(course, protocol, record)
