"""Cockcroft-Gault creatinine clearance against published worked examples, in umol/L and in mg/dL.

Sources of the worked examples (independent of this code):

* SI form, F = 1.23 for men: "70-year-old male, 75 kg, serum creatinine 110 umol/L ... ((140 - 70) x 75 x 1.23)
  / 110 = 58.7 mL/min" (preregexamprep.com, Creatinine Clearance Calculator (Cockcroft-Gault), worked example).
* mg/dL form, x 0.85 for women: "Female, age 45, IBW 60 kg, SCr 0.9 mg/dL. CrCl = [(140 - 45) x 60 / (72 x 0.9)]
  x 0.85 = [5,700 / 64.8] x 0.85 = 74.8 mL/min" (superglobalcalculator.com, Creatinine Clearance Formula
  (Cockcroft-Gault), example 2). 0.9 mg/dL = 0.9 x 88.4 = 79.56 umol/L.
  The SI factors are the mg/dL form rounded (88.4 / 72 = 1.228 -> 1.23; x 0.85 = 1.044 -> 1.04), so the two
  forms agree to within 0.5 %.
"""

from __future__ import annotations

import pytest

from hccprotocol.measures.creatinine_clearance import cockcroft_gault, creatinine_clearance

UMOL_PER_MG_DL = 88.4


def _mg_dl_form(age: int, weight: float, female: bool, creatinine_mg_dl: float) -> float:
    value = (140 - age) * weight / (72 * creatinine_mg_dl)
    return value * 0.85 if female else value


def test_si_worked_example_man() -> None:
    assert round(cockcroft_gault(70, 75.0, "male", 110.0), 1) == 58.7


def test_mg_dl_worked_example_woman_matches_the_si_form() -> None:
    assert round(_mg_dl_form(45, 60.0, True, 0.9), 1) == 74.8  # the published value, by its own formula
    si = cockcroft_gault(45, 60.0, "female", 0.9 * UMOL_PER_MG_DL)
    assert si == pytest.approx(74.8, rel=0.005)


@pytest.mark.parametrize(
    ("age", "weight", "sex", "mg_dl"),
    [(70, 75.0, "male", 110 / UMOL_PER_MG_DL), (45, 65.0, "female", 0.9), (30, 50.0, "female", 2.5),
     (85, 90.0, "male", 4.0)],
)  # fmt: skip
def test_si_and_mg_dl_forms_agree(age: int, weight: float, sex: str, mg_dl: float) -> None:
    si = cockcroft_gault(age, weight, sex, mg_dl * UMOL_PER_MG_DL)  # type: ignore[arg-type]
    assert si == pytest.approx(_mg_dl_form(age, weight, sex == "female", mg_dl), rel=0.005)


def test_the_30_ml_min_boundary_is_exact_for_round_inputs() -> None:
    # 40-year-old man, creatinine 246 umol/L: 100 x 59.8 x 1.23 / 246 = 29.9; 100 x 60 x 1.23 / 246 = 30.0
    assert cockcroft_gault(40, 59.8, "male", 246.0) == pytest.approx(29.9)
    assert cockcroft_gault(40, 59.8, "male", 246.0) < 30
    assert cockcroft_gault(40, 60.0, "male", 246.0) >= 30


def test_women_are_about_85_percent_of_men() -> None:
    assert cockcroft_gault(60, 70.0, "female", 100.0) / cockcroft_gault(60, 70.0, "male", 100.0) == pytest.approx(
        1.04 / 1.23
    )


@pytest.mark.parametrize("missing", ["age_years", "weight_kg", "sex", "creatinine_umol_l"])
def test_a_missing_input_gives_no_value_and_names_the_field(missing: str) -> None:
    values: dict[str, object] = {"age_years": 56, "weight_kg": 68.0, "sex": "male", "creatinine_umol_l": 80.0}
    values[missing] = None
    paths = {"creatinine_umol_l": "labs[2].creatinine_umol_l"}
    result = creatinine_clearance(**values, paths=paths)  # type: ignore[arg-type]
    assert result.value_ml_min is None
    assert result.missing == (paths.get(missing, missing),)
    assert paths.get(missing, missing) in result.describe()
