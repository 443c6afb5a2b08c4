"""ALBI (Johnson 2015): hand-computed scores and both sides of -2.60 and -1.39."""

from __future__ import annotations

import pytest

from hccprotocol.measures.albi import albi_grade, albi_score


def test_worked_example() -> None:
    # bc -l: 0.66*log10(17.1) - 0.085*40 = -2.586222567  (bilirubin 1 mg/dL, albumin 4.0 g/dL)
    assert albi_score(17.1, 40.0) == pytest.approx(-2.586222567, abs=1e-9)
    assert albi_grade(albi_score(17.1, 40.0)) == 2


@pytest.mark.parametrize(
    ("score", "grade"), [(-2.60, 1), (-2.5999, 2), (-2.6001, 1), (-1.39, 2), (-1.3899, 3), (-1.3901, 2)]
)
def test_cutoffs_belong_to_lower_grade(score: float, grade: int) -> None:
    assert albi_grade(score) == grade


@pytest.mark.parametrize(
    ("albumin_g_l", "grade"),
    # bilirubin 10 µmol/L: 0.66*1 = 0.66; 38.4 g/L -> -2.604 (grade 1); 38.3 g/L -> -2.5955 (grade 2)
    [(38.4, 1), (38.3, 2)],
)
def test_end_to_end_either_side_of_grade_1(albumin_g_l: float, grade: int) -> None:
    assert albi_grade(albi_score(10.0, albumin_g_l)) == grade


def test_grade_uses_unrounded_score() -> None:
    # -2.60004 prints as -2.60 but is <= -2.60 -> grade 1; -2.59996 also prints -2.60 but is grade 2
    assert albi_grade(-2.60004) == 1
    assert albi_grade(-2.59996) == 2
