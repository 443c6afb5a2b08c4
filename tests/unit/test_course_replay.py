"""Course replay: every modification path of every policy, with expected levels from the labels / paper.

Reference ladders (clinical-references.md 1.2, 2.1, 3): lenvatinib label 12 -> 8 -> 4 -> 4 mg qod (from 8:
4 -> 4 qod -> discontinue); paper (default, made safe) 12 -> 8 or 8 -> 4 once; oxaliplatin 85 -> 65 mg/m2 and
5-FU 2400 -> 1920 mg/m2 (-20 %) after recovery; PD-1 never reduced (withhold / discontinue only).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hccprotocol.course import Course, replay_course
from hccprotocol.ctcae import CtcaeError
from hccprotocol.errors import InputError
from hccprotocol.protocol import Protocol, load_protocol

from .dosing_support import START, D, ae, patient, protocol_with

TRIPLE = load_protocol("haic-lenvatinib-pd1")
DOUBLE = load_protocol("haic-lenvatinib")


def run(
    events: list[dict[str, Any]],
    protocol: Protocol = TRIPLE,
    changes: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Course:
    return replay_course(patient(adverse_events=events, dose_changes=changes or None, **fields), protocol)


def trail(course: Course, agent: str) -> list[tuple[str, str, str | None]]:
    """(date, action, to_level) of one drug after its start event."""
    return [(e.date.isoformat(), e.action, e.to_level) for e in course.events if e.agent == agent][1:]


def current(course: Course, agent: str) -> tuple[str, str | None]:
    state = next(c for c in course.current if c.agent == agent)
    return state.status, state.dose_level


@pytest.fixture
def label(tmp_path: Path) -> Protocol:
    return protocol_with(tmp_path, modification__lenvatinib_policy="label")


@pytest.fixture
def paper_pd1(tmp_path: Path) -> Protocol:
    return protocol_with(tmp_path, modification__pd1_policy="paper_discontinue_if_continued")


HTN = "Hypertension"  # CTCAE v5.0, grades 1-5


# --- lenvatinib: paper_made_safe (default) -------------------------------------------------------------------


def test_paper_grade3_interrupts_then_resumes_one_level_lower() -> None:
    c = run([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")])
    assert trail(c, "lenvatinib") == [("2026-09-20", "interrupt", None), ("2026-09-27", "resume", "8mg")]
    resumed = [e for e in c.events if e.agent == "lenvatinib"][-1]
    assert (resumed.to_mg, resumed.rule) == (8.0, "lenvatinib.resume")


def test_paper_8mg_start_reduces_to_4mg() -> None:
    c = run([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")], weight_kg=55.0, baseline_weight_kg=55.0)
    assert trail(c, "lenvatinib")[-1] == ("2026-09-27", "resume", "4mg")


def test_paper_grade3_after_the_reduction_discontinues() -> None:
    c = run([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27"), ae("2026-10-10", "Diarrhea", 3, ["lenvatinib"])])
    assert trail(c, "lenvatinib")[-1] == ("2026-10-10", "discontinue", None)
    assert c.events[-1].rule == "lenvatinib.paper.grade3-after-reduction"


@pytest.mark.parametrize("policy", ["paper_made_safe", "label"])
def test_grade4_discontinues_under_every_policy(tmp_path: Path, policy: str) -> None:
    c = run(
        [ae("2026-09-20", HTN, 4, ["lenvatinib"], "2026-09-30")],
        protocol_with(tmp_path, **{"modification__lenvatinib_policy": policy}),
    )
    assert trail(c, "lenvatinib") == [("2026-09-20", "discontinue", None)]  # and never restarts on resolution


def test_non_life_threatening_lab_grade4_is_managed_as_grade3(tmp_path: Path) -> None:
    # Issue 9 item 4 changed this answer: the exception needs the record's life_threatening: false.
    event = ae("2026-09-20", "Platelet count decreased", 4, ["lenvatinib"], "2026-09-27")
    events = [dict(event, life_threatening=False)]
    c = run(events)
    assert trail(c, "lenvatinib") == [("2026-09-20", "interrupt", None), ("2026-09-27", "resume", "8mg")]
    strict = protocol_with(tmp_path, modification__lenvatinib_lab_grade4="discontinue")
    assert trail(run(events, strict), "lenvatinib") == [("2026-09-20", "discontinue", None)]


@pytest.mark.parametrize(("resolved", "expected"), [("2026-10-20", "resume"), ("2026-10-21", "discontinue")])
def test_persistence_threshold_30_days_both_sides(resolved: str, expected: str) -> None:
    # onset 2026-09-20 + 30 days = 2026-10-20: resolved that day -> resumes; a day later -> discontinued on day 30
    c = run([ae("2026-09-20", HTN, 3, ["lenvatinib"], resolved)])
    last = trail(c, "lenvatinib")[-1]
    assert last[1] == expected
    if expected == "discontinue":
        assert last[0] == "2026-10-20"


def test_restore_only_when_recorded_and_permitted() -> None:
    events = [ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")]
    c = run(events)
    track = next(t for t in c.tracks if t.protocol_agent == "lenvatinib")
    assert (track.restore_permitted, track.restore_to_level, track.state.dose_level) == (True, "12mg", "8mg")
    restored = run(events, changes=[{"date": "2026-10-15", "agent": "lenvatinib", "action": "restore"}])
    assert trail(restored, "lenvatinib")[-1] == ("2026-10-15", "restore", "12mg")
    assert current(restored, "lenvatinib") == ("active", "12mg")


@pytest.mark.parametrize(
    ("events", "when"),
    [
        ([], "2026-10-15"),  # already at the start level: never above it
        ([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-10-12")], "2026-10-01"),  # still interrupted
        ([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27"), ae("2026-10-10", "Fatigue", 2, ["lenvatinib"])],
         "2026-10-15"),  # toxicity not diminished: grade 2 ongoing
    ],
)  # fmt: skip
def test_restore_refused(events: list[dict[str, Any]], when: str) -> None:
    with pytest.raises(InputError, match=r"dose_changes\[0\]: restore of lenvatinib"):
        run(events, changes=[{"date": when, "agent": "lenvatinib", "action": "restore"}])


def test_label_event_requiring_permanent_discontinuation() -> None:
    c = run([ae("2026-09-20", "Hepatic failure", 3, ["lenvatinib"], "2026-10-01")])
    assert trail(c, "lenvatinib") == [("2026-09-20", "discontinue", None)]
    assert c.events[-1].rule == "lenvatinib.permanent-event"


def test_grade2_changes_nothing() -> None:
    c = run([ae("2026-09-20", HTN, 2, ["lenvatinib"])])
    assert trail(c, "lenvatinib") == []


# --- lenvatinib: label ladder -------------------------------------------------------------------------------


def _four_grade3() -> list[dict[str, Any]]:
    return [
        ae("2026-09-10", HTN, 3, ["lenvatinib"], "2026-09-15"),
        ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-25"),
        ae("2026-10-01", HTN, 3, ["lenvatinib"], "2026-10-05"),
        ae("2026-10-10", HTN, 3, ["lenvatinib"], "2026-10-15"),
    ]


def test_label_ladder_from_12mg(label: Protocol) -> None:
    levels = [t for t in trail(run(_four_grade3(), label), "lenvatinib") if t[1] != "interrupt"]
    assert levels == [
        ("2026-09-15", "resume", "8mg"),
        ("2026-09-25", "resume", "4mg"),
        ("2026-10-05", "resume", "4mg-qod"),
        ("2026-10-10", "discontinue", None),  # a 4th reduction is not defined
    ]


def test_label_ladder_from_8mg(label: Protocol) -> None:
    c = run(_four_grade3()[:3], label, weight_kg=55.0, baseline_weight_kg=55.0)
    levels = [t for t in trail(c, "lenvatinib") if t[1] != "interrupt"]
    assert levels == [
        ("2026-09-15", "resume", "4mg"),
        ("2026-09-25", "resume", "4mg-qod"),
        ("2026-10-01", "discontinue", None),
    ]
    qod = next(e for e in c.events if e.to_level == "4mg-qod")
    assert (qod.to_mg, qod.frequency) == (4.0, "every other day")


def test_label_first_haematological_toxicity_is_not_reduced(label: Protocol) -> None:
    events = [
        ae("2026-09-10", "Neutrophil count decreased", 3, ["lenvatinib"], "2026-09-15"),
        ae("2026-09-20", "Neutrophil count decreased", 3, ["lenvatinib"], "2026-09-25"),
    ]
    c = run(events, label)
    assert [t for t in trail(c, "lenvatinib") if t[1] == "resume"] == [
        ("2026-09-15", "resume", "12mg"),  # first occurrence: same dose
        ("2026-09-25", "resume", "8mg"),  # second: one level lower
    ]
    # the paper policy has no such exception: the first one already reduces
    assert [t for t in trail(run(events[:1]), "lenvatinib") if t[1] == "resume"] == [("2026-09-15", "resume", "8mg")]


def test_label_first_proteinuria_is_not_reduced(label: Protocol) -> None:
    c = run([ae("2026-09-10", "Proteinuria", 3, ["lenvatinib"], "2026-09-15")], label)
    assert trail(c, "lenvatinib")[-1] == ("2026-09-15", "resume", "12mg")


def test_label_policy_has_no_restore(label: Protocol) -> None:
    with pytest.raises(InputError, match="not permitted by policy 'label'"):
        run(
            [ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")],
            label,
            changes=[{"date": "2026-10-15", "agent": "lenvatinib", "action": "restore"}],
        )


# --- FOLFOX-HAIC (oxaliplatin label) ------------------------------------------------------------------------


def _folfox(c: Course) -> dict[str, tuple[str, str | None]]:
    return {d: current(c, d) for d in ("oxaliplatin", "leucovorin", "fluorouracil")}


@pytest.mark.parametrize(
    ("term", "grade"),
    [("Diarrhea", 3), ("Vomiting", 4), ("Neutrophil count decreased", 4), ("Febrile neutropenia", 3),
     ("Platelet count decreased", 3), ("Platelet count decreased", 4), ("Fatigue", 3)],
)  # fmt: skip
def test_folfox_reduction_triggers(term: str, grade: int) -> None:
    c = run([ae("2026-09-05", term, grade, ["oxaliplatin"], "2026-09-12")])
    assert trail(c, "oxaliplatin")[0] == ("2026-09-05", "hold", None)
    assert _folfox(c) == {
        "oxaliplatin": ("active", "65mg/m2"),
        "leucovorin": ("active", "400mg/m2"),  # never reduced
        "fluorouracil": ("active", "1920mg/m2"),  # 2400 x 0.8
    }
    fu = [e for e in c.events if e.agent == "fluorouracil"][-1]
    assert fu.to_mg == 3461.0  # 1920 x 1.8025 = 3460.8


def test_grade3_neutropenia_delays_without_reduction() -> None:
    c = run([ae("2026-09-05", "Neutrophil count decreased", 3, ["fluorouracil"], "2026-09-12")])
    assert _folfox(c)["oxaliplatin"] == ("active", "85mg/m2")
    assert trail(c, "oxaliplatin") == [("2026-09-05", "hold", None), ("2026-09-12", "resume", "85mg/m2")]


def test_second_gi_toxicity_at_65_discontinues() -> None:
    c = run([ae("2026-09-05", "Diarrhea", 3, ["oxaliplatin"], "2026-09-12"),
             ae("2026-10-01", "Diarrhea", 3, ["oxaliplatin"], "2026-10-05")])  # fmt: skip
    assert current(c, "oxaliplatin") == ("discontinued", None)


@pytest.mark.parametrize(("resolved", "reduced"), [("2026-09-19", False), ("2026-09-20", True)])
def test_persistent_grade2_neuropathy_reduces_oxaliplatin_only(resolved: str, reduced: bool) -> None:
    # neuropathy_persistent_days = 14: onset 2026-09-05 + 14 = 2026-09-19; still ongoing that day -> persistent
    # (resolved on the threshold day itself is not persistent, as for every persistence threshold)
    c = run([ae("2026-09-05", "Peripheral sensory neuropathy", 2, ["oxaliplatin"], resolved)])
    assert current(c, "oxaliplatin") == ("active", "65mg/m2" if reduced else "85mg/m2")
    assert current(c, "fluorouracil") == ("active", "2400mg/m2")  # label: infusional 5-FU/LV need not be altered
    if reduced:
        assert trail(c, "oxaliplatin") == [("2026-09-19", "reduce", "65mg/m2")]


def test_grade3_neuropathy_holds_oxaliplatin_and_grade4_stops_it() -> None:
    c3 = run([ae("2026-09-05", "Peripheral sensory neuropathy", 3, ["oxaliplatin"], "2026-09-20")])
    assert trail(c3, "oxaliplatin") == [("2026-09-05", "hold", None), ("2026-09-20", "resume", "65mg/m2")]
    assert trail(c3, "leucovorin") == []
    c4 = run([ae("2026-09-05", "Peripheral sensory neuropathy", 4, ["oxaliplatin"])])
    assert current(c4, "oxaliplatin") == ("discontinued", None)
    assert current(c4, "fluorouracil") == ("active", "2400mg/m2")


def test_anaphylaxis_stops_oxaliplatin_permanently() -> None:
    c = run([ae("2026-09-01", "Anaphylaxis", 3, ["oxaliplatin"], "2026-09-02")])
    assert current(c, "oxaliplatin") == ("discontinued", None)
    assert trail(c, "leucovorin") == [("2026-09-01", "hold", None), ("2026-09-02", "resume", "400mg/m2")]


def test_haic_procedure_complication_holds_haic_only() -> None:
    c = run([ae("2026-09-03", "Hepatic infection", 3, ["haic_procedure"], "2026-09-15")])
    assert trail(c, "oxaliplatin") == [("2026-09-03", "hold", None), ("2026-09-15", "resume", "85mg/m2")]
    assert trail(c, "lenvatinib") == []


def test_folfox_hold_beyond_30_days_discontinues() -> None:
    c = run([ae("2026-09-05", "Diarrhea", 3, ["oxaliplatin"])])
    assert trail(c, "oxaliplatin")[-1] == ("2026-10-05", "discontinue", None)


def test_precycle_labs_delay_and_release_the_haic() -> None:
    labs = [
        {"date": "2026-09-20", "anc_10e9_l": 1.49, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0,
         "albumin_g_l": 40.0},
        {"date": "2026-09-27", "anc_10e9_l": 1.5, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0,
         "albumin_g_l": 40.0},
    ]  # fmt: skip
    c = run([], labs=labs)
    assert trail(c, "oxaliplatin") == [("2026-09-20", "delay", None), ("2026-09-27", "resume", "85mg/m2")]
    assert c.events[5].rule == "precycle.anc_10e9_l.min"
    assert trail(c, "lenvatinib") == []


# --- PD-1 ---------------------------------------------------------------------------------------------------


def test_pd1_immune_related_grade2_holds_and_resumes_at_200mg() -> None:
    c = run([ae("2026-09-10", "Colitis", 2, ["camrelizumab"], "2026-09-20", irae=True)])
    assert trail(c, "camrelizumab") == [("2026-09-10", "hold", None), ("2026-09-20", "resume", "200mg")]


def test_pd1_grade4_discontinues_except_endocrinopathy_on_replacement(paper_pd1: Protocol) -> None:
    assert current(run([ae("2026-09-10", "Colitis", 4, ["pd1"], irae=True)]), "camrelizumab") == ("discontinued", None)
    endo = [ae("2026-09-10", "Hypothyroidism", 4, ["camrelizumab"], "2026-10-01", irae=True)]
    assert trail(run(endo), "camrelizumab") == [("2026-09-10", "hold", None), ("2026-10-01", "resume", "200mg")]
    assert current(run(endo, paper_pd1), "camrelizumab") == ("discontinued", None)  # the paper has no exception


def test_pd1_recurrent_grade3_policy_both_sides(paper_pd1: Protocol) -> None:
    events = [
        ae("2026-09-10", "Pneumonitis", 3, ["camrelizumab"], "2026-09-20", irae=True),
        ae("2026-10-10", "Pneumonitis", 3, ["camrelizumab"], "2026-10-20", irae=True),
    ]
    assert current(run(events), "camrelizumab") == ("active", "200mg")  # guideline: hold again, resume
    assert current(run(events, paper_pd1), "camrelizumab") == ("discontinued", None)


def test_pd1_not_resolved_within_12_weeks_discontinues() -> None:
    c = run([ae("2026-09-10", "Colitis", 3, ["camrelizumab"], irae=True)])
    assert trail(c, "camrelizumab")[-1] == ("2026-12-03", "discontinue", None)  # 2026-09-10 + 84 days


def test_pd1_is_never_reduced_and_restore_is_refused() -> None:
    with pytest.raises(InputError, match="never dose-reduced"):
        run([], changes=[{"date": "2026-09-10", "agent": "camrelizumab", "action": "restore"}])


# --- every drug -----------------------------------------------------------------------------------------------


def test_grade5_discontinues_everything() -> None:
    c = run([ae("2026-09-10", "Sepsis", 5, ["haic_procedure"])])
    assert {s.status for s in c.current} == {"discontinued"}


def test_discontinued_drug_never_restarts() -> None:
    events = [
        ae("2026-09-10", HTN, 4, ["lenvatinib"], "2026-09-20"),
        ae("2026-10-01", HTN, 3, ["lenvatinib"], "2026-10-05"),
    ]
    c = run(events)
    assert trail(c, "lenvatinib") == [("2026-09-10", "discontinue", None)]
    with pytest.raises(InputError, match="not permitted"):
        run(events, changes=[{"date": "2026-10-10", "agent": "lenvatinib", "action": "resume"}])


def test_clinician_hold_and_resume() -> None:
    changes = [
        {"date": "2026-09-10", "agent": "lenvatinib", "action": "hold", "reason": "intolerable grade 2 fatigue"},
        {"date": "2026-09-17", "agent": "lenvatinib", "action": "resume"},
    ]
    c = run([], changes=changes)
    assert trail(c, "lenvatinib") == [("2026-09-10", "hold", None), ("2026-09-17", "resume", "12mg")]
    assert "intolerable grade 2 fatigue" in c.events[5].reason


def test_state_on_and_as_of() -> None:
    events = [ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")]
    c = run(events)
    assert c.state_on(D("2026-09-19"))["lenvatinib"].dose_mg == 12.0
    assert c.state_on(D("2026-09-22"))["lenvatinib"].status == "interrupted"
    assert c.state_on(D("2026-09-27"))["lenvatinib"].dose_mg == 8.0
    early = replay_course(patient(adverse_events=events), TRIPLE, as_of=D("2026-09-22"))
    assert current(early, "lenvatinib") == ("interrupted", "12mg")


def test_course_json_keys_are_the_contract() -> None:
    data = run([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")]).to_json_dict()
    assert set(data) == {"events", "current"}
    assert set(data["events"][0]) == {
        "date", "agent", "action", "from_mg", "to_mg", "from_level", "to_level", "frequency",
        "reason", "rule", "source",
    }  # fmt: skip
    assert set(data["current"][0]) == {"agent", "status", "dose_mg", "dose_level", "frequency"}


# --- bad input ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"adverse_events": [ae("2026-08-31", HTN, 3, ["lenvatinib"])]},
         r"adverse_events\[0\].onset_date: 2026-08-31 is before"),
        ({"adverse_events": [ae("2026-09-10", HTN, 3, ["sorafenib"])]},
         r"attributed_to\[0\]: 'sorafenib' is not given"),
        ({"adverse_events": [ae("2026-09-10", HTN, 3, ["sintilimab"])]}, "pd1_agent is 'camrelizumab'"),
        ({"dose_changes": [{"date": "2026-08-01", "agent": "lenvatinib", "action": "hold"}]},
         "before the course start"),
        ({"treatment_start": None}, "needs a start date"),
    ],
)  # fmt: skip
def test_bad_records(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message) as err:
        replay_course(patient(**fields), TRIPLE)
    assert err.value.exit_code == 2


def test_pd1_attribution_on_double_arm_and_pd1_agent_on_double_arm() -> None:
    with pytest.raises(InputError, match="'pd1' is not given by protocol 'haic-lenvatinib'"):
        replay_course(patient(pd1_agent=None, adverse_events=[ae("2026-09-10", HTN, 3, ["pd1"])]), DOUBLE)
    with pytest.raises(InputError, match="gives no PD-1 inhibitor"):
        replay_course(patient(), DOUBLE)


def test_unknown_term_and_missing_grade_are_errors() -> None:
    with pytest.raises(CtcaeError, match="Hepatic infection"):
        replay_course(patient(adverse_events=[ae("2026-09-10", "Liver abscess", 3, ["haic_procedure"])]), TRIPLE)
    with pytest.raises(CtcaeError, match="no grade 4"):
        replay_course(patient(adverse_events=[ae("2026-09-10", "Fatigue", 4, ["lenvatinib"])]), TRIPLE)


def test_explicit_start_overrides_record() -> None:
    c = replay_course(patient(), TRIPLE, start=D("2026-09-08"))
    assert c.start == D("2026-09-08") != START
