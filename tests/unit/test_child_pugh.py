"""Child-Pugh cut-offs on both sides (Pugh 1973, MDCalc convention; clinical-references §6.1)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hccprotocol.measures.child_pugh import (
    albumin_points,
    bilirubin_points,
    child_pugh,
    child_pugh_class,
    inr_points,
)


@pytest.mark.parametrize(
    ("bilirubin_umol_l", "points"),
    [(34.1, 1), (34.2, 2), (51.3, 2), (51.4, 3)],  # 2 mg/dL = 34.2, 3 mg/dL = 51.3 µmol/L (x17.1)
)
def test_bilirubin_cutoffs(bilirubin_umol_l: float, points: int) -> None:
    assert bilirubin_points(bilirubin_umol_l) == points


@pytest.mark.parametrize(("albumin_g_l", "points"), [(35.1, 1), (35.0, 2), (28.0, 2), (27.9, 3)])
def test_albumin_cutoffs(albumin_g_l: float, points: int) -> None:
    assert albumin_points(albumin_g_l) == points


@pytest.mark.parametrize(("inr", "points"), [(1.69, 1), (1.7, 2), (2.3, 2), (2.31, 3)])
def test_inr_cutoffs(inr: float, points: int) -> None:
    assert inr_points(inr) == points


@pytest.mark.parametrize(("score", "cls"), [(5, "A"), (6, "A"), (7, "B"), (9, "B"), (10, "C"), (15, "C")])
def test_class_boundaries(score: int, cls: str) -> None:
    assert child_pugh_class(score) == cls


def test_worked_example_class_b8() -> None:
    # Hand: bilirubin 40 µmol/L -> 2, albumin 30 g/L -> 2, INR 1.5 -> 1, mild ascites -> 2, no HE -> 1 = 8 (B)
    cp = child_pugh(total_bilirubin_umol_l=40, albumin_g_l=30, inr=1.5, ascites="mild", encephalopathy="none")
    assert (cp.score, cp.cls) == (8, "B")
    assert cp.points == {"bilirubin": 2, "albumin": 2, "inr": 1, "ascites": 2, "encephalopathy": 1}


def test_unknown_component_gives_no_score_but_keeps_known_points() -> None:
    cp = child_pugh(total_bilirubin_umol_l=20, albumin_g_l=40, inr=None, ascites="none", encephalopathy="none")
    assert cp.score is None and cp.cls is None
    assert cp.points["inr"] is None and cp.points["bilirubin"] == 1


@given(
    bili=st.floats(min_value=1, max_value=1000),
    alb=st.floats(min_value=10, max_value=70),
    inr=st.floats(min_value=0.5, max_value=15),
    ascites=st.sampled_from(["none", "mild", "moderate_severe"]),
    he=st.sampled_from(["none", "grade_1_2", "grade_3_4"]),
)
def test_score_always_between_5_and_15(bili: float, alb: float, inr: float, ascites: str, he: str) -> None:
    cp = child_pugh(total_bilirubin_umol_l=bili, albumin_g_l=alb, inr=inr, ascites=ascites, encephalopathy=he)
    assert cp.score is not None and 5 <= cp.score <= 15


@pytest.mark.parametrize(
    ("known", "expected_range", "classes"),
    [
        # INR missing; the other four points (bilirubin, albumin, ascites, encephalopathy) summed by hand
        ({"total_bilirubin_umol_l": 18.0, "albumin_g_l": 38.0, "ascites": "none", "encephalopathy": "none"},
         (5, 7), ("A", "B")),
        ({"total_bilirubin_umol_l": 40.0, "albumin_g_l": 30.0, "ascites": "none", "encephalopathy": "none"},
         (7, 9), ("B",)),
        ({"total_bilirubin_umol_l": 40.0, "albumin_g_l": 30.0, "ascites": "mild", "encephalopathy": "none"},
         (8, 10), ("B", "C")),
        ({"total_bilirubin_umol_l": 60.0, "albumin_g_l": 25.0, "ascites": "mild", "encephalopathy": "none"},
         (10, 12), ("C",)),
    ],
)
def test_a_missing_component_gives_a_score_range_and_the_classes_it_allows(
    known: dict[str, object], expected_range: tuple[int, int], classes: tuple[str, ...]
) -> None:
    cp = child_pugh(inr=None, **known)  # type: ignore[arg-type]
    assert (cp.score, cp.cls) == (None, None)
    assert (cp.score_min, cp.score_max) == expected_range
    assert cp.classes == classes


def test_a_complete_record_has_a_one_point_range() -> None:
    cp = child_pugh(total_bilirubin_umol_l=18.0, albumin_g_l=38.0, inr=1.1, ascites="none", encephalopathy="none")
    assert (cp.score, cp.score_min, cp.score_max, cp.cls, cp.classes) == (5, 5, 5, "A", ("A",))
