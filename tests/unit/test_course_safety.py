"""Course safety rules added after review: hypersensitivity at any grade, leucovorin with 5-FU, no projection past
``as_of``, the rule that decides a ladder-exhausted discontinuation, the pre-cycle result window, systemic start
on cycle day 4, and urine protein from labs.

Expected values come from the labels and the protocol options (clinical-references.md 1.2-1.3, 1.5, 2.1), and
from date arithmetic worked by hand (noted next to each value), never from the engine's output.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hccprotocol.course import Course, replay_course
from hccprotocol.errors import InputError
from hccprotocol.protocol import Protocol, load_protocol

from .dosing_support import D, ae, patient, protocol_with

TRIPLE = load_protocol("haic-lenvatinib-pd1")
HTN = "Hypertension"
OXA = "Oxaliplatin US PI boxed warning"


def run(
    events: list[dict[str, Any]] | None = None,
    protocol: Protocol = TRIPLE,
    changes: list[dict[str, Any]] | None = None,
    as_of: str | None = None,
    **fields: Any,
) -> Course:
    record = patient(adverse_events=events or None, dose_changes=changes or None, **fields)
    return replay_course(record, protocol, as_of=D(as_of) if as_of else None)


def drug_events(course: Course, agent: str) -> list[Any]:
    return [e for e in course.events if e.agent == agent]


def current(course: Course, agent: str) -> tuple[str, str | None]:
    state = next(c for c in course.current if c.agent == agent)
    return state.status, state.dose_level


# --- 2. hypersensitivity: any grade stops the FOLFOX drug (boxed warning) --------------------------------------


@pytest.mark.parametrize(
    ("term", "grade"),
    [("Allergic reaction", 1), ("Allergic reaction", 2), ("Infusion related reaction", 2),
     ("Infusion related reaction", 3), ("Anaphylaxis", 3)],
)  # fmt: skip
def test_hypersensitivity_of_any_grade_stops_oxaliplatin(term: str, grade: int) -> None:
    c = run([ae("2026-09-01", term, grade, ["oxaliplatin"], "2026-09-02")])
    stop = drug_events(c, "oxaliplatin")[-1]
    assert (stop.date, stop.action, stop.rule) == (D("2026-09-01"), "discontinue", "folfox.hypersensitivity")
    assert OXA in stop.source
    assert current(c, "oxaliplatin") == ("discontinued", None)  # never re-challenged at 65 mg/m2


def test_a_grade_2_event_that_is_not_hypersensitivity_does_not_stop_oxaliplatin() -> None:
    c = run([ae("2026-09-01", "Fatigue", 2, ["oxaliplatin"], "2026-09-02")])
    assert current(c, "oxaliplatin") == ("active", "85mg/m2")


@pytest.mark.parametrize(
    ("term", "grade", "expected", "rule"),
    [("Allergic reaction", 2, ("active", "85mg/m2"), "folfox.hypersensitivity.rechallenge-hold"),
     ("Infusion related reaction", 2, ("active", "85mg/m2"), "folfox.hypersensitivity.rechallenge-hold"),
     ("Infusion related reaction", 3, ("discontinued", None), "folfox.hypersensitivity"),
     ("Anaphylaxis", 3, ("discontinued", None), "folfox.hypersensitivity")],
)  # fmt: skip
def test_site_rechallenge_option_holds_grade_1_2_only(
    tmp_path: Path, term: str, grade: int, expected: tuple[str, str | None], rule: str
) -> None:
    site = protocol_with(tmp_path, modification__folfox_hypersensitivity="grade3_or_anaphylaxis")
    c = run([ae("2026-09-01", term, grade, ["oxaliplatin"], "2026-09-03")], site)
    assert current(c, "oxaliplatin") == expected
    assert drug_events(c, "oxaliplatin")[1].rule == rule
    if expected[0] == "active":  # held until it resolved, then the same dose (no reduction)
        assert [(e.date, e.action, e.to_level) for e in drug_events(c, "oxaliplatin")[1:]] == [
            (D("2026-09-01"), "hold", None),
            (D("2026-09-03"), "resume", "85mg/m2"),
        ]


def test_default_hypersensitivity_option_is_the_safe_reading() -> None:
    assert TRIPLE.modification.folfox_hypersensitivity == "any_grade"


# --- 3. leucovorin only modulates 5-FU: discontinued with it ------------------------------------------------------


def test_leucovorin_is_discontinued_with_fluorouracil() -> None:
    c = run(changes=[{"date": "2026-09-15", "agent": "fluorouracil", "action": "discontinue"}])
    lv = drug_events(c, "leucovorin")[-1]
    assert (lv.date, lv.action, lv.rule) == (D("2026-09-15"), "discontinue", "folfox.leucovorin-with-fluorouracil")
    assert "Leucovorin" in lv.source and "fluorouracil discontinued" in lv.reason
    assert current(c, "oxaliplatin") == ("active", "85mg/m2")  # oxaliplatin alone may still be given


def test_leucovorin_follows_a_fluorouracil_hypersensitivity_stop() -> None:
    c = run([ae("2026-09-01", "Allergic reaction", 2, ["fluorouracil"], "2026-09-02")])
    assert current(c, "fluorouracil") == ("discontinued", None)
    assert current(c, "leucovorin") == ("discontinued", None)


def test_leucovorin_stays_when_only_oxaliplatin_stops() -> None:
    c = run(changes=[{"date": "2026-09-15", "agent": "oxaliplatin", "action": "discontinue"}])
    assert current(c, "leucovorin") == ("active", "400mg/m2")
    assert current(c, "fluorouracil") == ("active", "2400mg/m2")


# --- 4. nothing after as_of; a future persistence threshold is a warning ----------------------------------------


def _ongoing_htn() -> list[dict[str, Any]]:
    # onset 2026-09-10 + lenvatinib_persistence_days 30 = 2026-10-10
    return [ae("2026-09-10", HTN, 3, ["lenvatinib"])]


def test_as_of_before_the_threshold_projects_nothing_and_warns_with_the_date() -> None:
    c = run(_ongoing_htn(), as_of="2026-10-09")
    assert all(e.date <= D("2026-10-09") for e in c.events)
    assert current(c, "lenvatinib") == ("interrupted", "12mg")
    note = next(w for w in c.warnings if "adverse_events[0]" in w)
    assert "2026-10-10" in note and "discontinue" in note and "lenvatinib.persisting" in note


def test_as_of_on_the_threshold_discontinues_that_day() -> None:
    c = run(_ongoing_htn(), as_of="2026-10-10")
    last = drug_events(c, "lenvatinib")[-1]
    assert (last.date, last.action, last.rule) == (D("2026-10-10"), "discontinue", "lenvatinib.persisting")
    assert not [w for w in c.warnings if "adverse_events[0]" in w]


def test_no_warning_when_the_event_resolved_before_as_of() -> None:
    c = run([ae("2026-09-10", HTN, 3, ["lenvatinib"], "2026-09-20")], as_of="2026-09-25")
    assert not [w for w in c.warnings if "reaches modification" in w]


def test_as_of_before_the_course_start_replays_nothing() -> None:
    c = run(_ongoing_htn(), as_of="2026-08-31")
    assert c.events == ()
    assert any("nothing is replayed yet" in w for w in c.warnings)


# --- 7. the discontinuation names the rule that required the reduction ------------------------------------------


def test_second_gi_toxicity_at_65_is_discontinued_by_the_gi_rule_not_by_resume() -> None:
    c = run([ae("2026-09-05", "Diarrhea", 3, ["oxaliplatin"], "2026-09-12"),
             ae("2026-10-01", "Diarrhea", 3, ["oxaliplatin"], "2026-10-05")])  # fmt: skip
    stop = drug_events(c, "oxaliplatin")[-1]
    assert (stop.date, stop.action, stop.rule) == (D("2026-10-05"), "discontinue", "folfox.gastrointestinal")
    assert "no lower dose level" in stop.reason
    assert not [e for e in c.events if e.action == "discontinue" and e.rule.endswith(".resume")]


def test_neuropathy_grade3_at_65_is_discontinued_by_the_neuropathy_rule() -> None:
    c = run([ae("2026-09-05", "Peripheral sensory neuropathy", 3, ["oxaliplatin"], "2026-09-10"),
             ae("2026-10-01", "Peripheral sensory neuropathy", 3, ["oxaliplatin"], "2026-10-08")])  # fmt: skip
    stop = drug_events(c, "oxaliplatin")[-1]
    assert (stop.date, stop.action, stop.rule) == (D("2026-10-08"), "discontinue", "folfox.neuropathy.grade3")


# --- 8. the course's pre-cycle check reads the same window as dose and the calendar -----------------------------


def _window_labs(second_chemistry: str) -> list[dict[str, Any]]:
    return [
        {"date": "2026-09-20", "anc_10e9_l": 1.49, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0,
         "albumin_g_l": 40.0},
        {"date": second_chemistry, "platelets_10e9_l": 150.0, "total_bilirubin_umol_l": 15.0, "albumin_g_l": 40.0},
        {"date": "2026-09-26", "anc_10e9_l": 1.5},
    ]  # fmt: skip


@pytest.mark.parametrize(("chemistry", "status"), [("2026-09-23", "active"), ("2026-09-22", "delayed")])
def test_precycle_values_older_than_result_max_age_days_do_not_count(chemistry: str, status: str) -> None:
    # result_max_age_days = 3: on 2026-09-26 the window is 2026-09-23 .. 2026-09-26 (inclusive)
    assert TRIPLE.schedule.precycle_labs.result_max_age_days == 3
    c = run(labs=_window_labs(chemistry))
    assert current(c, "oxaliplatin") == (status, "85mg/m2")


def test_old_values_alone_never_release_a_delay() -> None:
    labs = [*_window_labs("2026-09-23")[:1], {"date": "2026-09-27", "anc_10e9_l": 1.5}]
    c = run(labs=labs)  # the other three values are 7 days old on 2026-09-27
    assert current(c, "oxaliplatin") == ("delayed", "85mg/m2")


# --- 10. lenvatinib and the PD-1 start on cycle day 4 --------------------------------------------------------------


def test_systemic_drugs_start_on_cycle_day_4() -> None:
    c = run()
    starts = {e.agent: e for e in c.events if e.action == "start"}
    assert starts["oxaliplatin"].date == D("2026-09-01")  # HAIC day 1
    assert starts["lenvatinib"].date == D("2026-09-04")  # 2026-09-01 + (4 - 1) days
    assert starts["camrelizumab"].date == D("2026-09-04")
    assert "follows the calendar" in starts["lenvatinib"].reason


def test_systemic_start_follows_the_default_day_option(tmp_path: Path) -> None:
    site = protocol_with(tmp_path, schedule__systemic_start__default_day=6)
    starts = {e.agent: e.date for e in run(protocol=site).events if e.action == "start"}
    assert starts["lenvatinib"] == D("2026-09-06")


@pytest.mark.parametrize("agent", ["lenvatinib", "camrelizumab"])
def test_event_attributed_to_a_systemic_drug_before_its_start_is_an_error(agent: str) -> None:
    with pytest.raises(InputError, match=f"{agent} starts on 2026-09-04") as err:
        run([ae("2026-09-03", "Fatigue", 3, [agent], "2026-09-05")])
    assert err.value.exit_code == 2
    assert current(run([ae("2026-09-04", "Fatigue", 3, [agent], "2026-09-05")]), agent)[0] == "active"


def test_dose_change_for_lenvatinib_before_its_start_is_an_error() -> None:
    with pytest.raises(InputError, match=r"dose_changes\[0\].agent: lenvatinib starts on 2026-09-04"):
        run(changes=[{"date": "2026-09-03", "agent": "lenvatinib", "action": "hold"}])


def test_death_before_the_systemic_start_means_it_never_starts() -> None:
    c = run([ae("2026-09-02", "Sepsis", 5, ["haic_procedure"])])
    assert [e.action for e in drug_events(c, "lenvatinib")] == ["discontinue"]


# --- 11. urine protein >= 2 g/24 h withholds lenvatinib ---------------------------------------------------------


def _protein(*values: tuple[str, float]) -> list[dict[str, Any]]:
    return [{"date": day, "urine_protein_g_24h": value} for day, value in values]


@pytest.mark.parametrize(("value", "withheld"), [(2.0, True), (1.99, False)])
def test_withhold_at_2_g_per_24_h(value: float, withheld: bool) -> None:
    c = run(labs=_protein(("2026-09-15", value)))
    assert current(c, "lenvatinib") == ("interrupted" if withheld else "active", "12mg")
    if withheld:
        assert drug_events(c, "lenvatinib")[-1].rule == "lenvatinib.proteinuria.withhold"


@pytest.mark.parametrize(
    ("option", "later", "expected"),
    [("below_2_g", 2.0, ("interrupted", "12mg")), ("below_2_g", 1.99, ("active", "8mg")),
     ("at_or_below_2_g", 2.0, ("active", "8mg")), ("at_or_below_2_g", 2.01, ("interrupted", "12mg"))],
)  # fmt: skip
def test_resume_threshold_option_both_sides(
    tmp_path: Path, option: str, later: float, expected: tuple[str, str]
) -> None:
    site = protocol_with(tmp_path, modification__lenvatinib_proteinuria_resume=option)
    c = run(protocol=site, labs=_protein(("2026-09-15", 2.5), ("2026-09-22", later)))
    assert current(c, "lenvatinib") == expected  # US PI: resume at a reduced dose (12 -> 8 mg)


def test_default_resume_option_is_the_eu_reading() -> None:
    assert TRIPLE.modification.lenvatinib_proteinuria_resume == "below_2_g"


def test_label_policy_first_proteinuria_resumes_at_the_same_dose(tmp_path: Path) -> None:
    label = protocol_with(tmp_path, modification__lenvatinib_policy="label")
    c = run(protocol=label, labs=_protein(("2026-09-15", 2.5), ("2026-09-22", 1.0), ("2026-10-01", 3.0),
                                          ("2026-10-08", 1.0)))  # fmt: skip
    resumed = [e.to_level for e in drug_events(c, "lenvatinib") if e.action == "resume"]
    assert resumed == ["12mg", "8mg"]  # SmPC: first proteinuria not reduced; the second one is


def test_protein_hold_at_the_reduced_paper_level_discontinues_on_resumption_naming_the_withhold_rule() -> None:
    events = [ae("2026-09-10", HTN, 3, ["lenvatinib"], "2026-09-12")]  # 12 -> 8 mg (paper: one step only)
    c = run(events, labs=_protein(("2026-09-20", 2.5), ("2026-09-27", 1.0)))
    stop = drug_events(c, "lenvatinib")[-1]
    assert (stop.date, stop.action, stop.rule) == (D("2026-09-27"), "discontinue", "lenvatinib.proteinuria.withhold")


def test_protein_result_before_lenvatinib_starts_withholds_it_from_its_start() -> None:
    # Issue 9 item 10 changed this answer (it was a note only): >= 2 g/24 h before the first dose -> held.
    c = run(labs=_protein(("2026-09-02", 2.5)))  # lenvatinib starts 2026-09-04
    assert [(e.date, e.action) for e in drug_events(c, "lenvatinib")] == [(D("2026-09-04"), "start"),
                                                                         (D("2026-09-04"), "hold")]  # fmt: skip
    assert current(c, "lenvatinib") == ("held", "12mg")
    assert drug_events(c, "lenvatinib")[-1].rule == "lenvatinib.proteinuria.before-first-dose"
    assert any("labs[0]" in w and "before the first dose" in w for w in c.warnings)
    assert current(run(labs=_protein(("2026-09-02", 1.99))), "lenvatinib") == ("active", "12mg")
