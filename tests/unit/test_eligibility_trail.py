"""The trail of each answer: per-session inputs in the evidence, and warnings on an incomplete eligible record.

Expected values are worked by hand from the candidate of ``eligibility_support``:
sessions on 2026-01-05 and 2026-03-02, each imaged 35 days later
(2026-01-05 + 35 = 2026-02-09; 2026-03-02 + 35 = 2026-04-06), viable tumour 70 % and 65 %.
"""

from __future__ import annotations

import pytest

from hccprotocol.assessment import assess
from hccprotocol.eligibility.tace_series import _sentence
from hccprotocol.patient_file import parse_patient

from .eligibility_support import candidate, edit, jsh, judge, protocol, session, tace_only

IR = "jsh2014.insufficient_response"
IP = "jsh2014.intrahepatic_progression"
VI = "jsh2014.vascular_invasion"
EHS = "jsh2014.extrahepatic_spread"


def test_each_evidence_item_lists_the_session_fields_it_read() -> None:
    result = judge(candidate())
    second = jsh(result, IR).evidence[1]
    assert second.inputs == {
        "tace_history[1].date": "2026-03-02",
        "tace_history[1].selective": True,
        "tace_history[1].imaging_date": "2026-04-06",
        "tace_history[1].viable_tumour_pct": 65.0,
        # the later session of a run must follow a change (change_before_later_session, the default)
        "tace_history[1].agents_changed": True,
        "tace_history[1].feeding_artery_reanalysed": False,
    }
    progression = jsh(result, IP).evidence[0]
    assert progression.inputs == {
        "tace_history[0].date": "2026-01-05",
        "tace_history[0].selective": True,
        "tace_history[0].imaging_date": "2026-02-09",
        "tace_history[0].intrahepatic_tumour_count_before": 3,
        "tace_history[0].intrahepatic_tumour_count": 3,
    }


def test_a_session_that_does_not_count_lists_only_what_decided_that() -> None:
    record = tace_only([session("2026-01-05", selective=False, viable_tumour_pct=70.0)])
    item = jsh(judge(record), IR).evidence[0]
    assert item.counted is False
    assert item.inputs == {
        "tace_history[0].date": "2026-01-05",
        "tace_history[0].selective": False,
        "tace_history[0].imaging_date": "2026-02-09",
    }


def test_a_missing_session_field_is_listed_as_null() -> None:
    record = candidate()
    del record["tace_history"][1]["imaging_date"]
    item = jsh(judge(record), IR).evidence[1]
    assert item.inputs["tace_history[1].imaging_date"] is None


@pytest.mark.parametrize("criterion_id", [VI, EHS])
def test_presence_reading_lists_the_sessions_establishing_adequate_selective_tace(criterion_id: str) -> None:
    """Under 'presence' the criterion reads no new_* field, but it presupposes a TACE (any TACE, JSH 2014
    criteria 3/4): the sessions that establish it are the evidence, selective or not."""
    record = candidate()
    record["tace_history"][0]["selective"] = False
    found = jsh(judge(record, invasion_spread_reading="presence"), criterion_id)
    tace = [e for e in found.evidence if e.why.startswith("TACE on")]
    assert [(e.session, e.date) for e in tace] == [(0, "2026-01-05"), (1, "2026-03-02")]
    assert [e.inputs for e in tace] == [
        {"tace_history[0].date": "2026-01-05"},
        {"tace_history[1].date": "2026-03-02"},
    ]
    assert tace[0].why == "TACE on 2026-01-05 (selective = false)"
    assert tace[1].why == "TACE on 2026-03-02 (selective = true)"
    assert found.why.endswith("Reading: invasion_spread_reading = presence.")


def test_appearance_reading_also_lists_the_appearances_with_their_field() -> None:
    found = jsh(judge(candidate(), invasion_spread_reading="appearance"), VI)
    appearance = [e for e in found.evidence if "tace_history[1].new_vascular_invasion" in e.inputs]
    assert len(appearance) == 1
    assert appearance[0].inputs["tace_history[1].new_vascular_invasion"] is False


def test_evidence_keeps_the_contract_keys_and_adds_inputs() -> None:
    item = jsh(judge(candidate()), IR).evidence[0].model_dump(mode="json")
    assert list(item) == ["session", "date", "counted", "why", "inputs"]


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Insufficient response (viable tumour > 50 %)", "insufficient response (viable tumour > 50 %)"),
        ("TACE markers", "TACE markers"),
        ("Tumour markers kept rising right after TACE", "tumour markers kept rising right after TACE"),
    ],
)
def test_titles_inside_a_sentence_keep_acronyms(title: str, expected: str) -> None:
    assert _sentence(title) == expected


# -- an eligible answer on an incomplete record -----------------------------------------------------------


def test_complete_eligible_record_has_no_warning() -> None:
    result = judge(candidate())
    assert result.eligible is True
    assert result.basis.warnings == []


def test_eligible_with_fields_no_criterion_reads_warns_and_lists_them() -> None:
    """Weight, height and AFP are read by no criterion (dosing, BSA and follow-up need them): the decision stays
    the criteria's (eligible), and a warning lists the three fields in record order."""
    record = edit(candidate(), weight_kg=None, height_cm=None, tumour__afp_ng_ml=None)
    result = judge(record)
    assert result.eligible is True
    assert result.basis.warnings == [
        "eligible on every criterion; 3 fields are missing that no criterion reads (needed for dosing or the "
        "calendar): weight_kg, height_cm, tumour.afp_ng_ml"
    ]


def test_eligible_with_a_missing_field_a_criterion_read_says_it_did_not_change_the_decision() -> None:
    """Markers after the second session unrecorded: the marker criterion is unknown, but refractoriness is met by
    two insufficient responses (any one criterion suffices), so the decision does not depend on it."""
    record = candidate()
    del record["tace_history"][1]["markers_rising_after"]
    result = judge(record)
    assert result.eligible is True
    assert jsh(result, "jsh2014.tumour_markers").status == "unknown"
    assert result.basis.warnings == [
        "eligible on every criterion; 1 field read by a criterion is missing but did not change the decision: "
        "tace_history[1].markers_rising_after"
    ]


@pytest.mark.parametrize(("changes", "eligible"), [({"history__other_tki": None}, None), ({"ecog": 2}, False)])
def test_no_completeness_warning_unless_eligible(changes: dict[str, object], eligible: bool | None) -> None:
    result = judge(edit(candidate(), weight_kg=None, **changes))
    assert result.eligible is eligible
    assert result.basis.warnings == []


def test_the_assessment_carries_the_eligibility_warnings() -> None:
    patient = parse_patient(edit(candidate(), weight_kg=None), source="test")
    out = assess(patient, protocol=protocol())
    assert out.eligible is True
    expected = (
        "eligible on every criterion; 1 field is missing that no criterion reads (needed for dosing or the "
        "calendar): weight_kg"
    )
    assert expected in out.warnings
    assert out.eligibility_basis.warnings == [expected]
