"""Plausibility limits for every measured value in a patient record: the one place they live.

Why: a value outside these limits is almost always a data-entry or unit error
(a height of 1.75 entered in metres, albumin 3.5 entered in g/dL). Such a value
is rejected with an error naming the field, the value and the expected unit and
range; it is never clipped and never replaced by a default.

The limits are deliberately wide (physiological extremes, not normal ranges):
they catch errors, they do not judge the patient. Eligibility thresholds live
in ``rules/`` and protocol thresholds in ``protocol/``, never here.
``docs/plausibility.md`` is generated from this table (``hccprotocol schema limits``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Limit:
    """An inclusive plausible range for one quantity, with its unit."""

    low: float
    high: float
    unit: str
    quantity: str
    unit_hint: str = ""
    """Shown when a value looks like it was entered in another unit."""
    hint_below: float | None = None
    """Values below this (but above zero) trigger ``unit_hint``."""
    above_hint: str = ""
    """Shown when a value above the range looks like it was entered in another unit (e.g. pounds)."""

    def describe(self) -> str:
        return f"{self.quantity} in {self.unit}, between {_num(self.low)} and {_num(self.high)}"


def _num(x: float) -> str:
    return f"{x:g}"


LIMITS: dict[str, Limit] = {
    # Anthropometrics: adults with HCC. The extremes admit cachexia and morbid obesity.
    "age_years": Limit(1, 120, "years", "age"),
    "weight_kg": Limit(
        25, 350, "kg", "body weight",
        unit_hint="a value this small may be in another unit; weight_kg expects kilograms",
        hint_below=25,
        # Above 350 a weight is plausible only in pounds (771 lb = 350 kg): 1 lb = 0.45359237 kg exactly.
        above_hint="this looks like pounds (lb); weight_kg expects kilograms: multiply lb by 0.4536 "
        "(e.g. 400 lb = 181.4 kg)",
    ),
    "height_cm": Limit(
        100, 250, "cm", "height",
        unit_hint="this looks like metres; height_cm expects centimetres (e.g. 175, not 1.75)",
        hint_below=3,
    ),
    # Tumour burden
    "tumour_count": Limit(1, 999, "nodules", "intrahepatic tumour count"),
    "intrahepatic_tumour_count": Limit(0, 999, "nodules", "intrahepatic tumour count at imaging"),
    "largest_diameter_cm": Limit(
        0.1, 40, "cm", "largest tumour diameter",
        unit_hint="a value this large may be in millimetres; largest_diameter_cm expects centimetres",
    ),
    "afp_ng_ml": Limit(0, 10_000_000, "ng/mL", "alpha-fetoprotein"),
    "viable_tumour_pct": Limit(0, 100, "%", "viable tumour of treated lesions"),
    # Liver function
    # Below 3 µmol/L (0.18 mg/dL, under the bottom of the adult reference range 3.4-20.5 µmol/L) a total
    # bilirubin is plausible only in mg/dL (typical 0.3-2.9 mg/dL): refused with the conversion, never read
    # as µmol/L (1.2 mg/dL read as 1.2 µmol/L would score 1 Child-Pugh point instead of the right one).
    "total_bilirubin_umol_l": Limit(
        3, 1000, "µmol/L", "total bilirubin",
        unit_hint="this looks like mg/dL; total_bilirubin_umol_l expects µmol/L: multiply mg/dL by 17.1 "
        "(e.g. 1.2 mg/dL = 20.5 µmol/L)",
        hint_below=3,
    ),
    "albumin_g_l": Limit(
        10, 70, "g/L", "serum albumin",
        unit_hint="this looks like g/dL; albumin_g_l expects g/L: multiply g/dL by 10 (e.g. 3.5 g/dL = 35 g/L)",
        hint_below=10,
    ),
    "inr": Limit(0.5, 15, "ratio (dimensionless)", "INR"),
    # Laboratory values for pre-cycle checks
    "anc_10e9_l": Limit(0, 100, "x10^9/L", "absolute neutrophil count"),
    "platelets_10e9_l": Limit(
        0, 2000, "x10^9/L", "platelet count",
        unit_hint="a value this large may be per µL; platelets_10e9_l expects x10^9/L (e.g. 150, not 150000)",
    ),
    "hemoglobin_g_l": Limit(
        20, 250, "g/L", "haemoglobin",
        unit_hint="this looks like g/dL; multiply by 10 for g/L",
        hint_below=20,
    ),
    "alt_u_l": Limit(0, 20_000, "U/L", "alanine aminotransferase"),
    "ast_u_l": Limit(0, 20_000, "U/L", "aspartate aminotransferase"),
    "creatinine_umol_l": Limit(
        10, 3000, "µmol/L", "serum creatinine",
        unit_hint="this looks like mg/dL; multiply by 88.4 for µmol/L",
        hint_below=10,
    ),
    "urine_protein_g_24h": Limit(0, 50, "g/24 h", "urine protein"),
}
"""Field key -> plausible range. The key is the field name (last part of the path)."""


def check(key: str, value: float) -> str | None:
    """Return a plain-language problem for ``value`` of field ``key``, or None when plausible."""
    limit = LIMITS[key]
    if value != value:  # NaN
        return f"not a number; expected {limit.describe()}"
    if limit.low <= value <= limit.high:
        return None
    message = f"implausible value; expected {limit.describe()}"
    hinted = limit.unit_hint and (
        (limit.hint_below is not None and 0 < value < limit.hint_below)
        or (limit.hint_below is None and value > limit.high)
    )
    if hinted:
        message += f" ({limit.unit_hint})"
    elif limit.above_hint and value > limit.high:
        message += f" ({limit.above_hint})"
    return message
