"""Creatinine clearance by Cockcroft-Gault (Cockcroft DW, Gault MH. Nephron 1976;16:31-41).

Why this form: labels give renal dose adjustments in creatinine clearance (mL/min,
not normalised to 1.73 m2), estimated by Cockcroft-Gault; the oxaliplatin label
reduces the starting dose when CrCl < 30 mL/min. The record holds serum
creatinine in umol/L, so the SI form is used:

    CrCl = (140 - age_years) x weight_kg x F / creatinine_umol_l,  F = 1.23 (male), 1.04 (female)

which is the original ``(140 - age) x weight / (72 x creatinine_mg_dl)``, x 0.85 for
women, with creatinine_mg_dl = creatinine_umol_l / 88.4 (88.4 / 72 = 1.228 -> 1.23;
x 0.85 = 1.044 -> 1.04). Weight is actual body weight (what the record holds); in
obesity it overestimates clearance (some sites use ideal or adjusted weight): the
trail shows the weight used. A missing input gives no value: every caller names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["FORMULA", "SOURCE", "CreatinineClearance", "cockcroft_gault", "creatinine_clearance"]

SOURCE = (
    "Cockcroft DW, Gault MH. Nephron 1976;16:31-41 (SI form with F = 1.23 male / 1.04 female, "
    "creatinine in umol/L)"
)
FORMULA = "(140 - age_years) * weight_kg * (1.23 male | 1.04 female) / creatinine_umol_l"
FACTOR: dict[str, float] = {"male": 1.23, "female": 1.04}


def cockcroft_gault(
    age_years: int, weight_kg: float, sex: Literal["male", "female"], creatinine_umol_l: float
) -> float:
    """CrCl in mL/min (unrounded; the caller rounds for display, never before comparing with a cut-off)."""
    return (140 - age_years) * weight_kg * FACTOR[sex] / creatinine_umol_l


@dataclass(frozen=True)
class CreatinineClearance:
    """A CrCl estimate with the inputs it read; ``value_ml_min`` None when ``missing`` names an input."""

    value_ml_min: float | None
    inputs: dict[str, object]
    missing: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(f"{k} {v}" for k, v in self.inputs.items())
        if self.value_ml_min is None:
            return f"creatinine clearance unknown ({', '.join(self.missing)} missing)"
        return f"creatinine clearance {self.value_ml_min:.1f} mL/min (Cockcroft-Gault: {shown})"


def creatinine_clearance(
    *,
    age_years: int | None,
    weight_kg: float | None,
    sex: Literal["male", "female"] | None,
    creatinine_umol_l: float | None,
    paths: dict[str, str],
) -> CreatinineClearance:
    """CrCl from possibly unknown inputs; ``paths`` maps each input to the record path it came from."""
    values: dict[str, object] = {
        "age_years": age_years,
        "weight_kg": weight_kg,
        "sex": sex,
        "creatinine_umol_l": creatinine_umol_l,
    }
    inputs = {paths.get(k, k): v for k, v in values.items()}
    missing = tuple(paths.get(k, k) for k, v in values.items() if v is None)
    if age_years is None or weight_kg is None or sex is None or creatinine_umol_l is None:
        return CreatinineClearance(None, inputs, missing)
    return CreatinineClearance(cockcroft_gault(age_years, weight_kg, sex, creatinine_umol_l), inputs, ())
