"""BSA against hand calculations (bc -l, 20 digits) and published worked values."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hccprotocol.measures.bsa import FORMULAS, body_surface_area

# 70 kg, 170 cm, computed with `bc -l` from the published coefficients (clinical-references §7).
HAND_70KG_170CM = {
    "mosteller": 1.81811868577,  # sqrt(170*70/3600); commonly quoted as 1.82 m2
    "dubois": 1.80970780175,  # 0.007184*70^0.425*170^0.725; commonly quoted as 1.81 m2
    "haycock": 1.82567712478,
    "gehan-george": 1.83128931342,
    "boyd": 1.83467028983,  # weight in grams: 70000 g
}


@pytest.mark.parametrize(("formula", "expected"), HAND_70KG_170CM.items())
def test_each_formula_matches_hand_calculation(formula: str, expected: float) -> None:
    assert body_surface_area(70.0, 170.0, formula) == pytest.approx(expected, abs=1e-9)  # type: ignore[arg-type]


def test_mosteller_exact_square() -> None:
    # 180 cm x 80 kg / 3600 = 4 -> exactly 2.0 m2
    assert body_surface_area(80.0, 180.0, "mosteller") == 2.0


def test_boyd_uses_grams_and_agrees_with_kilogram_form() -> None:
    # Equivalent kg form: 0.0333 * W^(0.6157 - 0.0188*log10 W) * H^0.3 (agrees within ~1e-4 m2)
    w, h = 70.0, 170.0
    kg_form = 0.0333 * w ** (0.6157 - 0.0188 * math.log10(w)) * h**0.3
    assert body_surface_area(w, h, "boyd") == pytest.approx(kg_form, abs=2e-4)
    # The classic bug (kilograms in the gram formula) gives a tiny, absurd BSA:
    wrong = 0.0003207 * h**0.3 * w ** (0.7285 - 0.0188 * math.log10(w))
    assert abs(body_surface_area(w, h, "boyd") - wrong) > 1.0


def test_every_formula_is_listed_with_source() -> None:
    assert set(FORMULAS) == {"mosteller", "dubois", "haycock", "gehan-george", "boyd"}
    for f in FORMULAS.values():
        assert f.source and f.formula


weights = st.floats(min_value=25, max_value=349, allow_nan=False)
heights = st.floats(min_value=100, max_value=249, allow_nan=False)
deltas = st.floats(min_value=0.01, max_value=50, allow_nan=False)


@given(w=weights, h=heights, dw=deltas, formula=st.sampled_from(sorted(FORMULAS)))
def test_bsa_is_monotonic_in_weight(w: float, h: float, dw: float, formula: str) -> None:
    heavier = min(w + dw, 350.0)
    assert body_surface_area(heavier, h, formula) >= body_surface_area(w, h, formula)  # type: ignore[arg-type]


@given(w=weights, h=heights, dh=deltas, formula=st.sampled_from(sorted(FORMULAS)))
def test_bsa_is_monotonic_in_height(w: float, h: float, dh: float, formula: str) -> None:
    taller = min(h + dh, 250.0)
    assert body_surface_area(w, taller, formula) >= body_surface_area(w, h, formula)  # type: ignore[arg-type]
