"""Issue 9 (dosing safety), items 3-8, 10, 11: both sides of each rule, expected values from the labels.

Sources (clinical-references.md): lenvatinib US PI Table 1 / SmPC (1.2-1.3); CTCAE v5.0 thresholds (4.0); ASCO
2021 irAE tables and the nivolumab hepatitis rule (3.3). Dates are worked by hand next to each value.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hccprotocol import ctcae
from hccprotocol.course import Course, replay_course
from hccprotocol.course.lab_grading import lab_grading
from hccprotocol.course.record import CourseInputError
from hccprotocol.course.tables import categories
from hccprotocol.errors import PatientValidationError
from hccprotocol.protocol import Protocol, load_protocol

from .dosing_support import D, ae, patient, protocol_with

TRIPLE = load_protocol("haic-lenvatinib-pd1")
HTN = "Hypertension"


def run(
    events: list[dict[str, Any]] | None = None,
    protocol: Protocol = TRIPLE,
    changes: list[dict[str, Any]] | None = None,
    labs: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Course:
    record = patient(adverse_events=events or None, dose_changes=changes or None, labs=labs or None, **fields)
    return replay_course(record, protocol)


def current(course: Course, agent: str) -> tuple[str, str | None]:
    state = next(c for c in course.current if c.agent == agent)
    return state.status, state.dose_level


def trail(course: Course, agent: str) -> list[tuple[str, str, str | None]]:
    return [(e.date.isoformat(), e.action, e.to_level) for e in course.events if e.agent == agent][1:]


def lowest_grade(term: str) -> int:
    return min(g for g in ctcae.terms()[term].grades if g < 5)


# --- item 3: every member of the permanent-discontinuation classes, at the label's grades -------------------------


@pytest.mark.parametrize("term", sorted(categories().members("lenvatinib_permanent")))
def test_every_permanent_stop_term_discontinues_lenvatinib_at_its_lowest_grade(term: str) -> None:
    c = run([ae("2026-09-20", term, lowest_grade(term), ["lenvatinib"])])
    assert trail(c, "lenvatinib") == [("2026-09-20", "discontinue", None)]
    assert c.events[-1].rule in ("lenvatinib.permanent-event", "lenvatinib.death")


@pytest.mark.parametrize("term", sorted(categories().members("lenvatinib_fistula")))
def test_every_fistula_discontinues_at_grade_3_not_at_grade_2(term: str) -> None:
    stop = run([ae("2026-09-20", term, 3, ["lenvatinib"])])
    assert (trail(stop, "lenvatinib"), stop.events[-1].rule) == ([("2026-09-20", "discontinue", None)],
                                                                 "lenvatinib.fistula-grade3")  # fmt: skip
    assert current(run([ae("2026-09-20", term, 2, ["lenvatinib"], "2026-09-25")]), "lenvatinib") == ("active", "12mg")


def test_a_venous_thromboembolism_is_not_a_permanent_stop() -> None:
    c = run([ae("2026-09-20", "Thromboembolic event", 2, ["lenvatinib"], "2026-09-25")])
    assert current(c, "lenvatinib") == ("active", "12mg")


def test_a_permanent_stop_term_not_attributed_to_lenvatinib_does_not_stop_it() -> None:
    c = run([ae("2026-09-20", "Arterial thromboembolism", 3, ["oxaliplatin"], "2026-09-25")])
    assert current(c, "lenvatinib") == ("active", "12mg")


@pytest.mark.parametrize(("option", "expected"), [("discontinue", ("discontinued", None)),
                                                  ("withhold_then_reduce", ("active", "8mg"))])  # fmt: skip
def test_rpls_option_both_sides(tmp_path: Path, option: str, expected: tuple[str, str | None]) -> None:
    site = protocol_with(tmp_path, modification__lenvatinib_rpls=option)
    rpls = "Reversible posterior leukoencephalopathy syndrome"
    c = run([ae("2026-09-20", rpls, 2, ["lenvatinib"], "2026-10-01")], site)
    assert current(c, "lenvatinib") == expected


def test_default_rpls_option_discontinues() -> None:
    assert TRIPLE.modification.lenvatinib_rpls == "discontinue"


# --- item 4: the grade 4 laboratory exception -------------------------------------------------------------------


def _g4(term: str, life_threatening: bool | None) -> list[dict[str, Any]]:
    event = ae("2026-09-20", term, 4, ["lenvatinib"], "2026-09-27")
    if life_threatening is not None:
        event["life_threatening"] = life_threatening
    return [event]


@pytest.mark.parametrize(
    ("term", "life_threatening", "expected"),
    [("Platelet count decreased", False, ("active", "8mg")),  # managed as grade 3: interrupt, then 12 -> 8 mg
     ("Platelet count decreased", None, ("discontinued", None)),  # not stated -> the grade 4 rule applies
     ("Platelet count decreased", True, ("discontinued", None)),
     ("Alanine aminotransferase increased", False, ("active", "8mg")),
     ("Electrocardiogram QT corrected interval prolonged", False, ("discontinued", None)),
     ("Ejection fraction decreased", False, ("discontinued", None)),
     ("Blood bilirubin increased", False, ("discontinued", None)),
     ("Hypokalemia", False, ("discontinued", None))],
)  # fmt: skip
def test_grade4_laboratory_exception(term: str, life_threatening: bool | None, expected: tuple[str, Any]) -> None:
    assert current(run(_g4(term, life_threatening)), "lenvatinib") == expected


def test_life_threatening_on_a_grade_3_event_is_refused() -> None:
    event = dict(ae("2026-09-20", HTN, 3, ["lenvatinib"]), life_threatening=True)
    with pytest.raises(PatientValidationError) as err:
        run([event])
    assert "life_threatening is true but grade is 3" in err.value.render()


# --- item 5: hypersensitivity and infusion reactions -------------------------------------------------------------


@pytest.mark.parametrize(("term", "grade"), [("Anaphylaxis", 3), ("Infusion related reaction", 3),
                                             ("Infusion related reaction", 4)])  # fmt: skip
def test_anaphylaxis_or_grade3_infusion_reaction_stops_pd1_and_attributed_lenvatinib(term: str, grade: int) -> None:
    c = run([ae("2026-09-25", term, grade, ["camrelizumab", "lenvatinib"], "2026-09-26")])
    assert current(c, "camrelizumab") == ("discontinued", None)
    assert current(c, "lenvatinib") == ("discontinued", None)
    only_pd1 = run([ae("2026-09-25", term, grade, ["camrelizumab"], "2026-09-26")])
    assert current(only_pd1, "lenvatinib") == ("active", "12mg")  # not attributed: not stopped


def test_grade2_infusion_reaction_interrupts_that_infusion_with_premedication_next_time() -> None:
    c = run([ae("2026-09-25", "Infusion related reaction", 2, ["camrelizumab"], "2026-09-25")])
    assert trail(c, "camrelizumab") == [("2026-09-25", "interrupt", None), ("2026-09-25", "resume", "200mg")]
    assert current(c, "camrelizumab") == ("active", "200mg")
    assert any("premedicate" in w and "adverse_events[0]" in w for w in c.warnings)
    # ongoing (no resolved_date): the drug is still not held beyond that day
    assert current(run([ae("2026-09-25", "Infusion related reaction", 2, ["camrelizumab"])]), "camrelizumab")[0] == (
        "active"
    )


def test_grade2_infusion_reaction_hold_option(tmp_path: Path) -> None:
    site = protocol_with(tmp_path, modification__pd1_infusion_reaction="hold_until_resolved")
    c = run([ae("2026-09-25", "Infusion related reaction", 2, ["camrelizumab"], "2026-10-02")], site)
    assert trail(c, "camrelizumab") == [("2026-09-25", "hold", None), ("2026-10-02", "resume", "200mg")]


def test_grade1_infusion_reaction_changes_nothing() -> None:
    c = run([ae("2026-09-25", "Infusion related reaction", 1, ["camrelizumab"], "2026-09-25")])
    assert trail(c, "camrelizumab") == []


def test_pd1_options_are_required_on_the_pd1_arm(tmp_path: Path) -> None:
    site = protocol_with(tmp_path, modification__pd1_infusion_reaction=None)
    with pytest.raises(Exception, match=r"modification\.pd1_infusion_reaction is required"):
        run(protocol=site)


# --- item 6: haematological toxicity seen only in labs -----------------------------------------------------------


def test_lab_thresholds_match_the_ctcae_text() -> None:
    for graded in lab_grading().fields.values():
        texts = ctcae.terms()[graded.term].grades
        for grade, limit in graded.below.items():
            assert f"<{limit:.1f} x 10e9 /L" in texts[grade] or f"<{limit:.1f} - " in texts[grade], (grade, limit)


@pytest.mark.parametrize(("value", "grade"), [(0.49, 4), (0.5, 3), (0.99, 3), (1.0, 2), (1.49, 2), (1.5, 1)])
def test_anc_grades_both_sides(value: float, grade: int) -> None:
    assert lab_grading().fields["anc_10e9_l"].grade(value) == grade


@pytest.mark.parametrize(("value", "grade"), [(24.9, 4), (25.0, 3), (49.9, 3), (50.0, 2), (74.9, 2), (75.0, 1)])
def test_platelet_grades_both_sides(value: float, grade: int) -> None:
    assert lab_grading().fields["platelets_10e9_l"].grade(value) == grade


def _anc(value: float) -> list[dict[str, Any]]:
    return [{"date": "2026-09-10", "anc_10e9_l": value}, {"date": "2026-09-20", "anc_10e9_l": 2.0}]


@pytest.mark.parametrize(("value", "oxaliplatin", "fluorouracil"), [(0.49, "65mg/m2", "1920mg/m2"),
                                                                     (0.5, "85mg/m2", "2400mg/m2")])  # fmt: skip
def test_grade4_neutropenia_in_labs_reduces_folfox_after_recovery(
    value: float, oxaliplatin: str, fluorouracil: str
) -> None:
    c = run(labs=_anc(value))
    levels = {e.agent: e.to_level for e in c.events if e.action == "resume"}
    assert levels.get("oxaliplatin", "85mg/m2") == oxaliplatin
    assert levels.get("fluorouracil", "2400mg/m2") == fluorouracil
    if value < 0.5:
        hold = next(e for e in c.events if e.agent == "oxaliplatin" and e.action == "hold")
        assert (hold.date, hold.rule) == (D("2026-09-10"), "folfox.myelosuppression")
        assert "labs[0].anc_10e9_l 0.49" in hold.reason


def _plt(*values: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"date": d, "platelets_10e9_l": v} for d, v in values]


@pytest.mark.parametrize(("value", "reduced"), [(49.9, True), (50.0, False)])
def test_grade3_thrombocytopenia_in_labs_reduces_folfox(value: float, reduced: bool) -> None:
    c = run(labs=_plt(("2026-09-10", value), ("2026-09-20", 80.0)))
    resumed = [e.to_level for e in c.events if e.agent == "oxaliplatin" and e.action == "resume"]
    assert resumed == (["65mg/m2"] if reduced else [])


@pytest.mark.parametrize(("second", "status"), [(49.9, "interrupted"), (50.0, "active")])
def test_lenvatinib_restarts_when_platelets_are_back_to_grade_2(tmp_path: Path, second: float, status: str) -> None:
    label = protocol_with(tmp_path, modification__lenvatinib_policy="label")
    record = patient(labs=_plt(("2026-09-10", 40.0), ("2026-09-17", second)))
    c = replay_course(record, label, as_of=D("2026-09-18"))  # as_of: no 30-day persistence projected
    # SmPC: "No dose adjustment required for first occurrence of hematological toxicity": 12 mg again
    assert current(c, "lenvatinib") == (status, "12mg")


def test_grade4_platelets_in_labs_discontinue_lenvatinib() -> None:
    c = run(labs=_plt(("2026-09-10", 40.0), ("2026-09-12", 24.9), ("2026-09-20", 80.0)))
    assert current(c, "lenvatinib") == ("discontinued", None)  # a lab value states no "non-life-threatening"


def test_a_recorded_event_takes_precedence_over_the_same_lab_episode() -> None:
    events = [ae("2026-09-10", "Platelet count decreased", 3, ["oxaliplatin"], "2026-09-20")]
    c = run(events, labs=_plt(("2026-09-10", 40.0), ("2026-09-20", 80.0)))
    holds = [e for e in c.events if e.agent == "oxaliplatin" and e.action == "hold"]
    assert len(holds) == 1 and "adverse_events[0]" in holds[0].reason
    assert any("covered by adverse_events[0]" in w for w in c.warnings)


# --- item 7: resolved on the day it began ------------------------------------------------------------------------


def test_event_resolved_the_day_it_began_is_processed() -> None:
    c = run([ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-20")])
    assert trail(c, "lenvatinib") == [("2026-09-20", "interrupt", None), ("2026-09-20", "resume", "8mg")]
    assert c.state_on(D("2026-09-20"))["lenvatinib"].status == "active"
    assert c.state_on(D("2026-09-20"))["lenvatinib"].dose_level == "8mg"


# --- item 8: reduction history survives a restore ----------------------------------------------------------------


def _restored(day: str) -> list[dict[str, Any]]:
    return [{"date": day, "agent": "lenvatinib", "action": "restore"}]


def test_paper_recurrence_after_a_restore_is_the_next_occurrence() -> None:
    events = [ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27"), ae("2026-10-20", HTN, 3, ["lenvatinib"])]
    c = run(events, changes=_restored("2026-10-10"))
    assert trail(c, "lenvatinib")[-2:] == [("2026-10-10", "restore", "12mg"), ("2026-10-20", "discontinue", None)]
    assert c.events[-1].rule == "lenvatinib.paper.grade3-after-reduction"


def test_label_recurrence_after_a_restore_goes_to_the_second_occurrence_level(tmp_path: Path) -> None:
    label = protocol_with(tmp_path, modification__lenvatinib_policy="label")
    # label ladder 12 -> 8 -> 4: the label gives no restore, so the restore is simulated by two events instead
    events = [
        ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27"),
        ae("2026-10-20", HTN, 3, ["lenvatinib"], "2026-10-25"),
    ]
    assert [lv for _, a, lv in trail(run(events, label), "lenvatinib") if a == "resume"] == ["8mg", "4mg"]


def test_restore_refused_on_the_day_the_reduced_dose_resumes() -> None:
    events = [ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")]
    with pytest.raises(CourseInputError, match="not permitted"):
        run(events, changes=_restored("2026-09-27"))
    assert current(run(events, changes=_restored("2026-09-28")), "lenvatinib") == ("active", "12mg")


def test_restore_permitted_is_false_on_the_reduction_day_with_as_of() -> None:
    record = patient(adverse_events=[ae("2026-09-20", HTN, 3, ["lenvatinib"], "2026-09-27")])
    same = replay_course(record, TRIPLE, as_of=D("2026-09-27"))
    later = replay_course(record, TRIPLE, as_of=D("2026-09-28"))
    flag = {c: next(t for t in x.tracks if t.protocol_agent == "lenvatinib").restore_permitted
            for c, x in (("same", same), ("later", later))}  # fmt: skip
    assert flag == {"same": False, "later": True}


# --- item 10: proteinuria before the first dose, and a grade 2 proteinuria event --------------------------------


@pytest.mark.parametrize(("value", "status"), [(2.0, "held"), (1.99, "active")])
def test_urine_protein_before_the_first_dose(value: float, status: str) -> None:
    c = run(labs=[{"date": "2026-08-28", "urine_protein_g_24h": value}])  # before the course start
    assert current(c, "lenvatinib") == (status, "12mg")


def test_withheld_before_the_first_dose_starts_at_its_start_level_once_below_2_g() -> None:
    c = run(
        labs=[{"date": "2026-09-02", "urine_protein_g_24h": 2.5}, {"date": "2026-09-10", "urine_protein_g_24h": 1.5}]
    )
    assert trail(c, "lenvatinib") == [("2026-09-04", "hold", None), ("2026-09-10", "resume", "12mg")]


def test_a_later_pre_start_result_below_2_g_releases_the_hold() -> None:
    labs = [{"date": "2026-09-01", "urine_protein_g_24h": 2.5}, {"date": "2026-09-03", "urine_protein_g_24h": 1.0}]
    assert current(run(labs=labs), "lenvatinib") == ("active", "12mg")


@pytest.mark.parametrize(
    ("policy", "option", "expected"),
    [("paper_made_safe", "grade2_withholds", [("2026-09-20", "interrupt", None), ("2026-09-27", "resume", "8mg")]),
     ("label", "grade2_withholds", [("2026-09-20", "interrupt", None), ("2026-09-27", "resume", "12mg")]),
     ("paper_made_safe", "labs_decide", [])],
)  # fmt: skip
def test_grade2_proteinuria_event(tmp_path: Path, policy: str, option: str, expected: list[Any]) -> None:
    site = protocol_with(tmp_path, modification__lenvatinib_policy=policy,
                         modification__lenvatinib_proteinuria_event=option)  # fmt: skip
    assert (
        trail(run([ae("2026-09-20", "Proteinuria", 2, ["lenvatinib"], "2026-09-27")], site), "lenvatinib") == expected
    )


# --- item 11: PD-1 organ-specific immune-related events ----------------------------------------------------------


@pytest.mark.parametrize(
    ("term", "grade", "irae", "status", "rule"),
    [("Myocarditis", 2, True, "discontinued", "pd1.irae.myocarditis"),
     ("Guillain-Barre syndrome", 1, True, "discontinued", "pd1.irae.guillain-barre"),
     ("Myasthenia gravis", 3, True, "discontinued", "pd1.irae.myasthenia.grade3-4"),
     ("Myasthenia gravis", 2, True, "held", "pd1.irae.myasthenia.grade1-2"),
     ("Encephalopathy", 3, True, "discontinued", "pd1.irae.encephalitis.grade3-4"),
     ("Encephalopathy", 2, True, "held", "pd1.irae.encephalitis.grade1-2"),
     ("Blood bilirubin increased", 3, True, "discontinued", "pd1.irae.hepatitis.bilirubin"),
     ("Hepatic failure", 3, True, "discontinued", "pd1.irae.hepatic-failure"),
     ("Alanine aminotransferase increased", 3, True, "discontinued", "pd1.irae.hepatitis.transaminases-grade3")],
)  # fmt: skip
def test_organ_specific_irae_rows(term: str, grade: int, irae: bool, status: str, rule: str) -> None:
    c = run([ae("2026-09-25", term, grade, ["camrelizumab"], "2026-10-05", irae)])
    assert current(c, "camrelizumab")[0] == status
    first = next(e for e in c.events if e.agent == "camrelizumab" and e.action != "start")
    assert (first.date, first.rule) == (D("2026-09-25"), rule)
    assert "ASCO" in first.source or "label" in first.source


def test_bilirubin_up_to_3_x_uln_holds_and_resumes() -> None:
    c = run([ae("2026-09-25", "Blood bilirubin increased", 2, ["camrelizumab"], "2026-10-05", True)])
    assert trail(c, "camrelizumab") == [("2026-09-25", "hold", None), ("2026-10-05", "resume", "200mg")]


def test_myasthenia_grade2_resumes_only_by_a_clinician_after_it_resolved() -> None:
    events = [ae("2026-09-25", "Myasthenia gravis", 2, ["camrelizumab"], "2026-10-05", True)]
    held = run(events)
    assert current(held, "camrelizumab") == ("held", "200mg")
    assert any("clinician's decision" in w for w in held.warnings)
    resumed = run(events, changes=[{"date": "2026-10-06", "agent": "camrelizumab", "action": "resume"}])
    assert current(resumed, "camrelizumab") == ("active", "200mg")
    with pytest.raises(CourseInputError, match="not permitted"):  # before it resolved
        run(events, changes=[{"date": "2026-10-01", "agent": "camrelizumab", "action": "resume"}])


def test_hepatic_encephalopathy_not_immune_related_is_not_the_encephalitis_row() -> None:
    c = run([ae("2026-09-25", "Encephalopathy", 2, ["camrelizumab"], "2026-10-05")])
    assert current(c, "camrelizumab") == ("active", "200mg")


def test_transaminase_option_hold(tmp_path: Path) -> None:
    site = protocol_with(tmp_path, modification__pd1_hepatitis_transaminases="hold")
    c = run([ae("2026-09-25", "Alanine aminotransferase increased", 3, ["camrelizumab"], "2026-10-05", True)], site)
    assert current(c, "camrelizumab") == ("active", "200mg")


def test_every_pd1_row_names_its_source() -> None:
    from hccprotocol.course.tables import table_for

    for tr in table_for("pd1").transitions:
        assert tr.source.strip(), tr.id
        if tr.id.startswith("pd1.irae."):
            assert "ASCO" in tr.source or "label" in tr.source.lower(), tr.id


def test_a_never_dosed_day_after_discontinuation() -> None:
    c = run([ae("2026-09-25", "Myocarditis", 2, ["camrelizumab"], "2026-10-05", True)])
    for offset in (0, 10, 60):
        assert c.state_on(D("2026-09-25") + dt.timedelta(days=offset))["camrelizumab"].status == "discontinued"


def test_dose_shows_lenvatinib_held_after_the_course_start_and_baseline_statuses_before_it() -> None:
    from hccprotocol.course.replay import baseline_statuses
    from hccprotocol.dosing import next_cycle_doses

    record = patient(labs=[{"date": "2026-08-28", "urine_protein_g_24h": 2.5}])
    plan = next_cycle_doses(record, TRIPLE, D("2026-09-01"))  # course start; lenvatinib starts on 2026-09-04
    assert next(a for a in plan.agents if a.agent == "lenvatinib").status == "held"
    assert any("withheld from its start on 2026-09-04" in w for w in plan.warnings)
    assert baseline_statuses(record, TRIPLE, D("2026-08-30")) == {"lenvatinib": "held"}
    assert baseline_statuses(patient(labs=[{"date": "2026-08-28", "urine_protein_g_24h": 1.9}]), TRIPLE,
                             D("2026-08-30")) == {}  # fmt: skip


def test_every_fact_key_the_replay_sets_is_in_the_declared_vocabulary() -> None:
    from hccprotocol.course.replay import _Replay
    from hccprotocol.course.tables import FACT_KEYS

    record = patient(adverse_events=[ae("2026-09-20", "Platelet count decreased", 4, ["lenvatinib"], "2026-09-27")])
    run = _Replay(record, TRIPLE, D("2026-09-01"), None)
    for track in run.tracks.values():
        fact = run._ae_fact(track, "ae_onset", 0, D("2026-09-20"))
        fact.update(run._protein_fact(track, D("2026-09-20"), 2.0))
        stray = {k for k in fact if k not in FACT_KEYS and not k.startswith(("in_", "first_"))}
        assert not stray, stray


@pytest.mark.parametrize(("protein_g_24h", "expected"), [(2.0, "held"), (1.9, "active")])
def test_dose_before_the_treatment_start_holds_lenvatinib_at_2_g(protein_g_24h: float, expected: str) -> None:
    """US PI Table 1: proteinuria ">= 2 g/24 h: withhold"; 2.0 withholds, 1.9 does not (both sides)."""
    from hccprotocol.dosing import next_cycle_doses

    record = patient(labs=[{"date": "2026-08-28", "urine_protein_g_24h": protein_g_24h}])
    plan = next_cycle_doses(record, TRIPLE, D("2026-08-30"))  # two days before the first HAIC (2026-09-01)
    assert next(a for a in plan.agents if a.agent == "lenvatinib").status == expected
