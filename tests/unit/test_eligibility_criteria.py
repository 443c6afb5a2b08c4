"""Inclusion/exclusion criteria of Lin et al. 2023, each on both sides of its boundary.

Expected statuses come from the paper's wording ("ECOG-PS score <= 1", "Child-Pugh
class A or B", "BCLC stage B/C") and hand-worked Child-Pugh scores (Pugh 1973,
MDCalc cut-offs), never from engine output.
"""

from __future__ import annotations

import pytest

from hccprotocol.patient_file import missing_fields, parse_patient

from .eligibility_support import DOUBLET, TRIPLE, candidate, criterion, edit, judge


def test_hand_built_candidate_is_eligible_for_both_arms() -> None:
    for arm in (TRIPLE, DOUBLET):
        result = judge(candidate(), arm)
        assert result.eligible is True
        assert {c.status for c in result.criteria if c.kind == "inclusion"} == {"met"}
        assert {c.status for c in result.criteria if c.kind == "exclusion"} == {"not_met"}
        assert result.protocol.id == arm


@pytest.mark.parametrize(
    ("ecog", "inclusion", "exclusion", "eligible"),
    [
        (0, "met", "not_met", True),
        (1, "met", "not_met", True),
        (2, "not_met", "met", False),
        (3, "not_met", "met", False),
    ],
)
def test_ecog_boundary_1_2(ecog: int, inclusion: str, exclusion: str, eligible: bool) -> None:
    result = judge(edit(candidate(), ecog=ecog))
    assert criterion(result, "inclusion.ecog_0_1").status == inclusion
    assert criterion(result, "exclusion.ecog_above_1").status == exclusion
    assert criterion(result, "inclusion.ecog_0_1").inputs == {"ecog": ecog}
    assert result.eligible is eligible


# Score 9: bilirubin 40 (34.2-51.3: 2) + albumin 30 (28-35: 2) + INR 1.8 (1.7-2.3: 2) + mild ascites (2)
# + no encephalopathy (1) = 9 -> class B. Score 10: the same with grade 1-2 encephalopathy (2) -> class C.
LIVER_9 = {
    "total_bilirubin_umol_l": 40.0,
    "albumin_g_l": 30.0,
    "inr": 1.8,
    "ascites": "mild",
    "encephalopathy": "none",
}


@pytest.mark.parametrize(
    ("encephalopathy", "status", "score"), [("none", "met", 9), ("grade_1_2", "not_met", 10)]
)
def test_child_pugh_boundary_9_10(encephalopathy: str, status: str, score: int) -> None:
    result = judge(edit(candidate(), liver={**LIVER_9, "encephalopathy": encephalopathy}))
    c = criterion(result, "inclusion.child_pugh_a_or_b")
    assert c.status == status
    assert c.inputs["derived.child_pugh.score"] == score
    assert c.inputs["liver.encephalopathy"] == encephalopathy
    assert result.eligible is (status == "met")


# Bilirubin 40 µmol/L (2 points), albumin 30 g/L (2), mild ascites (2), no encephalopathy (1): 7 points
# without the INR, which adds 1-3: score 8-10, class B or C.
INR_DECIDES = {"liver__total_bilirubin_umol_l": 40.0, "liver__albumin_g_l": 30.0, "liver__ascites": "mild"}


def test_missing_inr_that_could_decide_the_class_gives_undetermined_never_eligible() -> None:
    record = edit(candidate(), liver__inr=None, **INR_DECIDES)
    result = judge(record)
    assert missing_fields(parse_patient(record)) == ["liver.inr"]
    assert result.eligible is None
    c = criterion(result, "inclusion.child_pugh_a_or_b")
    assert c.status == "unknown"
    assert c.inputs["liver.inr"] is None
    assert c.inputs["derived.child_pugh.score_max"] == 10
    assert "derived.child_pugh.score" in c.why
    assert "inclusion.child_pugh_a_or_b" in result.basis.unknown
    assert result.basis.excluded_by == []


@pytest.mark.parametrize(
    ("liver", "status", "eligible"),
    [
        # the candidate's other four components score 4: 5-7 whatever the INR -> class A or B
        ({}, "met", True),
        # 6 points (bilirubin 40: 2, albumin 30: 2, ascites none: 1, encephalopathy none: 1): 7-9 -> B
        ({"liver__total_bilirubin_umol_l": 40.0, "liver__albumin_g_l": 30.0}, "met", True),
        # 7 points: 8-10 -> B or C
        (INR_DECIDES, "unknown", None),
        # 9 points (bilirubin 60: 3, albumin 25: 3, mild ascites: 2, none: 1): 10-12 -> C whatever the INR
        (
            {"liver__total_bilirubin_umol_l": 60.0, "liver__albumin_g_l": 25.0, "liver__ascites": "mild"},
            "not_met",
            False,
        ),
    ],
)
def test_a_missing_inr_decides_nothing_when_every_score_it_allows_falls_on_one_side(
    liver: dict[str, object], status: str, eligible: bool | None
) -> None:
    """Issue 8: where a missing value cannot change the status, the status is definite and the field still listed."""
    record = edit(candidate(), liver__inr=None, **liver)
    result = judge(record)
    assert criterion(result, "inclusion.child_pugh_a_or_b").status == status
    assert result.eligible is eligible
    if eligible:
        assert any("liver.inr" in w and "did not change the decision" in w for w in result.basis.warnings)


def test_missing_inr_with_ecog_2_is_not_eligible() -> None:
    result = judge(edit(candidate(), liver__inr=None, ecog=2, **INR_DECIDES))
    assert result.eligible is False
    assert set(result.basis.excluded_by) == {"inclusion.ecog_0_1", "exclusion.ecog_above_1"}
    assert "inclusion.child_pugh_a_or_b" in result.basis.unknown


@pytest.mark.parametrize(
    ("changes", "derived", "status"),
    [
        # vascular invasion -> C
        ({}, "C", "met"),
        # no invasion, no spread, ECOG 0, 3 tumours of which the largest 8.5 cm (> 3 cm) -> multinodular B
        ({"tumour__vascular_invasion": False, "ecog": 0}, "B", "met"),
        # single tumour of 8.5 cm, ECOG 0, no invasion -> A (the latest imaging also shows 1 tumour)
        ({"tumour__vascular_invasion": False, "ecog": 0, "tumour__count": 1}, "A", "not_met"),
    ],
)
def test_bclc_stage_b_or_c(changes: dict[str, object], derived: str, status: str) -> None:
    record = edit(candidate(), **changes)
    count = record["tumour"]["count"]
    for s in record["tace_history"]:
        s["intrahepatic_tumour_count_before"] = s["intrahepatic_tumour_count"] = count
    result = judge(record)
    c = criterion(result, "inclusion.bclc_b_or_c")
    assert c.inputs["derived.bclc_stage"] == derived
    assert c.status == status


@pytest.mark.parametrize(("recorded", "status"), [("C", "met"), ("B", "met"), ("A", "unknown"), ("D", "unknown")])
def test_recorded_bclc_stage_conflicting_with_derived_makes_stage_unknown(recorded: str, status: str) -> None:
    """A conflict between B and C cannot change 'BCLC B or C' (issue 8); one across it (A or D vs C) can."""
    result = judge(edit(candidate(), bclc_stage=recorded))  # derived stage is C (vascular invasion, ECOG 1)
    c = criterion(result, "inclusion.bclc_b_or_c")
    assert c.status == status
    assert c.inputs["bclc_stage"] == recorded
    assert result.eligible is (True if status == "met" else None)


@pytest.mark.parametrize(
    ("changes", "status"),
    [
        ({"diagnosis__resectable": True}, "not_met"),
        ({"diagnosis__hcc_confirmed": False}, "not_met"),
        ({"diagnosis__resectable": None}, "unknown"),
        ({"diagnosis": None}, "unknown"),
    ],
)
def test_unresectable_hcc(changes: dict[str, object], status: str) -> None:
    assert criterion(judge(edit(candidate(), **changes)), "inclusion.unresectable_hcc").status == status


EXCLUSION_FLAGS = [
    ("exclusion.severe_autoimmune_disease", "history", "severe_autoimmune_disease"),
    ("exclusion.prior_systemic_therapy", "history", "prior_systemic_therapy"),
    ("exclusion.prior_immunotherapy", "history", "prior_immunotherapy"),
    ("exclusion.other_tki", "history", "other_tki"),
    ("exclusion.refuses_treatment", "history", "refuses_treatment"),
    ("exclusion.other_subsequent_treatment", "history", "other_subsequent_treatment"),
    ("exclusion.contraindication_haic", "contraindications", "haic"),
    ("exclusion.contraindication_lenvatinib", "contraindications", "lenvatinib"),
    ("exclusion.contraindication_pd1", "contraindications", "pd1"),
]


@pytest.mark.parametrize(("criterion_id", "section", "field"), EXCLUSION_FLAGS)
@pytest.mark.parametrize(
    ("value", "status", "eligible"), [(True, "met", False), (False, "not_met", True), (None, "unknown", None)]
)
def test_each_exclusion_on_the_triple_arm(
    criterion_id: str, section: str, field: str, value: bool | None, status: str, eligible: bool | None
) -> None:
    result = judge(edit(candidate(), **{f"{section}__{field}": value}))
    c = criterion(result, criterion_id)
    assert c.kind == "exclusion"
    assert c.status == status
    assert c.inputs[f"{section}.{field}"] is value
    assert result.eligible is eligible


@pytest.mark.parametrize(("value", "triple", "doublet"), [(True, False, True), (None, None, True)])
def test_pd1_contraindication_excludes_from_the_triple_arm_only(
    value: bool | None, triple: bool | None, doublet: bool
) -> None:
    record = edit(candidate(), contraindications__pd1=value)
    on_triple, on_doublet = judge(record, TRIPLE), judge(record, DOUBLET)
    assert on_triple.eligible is triple
    assert on_doublet.eligible is doublet
    assert criterion(on_doublet, "exclusion.contraindication_pd1").status == "not_met"
    assert criterion(on_doublet, "exclusion.contraindication_pd1").inputs["arm.includes_pd1"] is False


def test_a_definitive_exclusion_wins_over_unknowns() -> None:
    record = edit(candidate(), history=None, contraindications=None, liver__inr=None, history__other_tki=True)
    result = judge(record)
    assert result.eligible is False
    assert result.basis.excluded_by == ["exclusion.other_tki"]
    assert len(result.basis.unknown) >= 8


def test_not_evaluated_criteria_are_documented_not_judged() -> None:
    result = judge(candidate())
    ids = {n.id for n in result.basis.not_evaluated}
    assert ids == {"inclusion.receipt_of_therapy", "exclusion.incomplete_data", "exclusion.lost_to_follow_up"}
    assert not ids & {c.id for c in result.criteria}


def test_paper_criteria_are_all_accounted_for() -> None:
    """6 inclusion and 9 exclusion criteria in the paper: each is judged or documented as not evaluated."""
    result = judge(candidate())
    numbering = {c.numbering["lin_2023"] for c in result.criteria}
    documented = {"inclusion (2)", "exclusion (3)", "exclusion (9)"}
    expected = {f"inclusion ({i})" for i in range(1, 7)} | {f"exclusion ({i})" for i in range(1, 10)}
    assert numbering | documented == expected


def test_every_criterion_carries_its_trail() -> None:
    result = judge(edit(candidate(), liver__inr=None))
    for c in result.criteria:
        assert c.source.startswith("Lin et al. 2023")
        assert c.inputs, c.id
        assert c.why
    assert result.basis.options["response_window_min_days"] == 28
