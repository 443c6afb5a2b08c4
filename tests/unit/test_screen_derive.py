"""``screen.derive`` (columnar) equals ``measures.derive`` (one patient) on every derived measure.

Why both a property and hand-picked rows: the columnar BCLC key keeps only the side of each cut-off a
value falls on, and Child-Pugh points are the named cut-offs applied with numpy; the boundary rows
(values exactly on 34.2 / 51.3 µmol/L, 35 / 28 g/L, INR 1.7 / 2.3, 2 / 3 cm, 1 / 3 tumours, ECOG 0-4)
are where a packing or a comparison could slip. The expected Child-Pugh points are the published
cut-offs (Pugh 1973, MDCalc convention: a value on a cut-off scores 2), computed by hand.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hccprotocol.measures.bclc import BclcInputs, derive_bclc
from hccprotocol.measures.derive import derive
from hccprotocol.patient import Patient, latest_today
from hccprotocol.screen.derive import bclc, derive_columns
from hccprotocol.screen.partition import prepare
from hccprotocol.screen.records import to_tables

from ..generative.test_cohort_agreement import patients


def _patient(i: int, **liver_tumour: Any) -> Patient:
    liver = {k: liver_tumour.pop(k) for k in ("total_bilirubin_umol_l", "albumin_g_l", "inr", "ascites",
                                               "encephalopathy") if k in liver_tumour}
    tumour = {k.removeprefix("tumour_"): liver_tumour.pop(k) for k in list(liver_tumour) if k.startswith("tumour_")}
    record: dict[str, Any] = {"id": f"P{i}", "ecog": liver_tumour.pop("ecog", 0), "weight_kg": 60.0, "height_cm": 170.0,
                              "liver": {"total_bilirubin_umol_l": 20.0, "albumin_g_l": 40.0, "inr": 1.0,
                                        "ascites": "none", "encephalopathy": "none", **liver},
                              "tumour": {"count": 1, "largest_diameter_cm": 5.0, "vascular_invasion": False,
                                         "extrahepatic_spread": False, **tumour}}
    assert not liver_tumour, liver_tumour
    return Patient.model_validate(record)


def _derived(cohort: list[Patient]) -> pd.DataFrame:
    table, sessions = to_tables(cohort)
    ready = prepare(table, sessions, latest_today())
    assert ready.invalid == 0, ready.issues
    return pd.DataFrame(derive_columns(ready.frame, ready.table))


def _na(value: Any) -> Any:
    return None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else value


def _check(cohort: list[Patient]) -> None:
    got = _derived(cohort)
    for row, patient in enumerate(cohort):
        want = derive(patient).derived
        shown = patient.model_dump(mode="json", exclude_none=True)
        assert _na(got["derived.bclc_stage"].iloc[row]) == want.bclc_stage, shown
        assert (got["derived.child_pugh.score_min"].iloc[row], got["derived.child_pugh.score_max"].iloc[row]) \
            == want.child_pugh_score_range, shown
        assert _na(got["derived.child_pugh.score"].iloc[row]) == (want.child_pugh.score if want.child_pugh else None)
        assert _na(got["derived.albi.grade"].iloc[row]) == (want.albi.grade if want.albi else None), shown
        assert _na(got["derived.bsa_m2"].iloc[row]) == want.bsa_m2, shown
        assert bool(got["derived.bclc_stage_contradicted"].iloc[row]) == bool(want.bclc_stage_contradictions)


@pytest.mark.parametrize(("field", "value", "points"), [
    ("total_bilirubin_umol_l", 34.1, 1), ("total_bilirubin_umol_l", 34.2, 2),
    ("total_bilirubin_umol_l", 51.3, 2), ("total_bilirubin_umol_l", 51.4, 3),
    ("albumin_g_l", 35.1, 1), ("albumin_g_l", 35.0, 2), ("albumin_g_l", 28.0, 2), ("albumin_g_l", 27.9, 3),
    ("inr", 1.69, 1), ("inr", 1.7, 2), ("inr", 2.3, 2), ("inr", 2.31, 3),
    ("ascites", "mild", 2), ("ascites", "moderate_severe", 3),
    ("encephalopathy", "grade_1_2", 2), ("encephalopathy", "grade_3_4", 3),
])
def test_child_pugh_points_on_both_sides_of_each_cut_off(field: str, value: Any, points: int) -> None:
    # every other component scores 1 point: the score is 4 + this component's points
    got = _derived([_patient(0, **{field: value})])
    assert int(got["derived.child_pugh.score"].iloc[0]) == 4 + points


def test_missing_component_gives_the_score_range_and_no_score() -> None:
    got = _derived([_patient(0, inr=None, ascites="mild")])  # known 1+1+2+1 = 5, INR 1-3 points
    assert (int(got["derived.child_pugh.score_min"].iloc[0]), int(got["derived.child_pugh.score_max"].iloc[0])) \
        == (6, 8)
    assert got["derived.child_pugh.score"].isna().iloc[0]


@pytest.mark.parametrize(("tumour", "ecog", "stage"), [
    ({"tumour_count": 1, "tumour_largest_diameter_cm": 2.0}, 0, "0"),
    ({"tumour_count": 1, "tumour_largest_diameter_cm": 2.01}, 0, "A"),
    ({"tumour_count": 3, "tumour_largest_diameter_cm": 3.0}, 0, "A"),
    ({"tumour_count": 3, "tumour_largest_diameter_cm": 3.01}, 0, "B"),
    ({"tumour_count": 4, "tumour_largest_diameter_cm": 2.0}, 0, "B"),
    ({"tumour_count": 4, "tumour_largest_diameter_cm": 2.0}, 1, "C"),
    ({"tumour_count": 1, "tumour_largest_diameter_cm": 2.0, "tumour_vascular_invasion": True}, 0, "C"),
    ({"tumour_count": 1, "tumour_largest_diameter_cm": 2.0}, 3, "D"),
    ({"tumour_count": 4, "tumour_largest_diameter_cm": None}, 0, "B"),
    ({"tumour_count": 2, "tumour_largest_diameter_cm": None}, 0, None),
])
def test_bclc_on_both_sides_of_the_size_count_and_ecog_cut_offs(tumour: dict[str, Any], ecog: int,
                                                               stage: str | None) -> None:
    cohort = [_patient(0, ecog=ecog, **tumour)]
    assert _na(_derived(cohort)["derived.bclc_stage"].iloc[0]) == stage
    _check(cohort)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.integers(1, 6).flatmap(lambda n: st.tuples(*(patients(i) for i in range(n)))))
def test_columnar_derivation_equals_the_per_patient_one(cohort: tuple[Patient, ...]) -> None:
    _check(list(cohort))


def test_the_stage_table_is_derive_bclc_on_every_combination_of_staging_inputs() -> None:
    """Every combination of the inputs BCLC reads (sizes on and off the 2 / 3 cm cut-offs, counts 1-5, every
    ECOG, known and missing flags, Child-Pugh known or a range), in one frame: each row's stage is
    ``derive_bclc`` of that row's own values (the table is filled and read by index, so a slip in a digit would
    stage some combination as another's)."""
    # (low, high, score) of the Child-Pugh range, and its classes by hand (A 5-6, B 7-9, C 10-15)
    cp = [(5, 5, 5, None), (6, 6, 6, None), (7, 7, 7, None), (9, 9, 9, None), (10, 10, 10, None),
          (5, 6, 0, ("A",)), (5, 8, 0, ("A", "B")), (6, 12, 0, ("A", "B", "C")), (8, 11, 0, ("B", "C"))]
    rows = list(product([None, 1, 2, 3, 4, 5], [None, 1.5, 2.0, 2.5, 3.0, 3.5], [None, False, True],
                        [None, False, True], [None, 0, 1, 2, 3, 4, 5], cp))
    frame = pd.DataFrame({
        "tumour_largest_diameter_cm": pd.array([r[1] for r in rows], dtype="Float64"),
        "tumour_vascular_invasion": pd.array([r[2] for r in rows], dtype="boolean"),
        "tumour_extrahepatic_spread": pd.array([r[3] for r in rows], dtype="boolean"),
        "ecog": pd.array([r[4] for r in rows], dtype="Int64"),
    })
    count = np.array([np.nan if r[0] is None else r[0] for r in rows], dtype=float)
    low, high, score = (np.array([r[5][k] for r in rows]) for k in range(3))
    got = bclc(frame, count, low, high, score)
    for k, (n, size, vi, ehs, ecog, (_, _, sc, classes)) in enumerate(rows):
        cls = None if sc == 0 else "A" if sc <= 6 else "B" if sc <= 9 else "C"
        want = derive_bclc(BclcInputs(tumour_count=n, largest_diameter_cm=size, vascular_invasion=vi,
                                      extrahepatic_spread=ehs, ecog=ecog, child_pugh_class=cls,
                                      child_pugh_classes=classes))
        assert _na(got[k]) == want, rows[k]


def test_points_and_boolean_reads_are_the_same_whatever_holds_the_column() -> None:
    # the Arrow fast paths and the general ones: hand-checked values (ascites points: none 1, mild 2,
    # moderate_severe 3; anything else or missing 0)
    from hccprotocol.measures.child_pugh import ASCITES_POINTS
    from hccprotocol.screen.derive import _float_at, _is, _lookup

    cells = ["none", None, "mild", "moderate_severe", "severe?"]
    for dtype in (pd.StringDtype("pyarrow"), pd.StringDtype("python"), object):
        assert _lookup(pd.Series(cells, dtype=dtype), ASCITES_POINTS).tolist() == [1, 0, 2, 3, 0], dtype
    flags = [True, None, False]
    for column in (pd.Series(flags, dtype="boolean"), pd.Series(flags, dtype=object)):
        assert _is(column, True).tolist() == [True, False, False]
        assert _is(column, False).tolist() == [False, False, True]
    counts = [3, None, 0, 7]
    for column in (pd.Series(counts, dtype="Int64"), pd.Series(counts, dtype="Float64"),
                   pd.Series([3.0, np.nan, 0.0, 7.0])):
        got = _float_at(column, np.array([3, 1, 0]))
        assert got[0] == 7.0 and np.isnan(got[1]) and got[2] == 3.0
