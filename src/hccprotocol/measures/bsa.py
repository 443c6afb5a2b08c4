"""Body surface area (m²) by five published formulas; Mosteller is the default.

Why selectable: sites differ, and ASCO (Griggs 2012/2021) accepts any standard
formula. No cap is applied here: capping at 2.0 m² is a protocol choice that
ASCO does not endorse, so it belongs to the protocol definition, not to BSA.
Height in cm and weight in kg throughout, except Boyd's original form, which
takes weight in grams (a common bug is feeding it kilograms).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

BsaFormulaName = Literal["mosteller", "dubois", "haycock", "gehan-george", "boyd"]
DEFAULT_FORMULA: BsaFormulaName = "mosteller"


@dataclass(frozen=True)
class BsaFormula:
    name: BsaFormulaName
    formula: str
    source: str
    compute: Callable[[float, float], float]
    """(weight_kg, height_cm) -> m²"""


def _mosteller(weight_kg: float, height_cm: float) -> float:
    return math.sqrt(height_cm * weight_kg / 3600.0)


def _dubois(weight_kg: float, height_cm: float) -> float:
    return float(0.007184 * weight_kg**0.425 * height_cm**0.725)


def _haycock(weight_kg: float, height_cm: float) -> float:
    return float(0.024265 * weight_kg**0.5378 * height_cm**0.3964)


def _gehan_george(weight_kg: float, height_cm: float) -> float:
    return float(0.0235 * weight_kg**0.51456 * height_cm**0.42246)


def _boyd(weight_kg: float, height_cm: float) -> float:
    weight_g = weight_kg * 1000.0
    return float(0.0003207 * height_cm**0.3 * weight_g ** (0.7285 - 0.0188 * math.log10(weight_g)))


FORMULAS: dict[BsaFormulaName, BsaFormula] = {
    f.name: f
    for f in (
        BsaFormula(
            "mosteller",
            "sqrt(height_cm * weight_kg / 3600)",
            "Mosteller RD. N Engl J Med 1987;317:1098",
            _mosteller,
        ),
        BsaFormula(
            "dubois",
            "0.007184 * weight_kg^0.425 * height_cm^0.725",
            "DuBois D, DuBois EF. Arch Intern Med 1916;17:863",
            _dubois,
        ),
        BsaFormula(
            "haycock",
            "0.024265 * weight_kg^0.5378 * height_cm^0.3964",
            "Haycock GB et al. J Pediatr 1978;93:62",
            _haycock,
        ),
        BsaFormula(
            "gehan-george",
            "0.0235 * weight_kg^0.51456 * height_cm^0.42246",
            "Gehan EA, George SL. Cancer Chemother Rep 1970;54:225",
            _gehan_george,
        ),
        BsaFormula(
            "boyd",
            "0.0003207 * height_cm^0.3 * weight_g^(0.7285 - 0.0188 * log10(weight_g)), weight in grams",
            "Boyd E. The growth of the surface area of the human body. 1935",
            _boyd,
        ),
    )
}


def body_surface_area(weight_kg: float, height_cm: float, formula: BsaFormulaName = DEFAULT_FORMULA) -> float:
    """Unrounded BSA in m². Inputs are already plausibility-checked by the patient model."""
    return FORMULAS[formula].compute(weight_kg, height_cm)
